"""``replacements:`` (kustomize's ReplacementTransformer): copy a field into other fields.

Each replacement reads one value from exactly one *source* object and writes it into
``fieldPaths`` of every *target* object, in list order, so a replacement sees what the
previous one wrote. The rules below are kustomize v5.5.0's, checked against kubectl 1.32:

* Source and ``select``/``reject`` id parts (group, version, kind, name, namespace) match
  **exactly** (no regex) against the object's current *or any previous* id, so a base name
  still selects an object after ``namePrefix``. ``namespace`` compares effective namespaces
  (``""`` == ``default``). The source must match one object: none -> ``nothing selected by
  ...``, several -> ``multiple matches for selector ...``.
* ``labelSelector``/``annotationSelector`` use Kubernetes selector syntax. A ``reject``
  entry's id part and its label/annotation part reject *independently* (an object matching
  either is dropped) - kustomize's behaviour, reproduced.
* Source paths use kyaml's lookup (``[k=v]`` exact, first element); target paths use its
  matcher (``[k=v]`` is an unanchored regex and may match several elements, ``*`` is every
  element), see :mod:`.fieldpath`. Missing target paths are an error unless
  ``options.create``.
* Writing into an existing scalar keeps its YAML type (``replicas: 1`` receiving ``"3"``
  becomes ``3``; receiving ``"abc"`` is kustomize's ``cannot decode`` error); a created
  scalar takes the type its text resolves to (``"5432"`` -> ``5432``), except annotation
  values, which kustomize always prints as strings. Maps and lists are copied whole.
* ``options.delimiter``/``index`` pick one part of the source and replace one part of the
  target (index < 0 prepends, index past the end appends).
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from envlib.errors import EnvlibError, LoadError, SourceLocation, TransformerError
from envlib.kustomize.core.resid import Gvk, ResId
from envlib.kustomize.core.resource import ResMap, Resource
from envlib.kustomize.core.shared_nodes import get_path, path_of, propagate
from envlib.kustomize.load import fs
from envlib.kustomize.transformers.fieldpath import (
    CREATED,
    FieldPathError,
    NodeKind,
    Slot,
    lookup_path,
    match_path,
    scalar_text,
    split_dotted_path,
)
from envlib.kustomize.transformers.labels import matches_selector
from envlib.kustomize.yaml.readers import located_yaml_error
from envlib.kustomize.yaml.scalars import Undecodable, resolve_v3, with_text

DEFAULT_FIELD_PATH = "metadata.name"
_ID_KEYS = ("group", "version", "kind", "name", "namespace")


class _Fail(Exception):
    """Internal: kustomize's message plus our clearer one."""

    def __init__(self, kustomize: str, ours: str | None = None) -> None:
        super().__init__(kustomize)
        self.kustomize = kustomize
        self.ours = ours or kustomize


# -- ids and selection ---------------------------------------------------------------------
def _selector_id(sel: Mapping[str, Any]) -> ResId:
    return ResId(
        Gvk(str(sel.get("group") or ""), str(sel.get("version") or ""), str(sel.get("kind") or "")),
        str(sel.get("name") or ""),
        str(sel.get("namespace") or ""),
    )


def _id_text(rid: ResId) -> str:
    """kyaml's ``ResId.String()`` (``[noName]`` for an empty name)."""
    return f"{rid.gvk}/{rid.name or '[noName]'}.{rid.namespace or '[noNs]'}"


def _is_selected(rid: ResId, sel: ResId) -> bool:
    """kyaml's ``IsSelectedBy``: exact match of every non-empty selector part."""
    return (
        (not sel.name or sel.name == rid.name)
        and (not sel.namespace or sel.effective_namespace == rid.effective_namespace)
        and (not sel.gvk.group or sel.gvk.group == rid.gvk.group)
        and (not sel.gvk.version or sel.gvk.version == rid.gvk.version)
        and (not sel.gvk.kind or sel.gvk.kind == rid.gvk.kind)
    )


def _id_empty(sel: ResId) -> bool:
    return not (sel.name or sel.namespace or sel.gvk.group or sel.gvk.version or sel.gvk.kind)


def _meta_matches(res: Resource, sel: Mapping[str, Any]) -> bool:
    try:
        return matches_selector(
            str(sel.get("labelSelector") or ""), res.labels()
        ) and matches_selector(str(sel.get("annotationSelector") or ""), res.annotations())
    except ValueError as exc:
        raise _Fail(str(exc)) from None


