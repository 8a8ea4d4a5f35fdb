"""Work for the batch worker pool's tests: importable by a worker process, unlike a test's own
functions. An item marked ``"kill"`` kills the process making it, as the out-of-memory killer
would."""

from __future__ import annotations

import os
import signal
from typing import Any


def start(note: Any) -> None:
    """Nothing to set up."""


def work(items: list[Any]) -> list[dict[str, Any]]:
    records = []
    for item in items:
        if item == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        records.append({"item": item, "status": "ok", "pid": os.getpid()})
    return records


def failed(item: Any, reason: str) -> dict[str, Any]:
    return {"item": item, "status": "failed", "error": reason}
