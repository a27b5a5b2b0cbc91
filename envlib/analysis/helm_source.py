"""The renderer of Argo CD ``helm`` sources: ``helm template`` as Argo CD's repo server runs it.

Why its own module: an Application whose source is a chart (``Chart.yaml`` in the path, or
``spec.source.helm``) is rendered by Helm, not kustomize. Argo CD (reposerver ``helmTemplate``
and util/helm ``Template``) runs ``helm template <chart> --name-template <release>
--namespace <destination namespace> --values <valueFiles...> --values <values|valuesObject>
--set/--set-string <parameters> --set-file <fileParameters> [--include-crds unless skipCrds]
[--skip-tests] [--kube-version] [--api-versions]``; so the precedence is Helm's: parameters
over ``valuesObject`` (or ``values``) over ``valueFiles`` (in order) over the chart's own
``values.yaml``. ``valueFiles`` are relative to the chart; ``$<ref>/path`` names a file in
the ``ref:`` source of a multi-source Application (this checkout when it is the same
repository); with ``ignoreMissingValueFiles`` a missing file is skipped. The release name
defaults to the Application's name, the release namespace is the destination namespace.

Helm itself renders (:mod:`envlib.helm`: a ``helm`` binary, or Helm's Go SDK in-process),
and every object remembers the template file it came from (the ``# Source:`` line).
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from envlib.errors import LoadError, SourceLocation
from envlib.helm import HelmFailure, HelmSettings, TemplateRequest, engine_for
from envlib.kustomize.load import fs
from envlib.kustomize.load.fs import display_path

from .argocd import SourceSpec
from .helm_output import resources_from_output
from .sources import SourceRequest, SourceResult

_GIT_URL = re.compile(r"(?:\.git)?/*$")


def _repo_root(directory: Path, fallback: Path) -> Path:
    """The checkout root (the nearest ``.git``) Argo CD resolves value files within."""
    for candidate in (directory, *directory.parents):
        if fs.exists(candidate / ".git"):
            return candidate
    return fallback


def _same_repo(a: str, b: str) -> bool:
    return _GIT_URL.sub("", a.strip().lower()) == _GIT_URL.sub("", b.strip().lower())


def _where(request: SourceRequest) -> SourceLocation | None:
    return SourceLocation(request.env.app.file) if request.env.app.file else None


def _ref_root(request: SourceRequest, ref: str, root: Path) -> Path:
    """The checkout of the ``ref: <name>`` source (``$name/...`` in valueFiles)."""
    source = request.source
    for other in request.env.app.sources:
        if other.spec.get("ref") == ref:
            url = str(other.spec.get("repoURL") or "")
            own = str(source.spec.get("repoURL") or "")
            if url and own and not _same_repo(url, own):
                raise LoadError(
                    f"environment {request.env.name!r}: values reference ${ref} is the "
                    f"repository {url}, not this checkout",
                    location=_where(request),
                    entry=f"${ref}",
                )
            return root
    raise LoadError(
        f"environment {request.env.name!r}: valueFiles use ${ref}, but no source has ref: {ref}",
        location=_where(request),
        entry=f"${ref}",
    )


def resolve_value_files(request: SourceRequest, chart_dir: Path) -> tuple[list[str], list[str]]:
    """(absolute paths to pass as ``--values``, display names of the files skipped)."""
    options = request.source.options
    root = _repo_root(chart_dir, request.env.repo)
    ignore_missing = bool(options.get("ignoreMissingValueFiles"))
    out: list[str] = []
    skipped: list[str] = []
    for raw in options.get("valueFiles") or []:
        text = str(raw)
        if re.match(r"^[a-z][a-z0-9+.-]*://", text):
            raise LoadError(
                f"environment {request.env.name!r}: value file {text} is remote; envlib "
                "reads only this checkout",
                location=_where(request),
                entry="valueFiles",
            )
        if text.startswith("$"):
            ref, _, rest = text[1:].partition("/")
            path = _ref_root(request, ref, root) / rest
        else:
            path = chart_dir / text
        absolute = Path(os.path.normpath(path))
        if absolute != root and root not in absolute.parents:
            raise LoadError(
                f"environment {request.env.name!r}: value file {text!r} resolves outside the "
                f"repository root {display_path(root)}",
                location=_where(request),
                entry="valueFiles",
            )
        if not fs.isfile(absolute):
            if ignore_missing:
                skipped.append(display_path(absolute))
                continue
            raise LoadError(
                f"environment {request.env.name!r}: value file {display_path(absolute)} does "
                "not exist (set helm.ignoreMissingValueFiles to skip it)",
                location=_where(request),
                entry="valueFiles",
            )
        fs.note_read(absolute)
        out.append(os.fspath(absolute))
    return out, skipped


def _inline_values(options: dict[str, Any]) -> str:
    """``valuesObject`` (wins) or ``values`` as YAML text, or ""."""
    from envlib.kustomize.yaml.emitter import dump_object

    obj = options.get("valuesObject")
    if isinstance(obj, dict) and obj:
        return dump_object(obj)
    text = options.get("values")
    if isinstance(text, str) and text.strip():
        return text
    if isinstance(text, dict) and text:  # older manifests wrote a map under values:
        return dump_object(text)
    return ""


def _set_value(value: Any) -> str:
    """Argo CD's ``cleanSetParameters``: commas escaped unless the value is a ``{list}``."""
    text = "" if value is None else str(value)
    if text.startswith("{") and text.endswith("}"):
        return text
    return re.sub(r"(?<!\\),", r"\\,", text)


