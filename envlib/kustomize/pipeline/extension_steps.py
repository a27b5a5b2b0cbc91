"""``configurations:``, ``crds:`` and ``transformers:`` / ``generators:`` entries.

* ``configurations:`` files extend the built-in field specs of kustomize's transformers
  (kubebuilder's ``nameReference`` for cert-manager Issuers and webhook services, its
  ``namespace`` specs for webhook/CRD service namespaces, CRD ``commonLabels``/``images``
  paths, ``varReference``...); ``crds:`` OpenAPI files add specs from ``x-kubernetes-*``
  extensions. Both merge into the level's
  :class:`~envlib.kustomize.config.transformer_config.TransformerConfig`.
* ``transformers:`` / ``generators:`` may list builtin plugin configs (``apiVersion:
  builtin``; podinfo's overlays use a LabelTransformer), run in list order with exactly
  their own field specs (:mod:`envlib.kustomize.config.plugin_transformers`). Real plugins (exec,
  containerized, Go) are refused: envlib never executes code from a repository.
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
from envlib.kustomize.config.plugin_transformers import BUILTIN_TRANSFORMERS
from envlib.kustomize.load import fs
from envlib.kustomize.yaml.readers import located_yaml_error

if TYPE_CHECKING:
    from envlib.kustomize.pipeline.level_steps import LevelSteps


def _load_yaml_docs(stages: LevelSteps, field: str, index: int, entry: str) -> list[Any]:
    location = stages.location(field, index)
    absolute = os.path.normpath(os.path.join(stages.directory, entry))
    if "\n" in entry.strip():  # inline config
        text = entry
    elif field in ("generators", "transformers") and fs.isdir(absolute):
        # a kustomization whose resources are plugin configs: build it, use its output
        from envlib.kustomize.load.resource_entries import check_cycle, refuse_remote

        refuse_remote(entry, location, f"{field}[{index}]")
        real = fs.realpath(absolute)
        cycle = check_cycle(real, stages.builder.stack)
        if cycle is not None:
            raise UnsupportedError(cycle, location=location, entry=f"{field}[{index}]")
        return [r.obj for r in stages.builder.build_subdirectory(Path(real))]
    else:
        try:
            path = fs.resolve_in_root(stages.directory, entry, restrict=stages.restrict)
        except EnvlibError as exc:
            exc.location, exc.entry = location, f"{field}[{index}]"
            raise
        shown = fs.display_path(path)
        try:
            text = fs.read_text(Path(path))
            return [d for d in yaml.load_all(text, Loader=yaml.CSafeLoader) if d is not None]
        except EnvlibError as exc:
            raise exc.via_entry(location, f"{field}[{index}] {entry!r}", shown) from None
        except yaml.YAMLError as exc:
            raise located_yaml_error(exc, text, shown).via_entry(
                location, f"{field}[{index}] {entry!r}"
            ) from None
    try:
        return [d for d in yaml.load_all(text, Loader=yaml.CSafeLoader) if d is not None]
    except yaml.YAMLError as exc:
        raise UnsupportedError(
            f"cannot read {entry}: {exc}", location=location, entry=f"{field}[{index}]"
        ) from None


def load_configurations(stages: LevelSteps, field: str, entries: list[str]) -> None:
    """Merge ``configurations:`` (or ``crds:``) files into this level's transformer config.

    Like kustomize v5.5's ``MakeTransformerConfig``: every entry is a file (v5.5 has no
    inline configurations), only a file's first YAML document counts, unknown sections are
    errors, and the files' union is merged onto the built-in field specs. ``crds:`` files are
    OpenAPI definitions whose ``x-kubernetes-*`` extensions become field specs
    (:mod:`envlib.kustomize.config.crd_specs`).
    """
    from envlib.kustomize.config.transformer_config import (
        DEFAULT_CONFIG,
        ConfigError,
        TransformerConfig,
        merge_into,
        parse_config,
    )

    from_files = TransformerConfig()
    for index, entry in enumerate(entries):
        text, shown = _read_entry(stages, field, index, str(entry))
        try:
            if field == "crds":
                from envlib.kustomize.config.crd_specs import config_from_crd_text

                from_files = from_files.merge(config_from_crd_text(text, str(entry)))
                continue
            from_files = from_files.merge(parse_config(_first_document(text)))
        except ConfigError as exc:
            syntax = _syntax_problem(text, shown)
            if syntax is not None:  # not YAML at all: name the file and line
                syntax.kustomize_message = str(exc)
                location = stages.location(field, index)
                raise syntax.via_entry(location, f"{field}[{index}] {entry!r}") from None
            error = _config_error(stages, field, index, str(exc))
            error.message = str(exc)
            location = stages.location(field, index)
            raise error.via_entry(location, f"{field}[{index}] {entry!r}", shown) from None
    try:
        merge_into(
            stages.resmap, from_files if field == "crds" else DEFAULT_CONFIG.merge(from_files)
        )
    except ConfigError as exc:
        raise _config_error(stages, field, None, str(exc)) from None


def _syntax_problem(text: str, shown: str) -> EnvlibError | None:
    """The YAML syntax error of a file that failed to load, at its line (None: it parses)."""
    try:
        for _ in yaml.compose_all(text, Loader=yaml.CSafeLoader):
            pass
    except yaml.YAMLError as exc:
        return located_yaml_error(exc, text, shown)
    return None


def _first_document(text: str) -> Any:
    """sigs.k8s.io/yaml reads the first document only."""
    from envlib.kustomize.config.transformer_config import ConfigError

    try:
        for doc in yaml.load_all(text, Loader=yaml.CSafeLoader):
            return doc
    except yaml.YAMLError as exc:
        raise ConfigError(f"error converting YAML to JSON: yaml: {exc}") from None
    return None


def _read_entry(stages: LevelSteps, field: str, index: int, entry: str) -> tuple[str, str]:
    """The text of a ``configurations:``/``crds:`` file and its path as shown."""
    try:
        path = fs.resolve_in_root(stages.directory, entry, restrict=stages.restrict)
    except EnvlibError as exc:
        exc.location, exc.entry = stages.location(field, index), f"{field}[{index}]"
        raise
    shown = fs.display_path(path)
    try:
        return fs.read_text(Path(path)), shown
    except EnvlibError as exc:
        raise exc.via_entry(stages.location(field, index), f"{field}[{index}] {entry!r}") from None


def _config_error(stages: LevelSteps, field: str, index: int | None, text: str) -> EnvlibError:
    from envlib.errors import KustomizationError

    where = f"{field}[{index}]" if index is not None else field
    return KustomizationError(
        f"{where}: {text}",
        location=stages.location(field, index) if index is not None else stages.location(field),
        entry=where,
        kustomize_message=text,
    )


def _plugin_docs(
    stages: LevelSteps, field: str, entries: list[str]
) -> list[tuple[int, dict[str, Any]]]:
    """(entry index, config) for every builtin plugin config; anything else is refused."""
    out: list[tuple[int, dict[str, Any]]] = []
    for index, entry in enumerate(entries):
        for doc in _load_yaml_docs(stages, field, index, str(entry)):
            kind = doc.get("kind") if isinstance(doc, dict) else None
            api = doc.get("apiVersion") if isinstance(doc, dict) else None
            supported = (
                _GENERATORS if field == "generators" else BUILTIN_TRANSFORMERS + _PATCH_TRANSFORMERS
            )
            if api != "builtin" or kind not in supported:
                raise UnsupportedError(
                    f"{field} plugin {api}/{kind} in {entry!r} is not supported by envlib (builtin "
                    f"configs only: {', '.join(supported)}); envlib never runs plugin code",
                    location=stages.location(field, index),
                    entry=f"{field}[{index}]",
                )
            assert isinstance(doc, dict)
            out.append((index, doc))
    return out


_PATCH_TRANSFORMERS = (
    "PatchTransformer",
    "PatchStrategicMergeTransformer",
    "PatchJson6902Transformer",
)
_GENERATORS = ("ConfigMapGenerator", "SecretGenerator")


def _transformer_action(
    stages: LevelSteps, doc: dict[str, Any], index: int, name: str
) -> tuple[str, str, Callable[[], object], str | None]:
    """(step kind, description, action, patch type) for one builtin transformer config."""
    from envlib.kustomize.config.plugin_transformers import builtin_action
    from envlib.kustomize.patches import configure_entries as patch_config
    from envlib.kustomize.patches.apply_entries import apply_patch

    kind = str(doc["kind"])
    if kind in BUILTIN_TRANSFORMERS:
        return builtin_action(stages, doc, index, name)
    directory, restrict = stages.directory, stages.restrict
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
            apply_patch(stages.resmap, cp)

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
    from envlib.kustomize.generators.configmap_secret import absorb_generated, generate
    from envlib.kustomize.load.kustomization import generator_args

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
            config_map_generator=[generator_args(args)] if field == "configMapGenerator" else [],
            secret_generator=[generator_args(args)] if field == "secretGenerator" else [],
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
