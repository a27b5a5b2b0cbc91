"""Environments of a repository, and the one place that renders them.

Discovery (which directories are environments, and their Argo CD Applications) lives in
:mod:`envlib.analysis.discovery`; its public names are re-exported here so that callers have
one module to import from. :func:`render` is the single place that renders: it calls the
renderer registered in :data:`SOURCE_RENDERERS` for each source of the environment (see
:mod:`envlib.analysis.sources` for the interface). Secrets are redacted right after rendering
(see :mod:`envlib.analysis.secrets`).
"""

from __future__ import annotations

import os
import subprocess
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from envlib.errors import EnvlibError, LoadError, SourceLocation
from envlib.kustomize.core.resource import Origin, Resource
from envlib.kustomize.load.fs import display_path
from envlib.oracle import find_kubectl

from . import argocd
from .argocd_settings import build_options
from .discovery import (
    KUSTOMIZATION_FILES,
    Environment,
    default_repo,
    discover,
    has_kustomization,
    holds_kustomization_tree,
    select,
    walk_dirs,
)
from .helm_source import render_helm
from .kustomize_source import render_kustomize
from .secrets import redact_resources
from .sources import SourceRenderer, SourceRequest, SourceResult

SOURCE_RENDERERS: dict[str, SourceRenderer] = {"kustomize": render_kustomize, "helm": render_helm}
"""Source kind (``"kustomize"``, ``"helm"``, ...) -> its renderer (:mod:`.sources`).

Add a kind by assigning ``SOURCE_RENDERERS["helm"] = render_helm``; :func:`render` looks the
kind up at call time, so a renderer registered after import is used."""

__all__ = [
    "KUSTOMIZATION_FILES",
    "SOURCE_RENDERERS",
    "Environment",
    "RenderedEnv",
    "SourceRequest",
    "SourceResult",
    "broken_frame",
    "buildable",
    "default_repo",
    "discover",
    "environments_frame",
    "has_kustomization",
    "holds_kustomization_tree",
    "render",
    "render_all",
    "render_each",
    "rendered_from_resources",
    "resources_from_yaml",
    "select",
    "walk_dirs",
]


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class RenderedEnv:
    """An environment after the build: its resources (secrets redacted), warnings and trace."""

    env: Environment
    resources: list[Resource]
    warnings: list[Any] = field(default_factory=list)
    trace: Any = None
    # redacted copy (by id) -> the engine's object, which the trace refers to by identity
    originals: dict[int, Resource] = field(default_factory=dict, repr=False)
    # the build's inputs (envlib.kustomize.load.fs.ReadSet: files read, paths probed); None when
    # the environment was not built by the engine
    inputs: Any = field(default=None, repr=False)
    # what Argo CD applies on top of the kustomization (overrides, parameter files, options)
    applied: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The environment's name."""
        return self.env.name

    def original(self, res: Resource) -> Resource:
        """The engine's resource behind a (possibly redacted) resource of this environment."""
        return self.originals.get(id(res), res)


# (frame column, JSON record key, value for one environment, how the text view joins a list):
# one schema for ``environments_frame`` (texts) and ``environment_records`` (typed values)
_FIELDS: tuple[tuple[str, str, Callable[[Environment], Any], str], ...] = (
    ("env", "environment", lambda env: env.name, ""),
    ("path", "path", lambda env: env.display_path, ""),
    ("source", "source", lambda env: env.source, ""),
    ("application", "application", lambda env: env.app.name, ""),
    ("project", "project", lambda env: env.app.project, ""),
    ("cluster", "cluster", lambda env: env.app.cluster, ""),
    ("namespace", "namespace", lambda env: env.app.namespace, ""),
    ("revision", "revision", lambda env: env.app.target_revision, ""),
    ("sync_policy", "sync policy", lambda env: env.app.sync_policy, ""),
    ("sync_options", "sync options", lambda env: list(env.app.sync_options), ", "),
    (
        "ignore_differences",
        "ignore differences",
        lambda env: [argocd.describe_ignore(i) for i in env.app.ignore_differences],
        "; ",
    ),
    (
        "kustomize_overrides",
        "kustomize overrides",
        lambda env: list(env.app.kustomize_overrides),
        ", ",
    ),
    # an unrecognised source has no kind: null in JSON, "?" in the text view
    ("source_kinds", "source kinds", lambda env: [s.kind or None for s in env.app.sources], ", "),
    (
        "parameter_files",
        "parameter files",
        lambda env: [f for s in env.app.sources for f in s.parameter_files],
        ", ",
    ),
    (
        "build_options",
        "build options",
        lambda env: build_options(env.repo).describe() if env.app.name else "",
        "",
    ),
    ("note", "note", lambda env: env.note, ""),
)