def template_request(
    request: SourceRequest, chart_dir: Path, tmp: str
) -> tuple[TemplateRequest, list[str], list[str]]:
    """The ``helm template`` Argo CD would run, (request, value files in play, skipped)."""
    options = request.source.options
    app = request.env.app
    values, skipped = resolve_value_files(request, chart_dir)
    shown = [display_path(v) for v in values]
    inline = _inline_values(options)
    if inline:
        extra = os.path.join(tmp, "argocd-values.yaml")
        with open(extra, "w", encoding="utf-8") as handle:
            handle.write(inline)
        values.append(extra)
        shown.append("valuesObject" if options.get("valuesObject") else "values")
    sets: list[str] = []
    strings: list[str] = []
    for param in options.get("parameters") or []:
        if isinstance(param, dict) and param.get("name"):
            word = f"{param['name']}={_set_value(param.get('value'))}"
            (strings if param.get("forceString") else sets).append(word)
    files: list[str] = []
    for param in options.get("fileParameters") or []:
        if isinstance(param, dict) and param.get("name"):
            path = Path(os.path.normpath(chart_dir / str(param.get("path") or "")))
            fs.note_read(path)
            files.append(f"{param['name']}={path}")
    release = str(options.get("releaseName") or app.name or request.env.name)
    namespace = str(options.get("namespace") or app.namespace or "")
    api_versions = tuple(str(v) for v in options.get("apiVersions") or [])
    return (
        TemplateRequest(
            chart_dir=os.fspath(chart_dir),
            name_template=release,
            namespace=namespace,
            values_files=tuple(values),
            set_values=tuple(sets),
            set_string_values=tuple(strings),
            set_file_values=tuple(files),
            api_versions=api_versions,
            kube_version=str(options.get("kubeVersion") or ""),
            include_crds=not options.get("skipCrds"),
            skip_tests=bool(options.get("skipTests")),
        ),
        shown,
        skipped,
    )


