"""The command line's start: cli.py loads the table of every command, but no engine module and none
of the libraries only some commands need; each command imports those when it runs."""

from __future__ import annotations

import subprocess
import sys

LOADED_BY_A_COMMAND = ("selfcheck.engine", "selfcheck.web", "pydantic", "yaml", "jinja2", "docx", "openpyxl", "durable_rules", "starlette", "uvicorn", "rich")


def test_loading_the_command_line_imports_neither_the_engine_nor_the_libraries_a_command_needs():
    program = "import sys, selfcheck.cli; print(*sys.modules, sep='\\n')"
    loaded = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120, check=True).stdout.split()
    assert "selfcheck.commands.following_up" in loaded, "the table loads every command's module"
    early = [name for name in loaded if any(name == package or name.startswith(f"{package}.") for package in LOADED_BY_A_COMMAND)]
    assert not early, early
