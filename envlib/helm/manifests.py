"""``helm template``'s stdout, assembled from Helm's rendered files as Helm assembles it.

The SDK renders templates (the part that must be Helm's own); what ``helm template`` then
prints is plain bookkeeping in Helm's ``action.renderResources`` and ``cmd/template.go``:
drop ``NOTES.txt`` and ``_``-prefixed files, split each file on ``---``, sort files by
path, sort documents by kind in Helm's install order (stable), set hooks aside, print
``---\\n# Source: <file>\\n<doc>\\n`` for CRDs (``--include-crds``), then manifests, then
hooks (unless ``--no-hooks``; test hooks dropped by ``--skip-tests``). Mirrored from
helm v4.2 ``pkg/release/v1/util`` (manifest_sorter.go, kind_sorter.go, manifest.go).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

# Go's regexp ``\s`` is ASCII whitespace only: spell it out.
_SEP = re.compile(r"(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*")
# unicode.IsSpace: ASCII whitespace, U+0085, U+00A0 and the Unicode space separators
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + ("\u2028\u2029\u202f\u205f\u3000")
)

INSTALL_ORDER: tuple[str, ...] = (
    "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
    "PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList",
    "ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
    "CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
    "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList",
    "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
    "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
    "APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
)  # fmt: skip
_RANK = {kind: i for i, kind in enumerate(INSTALL_ORDER)}

HOOK_ANNOTATION = "helm.sh/hook"
_EVENTS = {
    "pre-install", "post-install", "pre-delete", "post-delete", "pre-upgrade",
    "post-upgrade", "pre-rollback", "post-rollback", "test", "test-success",
}  # fmt: skip


class ManifestError(ValueError):
    """A rendered document Helm cannot read its head from (``YAML parse error on ...``)."""


@dataclass(frozen=True)
class Manifest:
    """One rendered document: the template file it came from, its text and kind."""

    path: str
    content: str
    kind: str
    test_hook: bool = False


def split_manifests(text: str) -> list[str]:
    """Helm's ``SplitManifests``: the non-blank documents of one rendered file, in order."""
    docs = _SEP.split(text.lstrip(_GO_SPACE))
    return [d.lstrip(_GO_SPACE) for d in docs if d.strip(_GO_SPACE)]


def _head(path: str, doc: str) -> tuple[str, dict[str, Any]]:
    """kind and annotations, read as Helm's ``SimpleHead`` is."""
    try:
        loaded = yaml.safe_load(doc)
    except yaml.YAMLError as exc:
        raise ManifestError(f"YAML parse error on {path}: {exc}") from None
    if not isinstance(loaded, dict):
        return "", {}
    kind = loaded.get("kind")
    meta = loaded.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    return (kind if isinstance(kind, str) else ""), (
        annotations if isinstance(annotations, dict) else {}
    )


def _kind_key(kind: str) -> tuple[int, str]:
    # lessByKind: known kinds by rank, before unknown kinds, which sort by name
    rank = _RANK.get(kind)
    return (0, f"{rank:04d}") if rank is not None else (1, kind)


def sort_manifests(files: Mapping[str, str]) -> tuple[list[Manifest], list[Manifest]]:
    """Helm's ``SortManifests`` in install order: (hooks, manifests)."""
    hooks: list[Manifest] = []
    generic: list[Manifest] = []
    for path in sorted(files):
        content = files[path]
        if posixpath.basename(path).startswith("_") or not content.strip(_GO_SPACE):
            continue
        for doc in split_manifests(content):
            kind, annotations = _head(path, doc)
            hook = annotations.get(HOOK_ANNOTATION) if annotations else None
            if hook is None:
                generic.append(Manifest(path, doc, kind))
                continue
            events = [e.strip().lower() for e in str(hook).split(",")]
            if any(e not in _EVENTS for e in events):
                continue  # "skipping unknown hooks"
            hooks.append(
                Manifest(path, doc, kind, test_hook=any(e.startswith("test") for e in events))
            )
    hooks.sort(key=lambda m: _kind_key(m.kind))
    generic.sort(key=lambda m: _kind_key(m.kind))
    return hooks, generic


def template_output(
    files: Mapping[str, str],
    crds: Sequence[tuple[str, str]],
    *,
    chart_name: str,
    include_crds: bool,
    skip_tests: bool,
    no_hooks: bool,
) -> str:
    """What ``helm template`` writes to stdout for these rendered ``files``.

    ``crds`` are ``(filename, text)`` pairs of the chart's ``crds/`` objects (subcharts
    included); ``chart_name`` picks the chart's own ``NOTES.txt`` (dropped either way).
    """
    rendered = {k: v for k, v in files.items() if not k.endswith("NOTES.txt")}
    del chart_name  # NOTES go to the release notes, never to stdout
    hooks, manifests = sort_manifests(rendered)
    parts: list[str] = []
    if include_crds:
        parts += [f"---\n# Source: {name}\n{text}\n" for name, text in crds]
    parts += [f"---\n# Source: {m.path}\n{m.content}\n" for m in manifests]
    out = "".join(parts).strip(_GO_SPACE) + "\n"
    if not no_hooks:
        for hook in hooks:
            if skip_tests and hook.test_hook:
                continue
            out += f"---\n# Source: {hook.path}\n{hook.content}\n"
    return out
