"""envlib's kustomize engine: ``kubectl kustomize`` (Kustomize v5.5.0) re-implemented, traced.

Public API::

    from envlib.kustomize import build, blame, ExtraPatch

    result = build("k8s/overlays/dev")             # BuildResult
    print(result.to_yaml())                         # byte-identical to kubectl kustomize
    for step in result.trace.steps: ...             # every generator/transformer/patch entry
    blame(result, "Deployment.v1.apps/web.dev", "spec.replicas")   # -> [Step, ...]
    build("k8s/overlays/dev", disabled_steps=["k8s/overlays/dev/kustomization.yaml#patches[0]"])
    build("k8s/overlays/dev", fs=GitFileSystem(".", "main"))   # a revision, from git objects
    result.files_read                               # every file the build read

Importing this package never imports pandas, ipywidgets or Jupyter.
"""

from __future__ import annotations

from typing import Any

from envlib.kustomize.core.resid import Gvk, ResId
from envlib.kustomize.core.resource import Origin, ResMap, Resource
from envlib.kustomize.core.trace import (
    BuildTrace,
    Change,
    PatchIssue,
    Step,
    format_path,
    parse_path,
)
from envlib.kustomize.load.fs import FileSystem, OSFileSystem
from envlib.kustomize.load.gitfs import GitFileSystem, GitRevisionError
from envlib.kustomize.load.overlayfs import OverlayFileSystem
from envlib.kustomize.pipeline.build import BuildResult, ExtraPatch, build


def blame(result: BuildResult, res_id: Any, field_path: Any = ()) -> list[Step]:
    """Which steps set or changed ``field_path`` of resource ``res_id`` in ``result``.

    ``res_id`` is a :class:`ResId`, its string (final or any earlier id), or ``Kind/name``;
    ``field_path`` a string like ``spec.template.spec.containers[0].image`` or a tuple. When
    no step touched the field, the answer is one pseudo-step of kind ``origin`` pointing at
    the file (and line) that declared the resource. Needs a build made with ``trace=True``.
    """
    res = result.find(res_id)
    steps = result.trace.steps_touching(res, field_path)
    if steps:
        return steps
    return [
        Step(
            id=f"{res.origin.path}#origin",
            kind="origin",
            location=res.origin.location,
            description=f"declared in {res.origin}",
            matched=1,
        )
    ]


__all__ = [
    "BuildResult",
    "BuildTrace",
    "Change",
    "ExtraPatch",
    "FileSystem",
    "GitFileSystem",
    "GitRevisionError",
    "Gvk",
    "OSFileSystem",
    "Origin",
    "OverlayFileSystem",
    "PatchIssue",
    "ResId",
    "ResMap",
    "Resource",
    "Step",
    "blame",
    "build",
    "format_path",
    "parse_path",
]