def _text(value: Any, joiner: str) -> str:
    if isinstance(value, list):
        return joiner.join("?" if item is None else str(item) for item in value)
    return "" if value is None else str(value)


def environments_frame(envs: Sequence[Environment]) -> pd.DataFrame:
    """One row per environment: where it is built from and where Argo CD deploys it."""
    rows = [
        {column: _text(value_of(env), joiner) for column, _key, value_of, joiner in _FIELDS}
        for env in envs
    ]
    return pd.DataFrame(rows, columns=[column for column, *_rest in _FIELDS])


def environment_records(envs: Sequence[Environment]) -> list[dict[str, Any]]:
    """Tidy records for ``envs -o json``: one per environment, the keys a person reads, lists
    as lists (a script need not split the text view's "a, b"), empty texts as ``None``."""
    records = []
    for env in envs:
        record: dict[str, Any] = {}
        for _column, key, value_of, _joiner in _FIELDS:
            value = value_of(env)
            record[key] = None if value == "" else value
        records.append(record)
    return records


def _sources(env: Environment) -> list[argocd.SourceSpec]:
    """The sources to render: the Application's, or the environment's own directory."""
    if env.app.sources:
        return [s for s in env.app.sources if s.kind or s.problem is not None]
    if env.path is None:
        return []
    return [argocd.SourceSpec("kustomize", env.path, {})]


def _plain(sources: Sequence[argocd.SourceSpec]) -> bool:
    """One kustomize source with nothing of Argo CD's on top: kubectl can cross-check it."""
    return (
        len(sources) == 1
        and sources[0].kind == "kustomize"
        and not sources[0].options
        and not sources[0].parameter_files
    )


def buildable(env: Environment) -> bool:
    """Whether :func:`render` has something to render for ``env`` (a path, or a source a
    registered renderer takes, such as a remote Helm chart)."""
    if env.path is not None:
        return True
    return any(s.kind in SOURCE_RENDERERS and s.kind != "kustomize" for s in env.app.sources)


# -- rendering -------------------------------------------------------------------------------
def render(
    env: Environment,
    *,
    disabled_steps: Sequence[str] = (),
    extra_patches: Sequence[Any] = (),
    trace: bool = True,
    offline: bool = False,
) -> RenderedEnv:
    """Build one environment with the engine and redact its secrets.

    Options are the engine's: ``disabled_steps`` (trace step ids to skip), ``extra_patches``
    (what-if patches), ``trace`` and ``offline`` (remote bases from envlib's cache only, see
    docs/remote.md). Engine errors (``EnvlibError``) propagate unchanged.
    With ``ENVLIB_RENDERER=kubectl`` in the environment, ``kubectl kustomize`` renders instead
    (no trace, no options; origins name the environment directory) - a cross-check mode.
    """
    if not buildable(env):
        raise LoadError(
            f"environment {env.name!r} cannot be built: {env.note or 'no path'}",
            location=SourceLocation(env.app.file) if env.app.file else None,
        )
    sources = _sources(env)
    if os.environ.get("ENVLIB_RENDERER") == "kubectl" and _plain(sources):
        return _render_with_kubectl(env)
    results: list[SourceResult] = []
    skipped: list[str] = []
    for source in sources:
        renderer = SOURCE_RENDERERS.get(source.kind)
        several = len(sources) > 1
        if several and (renderer is None or (source.path is None and source.kind == "kustomize")):
            # one source envlib cannot render here: the others still are, and it says so
            skipped.append(f"source {source.spec.get('path') or '?'} not rendered: {source.note}")
            continue
        if renderer is None:
            raise LoadError(
                f"environment {env.name!r}: {source.kind or 'unknown'} sources are not "
                f"supported ({source.note or display_path(source.path or env.repo)})",
                location=SourceLocation(env.app.file) if env.app.file else None,
            )
        request = SourceRequest(
            env, source, tuple(disabled_steps), tuple(extra_patches), trace, offline=offline
        )
        results.append(renderer(request))
    built = [res for result in results for res in result.resources]
    clean = redact_resources(built)
    first = results[0] if results else SourceResult([])
    inputs = first.inputs
    for other in results[1:]:  # every source's reads: an edit to any re-renders
        if inputs is not None and other.inputs is not None:
            inputs.files |= other.inputs.files
            inputs.probed |= other.inputs.probed
            inputs.remote |= other.inputs.remote
    return RenderedEnv(
        env=env,
        resources=clean,
        warnings=[w for result in results for w in result.warnings] + skipped,
        trace=next((r.trace for r in results if r.trace is not None), None),
        originals={id(c): o for c, o in zip(clean, built, strict=True) if c is not o},
        inputs=inputs,
        applied=tuple(a for result in results for a in result.applied),
    )


