"""``images:`` (kustomize's ImageTagTransformer): rewrite container image references.

Each entry runs two passes over every object, as kustomize does, and both are reproduced
because their overlap is visible in output:

1. the *legacy* walk: every list-valued field named ``containers`` or ``initContainers``
   anywhere in the object (custom resources included, CronJob's deep template included);
2. the field specs ``spec/[init]containers[]/image`` and
   ``spec/template/spec/[init]containers[]/image`` (:data:`~.fieldspecs.IMAGE_SPECS`).

Images reached by both (Pods and ``spec.template`` workloads) are rewritten twice, which is
harmless except for ``tagSuffix``: kustomize appends it twice there (upstream issue #4814).
Objects of kind ``CustomResourceDefinition`` are skipped by both passes.

The entry ``name`` is inserted into a regular expression *unescaped* (``my.registry``
matches ``myXregistry``), anchored at both ends, with an optional tag and digest after it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from envlib.errors import TransformerError
from envlib.kustomize.core import goregex
from envlib.kustomize.core.resource import ResMap, Resource
from envlib.kustomize.transformers.fieldpath import (
    FieldPathError,
    Slot,
    apply_field_specs,
    scalar_text,
    wrong_kind,
)
from envlib.kustomize.transformers.fieldspecs import IMAGE_SPECS, FieldSpec

_TAG_CHARS = "[a-zA-Z0-9_.{}-]"
_ENTRY_KEYS = ("name", "newName", "newTag", "digest", "tagSuffix")


def image_pattern(name: str) -> re.Pattern[str]:
    """kustomize's ``IsImageMatched`` regex for an entry name, in Go's regexp dialect.

    Raises :class:`~envlib.kustomize.core.goregex.GoRegexError` for an invalid name (kubectl
    itself crashes with a nil-pointer panic there).
    """
    return goregex.compile(f"^{name}(:{_TAG_CHARS}*)?(@sha256:{_TAG_CHARS}*)?$")


def split_image(image: str) -> tuple[str, str, str]:
    """Split ``[host[:port]/]path[:tag][@digest]`` into (name, tag, digest).

    The tag separator is the first ``:`` after the first ``/`` (so a registry port is part
    of the name); ``@`` starts the digest.
    """
    slash = image.find("/")
    offset = slash if slash > 0 else 0
    search = image[offset:]
    at = search.find("@")
    colon = search.find(":")
    if colon < 0 and at < 0:
        return image, "", ""
    if at >= 0 and (at < colon or colon < 0):
        return image[: offset + at], "", image[offset + at + 1 :]
    if at >= 0:
        return (
            image[: offset + colon],
            image[offset + colon + 1 : offset + at],
            image[offset + at + 1 :],
        )
    return image[: offset + colon], image[offset + colon + 1 :], ""


def rewrite_image(image: str, entry: Mapping[str, str]) -> str:
    """The new reference for an image the entry matched (newName, then tag/digest rules)."""
    name, tag, digest = split_image(image)
    name = entry.get("newName") or name
    new_tag, new_digest, suffix = entry.get("newTag"), entry.get("digest"), entry.get("tagSuffix")
    if new_tag and new_digest:
        tag, digest = new_tag, new_digest
    elif new_tag:
        tag, digest = new_tag, ""
    elif new_digest:
        tag, digest = "", new_digest
    elif suffix:
        tag, digest = tag + suffix, ""
    if tag:
        name += ":" + tag
    if digest:
        name += "@" + digest
    return name


class _ImageUpdater:
    """Rewrites one image slot if the entry matches it."""

    def __init__(self, entry: Mapping[str, str], pattern: re.Pattern[str]) -> None:
        self.entry = entry
        self.pattern = pattern

    def __call__(self, slot: Slot) -> None:
        value = slot.value
        if isinstance(value, (dict, list)):
            raise wrong_kind("ScalarNode", value)
        text = scalar_text(value)
        if self.pattern.search(text) is None:
            return
        slot.set(rewrite_image(text, self.entry))


def _legacy_walk(node: Any, update: _ImageUpdater) -> None:
    """Visit every ``containers``/``initContainers`` list, depth first like kustomize."""
    if isinstance(node, dict):
        for key, value in node.items():
            _legacy_walk(value, update)
            if key in ("containers", "initContainers") and isinstance(value, list):
                for elem in value:
                    if elem is None:
                        continue
                    if not isinstance(elem, dict):
                        raise wrong_kind("MappingNode", elem)
                    if "image" in elem:
                        update(Slot(elem, "image"))
    elif isinstance(node, list):
        for elem in node:
            _legacy_walk(elem, update)


def _check_entry(entry: Mapping[str, Any], where: str) -> dict[str, str]:
    if not isinstance(entry, Mapping):
        raise TransformerError(f"an images entry must be a mapping, got {entry!r}", entry=where)
    out: dict[str, str] = {}
    for key in _ENTRY_KEYS:
        value = entry.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise TransformerError(
                f"{key} must be a string, got {value!r} (quote numeric tags)", entry=where
            )
        out[key] = value
    return out


def apply_images(
    resmap: ResMap,
    images: list[dict[str, Any]],
    *,
    first_index: int = 0,
    specs: Sequence[FieldSpec] = IMAGE_SPECS,
) -> None:
    """Apply every ``images:`` entry in order, in place.

    ``first_index`` numbers the entries in messages (``images[3]``) when a caller applies
    them one at a time. ``specs`` replaces the field-spec pass's paths (``configurations:``
    ``images`` or an ImageTagTransformer's ``fieldSpecs``); the legacy containers walk always
    runs.

    Raises :class:`envlib.errors.TransformerError` for a malformed entry, a name that is not a
    valid regex, a container list element that is not a map, an ``image`` that is not a
    scalar, or a ``spec.containers`` that is neither list nor map (kustomize's errors).
    """
    for index, raw in enumerate(images, start=first_index):
        where = f"images[{index}]"
        entry = _check_entry(raw, where)
        try:
            pattern = image_pattern(entry.get("name", ""))
        except goregex.GoRegexError as exc:
            raise TransformerError(
                f"name {entry.get('name')!r} is not a valid regular expression: {exc}",
                entry=where,
            ) from None
        update = _ImageUpdater(entry, pattern)
        spec_list = tuple(specs)
        for res in resmap:
            if res.kind == "CustomResourceDefinition":
                continue
            _apply_one(res, update, where, spec_list)


def _apply_one(
    res: Resource, update: _ImageUpdater, where: str, specs: tuple[FieldSpec, ...]
) -> None:
    try:
        _legacy_walk(res.obj, update)
    except FieldPathError as exc:
        rid = str(res.cur_id)
        raise TransformerError(
            f"cannot update images in {rid}: {exc}",
            location=res.origin.location,
            entry=where,
            resource=rid,
            kustomize_message=str(exc),
        ) from None
    apply_field_specs(res, specs, update, create_map=False, entry=where, what="update the image")
