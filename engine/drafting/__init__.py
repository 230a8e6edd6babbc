"""What a bill would change: the comparison of two sets of answers, and a plan of amendments that
would clear a Party's recommendations.

May import: ``engine.assessment`` and the layers below it."""
