"""Scalars that several fields of one object share, as kyaml's node pointers make them.

kustomize's label and annotation transformers (``commonLabels``, ``labels``,
``commonAnnotations``) build *one* YAML scalar node per object and key and hang it under
every field spec they create it in: ``metadata.labels.env``, ``spec.selector.matchLabels.env``,
``spec.template.metadata.labels.env`` are then the same node. Whatever later overwrites one of
those fields *in place* - a strategic-merge patch, another label transformer, a replacement;
all of them copy the new value into the existing node (kyaml ``SetYNode``) - changes every
field that shares it, even ones the later step never addresses (verified with kubectl 1.32:
``tools/fuzz`` family "label-value-aliasing", tests/cases/101-*). A JSON6902 patch
round-trips the object through JSON, which makes every node new again.

envlib's objects are plain Python data, so the sharing is kept beside them:
``Resource.shared`` is a list of groups of paths (tuples of keys / list indices) whose
scalars are one node. This module creates the groups and propagates in-place writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from envlib.kustomize.core.resource import Resource

Path = tuple[Any, ...]
_MISSING: Any = object()


def get_path(obj: Any, path: Path) -> Any:
    """The value at ``path`` in ``obj``, or ``_MISSING``."""
    for part in path:
        if isinstance(obj, dict):
            if part not in obj:
                return _MISSING
            obj = obj[part]
        elif isinstance(obj, list) and isinstance(part, int):
            if not 0 <= part < len(obj):
                return _MISSING
            obj = obj[part]
        else:
            return _MISSING
    return obj


def exists(obj: Any, path: Path) -> bool:
    """Whether ``path`` leads to a value in ``obj``."""
    return get_path(obj, path) is not _MISSING


def spec_paths(obj: Any, spec_path: str, key: str) -> list[Path]:
    """The concrete paths of ``key`` in the maps a field spec path (``a/b[]/c``) reaches."""
    found: list[Path] = [()]
    for part in spec_path.split("/"):
        name = part.removesuffix("[]")
        grown: list[Path] = []
        for path in found:
            value = get_path(obj, path)
            if isinstance(value, list):  # lists on the way are walked without a part
                grown.extend((*path, i, name) for i in range(len(value)))
            elif isinstance(value, dict):
                grown.append((*path, name))
        found = grown
    return [(*path, key) for path in found]


@lru_cache(maxsize=1024)
def _split(spec_path: str) -> tuple[str, ...]:
    return tuple(part.removesuffix("[]") for part in spec_path.split("/"))


def present_paths(obj: Any, spec_path_list: Iterable[str], key: str) -> list[Path]:
    """The paths where ``key`` is set in the maps the field spec paths reach (each once).

    The common case - a chain of maps - is walked directly; a list on the way takes
    :func:`spec_paths`.
    """
    out: list[Path] = []
    for spec_path in spec_path_list:
        parts = _split(spec_path)
        node: Any = obj
        for part in parts:
            if type(node) is not dict:
                break
            node = node.get(part, _MISSING)
        else:
            if type(node) is dict:
                if key in node:
                    path = (*parts, key)
                    if path not in out:
                        out.append(path)
                continue
        if type(node) is list or isinstance(node, list):
            for path in spec_paths(obj, spec_path, key):
                if exists(obj, path) and path not in out:
                    out.append(path)
    return out


def _set_in_place(obj: Any, path: Path, value: Any) -> None:
    parent = get_path(obj, path[:-1])
    if isinstance(parent, dict) and path[-1] in parent:
        parent[path[-1]] = value


def _set_copying(obj: dict[str, Any], path: Path, value: Any) -> None:
    """Set ``path`` (which exists) copying every container on the way: ``obj``'s subtrees
    may be shared with an older version of the object (copy-on-write merges)."""
    node: Any = obj
    for part in path[:-1]:
        child = node[part]
        child = dict(child) if isinstance(child, dict) else list(child)
        node[part] = child
        node = child
    node[path[-1]] = value


def record_writes(res: Resource, existed: list[Path], created: list[Path], value: Any) -> None:
    """A label/annotation transformer wrote ``value`` at ``existed`` (in place) and
    ``created`` (new fields, which now share the transformer's one node)."""
    if res.empty_nulls:  # a written node has a value now, even ""
        res.empty_nulls[:] = [p for p in res.empty_nulls if p not in existed]
    for path in existed:
        propagate(res, path, value, in_place=True)
    if len(created) > 1:
        res.shared.append(tuple(created))


def propagate(res: Resource, path: Path, value: Any, *, in_place: bool = False) -> None:
    """``path`` was overwritten in place with ``value``: so is every field sharing its node."""
    for group in res.shared:
        if path not in group:
            continue
        for other in group:
            if other == path or not exists(res.obj, other):
                continue
            if in_place:
                _set_in_place(res.obj, other, value)
            else:
                _set_copying(res.obj, other, value)


def forget(res: Resource) -> None:
    """Every node of the object is new (a JSON round trip)."""
    res.shared.clear()


def after_merge(res: Resource, before: dict[str, Any], patch: Any) -> None:
    """A strategic merge turned ``before`` into ``res.obj``: propagate the scalars it
    overwrote in place and drop fields whose node it replaced or removed."""
    if not res.shared:
        return
    kept: list[Path] = []
    writes: list[tuple[Path, Any]] = []
    for group in res.shared:
        members = [p for p in group if _still_shared(before, res.obj, p, patch)]
        for path in sorted(members, key=_order):
            if not _has_int(path) and exists(before, path):
                new = get_path(patch, path)
                if new is not _MISSING and not isinstance(new, (dict, list)) and new is not None:
                    writes.append((path, get_path(res.obj, path)))
        if len(members) > 1:
            kept.append(tuple(members))
    res.shared[:] = kept
    for path, value in writes:
        propagate(res, path, value)


def _still_shared(before: dict[str, Any], after: dict[str, Any], path: Path, patch: Any) -> bool:
    """The field still holds the node it held (it exists, and no list on the way to it was
    replaced by the merge).

    A list the patch does not mention is untouched, even when the merge ran on deep copies
    (patches with ``$patch`` directives); otherwise the copy-on-write merge keeps an
    untouched list's identity.
    """
    if not exists(after, path):
        return False
    for i, part in enumerate(path):
        if isinstance(part, int):
            if get_path(patch, path[:i]) is _MISSING:
                return True  # the first list on the way is not in the patch
            old, new = get_path(before, path[:i]), get_path(after, path[:i])
            if old is not new:
                return False
    return True


def _has_int(path: Path) -> bool:
    return any(isinstance(part, int) for part in path)


def _order(path: Path) -> tuple[str, ...]:
    """kyaml walks map fields in sorted order; the last in-place write wins."""
    return tuple(str(part) for part in path)


def path_of(obj: Any, holder: Any) -> Path | None:
    """The path of the container ``holder`` (by identity) inside ``obj``."""
    stack: list[tuple[Any, Path]] = [(obj, ())]
    while stack:
        value, path = stack.pop()
        if value is holder:
            return path
        if isinstance(value, dict):
            stack.extend((v, (*path, k)) for k, v in value.items() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend(
                (v, (*path, i)) for i, v in enumerate(value) if isinstance(v, (dict, list))
            )
    return None


def stringify_untyped(res: Resource, patch: Any, scalar_text: Callable[[Any], str]) -> None:
    """After a strategic merge: the scalars a replacement created are strings now.

    kustomize's replacement creates the field as an untagged node holding the source's text
    (it prints as a number: ``a: 7``); kyaml's merge walk tags every scalar it visits, so
    after any strategic-merge patch of the object it prints ``a: "7"`` (verified with
    kubectl). A value the patch itself sets is the patch's. ``scalar_text`` gives a
    value's node text (``yaml.scalars.scalar_text``; core sits below the YAML layer).
    """
    for path in res.untyped:
        if exists(patch, path):
            continue
        value = get_path(res.obj, path)
        if value is _MISSING or value is None or isinstance(value, (str, dict, list)):
            continue
        _set_copying(res.obj, path, scalar_text(value))
    res.untyped.clear()
