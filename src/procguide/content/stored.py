"""Validated procedures kept in the cache, so a repeated command skips YAML and validation.

An entry is the validated ``Procedure`` itself, pickled, with what it was made from: the
fingerprint of the content code, the file's name and the blocks it included (with their
hashes). It is filed under the file's SHA-256 and bound to that name by the cache's MAC.

Why it is not validated again: the fingerprint says this same code validated it, the hash
says from these same bytes, and the blocks are checked to be the same files. Validation is
a function of those alone (no clock, no environment), so running it again could only give
the same answer, and it would cost a warm ``aftercare`` about a twentieth of its start-up
(pydantic builds the whole model's validator to do it). The cross-checks still run.

Why pickle is safe here: an entry is read only when its MAC, made with a key only this user
can read, matches; and even then it is read with an unpickler that can make nothing but the
content model's classes and dates. A forged entry could at worst hold other content, never
run code: pickle's other ways to call a function are refused with the classes.
"""

from __future__ import annotations

import datetime
import io
import pickle
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from procguide.content.blocks import Used
    from procguide.content.model import Procedure

# The only modules whose classes a stored procedure is made of.
_CONTENT_MODULES = ("procguide.content.model", "procguide.content.fields")


def _name(file_sha256: str) -> str:
    return f"procedures/{file_sha256}.pickle"


def store(code: str, stem: str, blocks: tuple[Used, ...], procedure: Procedure, sha: str) -> None:
    """Keep ``procedure``, validated from the file ``stem`` whose bytes hash to ``sha``."""
    from procguide import cache

    entry = {
        "code": code,
        "file": stem,
        "blocks": [[used.id, used.sha256] for used in blocks],
        "procedure": procedure,
    }
    try:
        payload = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return
    cache.write_bytes(_name(sha), payload)


def stored(sha: str) -> dict[str, Any] | None:
    """The entry kept for the file whose bytes hash to ``sha``; None when there is none."""
    from procguide import cache

    payload = cache.read_bytes(_name(sha))
    if payload is None:
        return None
    try:
        entry = _ContentUnpickler(io.BytesIO(payload)).load()
    except Exception:  # any damage at all: a miss, and the file is loaded in full
        return None
    return entry if isinstance(entry, dict) else None


class _ContentUnpickler(pickle.Unpickler):
    """An unpickler that can make the content model's classes, dates and plain values only."""

    def find_class(self, module: str, name: str) -> Any:
        from pydantic import BaseModel

        from procguide.content import model  # noqa: F401  (its classes, for the lookup)
        from procguide.content.offsets import Offset

        if (module, name) == ("datetime", "date"):
            return datetime.date
        if (module, name) == ("procguide.content.offsets", "Offset"):
            return Offset
        if module in _CONTENT_MODULES:
            found = getattr(sys.modules[module], name, None)
            if isinstance(found, type) and issubclass(found, BaseModel):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a procedure")
