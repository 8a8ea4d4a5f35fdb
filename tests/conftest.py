"""Shared fixtures: every test runs isolated from the user's config, terminal and clock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from procguide.cli.console import stderr_console, stdout_console

REPO = Path(__file__).resolve().parent.parent
PROCEDURES = REPO / "procedures"


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the whole run: tests never touch the user's ~/.cache."""
    return tmp_path_factory.mktemp("xdg-cache")


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, shared_cache: Path) -> None:
    """No config, cache, colour or build time leaks in from the machine running the tests."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared_cache))
    monkeypatch.delenv("PROCGUIDE_NO_CACHE", raising=False)
    for name in ("PROCGUIDE_CONFIG", "NO_COLOR", "FORCE_COLOR", "SOURCE_DATE_EPOCH", "TZ"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.chdir(tmp_path)
    stdout_console.cache_clear()
    stderr_console.cache_clear()


@pytest.fixture
def runner() -> CliRunner:
    """A CLI runner that keeps stdout and stderr apart."""
    return CliRunner()


@pytest.fixture
def invoke(runner: CliRunner) -> Callable[..., Any]:
    """Run ``procguide ARGS`` in-process; returns the click Result."""
    from procguide.cli import app

    def run(*args: str, input: str | None = None) -> Any:
        return runner.invoke(app, list(args), input=input)

    return run


CLINIC_CONFIG = """\
clinic:
  name: North Shore Pain Clinic
  phone: 555-0100
  after_hours_phone: 555-0199
  emergency_number: "911"
  address: 1 Main Street, Huntington, NY
  timezone: America/New_York
  arrive_before: 30min
"""


@pytest.fixture
def clinic_config(tmp_path: Path) -> Path:
    """A clinic config file with every field set."""
    path = tmp_path / "clinic.yaml"
    path.write_text(CLINIC_CONFIG, encoding="utf-8")
    return path


def build_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path -> text) under ``root``."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
