"""The renderer of ``kustomize`` sources: envlib's engine, with Argo CD's edits applied.

Why here: an Application's ``kustomize:`` options are applied by editing the kustomization
before the build (:mod:`.argocd_kustomize`); the edited file is served from an in-memory
overlay over the active file system (the working tree, or a git revision in previews), so
nothing is written and every other file, step id and line number stays the user's. The
``kustomize.buildOptions`` in effect (:mod:`.argocd_settings`) choose the load restrictor.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from envlib.errors import LoadError, SourceLocation
from envlib.kustomize.load import fs
from envlib.kustomize.load.gitfs import GitRevisionError, resolve_commit
from envlib.kustomize.load.overlayfs import OverlayFileSystem

from .argocd_kustomize import NO_EFFECT, edit_kustomization
from .argocd_settings import build_options
from .sources import SourceRequest, SourceResult

_DOLLAR = re.compile(r"\$")


def _needs_env(options: Mapping[str, Any]) -> bool:
    texts = [*map(str, options.get("images") or [])]
    texts += [str(v) for v in (options.get("commonLabels") or {}).values()]
    if options.get("commonAnnotationsEnvsubst"):
        texts += [str(v) for v in (options.get("commonAnnotations") or {}).values()]
    return any(_DOLLAR.search(t) for t in texts)


def _revision(repo: Path, target: str) -> str:
    """The commit Argo CD would resolve (``HEAD`` of this checkout), or the target text."""
    if not fs.exists(repo / ".git") and not any(fs.exists(p / ".git") for p in repo.parents):
        return target
    try:
        return resolve_commit(repo, "HEAD")
    except GitRevisionError:
        return target


def app_environment(request: SourceRequest) -> dict[str, str]:
    """The ``ARGOCD_APP_*`` variables of Argo CD's build environment for this source."""
    app = request.env.app
    spec = request.source.spec
    target = str(spec.get("targetRevision") or "")
    revision = _revision(request.env.repo, target or "HEAD")
    return {
        "ARGOCD_APP_NAME": app.name,
        "ARGOCD_APP_NAMESPACE": app.namespace,
        "ARGOCD_APP_PROJECT_NAME": app.project,
        "ARGOCD_APP_REVISION": revision,
        "ARGOCD_APP_REVISION_SHORT": revision[:7],
        "ARGOCD_APP_REVISION_SHORT_8": revision[:8],
        "ARGOCD_APP_SOURCE_REPO_URL": str(spec.get("repoURL") or ""),
        "ARGOCD_APP_SOURCE_PATH": str(spec.get("path") or ""),
        "ARGOCD_APP_SOURCE_TARGET_REVISION": target,
    }


def render_kustomize(request: SourceRequest) -> SourceResult:
    """Build one kustomize source as Argo CD's repo server would (see the module docstring)."""
    from envlib.kustomize.pipeline.build import build  # the one call into the engine

    source = request.source
    if source.problem is not None:
        raise source.problem
    if source.path is None:
        raise LoadError(
            f"environment {request.env.name!r} cannot be built: {source.note or 'no path'}",
            location=SourceLocation(request.env.app.file) if request.env.app.file else None,
        )
    options = source.options
    applied: list[str] = list(source.parameter_files)
    overlay = None
    if options:
        env = app_environment(request) if _needs_env(options) else {}
        edited = edit_kustomization(source.path, options, env, request.env.repo)
        if edited is not None:
            overlay = OverlayFileSystem(fs.current(), {edited.path: edited.text})
            applied.extend(edited.applied)
    settings = build_options(request.env.repo) if request.env.app.name else None
    enable_helm = settings is not None and settings.enable_helm
    if options:
        # with --enable-helm Argo CD passes kubeVersion/apiVersions on as
        # --helm-kube-version/--helm-api-versions; otherwise they do nothing
        helm_keys = ("kubeVersion", "apiVersions") if enable_helm else ()
        applied.extend(
            f"{k} (no effect: {why})"
            for k, why in NO_EFFECT.items()
            if options.get(k) and k not in helm_keys
        )
        applied.extend(k for k in helm_keys if options.get(k))
    restrictor = settings.load_restrictor if settings is not None else "LoadRestrictionsRootOnly"
    if settings is not None and settings.text:
        applied.append(settings.describe())
    from envlib.helm import HelmSettings

    helm = HelmSettings(
        enabled=enable_helm,
        kube_version=str(options.get("kubeVersion") or "") if enable_helm else "",
        api_versions=tuple(str(v) for v in options.get("apiVersions") or []) if enable_helm else (),
    )
    result = build(
        source.path,
        helm=helm,
        load_restrictor=restrictor,
        disabled_steps=request.disabled_steps,
        extra_patches=request.extra_patches,
        trace=request.trace,
        fs=overlay,
        offline=request.offline,
    )
    return SourceResult(
        resources=list(result.resources),
        warnings=list(getattr(result, "warnings", []) or []),
        trace=getattr(result, "trace", None),
        inputs=result.inputs,
        applied=tuple(applied),
    )


__all__ = ["app_environment", "render_kustomize"]