def render_helm(request: SourceRequest) -> SourceResult:
    """Render one Argo CD helm source (see the module docstring)."""
    source: SourceSpec = request.source
    if source.problem is not None:
        raise source.problem
    if source.path is None:
        note = source.note or "the chart is not in this checkout"
        raise LoadError(
            f"environment {request.env.name!r}: {note} (envlib renders charts of this "
            "checkout only)",
            location=_where(request),
        )
    chart_dir = source.path
    try:
        engine = engine_for(HelmSettings(enabled=True))
    except HelmFailure as exc:
        raise LoadError(
            f"environment {request.env.name!r}: {exc.first_line}", location=_where(request)
        ) from None
    from envlib.kustomize.generators.helm_chart import chart_on_disk, file_on_disk

    with (
        fs.recording() as reads,
        tempfile.TemporaryDirectory(prefix="envlib-argocd-helm-") as tmp,
        chart_on_disk(os.fspath(chart_dir)) as disk_dir,
    ):
        helm_request, shown, skipped = template_request(request, chart_dir, tmp)
        # Helm reads the disk; a preview reads git objects: give Helm copies then
        helm_request = replace(
            helm_request,
            chart_dir=disk_dir,
            values_files=tuple(file_on_disk(p, tmp) for p in helm_request.values_files),
        )
        for top, _dirs, names in fs.walk(chart_dir):
            for name in names:
                fs.note_read(os.path.join(top, name))
        try:
            text = engine.template(helm_request, os.path.join(tmp, "helm"))
        except HelmFailure as exc:
            raise _failure(request, exc, chart_dir, shown) from None
        resources = resources_from_output(text, chart_dir)
        from .helm_explain import HelmRender, remember

        layers = _layers(request, chart_dir, helm_request, shown)
        inline = _inline_values(source.options)
        render = HelmRender(helm_request, layers, engine.command, os.fspath(chart_dir), inline)
        remember(resources, render)
    applied = [*source.parameter_files, *(f"values {v}" for v in shown)]
    applied += [f"{v} (missing, ignored)" for v in skipped]
    return SourceResult(resources=resources, inputs=reads, applied=tuple(applied))


def _layers(
    request: SourceRequest, chart_dir: Path, helm_request: TemplateRequest, shown: list[str]
) -> tuple[Any, ...]:
    """The values in play, lowest precedence first, for :mod:`.helm_explain`."""
    import yaml

    from .helm_explain import Layer

    def read(path: str) -> dict[str, Any]:
        try:
            loaded = yaml.safe_load(fs.read_text(path))
        except (yaml.YAMLError, LoadError):
            return {}
        return loaded if isinstance(loaded, dict) else {}

    layers = [Layer(display_path(chart_dir / "values.yaml"), os.fspath(chart_dir / "values.yaml"),
                    read(os.fspath(chart_dir / "values.yaml")))]  # fmt: skip
    app_file = request.env.app.file or request.env.name
    for path, label in zip(helm_request.values_files, shown, strict=True):
        if label in ("values", "valuesObject"):
            layers.append(Layer(f"{app_file} ({label})", None, read(path)))
        else:
            layers.append(Layer(label, path, read(path)))
    params: dict[str, Any] = {}
    for word in (*helm_request.set_values, *helm_request.set_string_values):
        name, _, value = word.partition("=")
        node = params
        parts = name.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value.replace("\\,", ",")
    if params:
        layers.append(Layer(f"{app_file} (parameters)", None, params))
    return tuple(layers)


def _failure(
    request: SourceRequest, exc: HelmFailure, chart_dir: Path, shown: list[str]
) -> LoadError:
    """Helm's message, at the template file:line it names, with the values in play."""
    spot = exc.spot
    location = _where(request)
    if spot is not None:
        _, _, rest = spot.file.partition("/")
        location = SourceLocation(display_path(chart_dir / rest), spot.line)
    values = ", ".join(shown) or "the chart's values.yaml"
    return LoadError(
        f"environment {request.env.name!r}: helm chart {display_path(chart_dir)} failed "
        f"(values: {values}): {exc.first_line}",
        location=location,
        entry=request.env.app.name or request.env.name,
    )


__all__ = ["render_helm", "resolve_value_files", "resources_from_output", "template_request"]
