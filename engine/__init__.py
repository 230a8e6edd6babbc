"""selfcheck's machinery, one subpackage per thing its users do, in layers: a subpackage imports only
from those listed below it (pyproject.toml's import-linter contract checks it).

- ``team``, ``rule_testing``: a ministry team's accounts, history and reply; testing the rulebook.
- ``follow_up``: what a Party declares it did after the report, checked against the rules.
- ``documents``: the factsheet and the other documents, in Markdown, HTML and Word.
- ``drafting``: what a bill would change: diffs and plans of amendments.
- ``assessment``: answers assessed against the rulebook, explained, summarised, in batches.
- ``rules``: the rule language, rulebooks, the durable-rules adapter and its reference evaluator.
- ``answers``: the questionnaire, answers files, amendments and the law on a date.
- ``common``: errors, safe files, text, the cache: what every layer uses.
"""
