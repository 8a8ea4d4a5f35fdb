"""The command line: the only layer that prints, names flags or asks about the terminal.

``core`` holds the Typer app and turns errors into messages and exit codes; each other module
registers one group of commands on it.
"""

from procguide.cli import batch, documents, library, lint, record  # noqa: F401  (registers commands)
from procguide.cli.core import app, main

__all__ = ["app", "main"]
