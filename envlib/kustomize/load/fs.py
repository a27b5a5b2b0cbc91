"""Read-only file access with kustomize's default load restriction (``LoadRestrictionsRootOnly``).

Files named by a kustomization (resources, patch files, generator sources) must lie inside
that kustomization's directory after symlinks are resolved; directories (other
kustomizations) may be anywhere. envlib only ever reads: nothing here writes.

Files are cached by resolved path and modification time so that re-rendering after a widget
toggle does not re-read the disk.
"""

from __future__ import annotations

import os
from pathlib import Path

from envlib.errors import LoadError, SourceLocation

_CACHE: dict[str, tuple[float, bytes]] = {}


def display_path(path: str | os.PathLike[str]) -> str:
    """A path for messages: relative to the current directory when below it."""
    text = os.fspath(path)
    try:
        rel = os.path.relpath(text)
    except ValueError:
        return text
    return text if rel.startswith("..") else rel


def resolve_in_root(root: Path, entry: str, *, restrict: bool = True) -> Path:
    """Resolve ``entry`` relative to kustomization directory ``root`` and enforce the restriction.

    Raises :class:`LoadError` with kustomize's wording when the file is missing or outside.
    """
    candidate = Path(os.path.join(root, entry)) if not os.path.isabs(entry) else Path(entry)
    absolute = Path(os.path.abspath(candidate))
    try:
        real = Path(os.path.realpath(absolute, strict=True))
    except (OSError, RuntimeError) as exc:
        raise LoadError(
            f"no such file: {entry!r}",
            location=SourceLocation(display_path(absolute)),
            entry=entry,
            kustomize_message=(
                f"evalsymlink failure on '{absolute}' : lstat {absolute}: no such file or directory"
            ),
        ) from exc
    if restrict:
        real_root = Path(os.path.realpath(root))
        if real != real_root and real_root not in real.parents:
            raise LoadError(
                f"file {display_path(real)!r} is outside the kustomization root "
                f"{display_path(real_root)!r} (kustomize's default load restriction)",
                location=SourceLocation(display_path(absolute)),
                entry=entry,
                kustomize_message=f"security; file '{real}' is not in or below '{real_root}'",
            )
    return real


def read_bytes(path: Path) -> bytes:
    """Read a file through the cache (keyed by path and mtime)."""
    key = os.fspath(path)
    try:
        mtime = os.stat(key).st_mtime_ns
    except OSError as exc:
        raise LoadError(
            f"cannot read {display_path(key)}: {exc.strerror}",
            location=SourceLocation(display_path(key)),
        ) from exc
    cached = _CACHE.get(key)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    with open(key, "rb") as handle:
        data = handle.read()
    _CACHE[key] = (mtime, data)
    return data


def read_text(path: Path) -> str:
    """Read a UTF-8 file (BOM kept; YAML readers strip it)."""
    return read_bytes(path).decode("utf-8", errors="replace")
