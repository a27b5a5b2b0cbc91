"""The strategic merge entry point: the copy-on-write fast path, the kyaml reference walk behind it.

:mod:`.fastmerge` computes kustomize's result without copying what a patch does not reach and
reuses helpers of the reference walk (:mod:`.strategic`); this module sits above both, so
neither imports the other's caller (no import cycle) and the fallback rule lives in one place.
"""

from __future__ import annotations

from typing import Any

from envlib.errors import PatchError
from envlib.kustomize.patches import fastmerge
from envlib.kustomize.patches import strategic as ref
from envlib.kustomize.patches.nodes import EMPTY, KEPT_NULL, MISSING

_NOT_DONE: Any = object()


def apply_strategic_merge(obj: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any] | None:
    """Merge ``patch`` into ``obj`` like ``kubectl kustomize`` does; inputs are not modified.

    The merge runs copy-on-write (:mod:`.fastmerge`): the result is always a new top-level
    dict, but it *shares* every subtree the merge left unchanged with ``obj`` (nothing with
    ``patch``), so the caller must not keep using ``obj`` as an independent copy. Patches
    with a ``$patch`` directive, and any shape the fast path does not reproduce, go through
    the reference walk below on deep copies.

    Returns the merged object, or **None when the patch deletes the object** (top-level
    ``$patch: delete``); the caller then drops the resource. ``kind`` and
    ``metadata.name``/``namespace`` are *not* restored here (the caller does that, §6.1).
    The schema is looked up by ``obj``'s apiVersion/kind, then by the patch's (as kyaml does;
    with a ``target:`` kustomize first gives the patch the target's apiVersion).

    Raises :class:`PatchError` where kustomize fails (a map patched with a scalar, an unknown
    ``$patch`` value, ...).
    """
    try:
        result = fastmerge.walk(obj, fastmerge.clone_patch(patch), None)
    except Exception:  # Fallback, or an error the reference will report exactly
        result = _NOT_DONE
    if result is _NOT_DONE:
        result = ref._walk(fastmerge.clone(obj), fastmerge.clone(patch), None, [])
    if result is ref.MISSING or result is None or result is ref.KEPT_NULL:
        return None
    if not isinstance(result, dict):  # pragma: no cover - a map walk always yields a map
        raise PatchError("strategic merge produced a non-object")
    return result


# -- node helpers (what kyaml asks of a yaml.Node) ----------------------------------------------


# -- the walker ----------------------------------------------------------------------------------


def merge_with_empties(
    obj: dict[str, Any], patch: dict[str, Any], empty_paths: list[tuple[Any, ...]]
) -> tuple[dict[str, Any] | None, list[tuple[Any, ...]]]:
    """:func:`apply_strategic_merge` for an object with values written as nothing (``key:``).

    ``empty_paths`` are their paths (the loader records them). kyaml drops such a value
    wherever its merge walk visits the map holding it - any strategic-merge patch of the
    object, even one far away (kubeflow's istio gateways: ``nodeAffinity:`` with two empty
    keys prints as ``nodeAffinity: {}``) - but keeps ``key: null``; an annotation is a
    string ``""`` by then but still the same node. Runs the reference walk on a copy with
    :data:`~.nodes.EMPTY` markers; returns the result and the paths of the empty values it kept
    (inside lists the walk does not enter).
    """
    work = fastmerge.clone(obj)
    for path in empty_paths:
        holder: Any = work
        for part in path[:-1]:
            holder = holder[part] if _has(holder, part) else None
        key = path[-1]
        if isinstance(holder, dict) and key in holder and holder[key] in (None, ""):
            holder[key] = EMPTY
    result = ref._walk(work, fastmerge.clone(patch), None, [])
    if result is MISSING or result is None or result is KEPT_NULL:
        return None, []
    kept: list[tuple[Any, ...]] = []
    _restore_empties(result, (), kept)
    return result, kept


def _has(holder: Any, part: Any) -> bool:
    if isinstance(holder, dict):
        return part in holder
    return isinstance(holder, list) and isinstance(part, int) and 0 <= part < len(holder)


def _restore_empties(value: Any, path: tuple[Any, ...], kept: list[tuple[Any, ...]]) -> None:
    """Turn the :data:`~.nodes.EMPTY` markers the walk left back into ``None``, noting where."""
    if isinstance(value, dict):
        for key, child in value.items():
            if child is EMPTY:
                value[key] = None
                kept.append((*path, key))
            elif isinstance(child, (dict, list)):
                _restore_empties(child, (*path, key), kept)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            if child is EMPTY:
                value[index] = None
            elif isinstance(child, (dict, list)):
                _restore_empties(child, (*path, index), kept)
