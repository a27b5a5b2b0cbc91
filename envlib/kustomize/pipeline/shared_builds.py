"""Reusing a finished ``resources:`` directory build inside one block of builds (opt-in).

Why: the promotion preview builds every environment at two revisions. Environments share
their base, and the two revisions share most files, so the same base directory is built
from the same bytes up to twice per environment. Inside :func:`shared_directory_builds`,
a subdirectory build is recorded once - its resources (kept pristine), transformer config,
steps, step ids, warnings, vars and the files it read - and a later build of the same
directory whose files read the same (compared by git blob id, as
:meth:`~envlib.kustomize.load.fs.FileSystem.stamp` gives it on every file system) gets a
copy instead of a rebuild. The result is the very same as building it: ids, order, origins,
step ids (``@2`` for a second inclusion) and recorded inputs.

Only untraced builds take part (a trace's changes name the resources they touched, which a
copy would not be), and builds traced through :func:`~envlib.kustomize.core.trace.tracing_only`
for directories none of whose steps the trace keeps (those steps then read as in an untraced
build). Nothing whose result could depend on more than its files takes part: builds
with disabled steps, ``buildMetadata``, Helm, remote roots, or an ``openapi:`` schema set
inside the directory are built as usual. Outside the block nothing is kept.
"""

from __future__ import annotations

import dataclasses
import marshal
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from envlib.kustomize.core.resource import ResMap, Resource
from envlib.kustomize.core.trace import Step, snapshot
from envlib.kustomize.load import fs

_ENTRIES_PER_DIRECTORY = 4  # e.g. the base at two revisions, each seen with two parents

Key = tuple[Hashable, ...]


class Frozen:
    """Resources kept pristine: their objects as one marshal image (several times cheaper
    than copying each object twice), or as copies when a value marshal does not take."""

    def __init__(self, resources: list[Resource]) -> None:
        try:
            self._image: bytes | None = marshal.dumps([res.obj for res in resources])
            self._kept = [copy_resource(res, obj={}) for res in resources]  # all but objects
        except ValueError:  # a str/float subclass keeping its written text
            self._image = None
            self._kept = [copy_resource(res) for res in resources]

    def thaw(self) -> list[Resource]:
        """New, independent resources equal to the ones frozen."""
        if self._image is None:
            return [copy_resource(res) for res in self._kept]
        objs = marshal.loads(self._image)
        return [copy_resource(res, obj) for res, obj in zip(self._kept, objs, strict=True)]


@dataclass
class Recorded:
    """One finished subdirectory build, as it was when the build returned it."""

    resources: Frozen
    config: Any
    ids: list[tuple[str, str]]  # (id before de-duplication, id given), in the order given
    steps: list[Step]
    warnings: list[str]
    vars: list[Any]
    reads: fs.ReadSet
    stamps: dict[str, Hashable | None]  # file read -> its stamp
    shapes: dict[str, tuple[bool, bool, bool, str]]  # path only looked at -> what it was
    entered: frozenset[str]  # real paths of every directory the build went into
    schema_used: bool  # the build consulted the (built-in) schema


@dataclass
class _Memo:
    entries: dict[Key, list[Recorded]] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0


_MEMO: ContextVar[_Memo | None] = ContextVar("envlib_shared_builds", default=None)


@contextmanager
def shared_directory_builds() -> Iterator[_Memo]:
    """Within the block, builds reuse identical subdirectory builds (see the module)."""
    token = _MEMO.set(_Memo())
    try:
        yield _MEMO.get() or _Memo()
    finally:
        _MEMO.reset(token)


def active() -> _Memo | None:
    """The block's memo, or None outside :func:`shared_directory_builds`."""
    return _MEMO.get()


def copy_resource(res: Resource, obj: dict[str, Any] | None = None) -> Resource:
    """An independent copy (the parent level transforms what it is given in place), holding
    ``obj`` when given, else a deep copy of ``res``'s object."""
    return Resource(
        obj=snapshot(res.obj) if obj is None else obj,
        origin=res.origin,
        org_id=res.org_id,
        prev_ids=list(res.prev_ids),
        generated=dataclasses.replace(res.generated) if res.generated is not None else None,
        name_prefixes=list(res.name_prefixes),
        name_suffixes=list(res.name_suffixes),
        shared=list(res.shared),
        empty_nulls=list(res.empty_nulls),
        untyped=list(res.untyped),
    )


def still_valid(entry: Recorded, stack: list[str]) -> bool:
    """Whether building the directory now would read the same and meet no cycle."""
    if any(directory in entry.entered for directory in stack):
        return False  # the real build reports the cycle
    system = fs.current()
    for path, stamp in entry.stamps.items():
        if fs.stamp_or_none(system, path) != stamp:
            return False
    return all(fs.probe_shape(system, path) == seen for path, seen in entry.shapes.items())


def find(memo: _Memo, key: Key, stack: list[str]) -> Recorded | None:
    """A recorded build for ``key`` that still holds, or None."""
    for entry in memo.entries.get(key, ()):
        if still_valid(entry, stack):
            memo.hits += 1
            return entry
    memo.misses += 1
    return None


def store(memo: _Memo, key: Key, entry: Recorded) -> None:
    """Keep ``entry`` (the oldest entry of a full slot makes room)."""
    slot = memo.entries.setdefault(key, [])
    if len(slot) >= _ENTRIES_PER_DIRECTORY:
        slot.pop(0)
    slot.append(entry)


def fresh_resmap(entry: Recorded) -> ResMap:
    """The recorded resources as a new set, with the recorded transformer config."""
    from envlib.kustomize.config.transformer_config import merge_into

    resmap = ResMap(entry.resources.thaw())
    merge_into(resmap, entry.config)
    return resmap


def step_copy(step: Step, new_id: str) -> Step:
    """A recorded (untraced) step under the id this build gives it."""
    return dataclasses.replace(
        step, id=new_id, changes=[], replaced_lists=list(step.replaced_lists), targets=[]
    )


__all__ = [
    "Frozen",
    "Recorded",
    "active",
    "copy_resource",
    "find",
    "fresh_resmap",
    "shared_directory_builds",
    "step_copy",
    "store",
]
