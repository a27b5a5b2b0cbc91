"""Files edited in memory on top of another :class:`~.fs.FileSystem`.

Why: Argo CD applies an Application's ``kustomize:`` overrides by editing the
kustomization file in its checkout before building, and a what-if view wants to try an
edited patch file; neither may write into the user's repository. An overlay adds or
replaces whole files (their parent directories appear as needed) and reads everything
else from the file system below it, with that file system's load rules and symlinks.

    over = OverlayFileSystem(OS, {"/repo/k8s/overlays/dev/kustomization.yaml": edited})
    build("/repo/k8s/overlays/dev", fs=over)
"""

from __future__ import annotations

import errno
import os
from collections.abc import Hashable, Mapping

from envlib.kustomize.load.fs import FileSystem, StrPath, blob_id


class OverlayFileSystem(FileSystem):
    """``base`` with some files added or replaced by in-memory contents."""

    def __init__(
        self, base: FileSystem, files: Mapping[StrPath, bytes | str] | None = None
    ) -> None:
        self.base = base
        self._files: dict[str, bytes] = {}
        self._dirs: set[str] = set()
        for path, content in (files or {}).items():
            self.write(path, content)

    def write(self, path: StrPath, content: bytes | str) -> None:
        """Add or replace file ``path`` (absolute, or relative to the current directory)."""
        key = self._key(os.fspath(path))
        self._files[key] = content.encode("utf-8") if isinstance(content, str) else content
        parent = os.path.dirname(key)
        while parent not in self._dirs and parent != os.path.dirname(parent):
            self._dirs.add(parent)
            parent = os.path.dirname(parent)

    def _key(self, path: str) -> str:
        """The overlay's spelling of a path: the real directory (below) plus the name."""
        absolute = os.path.abspath(path)
        parent = os.path.dirname(absolute)
        if parent in self._dirs or parent == absolute:
            return absolute
        return os.path.join(self.base.realpath(parent), os.path.basename(absolute))

    def describe(self) -> str:
        return f"{self.base.describe()} + {len(self._files)} edited file(s)"

    @property
    def edited(self) -> list[str]:
        """The paths this overlay adds or replaces."""
        return sorted(self._files)

    # -- FileSystem -----------------------------------------------------------------------
    def lexists(self, path: str) -> bool:
        key = self._key(path)
        return key in self._files or key in self._dirs or self.base.lexists(path)

    def exists(self, path: str) -> bool:
        key = self._key(path)
        return key in self._files or key in self._dirs or self.base.exists(path)

    def isdir(self, path: str) -> bool:
        key = self._key(path)
        if key in self._files:
            return False
        return key in self._dirs or self.base.isdir(path)

    def isfile(self, path: str) -> bool:
        key = self._key(path)
        if key in self._files:
            return True
        return key not in self._dirs and self.base.isfile(path)

    def realpath(self, path: str, *, strict: bool = False) -> str:
        key = self._key(path)
        if key in self._files or key in self._dirs:
            return key
        return self.base.realpath(path, strict=strict)

    def read_bytes(self, path: str) -> bytes:
        key = self._key(path)
        if key in self._files:
            return self._files[key]
        if key in self._dirs:
            raise IsADirectoryError(errno.EISDIR, "Is a directory", path)
        return self.base.read_bytes(path)

    def stamp(self, path: str) -> Hashable:
        key = self._key(path)
        if key in self._files:
            return ("blob", blob_id(self._files[key]))
        return self.base.stamp(path)

    def listdir(self, path: str) -> list[str]:
        key = self._key(path)
        names: set[str] = set()
        if self.base.isdir(path):
            names.update(self.base.listdir(path))
        elif key not in self._dirs:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        for item in (*self._files, *self._dirs):
            if os.path.dirname(item) == key:
                names.add(os.path.basename(item))
        return sorted(names)


__all__ = ["OverlayFileSystem"]
