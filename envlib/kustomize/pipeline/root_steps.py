"""The root-only stages of a build (``build.ROOT_PIPELINE``), after every level has run.

kustomize does these once, at the end (api/krusty/kustomizer.go): content-hash suffixes for
generated ConfigMaps/Secrets, name-reference fixing, ``$(VAR)`` substitution, dropping
``config.kubernetes.io/local-config`` objects, sorting (only the root's ``sortOptions``
count), ``buildMetadata`` and stripping kustomize's internal annotations.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from envlib.errors import ResourceError, UnsupportedError
from envlib.kustomize.core.resource import ResMap, Resource, node_text
from envlib.kustomize.core.sorting import SortOptions, sort_resources
from envlib.kustomize.patches.jsondoc import first_unencodable
from envlib.kustomize.pipeline.stage_context import Stages, field_value
from envlib.kustomize.yaml.scalars import Undecodable, go_format_float

if TYPE_CHECKING:
    from envlib.kustomize.pipeline.build import Builder

ORIGIN_ANNOTATION = "config.kubernetes.io/origin"
TRANSFORMER_ANNOTATION = "alpha.config.kubernetes.io/transformations"
MANAGED_BY = "app.kubernetes.io/managed-by"
# Annotations kustomize removes before printing (resource.BuildAnnotations + origin/transformer).
BUILD_ANNOTATIONS = frozenset(
    {
        "internal.config.kubernetes.io/previousKinds",
        "internal.config.kubernetes.io/previousNames",
        "internal.config.kubernetes.io/prefixes",
        "internal.config.kubernetes.io/suffixes",
        "internal.config.kubernetes.io/previousNamespaces",
        "internal.config.kubernetes.io/allowNameChange",
        "internal.config.kubernetes.io/allowKindChange",
        "internal.config.kubernetes.io/refBy",
        "internal.config.kubernetes.io/generatorBehavior",
        "internal.config.kubernetes.io/needsHashSuffix",
        "internal.config.kubernetes.io/path",
        "internal.config.kubernetes.io/index",
        "internal.config.kubernetes.io/seqindent",
        "internal.config.kubernetes.io/id",
        "internal.config.kubernetes.io/annotations-migration-resource-id",
        "config.kubernetes.io/path",
        "config.kubernetes.io/index",
        "config.k8s.io/id",
    }
)


def _annotate(res: Resource, key: str, value: str) -> None:
    annotations = res.metadata.get("annotations")
    if not isinstance(annotations, dict):
        annotations = {}
        res.metadata["annotations"] = annotations
    annotations[key] = value


def _meta_dump(res: Resource) -> str:
    """kustomize's ``{{apiVersion kind} {{name namespace} labels annotations}}`` dump.

    At that point kustomize's objects still hold its build annotations (previous ids,
    prefixes, generator flags), so they are part of the dump.
    """
    from envlib.kustomize.patches.apply_entries import internal_annotations

    obj = res.obj
    meta = obj.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    annotations = meta.get("annotations")
    annotations = annotations if isinstance(annotations, dict) else {}
    annotations = {**annotations, **internal_annotations(res)}

    def m(value: Any) -> str:
        if not isinstance(value, dict):
            return "map[]"
        pairs = sorted((str(k), node_text(v)) for k, v in value.items())
        return "map[" + " ".join(f"{k}:{v}" for k, v in pairs) + "]"

    return (
        f"{{{{{node_text(obj.get('apiVersion'))} {node_text(obj.get('kind'))}}} "
        f"{{{{{node_text(meta.get('name'))} {node_text(meta.get('namespace'))}}} "
        f"{m(meta.get('labels'))} {m(annotations)}}}}}"
    )


def check_identity(res: Resource) -> None:
    """kustomize re-validates every object's kind and name at the end of the build.

    Its local-config drop (``DropLocalNodes``) runs ``GetValidatedMetadata`` on each object,
    so a JSON6902 patch that made ``kind`` or ``metadata.name`` null, empty, a map or a list
    fails the build there (a ``*List`` kind needs no name); numbers and booleans are text.
    """
    obj = res.obj
    kind = node_text(obj.get("kind"))
    meta = obj.get("metadata")
    name = node_text(meta.get("name")) if isinstance(meta, dict) else ""
    if kind and (name or kind.endswith("List")):
        return
    missing = "kind" if not kind else "metadata.name"
    raw = obj.get("kind") if not kind else meta.get("name") if isinstance(meta, dict) else None
    raise ResourceError(
        f"{res.org_id} has no usable {missing} at the end of the build "
        f"(now {raw!r}; a patch or replacement must leave a non-empty scalar there)",
        location=res.origin.location,
        resource=str(res.org_id),
        kustomize_message=f"missing {missing} in object {_meta_dump(res)}",
    )


def check_encodable(res: Resource) -> None:
    """Fail as kubectl's output step does on a value JSON cannot hold.

    kustomize serialises each object to JSON to print it: a NaN/infinity read from a file,
    or a replacement's text in a node whose tag it does not fit (``Undecodable``), fails
    there - only if no later patch or transformer overwrote it.
    """
    bad = first_unencodable(res.obj)
    if bad is None:
        return
    if isinstance(bad, Undecodable):
        raise ResourceError(bad.ours, resource=str(res.cur_id), kustomize_message=bad.message)
    shown = go_format_float(bad)
    raise ResourceError(
        f"{res.cur_id} holds {shown}, which kustomize cannot print (JSON has no infinity or NaN)",
        location=res.origin.location,
        resource=str(res.cur_id),
        kustomize_message=f"json: unsupported value: {shown}",
    )


class RootSteps(Stages):
    """The root-only stages (build.ROOT_PIPELINE); returns resources in output order."""

    def __init__(self, builder: Builder, directory: Path, kust: Any, resmap: ResMap) -> None:
        super().__init__(builder, directory, kust, resmap)
        self.ordered: list[Resource] = []

    def stage_hashSuffix(self) -> None:
        from envlib.kustomize.generators.name_hash import apply_hash_suffix

        if any(r.generated is not None for r in self.resmap):
            step = self.step("hashSuffix", "hashSuffix", "append content hashes to generated names")
            self.builder.run_step(
                step, self.resmap, lambda: [apply_hash_suffix(r) for r in self.resmap]
            )

    def stage_nameReferences(self) -> None:
        from envlib.kustomize.config.transformer_config import config_of
        from envlib.kustomize.transformers.namerefs import fix_name_references

        refs = config_of(self.resmap).name_reference
        step = self.step(
            "nameReferences", "nameReferences", "rewrite references to renamed objects"
        )
        self.builder.run_step(step, self.resmap, lambda: fix_name_references(self.resmap, refs))

    def stage_resolveVars(self) -> None:
        if not self.builder.vars:
            return
        from envlib.kustomize.config.transformer_config import config_of
        from envlib.kustomize.transformers.vars import resolve_vars

        refs = config_of(self.resmap).var_fields
        step = self.step("vars", "vars", "substitute $(VAR) references")
        self.builder.run_step(
            step, self.resmap, lambda: resolve_vars(self.resmap, self.builder.vars, refs)
        )

    def stage_dropLocalConfig(self) -> None:
        for res in self.resmap:
            check_identity(res)

        def local(res: Resource) -> bool:
            value = res.annotations().get("config.kubernetes.io/local-config")
            return value is not None and value != "false"

        if any(local(r) for r in self.resmap):
            step = self.step("localConfig", "localConfig", "drop local-config objects")
            self.builder.run_step(
                step,
                self.resmap,
                lambda: self.resmap.resources.__setitem__(
                    slice(None), [r for r in self.resmap if not local(r)]
                ),
            )

    def stage_sort(self) -> None:
        raw = field_value(self.kust, "sortOptions", None)
        options = None
        if raw is not None:
            data: dict[str, Any] = {"order": getattr(raw, "order", "")}
            if getattr(raw, "has_legacy_options", False):
                data["legacySortOptions"] = {
                    "orderFirst": getattr(raw, "order_first", None),
                    "orderLast": getattr(raw, "order_last", None),
                }
            options = SortOptions.from_dict(data, self.location("sortOptions"))
        self.ordered = sort_resources(list(self.resmap), options)

    def stage_buildMetadata(self) -> None:
        meta = self.builder.build_metadata
        unknown = sorted(meta - {"managedByLabel", "originAnnotations", "transformerAnnotations"})
        if unknown:
            raise UnsupportedError(
                f"buildMetadata {unknown} is not supported by envlib",
                location=self.location("buildMetadata"),
                entry="buildMetadata",
            )
        for res in self.ordered:
            if "originAnnotations" in meta:
                _annotate(res, ORIGIN_ANNOTATION, self._origin_text(res))
            steps = self.builder.transformations.get(id(res))
            if "transformerAnnotations" in meta and steps:
                _annotate(
                    res,
                    TRANSFORMER_ANNOTATION,
                    "".join(
                        f"- configuredIn: {where}\n  configuredBy:\n    apiVersion: builtin\n"
                        f"    kind: {kind}\n"
                        for where, kind in steps
                    ),
                )
            if "managedByLabel" in meta:
                labels = res.metadata.get("labels")
                if not isinstance(labels, dict):
                    labels = {}
                    res.metadata["labels"] = labels
                labels[MANAGED_BY] = "kustomize-(devel)"

    def _origin_text(self, res: Resource) -> str:
        """kustomize's origin annotation: the file (relative to the root) or the generator."""
        origin = res.origin
        generator = origin.generator or ""
        remote = ""
        if origin.repo is not None:  # a remote root's file: path in the repo, repo, ref
            where = origin.repo_path
            remote = f"repo: {origin.repo}\n" + (f"ref: {origin.ref}\n" if origin.ref else "")
        else:
            where = os.path.relpath(os.path.abspath(origin.path), self.directory)
        if not generator:
            return f"path: {where}\n{remote}"
        kind = "SecretGenerator" if generator.startswith("secret") else "ConfigMapGenerator"
        if generator.startswith("helmCharts"):
            kind = "HelmChartInflationGenerator"
        return (
            f"{remote}configuredIn: {where}\nconfiguredBy:\n  apiVersion: builtin\n  kind: {kind}\n"
        )

    def stage_stripInternal(self) -> list[Resource]:
        meta = self.builder.build_metadata
        for res in self.ordered:
            strip_build_annotations(
                res,
                keep_origin="originAnnotations" in meta,
                keep_transformers="transformerAnnotations" in meta,
            )
            check_encodable(res)
        return self.ordered


def strip_build_annotations(res: Resource, keep_origin: bool, keep_transformers: bool) -> None:
    """Remove kustomize's build annotations; drop an annotations map that ends up empty."""
    meta = res.obj.get("metadata")
    if not isinstance(meta, dict) or "annotations" not in meta:
        return
    annotations = meta["annotations"]
    if isinstance(annotations, dict):
        for key in [k for k in annotations if k in BUILD_ANNOTATIONS]:
            del annotations[key]
        if not keep_origin:
            annotations.pop(ORIGIN_ANNOTATION, None)
        if not keep_transformers:
            annotations.pop(TRANSFORMER_ANNOTATION, None)
        # kustomize re-sets the annotations as a string map here (RemoveBuildAnnotations):
        # a map or list a replacement created under them prints as "" (``a.b/c`` split
        # into nested keys), a number as its text
        for key, value in annotations.items():
            if not isinstance(value, str):
                annotations[key] = "null" if value is None else node_text(value)
    if not annotations or not isinstance(annotations, dict):
        # kustomize re-reads annotations as a string map: a scalar or list in place of the
        # map (written in a file or by a JSON patch) is dropped from the output
        del meta["annotations"]
