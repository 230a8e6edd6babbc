"""The commands of ``selfcheck``, grouped by what users do; ``cli.py`` registers them. Each command
parses its options, calls the engine and prints: the law and its logic stay in ``engine/``.

- ``assessing``: validate, assess, report, explain, batch, rounds, schema, init.
- ``drafting``: diff, plan, invert, upgrade.
- ``maintaining_rules``: lint, test, rules.
- ``team``: serve, users, history, reply.
- ``following_up``: follow-up init, status, import.
- ``common``: the shared options, exit codes, error reporting, output writing and progress bar.

May import ``web`` and ``engine``, never ``cli``. A module imports only the standard library and
typer at its top, the engine inside each command, so that a command starts fast.
"""