def _source_text(source: Mapping[str, Any]) -> str:
    """kustomize's ``SourceSelector.String()`` as printed in selection errors."""
    out = [_id_text(_selector_id(source))]
    if source.get("fieldPath"):
        out.append(str(source["fieldPath"]))
    options = source.get("options") or {}
    if options.get("delimiter") or options.get("create"):
        create = "true" if options.get("create") else "false"
        out.append(
            f"{options.get('delimiter', '')}({int(options.get('index') or 0)}), create={create}"
        )
    return ":".join(out)


def _select_source(resmap: ResMap, source: Mapping[str, Any]) -> Resource:
    sel = _selector_id(source)
    found = [r for r in resmap if any(_is_selected(i, sel) for i in r.all_ids())]
    if not found:
        raise _Fail(f"nothing selected by {_source_text(source)}")
    if len(found) > 1:
        names = ", ".join(str(r.cur_id) for r in found)
        raise _Fail(
            f"multiple matches for selector {_source_text(source)}",
            f"the source selects {len(found)} objects ({names}); it must select exactly one",
        )
    return found[0]


# -- values ----------------------------------------------------------------------------------
def _check_previous_ids(res: Resource) -> None:
    """kustomize re-reads every object's previous ids from comma-joined annotations.

    A name or namespace containing a comma splits into more entries than the other lists,
    and the replacement fails on that object before it selects anything (kubectl's own
    bug; elsewhere the same state makes it panic).
    """
    ids = res.prev_ids
    if not ids:
        return
    names = ",".join(i.name for i in ids).count(",")
    namespaces = ",".join(
        "_non_namespaceable_" if i.gvk.cluster_scoped else i.namespace or "default" for i in ids
    ).count(",")
    kinds = ",".join(i.gvk.kind for i in ids).count(",")
    if names != namespaces or names != kinds:
        raise _Fail(
            "error getting node IDs: number of previous names, number of previous "
            "namespaces, number of previous kinds not equal",
            f"{res.cur_id} had a name, namespace or kind with a comma "
            f"({', '.join(map(str, ids))}); kustomize cannot read its previous ids back",
        )


def _get_source_value(resmap: ResMap, source: Mapping[str, Any]) -> Any:
    res = _select_source(resmap, source)
    field_path = str(source.get("fieldPath") or DEFAULT_FIELD_PATH)
    try:
        slot = lookup_path(res.obj, split_dotted_path(field_path))
    except FieldPathError as exc:
        raise _Fail(f"error looking up replacement source: {exc}") from None
    value = None if slot is None else slot.value
    if value is None or value == {} or value == []:
        raise _Fail(
            f"fieldPath `{field_path}` is missing for replacement source "
            f"{_id_text(_selector_id(source))}",
            f"fieldPath `{field_path}` is missing in the source {res.cur_id}",
        )
    value = copy.deepcopy(value)
    options = source.get("options") or {}
    delimiter = options.get("delimiter") or ""
    if not delimiter:
        return value
    if isinstance(value, (dict, list)):
        raise _Fail("delimiter option can only be used with scalar nodes")
    parts = scalar_text(value).split(delimiter)
    index = int(options.get("index") or 0)
    if index >= len(parts) or index < 0:
        raise _Fail(f"options.index {index} is out of bounds for value {scalar_text(value)}")
    return parts[index]


_NULL = {"", "~", "null", "Null", "NULL"}
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?(0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*)")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?")


def resolve_plain(text: str) -> tuple[str, Any]:
    """(tag, value) of an untagged plain scalar under go-yaml v3's resolver (spec section 3.3)."""
    if text in _NULL:
        return "!!null", None
    if text in _BOOL:
        return "!!bool", _BOOL[text]
    if _INT.fullmatch(text):
        body = text.lstrip("+-").replace("_", "")
        sign = -1 if text.startswith("-") else 1
        if body[:2] in ("0b", "0o", "0x"):
            return "!!int", sign * int(body[2:], {"0b": 2, "0o": 8, "0x": 16}[body[:2]])
        if len(body) > 1 and body.startswith("0") and re.fullmatch(r"[0-7]+", body):
            return "!!int", sign * int(body, 8)
        return "!!int", sign * int(body)
    if _FLOAT.fullmatch(text):
        return "!!float", float(text.replace("_", ""))
    return "!!str", text


def _tag_of(value: Any) -> str:
    if value is None:
        return "!!null"
    if isinstance(value, bool):
        return "!!bool"
    if isinstance(value, int):
        return "!!int"
    if isinstance(value, float):
        return "!!float"
    return "!!str"


