"""Deprecated ``vars:`` (spec §7.9): ``$(NAME)`` substitution, resolved last at the root.

A var names an object (``objref``: apiVersion/group/version/kind + name, optional namespace)
and a field in it (``fieldref.fieldPath``, default ``metadata.name``). Its value is read
from the *final* object (so it sees prefixes, suffixes and hashes) and substituted only in
kustomize's var-reference fields (:data:`~.nameref_specs.VAR_REFERENCES`: container args,
command, env values, mount paths, some Ingress/Service fields, labels and annotations).

Matching follows kustomize: the objref's GVK must equal the object's exactly (an objref
without ``apiVersion`` never matches a core object, whose version is ``v1``); without a
namespace any namespace matches. Unknown ``$(NAME)`` stay as written, ``$$`` escapes ``$``,
and a field that is exactly ``$(NAME)`` takes the value's type (``5432`` stays a number).
"""

from __future__ import annotations

import re
from typing import Any

from envlib.errors import KustomizationError, TransformerError
from envlib.kustomize.core.resid import Gvk, ResId
from envlib.kustomize.core.resource import ResMap, Resource
from envlib.kustomize.transformers.fieldpath import split_dotted_path
from envlib.kustomize.transformers.nameref_specs import (
    VAR_REFERENCES,
    FieldWalkError,
    RefField,
    walk_field,
)
from envlib.kustomize.yaml.scalars import go_format_float

_DEFAULT_FIELD_PATH = "metadata.name"
_MISS = object()


