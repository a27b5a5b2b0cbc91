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
