"""The interface between an environment and the renderer of each of its sources.

Why a registry: an Argo CD Application's sources are of different kinds (a kustomization
directory, a Helm chart, ...), each rendered by its own engine, and one environment may have
several (``spec.sources``). :data:`envlib.analysis.environments.SOURCE_RENDERERS` maps a
kind (:data:`envlib.analysis.argocd.SOURCE_KINDS`: ``"kustomize"``, ``"helm"``, ...) to a
:data:`SourceRenderer`; :func:`envlib.analysis.environments.render` calls the one registered
for each source and concatenates what they return, in the Application's source order.

A renderer is a plain function::

    def render_helm(request: SourceRequest) -> SourceResult: ...
    SOURCE_RENDERERS["helm"] = render_helm

``request.source`` is the :class:`~envlib.analysis.argocd.SourceSpec` (kind, local ``path``
or None for a remote chart, ``spec``: the source mapping after Argo CD's parameter files,
``options``: ``spec[kind]``), ``request.env`` the environment (its Application in
``env.app``: name, destination namespace, project), and ``disabled_steps`` /
``extra_patches`` / ``trace`` / ``offline`` the engine options (a renderer that has no steps ignores
them). It returns the resources (secrets need not be redacted: the caller does it), warnings,
and optionally the build trace and the file-read set (``envlib.kustomize.load.fs.ReadSet``)
that provenance and preview read, plus ``applied``: one short text per Argo CD override it
applied (``namePrefix``, ``images``, ``values.yaml`` ...), shown in the environments table.
Bad input raises :class:`~envlib.errors.EnvlibError` with a file:line location.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from envlib.kustomize.core.resource import Resource

from .argocd import SourceSpec

if TYPE_CHECKING:  # the environment type lives in .discovery, which this must not import
    from .discovery import Environment


@dataclass(frozen=True)
class SourceRequest:
    """What a renderer is asked to render: one source of one environment, with options."""

    env: Environment
    source: SourceSpec
    disabled_steps: tuple[str, ...] = ()
    extra_patches: tuple[Any, ...] = ()
    trace: bool = True
    offline: bool = False  # remote bases from envlib's cache only (docs/remote.md)


@dataclass
class SourceResult:
    """What a renderer returns for one source (see the module docstring)."""

    resources: list[Resource]
    warnings: list[Any] = field(default_factory=list)
    trace: Any = None
    inputs: Any = None
    applied: tuple[str, ...] = ()


SourceRenderer = Callable[[SourceRequest], SourceResult]
"""A renderer of one source kind: :class:`SourceRequest` -> :class:`SourceResult`."""


def applied_text(applied: Sequence[str]) -> str:
    """The environments table's cell for the overrides a render applied."""
    return ", ".join(applied)


__all__ = ["SourceRenderer", "SourceRequest", "SourceResult", "applied_text"]
