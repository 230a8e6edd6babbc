"""The floor of selfcheck's stack, for the cold-start benchmark: a one-command typer app that imports
pydantic (one model), durable-rules and PyYAML, and does nothing with them."""

from pathlib import Path

import durable_rules_engine  # noqa: F401
import typer
import yaml  # noqa: F401
from pydantic import BaseModel


class One(BaseModel):
    name: str = ""


def nothing(answers: Path, format: str = typer.Option("text", "--format")) -> None:
    One(name=str(answers))


if __name__ == "__main__":
    typer.run(nothing)
