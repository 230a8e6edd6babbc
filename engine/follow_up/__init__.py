"""After the report: the follow-up file of what a Party declares it did, per recommendation, checked
against the rules, merged side by side, and written as a situation report or a plan of action.

May import: ``engine.documents`` and the layers below it."""
