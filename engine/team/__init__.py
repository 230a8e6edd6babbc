"""A ministry team at work: accounts, the database, the history of every change and review, and the
reply sent to the Committee.

May import: ``engine.follow_up`` and the layers below it; not ``engine.rule_testing``."""
