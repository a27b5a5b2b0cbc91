"""The stages of kustomize's built-in transformer fields (``namespace`` ... ``replacements``).

Each turns one kustomization field into trace steps that call the transformer modules with
this level's merged field specs (:attr:`TransformerStages.config`);
:class:`~envlib.kustomize.pipeline.level_steps.LevelSteps` inherits them, so the order still lives
only in ``build.PIPELINE``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from envlib.errors import KustomizationError
from envlib.kustomize.pipeline.stage_context import Stages, as_plain, field_value

if TYPE_CHECKING:
    from envlib.kustomize.config.transformer_config import TransformerConfig


class TransformerStages(Stages):
    """The built-in transformer stages of one kustomization."""

    @property
    def config(self) -> TransformerConfig:
        """This level's merged transformer config (built-ins + configurations + crds)."""
        from envlib.kustomize.config.transformer_config import config_of

        return config_of(self.resmap)

    def _simple(self, fname: str, description: str, action: Callable[[], None]) -> None:
        step = self.step(fname, fname, description, fname)
        self.builder.run_step(step, self.resmap, action)

    def stage_namespace(self) -> None:
        ns = field_value(self.kust, "namespace", "")
        if ns:
            from envlib.kustomize.transformers.namespace import apply_namespace

            specs = self.config.namespace
            self._simple(
                "namespace",
                f"set namespace {ns}",
                lambda: apply_namespace(self.resmap, ns, specs=specs),
            )

    def stage_namePrefix(self) -> None:
        prefix = field_value(self.kust, "namePrefix", "")
        if prefix:
            from envlib.kustomize.transformers.name_affix import apply_name_affix

            self._simple(
                "namePrefix",
                f"prefix names with {prefix}",
                lambda: apply_name_affix(self.resmap, prefix, "", specs=self.config.name_prefix),
            )

    def stage_nameSuffix(self) -> None:
        suffix = field_value(self.kust, "nameSuffix", "")
        if suffix:
            from envlib.kustomize.transformers.name_affix import apply_name_affix

            self._simple(
                "nameSuffix",
                f"suffix names with {suffix}",
                lambda: apply_name_affix(self.resmap, "", suffix, specs=self.config.name_suffix),
            )

    def stage_labels(self) -> None:
        from envlib.kustomize.transformers.fieldspecs import FieldSpec
        from envlib.kustomize.transformers.labels import apply_labels

        for index, entry in enumerate(field_value(self.kust, "labels", [])):
            plain = as_plain(entry)
            pairs = plain.get("pairs") or {}
            fields = [FieldSpec.from_dict(f) for f in plain.get("fields") or []]
            specs = self._label_specs(plain, fields, index)
            step = self.step(
                f"labels[{index}]",
                "labels",
                "add labels " + ", ".join(f"{k}={v}" for k, v in pairs.items()),
                "labels",
                index,
            )
            self.builder.run_step(
                step,
                self.resmap,
                functools.partial(
                    apply_labels,
                    self.resmap,
                    pairs,
                    include_selectors=bool(plain.get("includeSelectors")),
                    include_templates=bool(plain.get("includeTemplates")),
                    specs=specs,
                    entry=f"labels[{index}]",
                ),
            )

    def _label_specs(self, plain: dict[str, Any], fields: list[Any], index: int) -> Any:
        """kustomize's LabelTransformer configurator for one ``labels:`` entry."""
        from envlib.kustomize.config.transformer_config import ConfigError, merge_specs
        from envlib.kustomize.transformers.fieldspecs import FieldSpec

        config = self.config
        try:
            specs = merge_specs(fields, config.labels)
            if plain.get("includeSelectors"):
                specs = merge_specs(specs, config.common_labels)
            else:
                if plain.get("includeTemplates"):
                    specs = merge_specs(specs, config.template_labels)
                specs = merge_specs(specs, [FieldSpec("metadata/labels", create=True)])
        except ConfigError as exc:
            raise KustomizationError(
                f"labels[{index}]: {exc}",
                location=self.location("labels", index),
                entry=f"labels[{index}]",
                kustomize_message=f"failed to merge labels: {exc}",
            ) from None
        return tuple(specs)

    def stage_commonLabels(self) -> None:
        pairs = field_value(self.kust, "commonLabels", {})
        if pairs:
            from envlib.kustomize.transformers.labels import apply_labels

            self._simple(
                "commonLabels",
                "add labels (and selectors) " + ", ".join(f"{k}={v}" for k, v in pairs.items()),
                lambda: apply_labels(
                    self.resmap,
                    pairs,
                    include_selectors=True,
                    include_templates=True,
                    specs=self.config.common_labels,
                    entry="commonLabels",
                ),
            )

    def stage_commonAnnotations(self) -> None:
        annotations = field_value(self.kust, "commonAnnotations", {})
        if annotations:
            from envlib.kustomize.transformers.annotations import apply_annotations

            self._simple(
                "commonAnnotations",
                "add annotations " + ", ".join(annotations),
                lambda: apply_annotations(
                    self.resmap, annotations, specs=self.config.common_annotations
                ),
            )

    def stage_replicas(self) -> None:
        from envlib.kustomize.transformers.replicas import apply_replicas

        for index, entry in enumerate(field_value(self.kust, "replicas", [])):
            plain = as_plain(entry)
            step = self.step(
                f"replicas[{index}]",
                "replicas",
                f"set replicas of {plain.get('name')} to {plain.get('count')}",
                "replicas",
                index,
            )
            self.builder.run_step(
                step,
                self.resmap,
                functools.partial(
                    apply_replicas,
                    self.resmap,
                    [plain],
                    step.location,
                    first_index=index,
                    specs=self.config.replicas,
                ),
            )

    def stage_images(self) -> None:
        from envlib.kustomize.transformers.images import apply_images

        for index, entry in enumerate(field_value(self.kust, "images", [])):
            plain = as_plain(entry)
            step = self.step(
                f"images[{index}]", "images", f"rewrite image {plain.get('name')}", "images", index
            )
            self.builder.run_step(
                step,
                self.resmap,
                functools.partial(
                    apply_images,
                    self.resmap,
                    [plain],
                    first_index=index,
                    specs=self.config.images,
                ),
            )

    def stage_replacements(self) -> None:
        entries = field_value(self.kust, "replacements", [])
        if entries:
            from envlib.kustomize.transformers.replacements import apply_replacements

            self._simple(
                "replacements",
                f"{len(entries)} replacement(s)",
                lambda: apply_replacements(
                    self.resmap,
                    as_plain(entries),
                    self.location("replacements"),
                    root=self.directory,
                ),
            )
