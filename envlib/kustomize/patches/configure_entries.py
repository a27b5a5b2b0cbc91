"""Configuring patch entries: ``patches``, ``patchesStrategicMerge``, ``patchesJson6902``.

kustomize configures every transformer before it runs any (so a patch that cannot be read
fails the build even if an earlier patch would also fail): this module reads ``patch:`` /
``path:`` (the load restriction applies to files), classifies the text with
:func:`envlib.kustomize.patches.parse_patch` and validates the entry, producing a
:class:`ConfiguredPatch` that :mod:`envlib.kustomize.patches.apply_entries` applies. Error texts
follow kustomize's (``trouble configuring builtin PatchTransformer with config: ...``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from envlib.errors import EnvlibError, PatchError, SourceLocation, YamlSyntaxError
from envlib.kustomize.load import fs
from envlib.kustomize.load.resource_entries import go_quote, missing_file_text
from envlib.kustomize.yaml.decoding import decode_yaml_text

SMP = "strategic-merge"
JSON6902 = "json6902"


@dataclass
class ConfiguredPatch:
    """A parsed patch entry, ready to apply."""

    field_name: str  # patches | patchesStrategicMerge | patchesJson6902 | extraPatches
    index: int
    patch_type: str  # SMP or JSON6902
    text: str
    source: str  # kustomize's "[patch: ...]" / "[path: ...]" description
    location: SourceLocation | None
    documents: list[dict[str, Any]] = field(default_factory=list)
    targeted_documents: list[dict[str, Any]] = field(default_factory=list)
    """``documents`` as a ``target:``-ed patch applies them (labels/annotations as text)."""
    ops: list[dict[str, Any]] = field(default_factory=list)
    target: dict[str, Any] | None = None
    allow_name_change: bool = False
    allow_kind_change: bool = False
    legacy: bool = False  # legacy fields: no "no resource matches" prefix, no id store

    @property
    def entry_name(self) -> str:
        """``patches[2]`` etc., for messages."""
        return f"{self.field_name}[{self.index}]"

    def describe(self) -> str:
        """One line for the trace."""
        what = "JSON6902 patch" if self.patch_type == JSON6902 else "strategic-merge patch"
        if self.target:
            sel = ", ".join(f"{k}={v}" for k, v in self.target.items() if v not in (None, ""))
            return f"{what} on target {{{sel}}}"
        ids = ", ".join(
            f"{d.get('kind')}/{(d.get('metadata') or {}).get('name')}" for d in self.documents
        )
        return f"{what} of {ids}" if ids else what


# -- configuration --------------------------------------------------------------------------


def _omit_empty(value: Any) -> Any:
    """Go's ``omitempty``: drop empty strings, false, empty maps/lists, nulls."""
    if isinstance(value, dict):
        out = {k: _omit_empty(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in ("", None, False, {}, [])}
    if isinstance(value, list):
        return [_omit_empty(v) for v in value]
    return value


def _entry_yaml(entry: Any) -> str:
    """An entry as kustomize prints its plugin config (sigs.k8s.io/yaml: sorted keys)."""
    return yaml.safe_dump(
        _omit_empty(entry), default_flow_style=False, sort_keys=True, allow_unicode=True
    )


def _trouble(entry: dict[str, Any], text: str) -> str:
    return (
        f"trouble configuring builtin PatchTransformer with config: `\n{_entry_yaml(entry)}`: "
        f"{text}"
    )


def _read_patch_file(
    directory: Path,
    path: str,
    restrict: bool,
    location: SourceLocation | None,
    entry_name: str,
) -> str:
    """Read a patch file (load restriction applies); errors carry kustomize's loader text."""
    absolute = os.path.normpath(os.path.join(directory, path))
    if not fs.is_url(path) and not fs.exists(absolute):
        raise PatchError(
            f"patch file {path!r} does not exist",
            location=location,
            entry=entry_name,
            kustomize_message=missing_file_text(absolute),
        )
    try:
        real = fs.resolve_in_root(directory, path, restrict=restrict)
    except EnvlibError as exc:
        exc.location = location
        exc.entry = entry_name
        raise
    if fs.isdir(real):
        raise PatchError(
            f"patch file {path!r} is a directory",
            location=location,
            entry=entry_name,
            kustomize_message=f"'{real}' must resolve to a file",
        )
    return decode_yaml_text(fs.read_bytes(real), fs.display_path(real))


def _unreadable(
    exc: YamlSyntaxError, location: SourceLocation | None, entry: str, kustomize_message: str
) -> EnvlibError:
    """A patch file that is not YAML text at all (binary, not UTF-8, control characters).

    kustomize tries it as a strategic-merge and as a JSON patch and reports neither reason;
    envlib names the entry and the file with the reason.
    """
    exc.kustomize_message = kustomize_message
    return exc.via_entry(location, entry)


def _parse(
    text: str, display: str, source: str, location: SourceLocation | None, entry_name: str
) -> Any:
    """Parse a patch; an error without a place of its own gets the entry's."""
    from envlib.kustomize.patches import parse_patch

    try:
        return parse_patch(text, display, source)
    except EnvlibError as exc:
        exc.location = exc.location or location
        exc.entry = exc.entry or entry_name
        raise


def _classify(parsed: Any) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    """(type, strategic-merge documents, JSON6902 operations) of a ParsedPatch."""
    if parsed.kind == JSON6902:
        return JSON6902, [], list(parsed.ops or [])
    return SMP, list(parsed.documents), []


def configure_patch_entry(
    entry: dict[str, Any],
    index: int,
    *,
    directory: Path,
    restrict: bool,
    location: SourceLocation | None,
    field_name: str = "patches",
) -> ConfiguredPatch:
    """Configure one ``patches:`` entry (also used for ad-hoc extra patches)."""
    entry_name = f"{field_name}[{index}]"
    patch_text = str(entry.get("patch") or "").strip()
    path = entry.get("path") or ""
    if not patch_text and not path:
        raise PatchError(
            "a patch entry needs either 'patch' or 'path'",
            location=location,
            entry=entry_name,
            kustomize_message=_trouble(
                entry, f"must specify one of patch and path in\n{_entry_yaml(entry)}"
            ),
        )
    if patch_text and path:
        raise PatchError(
            "a patch entry may not have both 'patch' and 'path'",
            location=location,
            entry=entry_name,
            kustomize_message=_trouble(
                entry, f"patch and path can't be set at the same time\n{_entry_yaml(entry)}"
            ),
        )
    if patch_text:
        text, source, display = (
            patch_text,
            f"[patch: {go_quote(patch_text)}]",
            str(location or entry_name),
        )
    else:
        source = f"[path: {go_quote(str(path))}]"
        try:
            text = _read_patch_file(directory, str(path), restrict, location, entry_name)
        except YamlSyntaxError as exc:
            raise _unreadable(
                exc,
                location,
                f"{entry_name}.path {str(path)!r}",
                _trouble(entry, f"unable to parse SM or JSON patch from {source}"),
            ) from None
        except EnvlibError as exc:
            inner = exc.kustomize_message or exc.message
            exc.kustomize_message = _trouble(
                entry, f"failed to get the patch file from path({path}): {inner}"
            )
            raise
        source = f"[path: {go_quote(str(path))}]"
        display = fs.display_path(os.path.join(directory, str(path)))
    try:
        if not text and path:  # an empty file: kustomize reads it as JSON6902 with no ops
            from envlib.kustomize.patches.parse import ParsedPatch

            parsed = ParsedPatch(JSON6902, ops=[])
        else:
            parsed = _parse(text, display, source, location, entry_name)
    except EnvlibError as exc:
        exc.kustomize_message = _trouble(entry, exc.kustomize_message or exc.message)
        raise
    patch_type, docs, ops = _classify(parsed)
    options = entry.get("options") or {}
    target = entry.get("target")
    cp = ConfiguredPatch(
        field_name=field_name,
        index=index,
        patch_type=patch_type,
        text=text,
        source=source,
        location=location,
        documents=docs,
        targeted_documents=list(getattr(parsed, "targeted", None) or docs),
        ops=ops,
        target=dict(target) if isinstance(target, dict) else None,
        allow_name_change=bool(options.get("allowNameChange")),
        allow_kind_change=bool(options.get("allowKindChange")),
    )
    if patch_type == JSON6902 and cp.target is None:
        raise PatchError(
            f"a JSON6902 patch needs a target ({display})"
            if path
            else "a JSON6902 patch needs a target",
            location=location,
            entry=entry_name,
            kustomize_message=f"must specify a target for JSON patch {source}",
        )
    if patch_type == SMP and cp.target is not None and len(docs) > 1:
        raise PatchError(
            "a patch entry with a target may hold only one strategic-merge document",
            location=location,
            entry=entry_name,
            kustomize_message=(
                "Multiple Strategic-Merge Patches in one `patches` entry is not allowed to "
                f"set `patches.target` field: {source}"
            ),
        )
    return cp


def configure_psm_entry(
    value: str,
    index: int,
    *,
    directory: Path,
    restrict: bool,
    location: SourceLocation | None,
    all_values: list[str] | None = None,
) -> ConfiguredPatch:
    """A legacy ``patchesStrategicMerge`` entry: inline YAML, or else a file path.

    ``all_values`` is the whole field (kustomize's error text shows it as the plugin config).
    """
    entry_name = f"patchesStrategicMerge[{index}]"
    text: str | None = None
    if "\n" in value.strip() or ":" in value:
        try:
            probe = yaml.safe_load(value)
        except yaml.YAMLError:
            probe = None
        if isinstance(probe, dict):
            text = value
    if text is None:
        config = _entry_yaml({"paths": all_values if all_values is not None else [value]})
        trouble = (
            "trouble configuring builtin PatchStrategicMergeTransformer with config: "
            f"`\n{config}`: "
        )
        try:
            text = _read_patch_file(directory, value, restrict, location, entry_name)
        except YamlSyntaxError as exc:
            raise _unreadable(
                exc,
                location,
                f"{entry_name} {value!r}",
                f"{trouble}MalformedYAMLError: {exc.kustomize_message} in File: {value}",
            ) from None
        except EnvlibError as exc:
            exc.kustomize_message = trouble + (exc.kustomize_message or exc.message)
            raise
        display = fs.display_path(os.path.join(directory, value))
    else:
        display = str(location or entry_name)
    parsed = _parse(text, display, f"[path: {go_quote(value)}]", location, entry_name)
    _, docs, ops = _classify(parsed)
    if ops:
        raise PatchError(
            "patchesStrategicMerge entries must be strategic-merge patches, not JSON6902",
            location=location,
            entry=entry_name,
        )
    return ConfiguredPatch(
        field_name="patchesStrategicMerge",
        index=index,
        patch_type=SMP,
        text=text,
        source=f"[path: {go_quote(value)}]",
        location=location,
        # PatchStrategicMergeTransformer reads labels/annotations as string maps, as a
        # target:-ed PatchTransformer does (null -> "null"; verified with kubectl)
        documents=list(getattr(parsed, "targeted", None) or docs),
        legacy=True,
    )


def configure_json6902_entry(
    entry: dict[str, Any],
    index: int,
    *,
    directory: Path,
    restrict: bool,
    location: SourceLocation | None,
) -> ConfiguredPatch:
    """A legacy ``patchesJson6902`` entry ``{target, path | patch}``."""
    entry_name = f"patchesJson6902[{index}]"
    target = entry.get("target") or {}
    if not target.get("name"):
        raise PatchError(
            "patchesJson6902 target needs a name",
            location=location,
            entry=entry_name,
            kustomize_message="must specify the target name",
        )
    path = entry.get("path") or ""
    text = str(entry.get("patch") or entry.get("jsonOp") or "")
    if path and text:
        raise PatchError(
            "give either path or patch, not both",
            location=location,
            entry=entry_name,
            kustomize_message="must specify a file path or jsonOp, not both",
        )
    if not path and not text:
        raise PatchError(
            "patchesJson6902 entry needs path or patch",
            location=location,
            entry=entry_name,
            kustomize_message="empty file path and empty jsonOp",
        )
    display = str(location or entry_name)
    if path:
        try:
            text = _read_patch_file(directory, str(path), restrict, location, entry_name)
        except YamlSyntaxError as exc:
            raise _unreadable(
                exc, location, f"{entry_name}.path {str(path)!r}", exc.kustomize_message or ""
            ) from None
        display = fs.display_path(os.path.join(directory, str(path)))
    source = f"[path: {go_quote(str(path))}]" if path else f"[patch: {go_quote(text)}]"
    parsed = _parse(text, display, source, location, entry_name)
    patch_type, _, ops = _classify(parsed)
    if patch_type != JSON6902:
        raise PatchError(
            f"{display} is not a list of JSON6902 operations",
            location=location,
            entry=entry_name,
        )
    return ConfiguredPatch(
        field_name="patchesJson6902",
        index=index,
        patch_type=JSON6902,
        text=text,
        source=source,
        location=location,
        ops=ops,
        target=dict(target),
        legacy=True,
    )
