"""selfcheck's machinery: loading questionnaires, answers and rulebooks, and assessing answers.

The law lives in data files under ``questionnaires/`` and ``rules/``; this package only reads,
checks, compiles and runs it.
"""
