"""Where a value is in a content file, as a key and as the dotted name messages use.

Kept apart from the YAML loader so modules that only name fields do not import PyYAML.
"""

from __future__ import annotations

Key = tuple[str | int, ...]
"""Where a value is in a file: ``("recovery", 0, "to")``."""


def dotted(key: Key) -> str:
    """``("recovery", 0, "to")`` as ``recovery.0.to``, as messages name a field."""
    return ".".join(str(part) for part in key)


def key_of(path: str) -> Key:
    """``recovery.0.to`` as ``("recovery", 0, "to")``."""
    return tuple(int(part) if part.isdigit() else part for part in path.split("."))
