"""``configurations:`` and ``transformers:`` entries - the subset real repositories use.

* ``configurations:`` files teach kustomize extra name-reference fields (kubebuilder's
  ``nameReference`` for cert-manager Issuers, CRD conversion services). Their
  ``nameReference`` entries are added to the root's name-reference fixing; ``varReference``
  entries are accepted (they only matter with ``vars``); other sections are refused.
* ``transformers:`` / ``generators:`` may list builtin plugin configs (``apiVersion:
  builtin``; podinfo's overlays use a LabelTransformer). They run through the same code as
  the matching kustomization fields, in list order. Real plugins (exec, containerized, Go)
  are refused: envlib never executes code from a repository.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from envlib.errors import EnvlibError, UnsupportedError

from . import fs

if TYPE_CHECKING:
    from .buildsteps import LevelSteps


def _load_yaml_docs(stages: LevelSteps, field: str, index: int, entry: str) -> list[Any]:
    location = stages.location(field, index)
    absolute = os.path.normpath(os.path.join(stages.directory, entry))
    if "\n" in entry.strip():  # inline config
        text = entry
    elif field in ("generators", "transformers") and os.path.isdir(absolute):
        # a kustomization whose resources are plugin configs: build it, use its output
        from .loader import check_cycle, refuse_remote

        refuse_remote(entry, location, f"{field}[{index}]")
        real = os.path.realpath(absolute)
        cycle = check_cycle(real, stages.builder.stack)
        if cycle is not None:
            raise UnsupportedError(cycle, location=location, entry=f"{field}[{index}]")
        return [r.obj for r in stages.builder.build_subdirectory(Path(real))]
    else:
        try:
            path = fs.resolve_in_root(
                stages.directory, entry, restrict=stages.builder.options.restrict
            )
        except EnvlibError as exc:
            exc.location, exc.entry = location, f"{field}[{index}]"
            raise
        text = fs.read_text(Path(path))
    try:
        return [d for d in yaml.load_all(text, Loader=yaml.CSafeLoader) if d is not None]
    except yaml.YAMLError as exc:
        raise UnsupportedError(
            f"cannot read {entry}: {exc}", location=location, entry=f"{field}[{index}]"
        ) from None


def load_configurations(stages: LevelSteps, field: str, entries: list[str]) -> None:
    """Merge ``configurations:`` name references into the build."""
    from .transformers.nameref_specs import GvkSelector, NameBackReference, RefField

    if field == "crds":
        raise UnsupportedError(
            "crds: (OpenAPI definitions for name references) is not supported by envlib",
            location=stages.location("crds"),
            entry="crds",
        )
    for index, entry in enumerate(entries):
        for doc in _load_yaml_docs(stages, field, index, str(entry)):
            if not isinstance(doc, dict):
                continue
            unknown = sorted(set(doc) - {"nameReference", "varReference"})
            if unknown:
                raise UnsupportedError(
                    f"configurations section(s) {unknown} are not supported by envlib "
                    "(only nameReference and varReference)",
                    location=stages.location(field, index),
                    entry=f"{field}[{index}]",
                )
            for spec in doc.get("varReference") or []:
                stages.builder.var_references.append(
                    RefField(
                        GvkSelector(
                            kind=str(spec.get("kind") or ""),
                            group=str(spec.get("group") or ""),
                            version=str(spec.get("version") or ""),
                        ),
                        str(spec.get("path") or ""),
                    )
                )
            for ref in doc.get("nameReference") or []:
                target = GvkSelector(
                    kind=str(ref.get("kind") or ""),
                    group=str(ref.get("group") or ""),
                    version=str(ref.get("version") or ""),
                )
                referrers = tuple(
                    RefField(
                        GvkSelector(
                            kind=str(fs_.get("kind") or ""),
                            group=str(fs_.get("group") or ""),
                            version=str(fs_.get("version") or ""),
                        ),
                        str(fs_.get("path") or ""),
                    )
                    for fs_ in ref.get("fieldSpecs") or []
                )
                stages.builder.name_references.append(NameBackReference(target, referrers))


def _plugin_docs(
    stages: LevelSteps, field: str, entries: list[str]
) -> list[tuple[int, dict[str, Any]]]:
    """(entry index, config) for every builtin plugin config; anything else is refused."""
    out: list[tuple[int, dict[str, Any]]] = []
    for index, entry in enumerate(entries):
        for doc in _load_yaml_docs(stages, field, index, str(entry)):
            kind = doc.get("kind") if isinstance(doc, dict) else None
            api = doc.get("apiVersion") if isinstance(doc, dict) else None
            supported = _GENERATORS if field == "generators" else _TRANSFORMERS
            if api != "builtin" or kind not in supported:
                raise UnsupportedError(
                    f"{field} plugin {api}/{kind} is not supported by envlib (builtin "
                    f"configs only: {', '.join(supported)}); envlib never runs plugin code",
                    location=stages.location(field, index),
                    entry=f"{field}[{index}]",
                )
            assert isinstance(doc, dict)
            out.append((index, doc))
    return out


_TRANSFORMERS = (
    "LabelTransformer",
    "AnnotationsTransformer",
    "PrefixSuffixTransformer",
    "PrefixTransformer",
    "SuffixTransformer",
    "NamespaceTransformer",
    "ImageTagTransformer",
    "ReplicaCountTransformer",
    "PatchTransformer",
    "PatchStrategicMergeTransformer",
    "PatchJson6902Transformer",
)
_GENERATORS = ("ConfigMapGenerator", "SecretGenerator")


def _transformer_action(
    stages: LevelSteps, doc: dict[str, Any], index: int, name: str
) -> tuple[str, str, Callable[[], object], str | None]:
    """(step kind, description, action, patch type) for one builtin transformer config."""
    from . import patch_config
    from .patching import apply_patch
    from .transformers.annotations import apply_annotations
    from .transformers.fieldspecs import FieldSpec
    from .transformers.images import apply_images
    from .transformers.labels import apply_labels
    from .transformers.name_affix import apply_name_affix
    from .transformers.namespace import apply_namespace
    from .transformers.replicas import apply_replicas

    kind = str(doc["kind"])
    specs = tuple(FieldSpec.from_dict(f) for f in doc.get("fieldSpecs") or [])
    resmap = stages.resmap

    def refuse(why: str) -> UnsupportedError:
        return UnsupportedError(
            f"{kind} {why} is not supported by envlib",
            location=stages.location("transformers", index),
            entry=name,
        )

    def nothing() -> None:
        """A builtin transformer without field specs touches nothing (as in kustomize)."""

    paths = {(f.kind, f.path) for f in specs}
    if kind == "LabelTransformer":
        pairs = {str(k): str(v) for k, v in (doc.get("labels") or {}).items()}
        if not specs:
            return "labels", "LabelTransformer (no fieldSpecs)", nothing, None
        if ("", "metadata/labels") not in paths:
            raise refuse("without a metadata/labels field spec")
        action: Callable[[], object] = functools.partial(
            apply_labels,
            resmap,
            pairs,
            include_selectors=False,
            include_templates=False,
            fields=specs,
            entry=name,
        )
        return "labels", "LabelTransformer " + ", ".join(pairs), action, None
    if kind == "AnnotationsTransformer":
        notes = {str(k): str(v) for k, v in (doc.get("annotations") or {}).items()}
        if not specs:
            return "commonAnnotations", "AnnotationsTransformer (no fieldSpecs)", nothing, None
        action = functools.partial(apply_annotations, resmap, notes, specs=specs, entry=name)
        return "commonAnnotations", "AnnotationsTransformer", action, None
    if kind in ("PrefixSuffixTransformer", "PrefixTransformer", "SuffixTransformer"):
        prefix, suffix = str(doc.get("prefix") or ""), str(doc.get("suffix") or "")
        if not specs:
            return "namePrefix", f"{kind} (no fieldSpecs)", nothing, None
        if paths != {("", "metadata/name")}:
            raise refuse("with field specs other than metadata/name")
        action = functools.partial(apply_name_affix, resmap, prefix, suffix)
        return "namePrefix", f"{kind} {prefix}...{suffix}", action, None
    if kind == "NamespaceTransformer":
        namespace = str((doc.get("metadata") or {}).get("namespace") or "")
        if doc.get("unsetOnly"):
            raise refuse("unsetOnly")
        if specs and not paths <= {("", "metadata/namespace")}:
            raise refuse("with custom field specs")
        action = functools.partial(apply_namespace, resmap, namespace)
        return "namespace", f"NamespaceTransformer {namespace}", action, None
    if kind == "ImageTagTransformer":
        image = dict(doc.get("imageTag") or {})
        if specs:
            raise refuse("with custom field specs")
        action = functools.partial(apply_images, resmap, [image])
        return "images", f"ImageTagTransformer {image.get('name')}", action, None
    if kind == "ReplicaCountTransformer":
        replica = dict(doc.get("replica") or {})
        standard = {"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"}
        if any(f.kind not in standard or f.path != "spec/replicas" for f in specs):
            raise refuse("with field specs other than spec/replicas of workloads")
        action = functools.partial(
            apply_replicas, resmap, [replica], stages.location("transformers", index)
        )
        return "replicas", f"ReplicaCountTransformer {replica.get('name')}", action, None
    directory, restrict = stages.directory, stages.builder.options.restrict
    location = stages.location("transformers", index)
    entry: dict[str, Any] = {k: doc[k] for k in ("path", "patch", "target", "options") if k in doc}
    if kind == "PatchTransformer":
        cps = [
            patch_config.configure_patch_entry(
                entry,
                index,
                directory=directory,
                restrict=restrict,
                location=location,
                field_name="transformers",
            )
        ]
    elif kind == "PatchJson6902Transformer":
        if "jsonOp" in doc:
            entry["patch"] = doc["jsonOp"]
        cps = [
            patch_config.configure_json6902_entry(
                entry, index, directory=directory, restrict=restrict, location=location
            )
        ]
    else:  # PatchStrategicMergeTransformer
        values = [str(v) for v in doc.get("paths") or []]
        if doc.get("patches"):
            values.append(str(doc["patches"]))
        cps = [
            patch_config.configure_psm_entry(
                v,
                i,
                directory=directory,
                restrict=restrict,
                location=location,
                all_values=values,
            )
            for i, v in enumerate(values)
        ]

    def run_patches() -> None:
        for cp in cps:
            apply_patch(resmap, cp)

    return (
        "patch",
        f"{kind} " + "; ".join(c.describe() for c in cps),
        run_patches,
        cps[0].patch_type,
    )


def run_transformer_configs(stages: LevelSteps, entries: list[str]) -> None:
    """Run builtin transformer configs (``apiVersion: builtin``) in order; refuse plugins."""
    for index, doc in _plugin_docs(stages, "transformers", entries):
        name = f"transformers[{index}]"
        kind, description, action, patch_type = _transformer_action(stages, doc, index, name)
        step = stages.step(name, kind, description, "transformers", index, patch_type=patch_type)
        stages.builder.run_step(step, stages.resmap, action)


def run_generator_configs(stages: LevelSteps, entries: list[str]) -> None:
    """Run builtin ConfigMapGenerator / SecretGenerator configs listed under ``generators:``."""
    from .generators import absorb_generated, generate
    from .kustomization import _generator  # the colleague's GeneratorArgs decoder

    for index, doc in _plugin_docs(stages, "generators", entries):
        field = "configMapGenerator" if doc["kind"] == "ConfigMapGenerator" else "secretGenerator"
        args = dict(doc)
        meta = args.pop("metadata", None) or {}
        for key in ("apiVersion", "kind"):
            args.pop(key, None)
        args.setdefault("name", meta.get("name", ""))
        if meta.get("namespace"):
            args.setdefault("namespace", meta["namespace"])
        single = dataclasses.replace(
            stages.kust,
            config_map_generator=[_generator(args)] if field == "configMapGenerator" else [],
            secret_generator=[_generator(args)] if field == "secretGenerator" else [],
            generator_options=None,
            helm_charts=[],
        )
        for gen in generate(single):
            name = f"generators[{index}]"
            step = stages.step(
                name, field, f"{doc['kind']} {gen.resource.name}", "generators", index
            )
            stages.builder.run_step(
                step, stages.resmap, functools.partial(absorb_generated, stages.resmap, gen)
            )
