"""Helm charts rendered by Helm itself: a ``helm`` binary, or Helm's Go SDK in-process.

envlib never re-implements Helm's template language. A :class:`TemplateRequest` is the
``helm template`` invocation kustomize v5.5 makes (:meth:`TemplateRequest.as_args` is its
argument list); :func:`engine_for` picks who answers it: the binary named by
``--helm-command`` or found on ``PATH`` (run exactly as kustomize runs it, :mod:`.binary`),
otherwise the optional ``helm-python-sdk`` package (``envlib[helm]``, :mod:`.sdk`), whose
output :mod:`.manifests` assembles the way ``helm template`` prints it.

This package sits under :mod:`envlib.kustomize` (its ``helmCharts`` generator) and
:mod:`envlib.analysis` (Argo CD Helm sources) and imports neither.
"""

from __future__ import annotations

from envlib.helm.engine import Engine, engine_for, sdk_available
from envlib.helm.errors import HelmFailure
from envlib.helm.request import HelmSettings, PullRequest, TemplateRequest

__all__ = [
    "Engine",
    "HelmFailure",
    "HelmSettings",
    "PullRequest",
    "TemplateRequest",
    "engine_for",
    "sdk_available",
]
