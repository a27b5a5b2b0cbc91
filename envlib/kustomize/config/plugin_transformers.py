"""Builtin transformer plugin configs (``apiVersion: builtin``) listed under ``transformers:``.

Unlike the kustomization fields, a plugin config writes to *exactly* its own ``fieldSpecs``:
a LabelTransformer or AnnotationsTransformer without them changes nothing, an
ImageTagTransformer only adds them to its legacy ``containers`` walk, a
ReplicaCountTransformer only finds objects its specs select, and a Prefix/Suffix transformer
without them fails configuration (kustomize: ``fieldSpecs is not expected to be nil``).
NamespaceTransformer also takes ``unsetOnly`` and ``setRoleBindingSubjects``;
ReplacementTransformer takes a ``replacements`` list like the kustomization field.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from envlib.errors import KustomizationError
from envlib.kustomize.core.resid import Gvk, ResId

if TYPE_CHECKING:
    from envlib.kustomize.pipeline.level_steps import LevelSteps

Action = tuple[str, str, Callable[[], object], None]

BUILTIN_TRANSFORMERS = (
    "LabelTransformer",
    "AnnotationsTransformer",
    "PrefixSuffixTransformer",
    "PrefixTransformer",
    "SuffixTransformer",
    "NamespaceTransformer",
    "ImageTagTransformer",
    "ReplicaCountTransformer",
    "ReplacementTransformer",
)


def plugin_id(doc: dict[str, Any]) -> str:
    """kustomize's id of a plugin config (``PrefixSuffixTransformer.builtin.[noGrp]/ps.[noNs]``)."""
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    assert isinstance(meta, dict)
    gvk = Gvk("", str(doc.get("apiVersion") or ""), str(doc.get("kind") or ""))
    return str(ResId(gvk, str(meta.get("name") or ""), str(meta.get("namespace") or "")))


def _config_error(stages: LevelSteps, doc: dict[str, Any], index: int, why: str) -> Exception:
    return KustomizationError(
        f"{doc.get('kind')} config: {why}",
        location=stages.location("transformers", index),
        entry=f"transformers[{index}]",
        kustomize_message=f"plugin {plugin_id(doc)} fails configuration: {why}",
    )


def builtin_action(stages: LevelSteps, doc: dict[str, Any], index: int, name: str) -> Action:
    """(step kind, description, action, None) for one non-patch builtin transformer config."""
    from envlib.kustomize.transformers.annotations import apply_annotations
    from envlib.kustomize.transformers.fieldspecs import FieldSpec
    from envlib.kustomize.transformers.images import apply_images
    from envlib.kustomize.transformers.labels import apply_labels
    from envlib.kustomize.transformers.name_affix import apply_name_affix
    from envlib.kustomize.transformers.namespace import SUBJECT_MODES, apply_namespace
    from envlib.kustomize.transformers.replicas import apply_replicas

    kind = str(doc["kind"])
    raw_specs = doc.get("fieldSpecs")
    specs = tuple(FieldSpec.from_dict(f) for f in raw_specs or [] if isinstance(f, dict))
    resmap = stages.resmap
    location = stages.location("transformers", index)
    action: Callable[[], object]
    if kind == "LabelTransformer":
        pairs = {str(k): str(v) for k, v in (doc.get("labels") or {}).items()}
        action = functools.partial(
            apply_labels,
            resmap,
            pairs,
            include_selectors=False,
            include_templates=False,
            specs=specs,
            entry=name,
        )
        return "labels", "LabelTransformer " + ", ".join(pairs), action, None
    if kind == "AnnotationsTransformer":
        notes = {str(k): str(v) for k, v in (doc.get("annotations") or {}).items()}
        action = functools.partial(apply_annotations, resmap, notes, specs=specs, entry=name)
        return "commonAnnotations", "AnnotationsTransformer", action, None
    if kind in ("PrefixSuffixTransformer", "PrefixTransformer", "SuffixTransformer"):
        if raw_specs is None:
            raise _config_error(stages, doc, index, "fieldSpecs is not expected to be nil")
        prefix = "" if kind == "SuffixTransformer" else str(doc.get("prefix") or "")
        suffix = "" if kind == "PrefixTransformer" else str(doc.get("suffix") or "")
        action = functools.partial(apply_name_affix, resmap, prefix, suffix, specs=specs)
        return "namePrefix", f"{kind} {prefix}...{suffix}", action, None
    if kind == "NamespaceTransformer":
        namespace = str((doc.get("metadata") or {}).get("namespace") or "")
        mode = str(doc.get("setRoleBindingSubjects") or "defaultOnly")
        if mode not in SUBJECT_MODES:
            raise _config_error(
                stages,
                doc,
                index,
                f'invalid value "{mode}" for setRoleBindingSubjects: must be one of '
                '"defaultOnly", "none" or "allServiceAccounts"',
            )
        action = functools.partial(
            apply_namespace,
            resmap,
            namespace,
            specs=specs,
            unset_only=bool(doc.get("unsetOnly")),
            subjects=mode,
            entry=name,
        )
        return "namespace", f"NamespaceTransformer {namespace}", action, None
    if kind == "ImageTagTransformer":
        image = dict(doc.get("imageTag") or {})
        action = functools.partial(apply_images, resmap, [image], specs=specs)
        return "images", f"ImageTagTransformer {image.get('name')}", action, None
    if kind == "ReplicaCountTransformer":
        replica = dict(doc.get("replica") or {})
        action = functools.partial(apply_replicas, resmap, [replica], location, specs=specs)
        return "replicas", f"ReplicaCountTransformer {replica.get('name')}", action, None
    # ReplacementTransformer
    from envlib.kustomize.transformers.replacements import apply_replacements

    entries = list(doc.get("replacements") or [])
    for entry in entries:
        if (
            isinstance(entry, dict)
            and entry.get("path")
            and (entry.get("source") or entry.get("targets"))
        ):
            raise _config_error(
                stages, doc, index, "cannot specify both path and inline replacement"
            )
    action = functools.partial(apply_replacements, resmap, entries, location, root=stages.directory)
    return "replacements", f"ReplacementTransformer ({len(entries)})", action, None
