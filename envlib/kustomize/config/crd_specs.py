"""``crds:`` entries: OpenAPI definitions of custom kinds, read for their field specs.

kustomize (``accumulator.LoadConfigFromCRDs``) reads a map of Go type name -> ``{Schema,
Dependencies}`` (JSON if the file starts with ``{``, else YAML). Every definition that looks
like a Kubernetes object (has ``kind``, ``apiVersion`` and ``metadata`` properties) is walked
property by property, following ``$ref`` into other definitions of the same file:

* ``x-kubernetes-annotation`` -> a ``commonAnnotations`` field spec;
* ``x-kubernetes-label-selector`` -> a ``commonLabels`` field spec;
* ``x-kubernetes-identity`` -> a ``namePrefix`` field spec;
* ``x-kubernetes-object-ref-api-version`` + ``x-kubernetes-object-ref-kind`` -> a
  ``nameReference`` to that kind at ``<path>/<x-kubernetes-object-ref-name-key or name>``.

The kind is the part of the type name after its last ``.``; group and version stay empty, so
the specs apply to that kind in any group. Extension keys match case-insensitively and only
count when their value is a string, as in kube-openapi.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import yaml

from envlib.kustomize.config.transformer_config import (
    ConfigError,
    TransformerConfig,
    merge_back_references,
    merge_specs,
)
from envlib.kustomize.transformers.fieldspecs import FieldSpec, sort_field_specs
from envlib.kustomize.transformers.nameref_specs import GvkSelector, NameBackReference, RefField

_MAX_DEPTH = 64  # kustomize recurses without a limit; a cyclic $ref would never end there


_GO_JSON_TYPES = {str: "string", int: "number", float: "number", bool: "bool", list: "array"}


def config_from_crd_text(text: str, entry: str) -> TransformerConfig:
    """The field specs one ``crds:`` file contributes (raises :class:`ConfigError`)."""
    try:
        data = json.loads(text) if text[:1] == "{" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ConfigError(f"unable to parse open API definition from '{entry}': {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ConfigError(
            f"unable to parse open API definition from '{entry}': json: cannot unmarshal "
            "into Go value of type accumulator.nameToApiMap"
        )
    for api in data.values():
        go_type = _GO_JSON_TYPES.get(type(api))
        if go_type is not None:  # each definition must be an object (or null)
            raise ConfigError(
                f"unable to parse open API definition from '{entry}': error unmarshaling JSON: "
                f"while decoding JSON: json: cannot unmarshal {go_type} into Go value of type "
                "accumulator.OpenAPIDefinition"
            )
    collected = _Collected()
    for name, api in data.items():
        props = _properties(api)
        if not all(k in props for k in ("kind", "apiVersion", "metadata")):
            continue
        kind = str(name).split(".")[-1]
        _walk(collected, kind, data, str(name), [], 0)
    config = TransformerConfig(
        name_prefix=sort_field_specs(collected.prefix),
        common_labels=sort_field_specs(collected.labels),
        common_annotations=sort_field_specs(collected.annotations),
        name_reference=tuple(collected.refs),
    )
    return TransformerConfig().merge(config)


class _Collected:
    def __init__(self) -> None:
        self.prefix: list[FieldSpec] = []
        self.labels: list[FieldSpec] = []
        self.annotations: list[FieldSpec] = []
        self.refs: list[NameBackReference] = []


def _properties(api: Any) -> Mapping[str, Any]:
    schema = api.get("Schema") if isinstance(api, Mapping) else None
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    return props if isinstance(props, Mapping) else {}


def _extension(prop: Mapping[str, Any], key: str) -> str | None:
    for name, value in prop.items():
        if str(name).lower() == key and isinstance(value, str):
            return value
    return None


def _walk(
    out: _Collected, kind: str, data: Mapping[str, Any], type_name: str, path: list[str], depth: int
) -> None:
    api = data.get(type_name)
    if api is None or depth > _MAX_DEPTH:
        return
    for prop_name, prop in _properties(api).items():
        if not isinstance(prop, Mapping):
            continue
        here = [*path, str(prop_name)]
        spec = FieldSpec("/".join(here), kind=kind)
        if _extension(prop, "x-kubernetes-annotation") is not None:
            out.annotations = merge_specs(out.annotations, [spec])
        if _extension(prop, "x-kubernetes-label-selector") is not None:
            out.labels = merge_specs(out.labels, [spec])
        if _extension(prop, "x-kubernetes-identity") is not None:
            out.prefix = merge_specs(out.prefix, [spec])
        version = _extension(prop, "x-kubernetes-object-ref-api-version")
        ref_kind = _extension(prop, "x-kubernetes-object-ref-kind")
        if version is not None and ref_kind is not None:
            name_key = _extension(prop, "x-kubernetes-object-ref-name-key") or "name"
            referrer = RefField(GvkSelector(kind), "/".join([*here, name_key]))
            target = GvkSelector(ref_kind, "", version)
            out.refs = merge_back_references(out.refs, [NameBackReference(target, (referrer,))])
        ref = prop.get("$ref")
        if isinstance(ref, str) and ref:
            _walk(out, kind, data, ref, here, depth + 1)
