"""The ``selfcheck`` program's entry point: how the interpreter runs, then the command line (``cli``).

A command that runs once and exits allocates objects that all live until it ends (the rulebook,
the questionnaire, the assessment); the cyclic garbage collector would only scan them again and again
(11-18 ms) and once more at exit (about 11 ms, measured in bench/RESULTS.md). Such commands run
without it and freeze what they hold before exit. ``serve`` and ``batch`` run long over many inputs
and keep it.
"""

from __future__ import annotations

import gc
import sys

LONG_RUNNING = ("serve", "batch")


def main() -> None:
    command = next((argument for argument in sys.argv[1:] if not argument.startswith("-")), None)
    one_shot = command not in LONG_RUNNING
    if one_shot:
        gc.disable()
    from selfcheck.cli import main as run

    try:
        run()
    finally:
        if one_shot:
            gc.freeze()  # what the command held is left to the end of the process, not scanned at exit
