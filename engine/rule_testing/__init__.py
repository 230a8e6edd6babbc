"""Testing the rulebook: rule cases named as sentences, counterfactual cases, and mutation runs.

May import: ``engine.follow_up`` and the layers below it; not ``engine.team``."""
