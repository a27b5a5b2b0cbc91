"""kustomize's ``TransformerConfig``: which fields each built-in transformer touches.

Every kustomization level starts from the built-in field specs, merges in its own
``configurations:`` files and ``crds:`` definitions, and - because kustomize merges a child's
accumulator into its parent's - every configuration of the bases and components below it.
The merged config of a level decides where that level's ``namePrefix``, ``namespace``,
``commonLabels``, ``images``, ``replicas``, ... write; the root's decides name-reference
fixing and ``$(VAR)`` substitution. A base's ``configurations:`` thus apply in the overlay,
but an overlay's do not reach back into the base (checked against kubectl 1.32).

Merging follows kustomize's ``FsSlice.MergeAll``: an incoming spec whose GVK *selects* an
existing one with the same path is a duplicate (dropped) unless the ``create`` flags differ,
which fails the build with ``failed to merge <Section> fieldSpec: conflicting fieldspecs``.
After every merge each list is sorted by GVK, as kustomize does.

The per-level config is kept beside the level's :class:`~envlib.kustomize.core.resource.ResMap`
(kustomize's accumulator) in a weak table, so components, which share their parent's resource map,
share its config too.
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from envlib.kustomize.core.resource import ResMap
from envlib.kustomize.transformers.fieldspecs import (
    COMMON_ANNOTATION_SPECS,
    COMMON_LABEL_SPECS,
    IMAGE_SPECS,
    TEMPLATE_LABEL_SPECS,
    FieldSpec,
    sort_field_specs,
)
from envlib.kustomize.transformers.nameref_specs import (
    NAME_REFERENCES,
    VAR_REFERENCES,
    GvkSelector,
    NameBackReference,
    RefField,
    _gvk_sort_key,
)
from envlib.kustomize.transformers.namespace import DEFAULT_NAMESPACE_SPECS


class ConfigError(ValueError):
    """A configuration file or merge kustomize rejects; ``str()`` is kustomize's text."""


# YAML key -> (attribute, section name in kustomize's merge error)
SECTIONS: dict[str, tuple[str, str]] = {
    "namePrefix": ("name_prefix", "NamePrefix"),
    "nameSuffix": ("name_suffix", "NameSuffix"),
    "namespace": ("namespace", "NameSpace"),
    "commonLabels": ("common_labels", "CommonLabels"),
    "labels": ("labels", "Labels"),
    "templateLabels": ("template_labels", "TemplateLabels"),
    "commonAnnotations": ("common_annotations", "CommonAnnotations"),
    "varReference": ("var_reference", "VarReference"),
    "images": ("images", "Images"),
    "replicas": ("replicas", "Replicas"),
}
_GO_TYPES = {"nameReference": "builtinconfig.nbrSlice"}

_NAMESPACE_SPECS = sort_field_specs(DEFAULT_NAMESPACE_SPECS)
_REPLICA_SPECS = sort_field_specs(
    FieldSpec("spec/replicas", kind=k, create=True)
    for k in ("Deployment", "ReplicationController", "ReplicaSet", "StatefulSet")
)


def _as_spec(ref: RefField) -> FieldSpec:
    return FieldSpec(ref.path, ref.gvk.group, ref.gvk.version, ref.gvk.kind)


def as_ref_field(spec: FieldSpec) -> RefField:
    """A field spec as the name-reference / vars modules address fields."""
    return RefField(GvkSelector(spec.kind, spec.group, spec.version), spec.path)


@dataclass(frozen=True)
class TransformerConfig:
    """The field specs of every built-in transformer, for one kustomization level."""

    name_prefix: tuple[FieldSpec, ...] = ()
    name_suffix: tuple[FieldSpec, ...] = ()
    namespace: tuple[FieldSpec, ...] = ()
    common_labels: tuple[FieldSpec, ...] = ()
    labels: tuple[FieldSpec, ...] = ()
    template_labels: tuple[FieldSpec, ...] = ()
    common_annotations: tuple[FieldSpec, ...] = ()
    name_reference: tuple[NameBackReference, ...] = ()
    var_reference: tuple[FieldSpec, ...] = ()
    images: tuple[FieldSpec, ...] = ()
    replicas: tuple[FieldSpec, ...] = ()

    @property
    def var_fields(self) -> tuple[RefField, ...]:
        """``varReference`` in the form :func:`~.transformers.vars.resolve_vars` takes."""
        return tuple(as_ref_field(s) for s in self.var_reference)

    def merge(self, other: TransformerConfig) -> TransformerConfig:
        """kustomize's ``TransformerConfig.Merge`` (raises :class:`ConfigError` on conflicts)."""
        changes: dict[str, Any] = {}
        for attr, section in SECTIONS.values():
            try:
                merged = merge_specs(getattr(self, attr), getattr(other, attr))
            except ConfigError as exc:
                raise ConfigError(f"failed to merge {section} fieldSpec: {exc}") from None
            changes[attr] = sort_field_specs(merged)
        try:
            refs = merge_back_references(self.name_reference, other.name_reference)
        except ConfigError as exc:
            raise ConfigError(f"failed to merge NameReference fieldSpec: {exc}") from None
        changes["name_reference"] = tuple(sorted(refs, key=lambda r: _gvk_sort_key(r.target)))
        return dataclasses.replace(self, **changes)


DEFAULT_CONFIG = TransformerConfig(
    name_prefix=(FieldSpec("metadata/name"),),
    name_suffix=(FieldSpec("metadata/name"),),
    namespace=_NAMESPACE_SPECS,
    common_labels=COMMON_LABEL_SPECS,
    labels=(),
    template_labels=TEMPLATE_LABEL_SPECS,
    common_annotations=COMMON_ANNOTATION_SPECS,
    name_reference=NAME_REFERENCES,
    var_reference=tuple(_as_spec(r) for r in VAR_REFERENCES),
    images=IMAGE_SPECS,
    replicas=_REPLICA_SPECS,
)