def _coerce(target: Any, text: str) -> Any:
    """Put ``text`` into a scalar that keeps ``target``'s YAML type, as go-yaml decodes it."""
    want = _tag_of(target)
    if want == "!!str":
        return text
    tag, value = resolve_plain(text)
    if tag == want:
        return value
    if want == "!!float" and tag == "!!int":
        return float(value)
    # kyaml keeps the node's tag: this fails only if the object is serialised before
    # something overwrites the value (see Undecodable)
    return Undecodable(
        text,
        f"map[string]interface {{}}(nil): yaml: cannot decode {tag} `{text}` as a {want}",
        f"a replacement wrote {text!r} into a field of type {want[2:]}, and nothing "
        "overwrote it before the object was printed",
    )


def _set_target(res: Resource, slot: Slot, value: Any, options: Mapping[str, Any]) -> None:
    """kustomize's ``setFieldValue`` on one matched slot."""
    current = slot.value
    created = current is CREATED
    is_scalar = not isinstance(current, (dict, list))
    delimiter = options.get("delimiter") or ""
    if delimiter:
        if not is_scalar:
            raise _Fail("delimiter option can only be used with scalar nodes")
        parts = ("" if created else scalar_text(current)).split(delimiter)
        index = int(options.get("index") or 0)
        piece = scalar_text(value)
        if index < 0:
            parts.insert(0, piece)
        elif index >= len(parts):
            parts.append(piece)
        else:
            parts[index] = piece
        value = delimiter.join(parts)
    if not is_scalar:
        slot.set(copy.deepcopy(value))
    elif isinstance(value, (dict, list)) and not created:
        slot.set(_coerce(current, ""))  # kyaml copies only the (empty) text of a container
    elif created and isinstance(value, (dict, list)):
        slot.set(copy.deepcopy(value))
    elif created:
        # An untagged node: its text decides the type - except in annotations, which
        # kustomize re-writes as strings when it strips its internal annotations.
        text = scalar_text(value)
        meta = res.obj.get("metadata")
        in_annotations = isinstance(meta, dict) and slot.holder is meta.get("annotations")
        if in_annotations:
            slot.set(text)
        else:
            slot.set(with_text(resolve_v3(text), text))
            where = path_of(res.obj, slot.holder)
            if where is not None and not isinstance(slot.value, str):
                res.untyped.append((*where, slot.key))
    else:
        coerced = _coerce(current, scalar_text(value))
        if type(coerced) is Undecodable:
            origin = f"{res.cur_id} ({res.origin.location})"
            coerced = Undecodable(coerced, coerced.message, f"{origin}: {coerced.ours}")
        slot.set(coerced)
    if is_scalar and not created:  # kyaml wrote into the existing node
        _propagate_shared(res, slot)


def _propagate_shared(res: Resource, slot: Slot) -> None:
    """The target's node may be shared with other fields (a commonLabels value)."""
    for group in res.shared:
        for path in group:
            if path[-1] == slot.key and get_path(res.obj, path[:-1]) is slot.holder:
                propagate(res, path, slot.value, in_place=True)
                return


def _node_kind(value: Any) -> NodeKind:
    return "map" if isinstance(value, dict) else "seq" if isinstance(value, list) else "scalar"


def _copy_to_target(res: Resource, value: Any, target: Mapping[str, Any]) -> None:
    options = target.get("options") or {}
    create: NodeKind | None = _node_kind(value) if options.get("create") else None
    for field_path in target.get("fieldPaths") or [DEFAULT_FIELD_PATH]:
        verb = "find or create" if create else "find"
        prefix = f'unable to {verb} field "{field_path}" in replacement target'
        try:
            slots = match_path(res.obj, split_dotted_path(str(field_path)), create)
        except FieldPathError as exc:
            raise _Fail(f"{prefix}: {exc}", f"{prefix} {res.cur_id}: {exc}") from None
        if not slots:
            raise _Fail(prefix, f"{prefix} {res.cur_id}")
        try:
            for slot in slots:
                _set_target(res, slot, value, options)
        finally:
            # Never leave a half-created leaf behind when a later slot fails.
            for slot in slots:
                if slot.value is CREATED:
                    slot.set(None)


