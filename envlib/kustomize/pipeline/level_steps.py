"""The individual pipeline stages of :mod:`envlib.kustomize.pipeline.build`, one method each.

:class:`LevelSteps` runs the per-kustomization stages named in ``build.PIPELINE``
(:class:`~envlib.kustomize.pipeline.root_steps.RootSteps` the root-only ones in
``build.ROOT_PIPELINE``). Each stage turns the kustomization's configuration into trace
:class:`~envlib.kustomize.core.trace.Step` records and calls the colleague modules (generators,
patches, plugin configs) through thin glue; the built-in transformer fields are in
:mod:`envlib.kustomize.pipeline.transformer_steps`. The order lives only in the two tuples in
``build.py``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from envlib.errors import EnvlibError, KustomizationError, SourceLocation, UnsupportedError
from envlib.kustomize.core.resource import ResMap
from envlib.kustomize.core.trace import Step
from envlib.kustomize.load import fs
from envlib.kustomize.load.remote.repospec import RepoSpec, repo_spec_or_none
from envlib.kustomize.load.resource_entries import (
    Accumulator,
    EntryContext,
    accumulate_entry,
    wrap_kustomize,
)
from envlib.kustomize.patches.apply_entries import apply_patch
from envlib.kustomize.patches.configure_entries import (
    ConfiguredPatch,
    configure_json6902_entry,
    configure_patch_entry,
    configure_psm_entry,
)
from envlib.kustomize.pipeline.stage_context import as_plain, field_value
from envlib.kustomize.pipeline.transformer_steps import TransformerStages
from envlib.kustomize.yaml.readers import located_yaml_error

if TYPE_CHECKING:
    from envlib.kustomize.pipeline.build import Builder


class LevelSteps(TransformerStages):
    """The per-kustomization stages (build.PIPELINE)."""

    def __init__(
        self, builder: Builder, directory: Path, kust: Any, resmap: ResMap, *, is_root: bool
    ) -> None:
        super().__init__(builder, directory, kust, resmap)
        self.is_root = is_root
        self.configured: dict[str, list[ConfiguredPatch]] = {}

    def run(self, names: Sequence[str]) -> Any:
        """Run the stages; the root also scopes the build's ``openapi:`` schema state."""
        if not self.is_root:
            self._apply_openapi()
            return super().run(names)
        from envlib.kustomize.patches import custom_schema

        token = custom_schema.begin_build()
        try:
            self._apply_openapi()
            return super().run(names)
        finally:
            custom_schema.end_build(token)

    def _apply_openapi(self) -> None:
        """kyaml ``SetSchema`` for this level's ``openapi:`` (the root's always wins)."""
        from envlib.kustomize.patches import custom_schema

        openapi = as_plain(field_value(self.kust, "openapi", {})) or {}
        if not openapi:
            return
        text = None
        if "path" in openapi:
            path = fs.resolve_in_root(self.directory, str(openapi["path"]), restrict=self.restrict)
            shown = fs.display_path(path)
            try:
                text = fs.read_text(Path(path))
            except EnvlibError as exc:
                entry = f"openapi.path {str(openapi['path'])!r}"
                raise exc.via_entry(self.location("openapi"), entry) from None
        try:
            custom_schema.apply_openapi(dict(openapi), text, root=self.is_root)
        except custom_schema.SchemaError as exc:
            error: EnvlibError = KustomizationError(
                str(exc), location=self.location("openapi"), kustomize_message=str(exc)
            )
            if text is None:
                error.entry = "openapi"
                raise error from None
            entry = f"openapi.path {str(openapi['path'])!r}"
            try:
                for _ in yaml.compose_all(text, Loader=yaml.CSafeLoader):
                    pass
            except yaml.YAMLError as syntax:  # not YAML at all: the file's line
                error = located_yaml_error(syntax, text, shown)
                error.kustomize_message = str(exc)
            raise error.via_entry(self.location("openapi"), entry, shown) from None

    # -- accumulation ---------------------------------------------------------------------
    def stage_resources(self) -> None:
        acc = Accumulator(self.resmap)
        for index, entry in enumerate(field_value(self.kust, "resources", [])):
            ctx = EntryContext(
                directory=self.directory,
                location=self.location("resources", index),
                entry_name=f"resources[{index}]",
                restrict=self.restrict,
                remote=self.builder.remote,
                remote_stack=self.builder.remote_stack,
            )
            try:
                accumulate_entry(
                    acc,
                    ctx,
                    str(entry),
                    stack=self.builder.stack,
                    build_directory=self._build_base,
                )
            except EnvlibError as exc:
                raise wrap_kustomize(exc, "accumulating resources") from None

    def _build_base(self, directory: Path) -> ResMap:
        """Build a ``resources:`` directory; its transformer config merges into ours."""
        from envlib.kustomize.config.transformer_config import ConfigError, config_of, merge_into

        sub = self.builder.build_subdirectory(directory)
        try:
            merge_into(self.resmap, config_of(sub))
        except ConfigError as exc:
            raise KustomizationError(
                str(exc),
                location=self.location("resources"),
                entry="resources",
                kustomize_message=f"recursed merging from path '{directory}': {exc}",
            ) from None
        return sub

    def stage_configurations(self) -> None:
        for fname in ("configurations", "crds"):
            entries = field_value(self.kust, fname, [])
            if entries:
                from envlib.kustomize.pipeline.extension_steps import load_configurations

                load_configurations(self, fname, entries)

    def _generators(self) -> list[Any]:
        if not hasattr(self, "_generated"):
            from envlib.kustomize.generators.configmap_secret import generate
            from envlib.kustomize.generators.helm_chart import configure

            # kustomize configures every generator (rejecting helmCharts without
            # --enable-helm) before any of them generates
            self._charts: list[Any] = configure(
                self.kust, self.builder.options.helm, self.builder.options.restrict
            )
            self._generated: list[Any] = generate(self.kust)
        return self._generated

    def _generator_stage(self, field_name: str) -> None:
        from envlib.kustomize.generators.configmap_secret import absorb_generated

        for gen in self._generators():
            if gen.field != field_name:
                continue
            name = gen.resource.name
            step = self.step(
                gen.entry,
                field_name,
                f"generate {gen.resource.kind} {name} ({gen.behavior})",
                field_name,
                gen.index,
            )
            self.builder.run_step(
                step, self.resmap, functools.partial(absorb_generated, self.resmap, gen)
            )

    def stage_configMapGenerator(self) -> None:
        self._generator_stage("configMapGenerator")

    def stage_secretGenerator(self) -> None:
        self._generator_stage("secretGenerator")

    def stage_helmCharts(self) -> None:
        self._generators()
        from envlib.kustomize.generators.helm_chart import absorb_chart, inflate
        from envlib.kustomize.patches.merge import merge_with_empties

        options = self.builder.options
        for chart in self._charts:
            name = chart.name
            release = chart.chart.get("releaseName") or "release-name"
            step = self.step(
                chart.entry,
                "helmCharts",
                f"inflate helm chart {name} (release {release})",
                "helmCharts",
                chart.index,
            )

            def run(chart: Any = chart) -> None:
                resources = inflate(
                    self.kust, chart, options.helm, options.restrict, merge_with_empties
                )
                absorb_chart(self.resmap, chart, resources)

            self.builder.run_step(step, self.resmap, run)

    def stage_generators(self) -> None:
        entries = field_value(self.kust, "generators", [])
        if entries:
            from envlib.kustomize.pipeline.extension_steps import run_generator_configs

            run_generator_configs(self, entries)

    def _refuse_plugins(self, fname: str) -> None:
        entries = field_value(self.kust, fname, [])
        if entries:
            raise UnsupportedError(
                f"{fname}: plugins are not supported by envlib",
                location=self.location(fname),
                entry=fname,
            )

    def stage_components(self) -> None:
        for index, entry in enumerate(field_value(self.kust, "components", [])):
            location = self.location("components", index)
            spec = repo_spec_or_none(str(entry))
            if spec is not None:
                self._remote_component(spec, index, location)
            else:
                self._component(str(entry), index, location)

    def _remote_component(self, spec: RepoSpec, index: int, location: SourceLocation) -> None:
        """A git URL under ``components:``: fetched, then applied like a local component."""
        from envlib.kustomize.load.resource_entries import go_quote, remote_root

        ctx = EntryContext(
            directory=self.directory,
            location=location,
            entry_name=f"components[{index}]",
            restrict=self.restrict,
            remote=self.builder.remote,
            remote_stack=self.builder.remote_stack,
        )
        try:
            root = remote_root(ctx, spec)
        except EnvlibError as exc:
            inner = exc.kustomize_message or exc.message
            exc.kustomize_message = f"accumulating components: loader.New {go_quote(inner)}"
            raise
        from envlib.kustomize.load.resource_entries import mark_remote_origins

        self.builder.remote_stack.append(spec.raw)
        try:
            self.builder.add_component(root, self.resmap)
            mark_remote_origins(self.resmap, spec)
        except EnvlibError as exc:
            if exc.location is None:
                exc.location = location
            raise wrap_kustomize(exc, "accumulating components") from None
        finally:
            self.builder.remote_stack.pop()

    def _component(self, entry: str, index: int, location: SourceLocation) -> None:
        from envlib.kustomize.load.resource_entries import (
            _missing,
            check_cycle,
            containment_problem,
        )

        absolute = os.path.normpath(os.path.join(self.directory, entry))
        problem = None
        if not fs.exists(absolute):
            problem = f"must build at directory: not a valid directory: {_missing(absolute)}"
        elif not fs.isdir(absolute):
            problem = f"must build at directory: '{absolute}': file is not directory"
        else:
            real = fs.realpath(absolute)
            problem = containment_problem(self.directory, real) or check_cycle(
                real, self.builder.stack
            )
        if problem is not None:
            from envlib.errors import LoadError
            from envlib.kustomize.load.resource_entries import go_quote

            raise LoadError(
                f"component {entry!r} ({fs.display_path(absolute)}) is not a usable directory",
                location=location,
                entry=f"components[{index}]",
                kustomize_message=f"accumulating components: loader.New {go_quote(problem)}",
            )
        try:
            self.builder.add_component(Path(fs.realpath(absolute)), self.resmap)
        except EnvlibError as exc:
            if exc.location is None:
                exc.location = location
            raise wrap_kustomize(exc, "accumulating components") from None

    # -- transformers ---------------------------------------------------------------------
    def _configure_patches(self) -> None:
        """kustomize configures every transformer before running any: parse patches now."""
        restrict = self.restrict
        psm_values = [str(v) for v in field_value(self.kust, "patchesStrategicMerge", [])]
        psm = [
            configure_psm_entry(
                v,
                i,
                directory=self.directory,
                restrict=restrict,
                location=self.location("patchesStrategicMerge", i),
                all_values=psm_values,
            )
            for i, v in enumerate(psm_values)
        ]
        patches = [
            configure_patch_entry(
                as_plain(e),
                i,
                directory=self.directory,
                restrict=restrict,
                location=self.location("patches", i),
            )
            for i, e in enumerate(field_value(self.kust, "patches", []))
        ]
        extras: list[ConfiguredPatch] = []
        if self.is_root:
            for i, extra in enumerate(self.builder.options.extra_patches):
                entry: dict[str, Any] = {"patch": extra.text}
                if extra.target is not None:
                    entry["target"] = extra.target
                if extra.options:
                    entry["options"] = extra.options
                extras.append(
                    configure_patch_entry(
                        entry,
                        i,
                        directory=self.directory,
                        restrict=restrict,
                        location=SourceLocation(f"<extra patch {i}>"),
                        field_name="extraPatches",
                    )
                )
        json6902 = [
            configure_json6902_entry(
                as_plain(e),
                i,
                directory=self.directory,
                restrict=restrict,
                location=self.location("patchesJson6902", i),
            )
            for i, e in enumerate(field_value(self.kust, "patchesJson6902", []))
        ]
        self.configured = {
            "patchesStrategicMerge": psm,
            "patches": patches,
            "extraPatches": extras,
            "patchesJson6902": json6902,
        }

    def _patch_stage(self, fname: str) -> None:
        if not self.configured:
            self._configure_patches()
        entries = self.configured.get(fname, [])
        for number, cp in enumerate(entries, start=1):
            kind = "patch" if fname in ("patches", "extraPatches") else fname
            step = self.step(cp.entry_name, kind, cp.describe(), patch_type=cp.patch_type)
            step.location = cp.location
            if fname == "patchesStrategicMerge" and number < len(entries):
                step.builtin = None  # kustomize runs all of them as one transformer
            self.builder.run_step(
                step,
                self.resmap,
                functools.partial(self._apply, cp, step),
            )

    def _apply(self, cp: ConfiguredPatch, step: Step) -> None:
        if cp.patch_type != "json6902":
            from envlib.kustomize.patches.custom_schema import note_use

            note_use()  # kyaml loads its schema on the first strategic merge
        step.matched = apply_patch(self.resmap, cp, step if self.builder.options.trace else None)

    def stage_patchesStrategicMerge(self) -> None:
        self._patch_stage("patchesStrategicMerge")

    def stage_patches(self) -> None:
        self._patch_stage("patches")

    def stage_extraPatches(self) -> None:
        self._patch_stage("extraPatches")

    def stage_patchesJson6902(self) -> None:
        self._patch_stage("patchesJson6902")

    def stage_transformers(self) -> None:
        entries = field_value(self.kust, "transformers", [])
        if entries:
            from envlib.kustomize.pipeline.extension_steps import run_transformer_configs

            run_transformer_configs(self, entries)

    def stage_validators(self) -> None:
        self._refuse_plugins("validators")

    def stage_vars(self) -> None:
        self.builder.vars.extend(as_plain(v) for v in field_value(self.kust, "vars", []))
