"""Classifying a patch text as strategic merge or JSON6902, as kustomize's PatchTransformer.

kustomize tries both readings of every patch text and insists that exactly one succeeds
(spec §6.1):

* **strategic merge**: a YAML stream (YAML 1.2 dialect, like resources) whose non-empty
  documents all have a ``kind`` and a ``metadata.name`` (``*List`` kinds are expanded into
  their items);
* **JSON6902**: text starting with ``[`` is strict JSON; anything else is read as YAML 1.1
  (go-yaml v2 typing: ``value: y`` is ``true``) and converted to JSON; the result must be an
  array of operation objects.

Both readings succeed for ``[]`` (an error), neither for e.g. ``spec: {}`` (an error). A
stream whose documents are all empty (``{}``) reads as strategic merge *with no patches*;
kustomize then applies the text as JSON6902 and fails to decode it (unless the target
matches nothing); :func:`parse_patch` raises that error straight away.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from envlib.errors import EnvlibError, PatchError
from envlib.kustomize.yaml.readers import load_documents, load_yaml11

SMP = "strategic-merge"
JSON6902 = "json6902"


@dataclass
class ParsedPatch:
    """The result of :func:`parse_patch`.

    ``kind`` is ``"strategic-merge"`` (``documents`` holds the patch objects, ``ops`` is
    None) or ``"json6902"`` (``ops`` holds the operations, ``documents`` is empty).
    ``lines`` gives the 1-based line of each document (strategic merge only).
    """

    kind: str
    documents: list[dict[str, Any]] = field(default_factory=list)
    ops: list[dict[str, Any]] | None = None
    lines: list[int] = field(default_factory=list)
    targeted: list[dict[str, Any]] = field(default_factory=list)
    """Each document as a ``target:``-ed patch applies it (labels/annotations as text)."""


def _go_quote(text: str) -> str:
    from envlib.kustomize.load.resource_entries import go_quote

    return go_quote(text)


def parse_patch(text: str, path: str, source: str | None = None) -> ParsedPatch:
    """Classify and parse a patch text; raise PatchError when it is neither or both kinds.

    Pass an inline ``patch:`` already whitespace-trimmed (kustomize trims it) and a patch
    file's text exactly as read (kustomize does not trim it: a final block scalar keeps its
    newline). ``path`` names the text in messages (a file, or ``kustomization.yaml:12``).
    ``source`` is kustomize's own description used in its error texts, e.g.
    ``[patch: "..."]`` or ``[path: "p.yaml"]``; by default ``[path: "<path>"]``.
    """
    described = source if source is not None else f"[path: {_go_quote(path)}]"
    sm = _strategic(text, path)
    ops = _json6902(text, path)
    if sm is not None and ops is not None:
        raise PatchError(
            f"{path}: the patch reads both as a strategic-merge patch and as a JSON6902 patch "
            "(an empty list?)",
            kustomize_message=f"illegally qualifies as both an SM and JSON patch: {described}",
        )
    if sm is None and ops is None:
        raise PatchError(
            f"{path}: not a strategic-merge patch (YAML objects with kind and metadata.name) "
            "nor a JSON6902 patch (a list of operations)",
            kustomize_message=f"unable to parse SM or JSON patch from {described}",
        )
    if sm is not None:
        docs, lines, targeted = sm
        if docs:
            return ParsedPatch(SMP, documents=docs, lines=lines, targeted=targeted)
        # Only empty objects: kustomize ends up applying the text as JSON6902 and fails.
        raise PatchError(
            f"{path}: the patch holds only empty documents",
            kustomize_message="json: cannot unmarshal object into Go value of type jsonpatch.Patch",
        )
    assert ops is not None
    return ParsedPatch(JSON6902, ops=ops)


def _strategic(
    text: str, path: str
) -> tuple[list[dict[str, Any]], list[int], list[dict[str, Any]]] | None:
    """kustomize ``SliceFromBytes``: documents (plain and as targeted), or None when the
    text is not an SM patch."""
    try:
        documents = load_documents(text, path, patches=True)
    except EnvlibError:
        return None
    docs: list[dict[str, Any]] = []
    lines: list[int] = []
    targeted: list[dict[str, Any]] = []
    pending = [(d.obj, d.line, d.targeted) for d in documents]
    while pending:
        obj, line, variant = pending.pop(0)
        if obj == {} or obj == [] or obj == "":
            continue
        if not isinstance(obj, dict):
            return None
        kind = obj.get("kind")
        meta = obj.get("metadata")
        if meta is not None and not isinstance(meta, dict):
            return None
        if not isinstance(kind, str) or not kind:
            return None
        if kind.endswith("List"):
            items = obj.get("items", MISSING_ITEMS)
            if items is MISSING_ITEMS:
                docs.append(obj)
                lines.append(line)
                targeted.append(variant or obj)
            elif isinstance(items, list):
                pending.extend((item, line, None) for item in items)
            elif items is not None:
                return None
            continue
        name = (meta or {}).get("name")
        if not isinstance(name, str) or not name:
            return None
        docs.append(obj)
        lines.append(line)
        targeted.append(variant or obj)
    return docs, lines, targeted


MISSING_ITEMS: Any = object()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON constant {name}")


def _json6902(text: str, path: str) -> list[dict[str, Any]] | None:
    """jsonpatch ``DecodePatch`` after kustomize's YAML-to-JSON step; None when not JSON6902."""
    if not text:
        return None
    if text.startswith("["):
        try:
            value = json.loads(text, parse_constant=_reject_constant)
        except ValueError:
            return None
    else:
        try:
            value = load_yaml11(text, path)
        except EnvlibError:
            return None
        try:  # the value must survive a JSON round trip (no NaN, no binary)
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            return None
    if value is None:
        return []
    if not isinstance(value, list):
        return None
    ops: list[dict[str, Any]] = []
    for op in value:
        if op is None:
            ops.append({})
        elif isinstance(op, dict):
            ops.append(op)
        else:
            return None
    return ops