class _Var:
    """One parsed var entry."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.name = str(raw.get("name") or "")
        objref = raw.get("objref") or {}
        if not isinstance(objref, dict):
            objref = {}
        self.ref_name = str(objref.get("name") or "")
        self.namespace = str(objref.get("namespace") or "")
        group = str(objref.get("group") or "")
        version = str(objref.get("version") or "")
        api_version = str(objref.get("apiVersion") or "")
        self.raw_gvk = Gvk(group, version, str(objref.get("kind") or ""))
        if api_version:
            parts = api_version.split("/")
            if len(parts) == 2:
                group, version = parts
            elif len(parts) == 1:
                version = parts[0]
        self.gvk = Gvk(group, version, self.raw_gvk.kind)
        fieldref = raw.get("fieldref") or {}
        self.raw_field_path = (
            str(fieldref.get("fieldPath") or "") if isinstance(fieldref, dict) else ""
        )
        self.field_path = self.raw_field_path or _DEFAULT_FIELD_PATH

    def go_text(self, *, resolved: bool) -> str:
        """Go's ``%v`` of kustomize's Var struct, before or after defaulting."""
        if resolved:
            return f"{{{self.name} {self.gvk} {{{self.field_path}}}}}"
        return f"{{{self.name} {self.raw_gvk} {{{self.raw_field_path}}}}}"

    def matches(self, rid: ResId) -> bool:
        if rid.name != self.ref_name or rid.gvk != self.gvk:
            return False
        if not self.namespace and not self.gvk.cluster_scoped:
            return True  # no namespace: any namespace (kustomize's GvknEquals)
        return ResId(self.gvk, self.ref_name, self.namespace).key == rid.key


def resolve_vars(
    resmap: ResMap,
    vars: list[dict[str, Any]],
    references: tuple[RefField, ...] = VAR_REFERENCES,
) -> list[str]:
    """Substitute every var in ``resmap`` (in place); return the names never used.

    ``references`` are the fields searched for ``$(NAME)`` (kustomize's ``varReference``
    config; ``configurations:`` may extend it).

    Raises :class:`KustomizationError` for repeated names and :class:`TransformerError` for
    a var whose object is missing or ambiguous, or whose field does not exist.
    """
    if not vars:
        return []
    parsed = [_Var(raw if isinstance(raw, dict) else {}) for raw in vars]
    raw_list = "[" + " ".join(v.go_text(resolved=False) for v in parsed) + "]"
    values: dict[str, Any] = {}
    sources: dict[str, Resource | None] = {}
    for var in parsed:
        if var.name in sources:
            raise KustomizationError(
                f"var {var.name!r} is defined twice",
                entry="vars",
                kustomize_message=f"merging vars {raw_list}: var '{var.name}' already encountered",
            )
        sources[var.name] = _find_source(resmap, var, raw_list)
    # kustomize resolves its var set sorted by name, so the first error is by name too.
    for var in sorted(parsed, key=lambda v: v.name):
        source = sources[var.name]
        if source is None:
            raise TransformerError(
                f"var {var.name!r} refers to {var.gvk}/{var.ref_name}, which is not in the build",
                entry="vars",
                kustomize_message=(
                    f"var '{var.go_text(resolved=True)}' cannot be mapped to a field in the "
                    "set of known resources"
                ),
            )
        value = _lookup(source.obj, var.field_path)
        if value is _MISS:
            raise TransformerError(
                f"var {var.name!r}: {source.cur_id} has no field {var.field_path}",
                location=source.origin.location,
                entry="vars",
                resource=str(source.cur_id),
                kustomize_message=(
                    f"field specified in var '{var.go_text(resolved=True)}' not found in "
                    "corresponding resource"
                ),
            )
        values[var.name] = value
    used: set[str] = set()
    specs_for: dict[Gvk, list[RefField]] = {}
    for res in resmap:
        gvk = res.gvk
        specs = specs_for.get(gvk)
        if specs is None:
            specs = specs_for[gvk] = [s for s in references if s.gvk.selects(gvk)]
        for spec in specs:
            _substitute(res, spec, values, used)
    return sorted(set(values) - used)


def _find_source(resmap: ResMap, var: _Var, raw_list: str) -> Resource | None:
    matched = [res for res in resmap if any(var.matches(rid) for rid in res.all_ids())]
    if len(matched) > 1:
        ids = ", ".join(str(r.cur_id) for r in matched)
        raise TransformerError(
            f"var {var.name!r} matches {len(matched)} objects: {ids}",
            entry="vars",
            kustomize_message=(
                f"merging vars {raw_list}: found {len(matched)} resId matches for var "
                f"{{{var.name} {var.gvk} {{{var.raw_field_path}}}}} (unable to disambiguate)"
            ),
        )
    return matched[0] if matched else None


# -- field lookup (kyaml's GetFieldValue) -----------------------------------------------
def _split_field_path(path: str) -> list[str]:
    """``a.b[0].[name=x].c`` -> ``[a, b, 0, [name=x], c]`` (dots inside brackets kept)."""
    merged = split_dotted_path(path)  # kyaml SmarterPathSplitter: a leading dot is dropped
    out: list[str] = []
    for elem in merged:
        match = re.fullmatch(r"(.*)\[(\d+)\]", elem) if elem.endswith("]") else None
        if match:
            if match.group(1):
                out.append(match.group(1))
            out.append(match.group(2))
        else:
            out.append(elem)
    return out


def _lookup(obj: Any, path: str) -> Any:
    node = obj
    for part in _split_field_path(path):
        if isinstance(node, dict):
            if part.startswith("[") and part.endswith("]") and "=" not in part:
                part = part[1:-1]
            if part not in node:
                return _MISS
            node = node[part]
        elif isinstance(node, list):
            if part.isdigit():
                if int(part) >= len(node):
                    return _MISS
                node = node[int(part)]
            elif part.startswith("[") and part.endswith("]") and "=" in part:
                key, _, want = part[1:-1].partition("=")
                hits = [
                    item
                    for item in node
                    if (isinstance(item, dict) and _text(item.get(key)) == want)
                    or (not key and _text(item) == want)
                ]
                if not hits:
                    return _MISS
                node = hits[0]
            else:
                return _MISS
        else:
            return _MISS
    return "" if node is None else node


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return go_value_text(value)
    return None


# -- substitution (kustomize's refvar filter) ----------------------------------------------
def _substitute(res: Resource, spec: RefField, values: dict[str, Any], used: set[str]) -> None:
    def replace(text: str) -> Any:
        return expand(text, values, used)

    def set_value(container: Any, key: Any) -> None:
        node = container[key]
        if node is None:
            return
        if isinstance(node, str):
            container[key] = replace(node)
        elif isinstance(node, dict):
            for map_key, item in list(node.items()):
                if not isinstance(map_key, str):
                    raise FieldWalkError(f"invalid map key: value='{map_key}', tag='!!int'")
                if isinstance(item, str):
                    node[map_key] = replace(item)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                if not isinstance(item, str):
                    raise FieldWalkError("invalid value type expect a string")
                node[index] = replace(item)

    try:
        walk_field(res.obj, spec.segments, set_value)
    except FieldWalkError as exc:
        rid = res.cur_id
        raise TransformerError(
            f"cannot substitute vars in {spec.path} of {rid}: {exc.reason}",
            location=res.origin.location,
            entry="vars",
            resource=str(rid),
            kustomize_message=(
                f"considering field '{spec.path}' of object {rid}: {exc.kustomize_text()}"
            ),
        ) from exc


def _is_primitive(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def expand(text: str, values: dict[str, Any], used: set[str] | None = None) -> Any:
    """Expand ``$(NAME)`` in ``text`` as kustomize's ``DoReplacements`` does.

    ``$$`` yields ``$``; an unknown or non-scalar var is written back as ``$(NAME)``; an
    unterminated ``$(`` is kept. When ``text`` is exactly ``$(NAME)`` the value is returned
    with its own type.
    """
    used = used if used is not None else set()

    def mapped(name: str) -> Any:
        value = values.get(name, _MISS)
        if value is _MISS or not _is_primitive(value):
            return f"$({name})"
        used.add(name)
        return value

    out: list[str] = []
    checkpoint = 0
    cursor = 0
    while cursor < len(text):
        if text[cursor] == "$" and cursor + 1 < len(text):
            out.append(text[checkpoint:cursor])
            rest = text[cursor + 1 :]
            if rest[0] == "$":
                out.append("$")
                advance = 1
            elif rest[0] == "(":
                close = rest.find(")", 1)
                if close == -1:
                    out.append("$(")
                    advance = 1
                else:
                    name = rest[1:close]
                    value = mapped(name)
                    if text == f"$({name})":
                        return value
                    out.append(value if isinstance(value, str) else go_value_text(value))
                    advance = close + 1
            else:
                out.append("$" + rest[0])
                advance = 1
            cursor += advance
            checkpoint = cursor + 1
        cursor += 1
    return "".join(out) + text[checkpoint:]


def go_value_text(value: Any) -> str:
    """Go's ``%v`` of a scalar: ``true``, ``5432``, ``1.5``, ``1e+06`` (floats as Go's
    ``FormatFloat(x, 'g', -1, 64)``: shortest digits, exponent form below 1e-4 or from 1e6)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, float):
        return str(value)
    return go_format_float(value)
