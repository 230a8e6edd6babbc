"""A Party's answers assessed against a rulebook: the recommendations and observations that apply
and why, explanations, the smallest changes that would alter them, summaries, batches of files.

May import: ``engine.rules``, ``engine.answers``, ``engine.common``."""
