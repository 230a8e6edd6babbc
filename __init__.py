"""selfcheck: a rules engine for legal-framework self-assessment.

This folder is the package ``selfcheck`` (pyproject.toml maps it), so a checkout and an installed
wheel hold the same tree: ``engine/`` (the machinery, one subpackage per thing users do), ``web/``
(the web questionnaire), ``cli.py`` (the command line's table) and ``commands/`` (its commands),
and the data they read: ``rules/``, ``questionnaires/`` and ``templates/``. Nothing is imported
here, so that a command starts fast.
"""