def _is_target(res: Resource, target: Mapping[str, Any]) -> bool:
    select = target["select"]
    rejects = [r for r in target.get("reject") or [] if isinstance(r, Mapping)]
    if not _meta_matches(res, select):
        return False
    for reject in rejects:
        if (reject.get("labelSelector") or reject.get("annotationSelector")) and _meta_matches(
            res, reject
        ):
            return False
    ids = res.all_ids()
    sel = _selector_id(select)
    if not any(_is_selected(i, sel) for i in ids):
        return False
    for reject in rejects:
        rid = _selector_id(reject)
        if not _id_empty(rid) and any(_is_selected(i, rid) for i in ids):
            return False
    return True


# -- entries and the transformer -----------------------------------------------------------
_GO_KIND = {str: "string", bool: "bool", int: "float64", float: "float64"}


def _config_text(replacements: list[Any]) -> str:
    return "Replacements:\n" + yaml.safe_dump(
        replacements, sort_keys=True, default_flow_style=False
    )


def load_replacements(
    replacements: list[Any], root: Path | None, *, location: SourceLocation | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """Expand ``path:`` entries; returns (entry label, replacement) pairs in order.

    A ``path:`` file holds one replacement or a list of them; it is parsed as kustomize does
    (sigs.k8s.io/yaml: YAML 1.1, first document only - so ``create: yes`` is true).
    """
    out: list[tuple[str, dict[str, Any]]] = []
    for index, item in enumerate(replacements):
        where = f"replacements[{index}]"
        if not isinstance(item, Mapping):
            raise TransformerError(
                f"an entry must be a mapping, got {item!r}", location=location, entry=where
            )
        path = item.get("path")
        if not path:
            out.append((where, dict(item)))
            continue
        prefix = (
            "trouble configuring builtin ReplacementTransformer with config: "
            f"`\n{_config_text(replacements)}`: "
        )
        if item.get("source") is not None or item.get("targets"):
            raise TransformerError(
                "cannot specify both path and inline replacement",
                location=location,
                entry=where,
                kustomize_message=prefix + "cannot specify both path and inline replacement",
            )
        base = (
            root if root is not None else Path(os.path.dirname(location.path) if location else ".")
        )
        try:
            file = fs.resolve_in_root(base, str(path))
        except LoadError as exc:
            raise LoadError(
                exc.message,
                location=exc.location,
                entry=where,
                kustomize_message=prefix + (exc.kustomize_message or exc.message),
            ) from None
        shown = fs.display_path(file)
        text = ""
        try:
            text = fs.read_text(file)
            data = next(iter(yaml.load_all(text, Loader=yaml.CSafeLoader)), None)
        except EnvlibError as exc:
            raise exc.via_entry(location, f"{where}.path {str(path)!r}") from None
        except yaml.YAMLError as exc:
            error = located_yaml_error(exc, text, shown)
            raise error.via_entry(location, f"{where}.path {str(path)!r}") from None
        items = data if isinstance(data, list) else [data] if isinstance(data, dict) else None
        if items is None:
            kind = _GO_KIND.get(type(data), "invalid")
            msg = f"unsupported replacement type encountered within replacement path: {kind}"
            raise TransformerError(
                f"{path}: {msg}", location=location, entry=where, kustomize_message=prefix + msg
            )
        for sub, rep in enumerate(items):
            if not isinstance(rep, Mapping):
                raise TransformerError(
                    f"{path}: entry {sub} is not a mapping", location=location, entry=where
                )
            out.append((f"{where} ({path}[{sub}])", dict(rep)))
    return out


def apply_replacements(
    resmap: ResMap,
    replacements: list[Any],
    location: SourceLocation | None = None,
    *,
    root: Path | None = None,
) -> None:
    """Run a kustomization's ``replacements:`` in place.

    ``location`` is the kustomization file (error location; its directory resolves ``path:``
    entries unless ``root`` is given). Raises :class:`envlib.errors.TransformerError` with
    kustomize's text in ``kustomize_message`` (``LoadError`` for a missing ``path:`` file).
    """
    for where, rep in load_replacements(replacements, root, location=location):
        source, targets = rep.get("source"), rep.get("targets")
        try:
            if not isinstance(source, Mapping) or targets is None:
                raise _Fail("replacements must specify a source and at least one target")
            for res in resmap:
                _check_previous_ids(res)
            value = _get_source_value(resmap, source)
            for target in targets:
                if not isinstance(target, Mapping) or not isinstance(target.get("select"), Mapping):
                    raise _Fail("target must specify resources to select")
                for res in resmap:
                    if _is_target(res, target):
                        _copy_to_target(res, value, target)
        except _Fail as exc:
            raise TransformerError(
                exc.ours, location=location, entry=where, kustomize_message=exc.kustomize
            ) from None
