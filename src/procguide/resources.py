"""Where the built-in procedures and templates are, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def builtin_dir(name: str) -> Path:
    """The built-in ``procedures`` or ``templates`` folder.

    A wheel carries them inside the package (``_data``); in a source checkout they sit at the
    top of the repository, where clinics editing content find them.
    """
    packaged = _PACKAGE / "_data" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent.parent / name
