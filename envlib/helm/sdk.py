"""``helm template`` in-process: Helm's Go SDK through the ``helm-python-sdk`` package.

Helm renders (``Chart.render``: dependencies, values coalescing, schema, the template
engine, ``Capabilities``); this module only does what the ``helm`` CLI does around that
call - name the release as ``helm template`` does, read values files with Helm's parser,
refuse what ``runInstall`` refuses - and :mod:`.manifests` prints the result. A chart is
loaded fresh for every render because Helm's dependency processing edits the loaded chart.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from envlib.helm.errors import HelmFailure
from envlib.helm.manifests import ManifestError, template_output
from envlib.helm.request import PullRequest, TemplateRequest
from envlib.helm.values import user_values

DEBUG_HINT = "\n\nUse --debug flag to render out invalid YAML"


def sdk_version() -> str:
    """The Helm SDK version the package embeds (``v4.2.3``)."""
    import helm_python

    return str(helm_python.helm_sdk_version())


def _template_name(name_template: str) -> str:
    """Helm's ``TemplateName``: the ``--name-template`` text run through Helm's engine."""
    import helm_python

    with tempfile.TemporaryDirectory(prefix="envlib-helm-name-") as tmp:
        chart = Path(tmp) / "name"
        (chart / "templates").mkdir(parents=True)
        (chart / "Chart.yaml").write_text("apiVersion: v2\nname: name\nversion: 0.0.0\n")
        (chart / "templates" / "name").write_text(name_template)
        try:
            with helm_python.Chart.load(chart) as loaded:
                out = loaded.render(values={}, name="name")
        except helm_python.HelmError as exc:
            raise HelmFailure(exc.detail) from None
    return out.get("name/templates/name", "")


def release_name(request: TemplateRequest) -> str:
    """``NameAndChart`` as ``helm template`` calls it (ReleaseName preset to release-name)."""
    if request.release_name:
        if request.name_template:
            raise HelmFailure("cannot set --name-template and also specify a name")
        return request.release_name
    if request.name_template:
        return _template_name(request.name_template)
    return "release-name"


def _kube_version_check(constraint: str, options: dict[str, Any]) -> None:
    """Helm's ``renderResources`` check of ``Chart.yaml``'s ``kubeVersion``, by Helm itself.

    Sprig's ``semverCompare`` is the same Masterminds constraint check as Helm's
    ``IsCompatibleRange``; a scratch chart evaluates it against the Capabilities the real
    render gets (``--kube-version``, else the SDK's default).
    """
    import helm_python

    if "`" in constraint:
        raise HelmFailure(f"invalid kubeVersion constraint {constraint!r}")
    text = (
        "{{ .Capabilities.KubeVersion.Version }}|"
        f"{{{{ semverCompare `{constraint}` .Capabilities.KubeVersion.String }}}}"
    )
    probe = {k: v for k, v in options.items() if k == "kube_version"}
    with tempfile.TemporaryDirectory(prefix="envlib-helm-kube-") as tmp:
        chart = Path(tmp) / "kube"
        (chart / "templates").mkdir(parents=True)
        (chart / "Chart.yaml").write_text("apiVersion: v2\nname: kube\nversion: 0.0.0\n")
        (chart / "templates" / "check").write_text(text)
        try:
            with helm_python.Chart.load(chart) as loaded:
                out = _render(loaded, {}, {"name": "kube", **probe})
        except HelmFailure:
            out = {}
    version, _, ok = out.get("kube/templates/check", "|false").partition("|")
    if ok != "true":
        raise HelmFailure(
            f"chart requires kubeVersion: {constraint} which is incompatible with Kubernetes "
            f"{version}" + DEBUG_HINT
        )


def _missing_dependencies(chart: Any) -> list[str]:
    declared = [d.get("name", "") for d in chart.metadata.get("dependencies") or []]
    loaded = {d.get("name", "") for d in chart.dependencies}
    return [name for name in declared if name not in loaded]


def render(request: TemplateRequest) -> str:
    """What ``helm template`` prints on stdout for ``request``; :class:`HelmFailure` else."""
    import helm_python

    name = release_name(request)
    values = user_values(
        request.values_files,
        request.set_values,
        request.set_string_values,
        request.set_file_values,
    )
    chart_dir = request.chart_dir
    if not os.path.exists(chart_dir):
        raise HelmFailure(f"path {chart_dir!r} not found".replace("'", '"'))
    try:
        chart = helm_python.Chart.load(chart_dir)
    except helm_python.HelmError as exc:
        raise HelmFailure(exc.detail) from None
    with chart:
        if chart.metadata.get("type") not in (None, "", "application"):
            raise HelmFailure(f"{chart.metadata.get('type')} charts are not installable")
        missing = _missing_dependencies(chart)
        if missing:
            raise HelmFailure(
                "an error occurred while checking for chart dependencies. You may need to "
                "run 'helm dependency build' to fetch missing dependencies: found in "
                f"Chart.yaml, but missing in charts/ directory: {', '.join(missing)}"
            )
        try:
            helm_python.validate_release_name(name)
        except helm_python.HelmError as exc:
            detail = f'release name check failed: release name "{name}": {exc.detail}'
            raise HelmFailure(detail) from None
        options: dict[str, Any] = {
            "name": name,
            "namespace": request.namespace or "default",
            "revision": 1,
            "is_install": True,
        }
        if request.kube_version:
            options["kube_version"] = request.kube_version
        if request.api_versions:
            options["api_versions"] = list(request.api_versions)
        constraint = str(chart.metadata.get("kubeVersion") or "")
        if constraint:
            _kube_version_check(constraint, options)
        files = _render(chart, values, options)
        crds = [(c["filename"], c["data"]) for c in chart.crds]
        chart_name = chart.name
    try:
        return template_output(
            files,
            crds,
            chart_name=chart_name,
            include_crds=request.include_crds,
            skip_tests=request.skip_tests,
            no_hooks=request.no_hooks,
        )
    except ManifestError as exc:
        raise HelmFailure(str(exc) + DEBUG_HINT) from None


def _render(chart: Any, values: dict[str, Any], options: dict[str, Any]) -> dict[str, str]:
    import json

    import helm_python
    from helm_python import _native

    try:
        payload = _native.call_string(
            "helm_render", chart._raw(), json.dumps(values), json.dumps(options)
        )
    except helm_python.HelmRenderError as exc:
        raise HelmFailure(exc.detail + DEBUG_HINT) from None
    except helm_python.HelmError as exc:
        raise HelmFailure(exc.detail) from None
    files: dict[str, str] = json.loads(payload)
    return files


def pull(request: PullRequest) -> None:
    """``helm pull --untar``: the chart archive fetched and unpacked under ``untar_dir``."""
    import helm_python

    ref = request.name
    repo_url: str | None = request.repo
    if request.repo.startswith("oci://"):
        ref, repo_url = request.repo.rstrip("/") + "/" + request.name, None
    os.makedirs(request.untar_dir, exist_ok=True)
    try:
        helm_python.pull(
            ref,
            repo_url=repo_url,
            version=request.version or None,
            untar=True,
            untar_dir=request.untar_dir,
            destination=request.untar_dir,
        )
    except helm_python.HelmError as exc:
        raise HelmFailure(exc.detail) from None
