"""The law as rules: the rule language and its reference evaluator, rulebooks loaded and linted,
the durable-rules adapter (the only module that imports durable-rules), and the rulebook in words.

May import: ``engine.answers``, ``engine.common``."""