def _selects(selector: FieldSpec | GvkSelector, target: FieldSpec | GvkSelector) -> bool:
    """kyaml ``Gvk.IsSelected``: every non-empty part of ``selector`` equals ``target``'s."""
    return (
        (not selector.group or selector.group == target.group)
        and (not selector.version or selector.version == target.version)
        and (not selector.kind or selector.kind == target.kind)
    )


def merge_specs(current: Iterable[FieldSpec], incoming: Iterable[FieldSpec]) -> list[FieldSpec]:
    """``FsSlice.MergeAll``: append incoming specs that are not effectively present."""
    out = list(current)
    for spec in incoming:
        for existing in out:
            if existing.path == spec.path and _selects(spec, existing):
                if existing.create != spec.create:
                    raise ConfigError("conflicting fieldspecs")
                break
        else:
            out.append(spec)
    return out


def _merge_refs(current: Iterable[RefField], incoming: Iterable[RefField]) -> tuple[RefField, ...]:
    out = list(current)
    for ref in incoming:
        if not any(e.path == ref.path and _selects(ref.gvk, e.gvk) for e in out):
            out.append(ref)
    return tuple(out)


def merge_back_references(
    current: Iterable[NameBackReference], incoming: Iterable[NameBackReference]
) -> list[NameBackReference]:
    """``nbrSlice.mergeAll``: same target GVK (all parts equal) -> referrers merged."""
    out = list(current)
    for nbr in incoming:
        for index, existing in enumerate(out):
            if existing.target == nbr.target:
                out[index] = NameBackReference(
                    existing.target, _merge_refs(existing.referrers, nbr.referrers)
                )
                break
        else:
            out.append(nbr)
    return out


# -- parsing ------------------------------------------------------------------------------
def _spec(raw: Any, key: str) -> FieldSpec:
    if not isinstance(raw, Mapping):
        raise ConfigError(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
            f"{_go_type(raw)} into Go struct field TransformerConfig.{key} of type types.FieldSpec"
        )
    unknown = sorted(set(raw) - {"group", "version", "kind", "path", "create"})
    if unknown:
        raise ConfigError(
            f'error unmarshaling JSON: while decoding JSON: json: unknown field "{unknown[0]}"'
        )
    return FieldSpec.from_dict(raw)


def _go_type(value: Any) -> str:
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, list):
        return "array"
    return "object"


def _spec_list(raw: Any, key: str) -> list[FieldSpec]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        go_type = _GO_TYPES.get(key, "types.FsSlice")
        raise ConfigError(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
            f"{_go_type(raw)} into Go struct field TransformerConfig.{key} of type {go_type}"
        )
    return [_spec(item, key) for item in raw]


def parse_config(doc: Any) -> TransformerConfig:
    """One ``configurations:`` document (kustomize ``UnmarshalStrict`` into TransformerConfig).

    Only sections present are filled; the result is merged onto the defaults by the caller.
    """
    if doc is None:
        return TransformerConfig()
    if not isinstance(doc, Mapping):
        raise ConfigError(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
            f"{_go_type(doc)} into Go value of type builtinconfig.TransformerConfig"
        )
    unknown = [k for k in doc if k not in SECTIONS and k != "nameReference"]
    if unknown:
        raise ConfigError(
            f'error unmarshaling JSON: while decoding JSON: json: unknown field "{unknown[0]}"'
        )
    values: dict[str, Any] = {}
    for key, (attr, _) in SECTIONS.items():
        values[attr] = tuple(sort_field_specs(_spec_list(doc.get(key), key)))
    refs: list[NameBackReference] = []
    raw_refs = doc.get("nameReference")
    if raw_refs is not None and not isinstance(raw_refs, list):
        _spec_list(raw_refs, "nameReference")
    for raw in raw_refs or []:
        if not isinstance(raw, Mapping):
            raise ConfigError(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
                f"{_go_type(raw)} into Go struct field TransformerConfig.nameReference of type "
                "builtinconfig.NameBackReferences"
            )
        unknown = sorted(set(raw) - {"group", "version", "kind", "fieldSpecs"})
        if unknown:
            raise ConfigError(
                f'error unmarshaling JSON: while decoding JSON: json: unknown field "{unknown[0]}"'
            )
        target = GvkSelector(
            str(raw.get("kind") or ""), str(raw.get("group") or ""), str(raw.get("version") or "")
        )
        referrers = sort_field_specs(_spec_list(raw.get("fieldSpecs"), "nameReference"))
        refs = merge_back_references(
            refs, [NameBackReference(target, tuple(as_ref_field(s) for s in referrers))]
        )
    values["name_reference"] = tuple(sorted(refs, key=lambda r: _gvk_sort_key(r.target)))
    return TransformerConfig(**values)


# -- per-level storage --------------------------------------------------------------------
_CONFIGS: weakref.WeakKeyDictionary[ResMap, TransformerConfig] = weakref.WeakKeyDictionary()


def config_of(resmap: ResMap) -> TransformerConfig:
    """The merged config of the level accumulating into ``resmap`` (defaults if none yet)."""
    return _CONFIGS.get(resmap, DEFAULT_CONFIG)


def merge_into(resmap: ResMap, config: TransformerConfig) -> None:
    """Merge ``config`` into the level's config (raises :class:`ConfigError`)."""
    current = _CONFIGS.get(resmap, DEFAULT_CONFIG)
    if config is DEFAULT_CONFIG or config is current:
        return  # every level's config already contains the defaults
    _CONFIGS[resmap] = current.merge(config)
