"""A per-user cache that lets repeated commands skip work, without ever trusting it blindly.

It lives in ``$XDG_CACHE_HOME/procguide`` (else ``~/.cache/procguide``) and holds validated
procedures (see content/stored.py), an index of the names in each procedure file, and
Jinja's compiled templates. Every entry is keyed by what it was made from (a file's SHA-256, a
template's source) and by a fingerprint of the code that made it, so an edited file or a new
version of procguide never sees a stale result. ``PROCGUIDE_NO_CACHE=1`` turns it off.

The cache is an optimisation only: a folder that cannot be made, read or written, or that
another user could write to, is ignored silently and commands just do the full work.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import secrets
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from procguide import __version__
from procguide.output import atomic_write

if TYPE_CHECKING:
    import jinja2

OFF_VAR = "PROCGUIDE_NO_CACHE"

# The code that decides whether a procedure file is valid and what it contains: the whole
# content layer. Editing any of it (as a developer or in a new release) empties the
# procedure cache. Folders count every module in them, so a module moved or added inside
# one is covered without being listed (tests check that each name here exists).
CONTENT_CODE = ("content", "cache.py")
# The layer that sets up Jinja: its options shape the compiled templates.
TEMPLATE_CODE = ("render", "cache.py")

_PACKAGE = Path(__file__).resolve().parent


def folder() -> Path | None:
    """The cache folder, made if needed; None when the cache is off or not safe to use."""
    if os.environ.get(OFF_VAR, "").strip() not in ("", "0"):
        return None
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    # XDG: a relative path is invalid and must be ignored.
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    path = root / "procguide"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(path):
            return None
    except (OSError, RuntimeError):  # RuntimeError: no home folder to be found
        return None
    return path


def _private(path: Path, *, follow: bool = True) -> bool:
    """Whether ``path`` is this user's and nobody else can write to it.

    Cached templates are code that Jinja runs: only what nobody else can write to is used,
    the check Jinja makes for its own default cache folder. ``follow=False`` refuses a link.
    """
    if sys.platform == "win32":
        return True
    status = path.stat() if follow else path.lstat()
    if not follow and stat.S_ISLNK(status.st_mode):
        return False
    return status.st_uid == os.getuid() and not status.st_mode & 0o022


def code_version(modules: tuple[str, ...]) -> str | None:
    """The fingerprint of ``modules``; None when the cache is off or cannot be used."""
    if folder() is None:
        return None
    return fingerprint(modules)


@functools.cache
def fingerprint(modules: tuple[str, ...]) -> str | None:
    """A digest of the code that makes a cached result: procguide's ``modules`` and more.

    It covers procguide's version, the source of ``modules``, Python's version (its Unicode
    tables decide which characters are invisible), pydantic's version and PyYAML's (read
    from its source, so it is not imported). None when a file cannot be read: no cache.
    """
    import importlib.util

    from pydantic.version import VERSION as PYDANTIC

    digest = hashlib.sha256(f"{__version__}\0{sys.version}\0{PYDANTIC}\0".encode())
    try:
        spec = importlib.util.find_spec("yaml")
        origin = spec.origin if spec is not None else None
        for path in (*_sources(modules), origin):
            if path is not None:
                digest.update(Path(path).read_bytes())
    except (OSError, ImportError, ValueError):
        return None
    return digest.hexdigest()


def _sources(modules: tuple[str, ...]) -> list[Path]:
    """The files ``modules`` names: a module, or every module in a folder, in a fixed order."""
    files: list[Path] = []
    for name in modules:
        path = _PACKAGE / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def read_json(name: str) -> Any:
    """The data stored under ``name`` as JSON, or None when absent, unreadable or not genuine."""
    payload = read_bytes(name)
    if payload is None:
        return None
    try:
        return json.loads(payload)
    except ValueError:
        return None


def write_json(name: str, data: Any) -> None:
    """Store ``data`` under ``name`` as JSON; a failure is ignored."""
    try:
        payload = json.dumps(data, ensure_ascii=False).encode()
    except (TypeError, ValueError):
        return
    write_bytes(name, payload)


def read_bytes(name: str) -> bytes | None:
    """The bytes stored under ``name``, or None when absent, unreadable or not genuine.

    Every entry carries a MAC over its name and its bytes, made with a key only this user
    can read: an entry that was edited, filed under another name (another file's hash), or
    written by anyone else is a miss, never content for a handout.
    """
    base = folder()
    key = _key(base) if base is not None else None
    if base is None or key is None:
        return None
    try:
        mac, _, payload = (base / name).read_bytes().partition(b"\n")
    except OSError:
        return None
    return payload if hmac.compare_digest(mac, _mac(key, name, payload)) else None


def write_bytes(name: str, payload: bytes) -> None:
    """Store ``payload`` under ``name`` atomically, with its MAC; a failure is ignored."""
    base = folder()
    key = _key(base) if base is not None else None
    if base is None or key is None:
        return
    target = base / name
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Written beside the target and renamed over it, so a reader (another process of
        # a batch) sees the old file or the new one, never half of one.
        atomic_write(target, _mac(key, name, payload) + b"\n" + payload, sync=False)
    except OSError:
        return


def _mac(key: bytes, name: str, payload: bytes) -> bytes:
    return hmac.new(key, name.encode() + b"\0" + payload, hashlib.sha256).hexdigest().encode()


@functools.cache
def _key(base: Path) -> bytes | None:
    """This user's cache key, made once; None when it cannot be trusted or made."""
    path = base / "key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError:
        return None
    else:
        with os.fdopen(fd, "wb") as stream:
            stream.write(secrets.token_bytes(32))
    try:
        status = path.lstat()
        if not stat.S_ISREG(status.st_mode) or not _private(path) or status.st_mode & 0o044:
            return None
        key = path.read_bytes()
    except OSError:
        return None
    return key if len(key) == 32 else None


def bytecode_cache() -> jinja2.BytecodeCache | None:
    """Jinja's cache of compiled templates, in a folder of its own per version of the code."""
    import jinja2

    base = folder()
    code = fingerprint(TEMPLATE_CODE)
    if base is None or code is None:
        return None
    # Jinja checks each template's source itself; the folder name covers what it does not:
    # the environment's options (in render.py) and Jinja's own version.
    version = hashlib.sha256(f"{code}\0{jinja2.__version__}".encode()).hexdigest()[:16]
    path = base / "templates" / version
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Compiled templates are code: every folder on the way must be this user's alone,
        # not only the top one (a subfolder made writable for all would let anyone plant one).
        if not all(_private(folder, follow=False) for folder in (path.parent, path)):
            return None
    except OSError:
        return None
    return _quiet_bytecode_cache()(str(path))


@functools.cache
def _quiet_bytecode_cache() -> type[jinja2.FileSystemBytecodeCache]:
    import jinja2

    class QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
        """Jinja's file cache, where a damaged or unwritable cache only means compiling."""

        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            try:
                # Only a plain file of this user's that nobody else can write: else compile.
                path = Path(self.directory) / (self.pattern % (bucket.key,))
                if path.exists() and not _private(path, follow=False):
                    return
                super().load_bytecode(bucket)
            except Exception:  # a truncated or foreign file: compile the template instead
                bucket.reset()

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                return

    return QuietBytecodeCache