class BrokenEnvironmentWarning(UserWarning):
    """An environment :func:`render_all` could not render (the others were rendered)."""


def render_all(
    envs: Sequence[Environment], *, errors: str = "warn", **options: Any
) -> list[RenderedEnv]:
    """Render every buildable environment (see :func:`buildable`), in order.

    One that fails does not hide the others: with ``errors="warn"`` (the default, what
    notebooks see) it is left out and a :class:`BrokenEnvironmentWarning` names it with its
    one-line error (file:line); ``errors="raise"`` raises the first failure instead.
    :func:`render_each` returns the failures for the caller to show.
    """
    if errors == "raise":
        return [render(env, **options) for env in envs if buildable(env)]
    rendered, broken = render_each(envs, **options)
    for b in broken:
        warnings.warn(
            f"environment {b.name} not rendered: {b.text}", BrokenEnvironmentWarning, stacklevel=2
        )
    return rendered


@dataclass(frozen=True)
class Broken:
    """An environment whose render failed, and why (the error names file and line)."""

    env: Environment
    error: EnvlibError

    @property
    def name(self) -> str:
        """The environment's name."""
        return self.env.name

    @property
    def text(self) -> str:
        """The one-line error (``file:line: entry: message``)."""
        return self.error.one_line()


def render_each(
    envs: Sequence[Environment], **options: Any
) -> tuple[list[RenderedEnv], list[Broken]]:
    """Render every buildable environment; one that fails does not hide the others.

    Why: one broken overlay must not blank every table - the others are rendered and the
    failures returned beside them, in order, for the caller to show in their place.
    """
    rendered: list[RenderedEnv] = []
    broken: list[Broken] = []
    for env in envs:
        if not buildable(env):
            continue
        try:
            rendered.append(render(env, **options))
        except EnvlibError as exc:
            broken.append(Broken(env, exc))
    return rendered, broken


def broken_frame(broken: Sequence[Broken]) -> pd.DataFrame:
    """One row per broken environment: its name, the file and line, and the one-line error."""
    rows = [
        {
            "env": b.name,
            "file": b.error.location.path if b.error.location else "",
            "line": b.error.location.line if b.error.location else None,
            "error": b.text,
        }
        for b in broken
    ]
    frame = pd.DataFrame(rows, columns=["env", "file", "line", "error"])
    return frame.astype({"line": "Int64"})


def _render_with_kubectl(env: Environment) -> RenderedEnv:
    assert env.path is not None
    binary = find_kubectl() or "kubectl"
    try:
        proc = subprocess.run(
            [binary, "kustomize", str(env.path)], capture_output=True, timeout=300, check=False
        )
    except OSError as exc:
        raise LoadError(f"ENVLIB_RENDERER=kubectl but {binary} could not run: {exc}") from exc
    if proc.returncode != 0:
        text = proc.stderr.decode(errors="replace").strip().removeprefix("error: ")
        raise LoadError(
            text, location=SourceLocation(display_path(env.path)), kustomize_message=text
        )
    resources = resources_from_yaml(proc.stdout.decode(), display_path(env.path))
    return RenderedEnv(env=env, resources=redact_resources(resources))


def resources_from_yaml(text: str, path: str = "<memory>") -> list[Resource]:
    """Resources from multi-document YAML (tests and notebooks building envs by hand)."""
    docs = yaml.load_all(text, Loader=_LOADER)
    return [
        Resource.from_obj(doc, Origin(path, index))
        for index, doc in enumerate(docs)
        if isinstance(doc, dict)
    ]


def rendered_from_resources(
    name: str, resources: list[Resource], *, repo: Path | None = None
) -> RenderedEnv:
    """A :class:`RenderedEnv` for resources obtained elsewhere (secrets still redacted)."""
    env = Environment(name, None, repo or Path.cwd(), source="memory")
    return RenderedEnv(env=env, resources=redact_resources(resources))
