"""``helmCharts`` + ``helmGlobals``: kustomize's HelmChartInflationGenerator, Helm rendering.

Two phases, as kustomize runs them (api/internal/builtins/HelmChartInflationGenerator.go):
:func:`configure` (``Config`` + ``validateArgs``: ``--enable-helm``, the chart name, the
default ``chartHome``/``valuesFile``, ``additionalValuesFiles`` under the load restriction,
``valuesMerge``) runs for every chart before any generator produces anything;
:func:`inflate` (``Generate``) then finds the chart under ``chartHome`` (``helm pull`` for a
``repo:`` chart that is not there yet), writes the values file kustomize would write
(``valuesInline`` merged over / under / instead of ``valuesFile`` with kyaml's merge2),
asks :mod:`envlib.helm` for ``helm template``, and reads the YAML back as resources.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from envlib.errors import EnvlibError, GeneratorError, LoadError, SourceLocation
from envlib.helm import (
    Engine,
    HelmFailure,
    HelmSettings,
    PullRequest,
    TemplateRequest,
    engine_for,
)
from envlib.helm.binary import helm_env
from envlib.kustomize.core.resource import Resource
from envlib.kustomize.load import fs
from envlib.kustomize.load.kustomization_model import Kustomization

DEFAULT_HOME = "charts"
MERGE_OPTIONS = ("merge", "override", "replace")
PLUGIN = "HelmChartInflationGenerator"


@dataclass
class ConfiguredChart:
    """One ``helmCharts`` entry after kustomize's ``Config``: defaults filled, paths absolute."""

    index: int
    entry: str
    location: SourceLocation
    chart: dict[str, Any]
    chart_home: str  # as configured (relative to the kustomization unless absolute)
    values_file: str  # absolute, or relative to the kustomization
    values_file_given: bool
    additional_values_files: list[str] = field(default_factory=list)
    values_merge: str = "override"
    kube_version: str = ""
    api_versions: tuple[str, ...] = ()
    debug: bool = False

    @property
    def name(self) -> str:
        return str(self.chart.get("name") or "")

    @property
    def label(self) -> str:
        """``chart 'podinfo' (helmCharts[0])`` for messages."""
        return f"helm chart {self.name!r} ({self.entry})"


def plugin_config_text(kust: Kustomization, index: int) -> str:
    """The plugin config kustomize marshals into its "trouble configuring" message."""
    from envlib.kustomize.yaml.emitter import dump_object

    chart = kust.helm_charts[index]
    config = {k: v for k, v in (kust.helm_globals or {}).items() if v not in (None, "")}
    config.update({k: v for k, v in chart.items() if v not in (None, "", False, [], {})})
    return dump_object(config)


def _config_error(kust: Kustomization, index: int, message: str, why: str) -> GeneratorError:
    name = kust.helm_charts[index].get("name") or "?"
    return GeneratorError(
        f"helm chart {name!r}: {message}",
        location=kust.location("helmCharts", index),
        entry=kust.entry_name("helmCharts", index),
        kustomize_message=(
            f"trouble configuring builtin {PLUGIN} with config: "
            f"`\n{plugin_config_text(kust, index)}`: {why}"
        ),
    )


def abs_chart_home(kust: Kustomization, chart: ConfiguredChart) -> str:
    """kustomize's ``absChartHome``: ``chartHome`` (+ ``name-version`` for a pinned repo chart)."""
    home = chart.chart_home
    base = home if os.path.isabs(home) else os.path.join(kust.directory, home)
    version, repo = chart.chart.get("version") or "", chart.chart.get("repo") or ""
    if version and repo:
        return os.path.join(base, f"{chart.name}-{version}")
    return base


def configure(kust: Kustomization, settings: HelmSettings, restrict: bool) -> list[ConfiguredChart]:
    """kustomize's ``Config`` for every chart of this kustomization, in order."""
    out: list[ConfiguredChart] = []
    globals_ = kust.helm_globals or {}
    for index, raw in enumerate(kust.helm_charts):
        chart = dict(raw)
        if not settings.enabled:
            raise _config_error(
                kust,
                index,
                "helmCharts need --enable-helm (as in kubectl kustomize)",
                "must specify --enable-helm",
            )
        if not chart.get("name"):
            raise _config_error(
                kust, index, "chart name cannot be empty", "chart name cannot be empty"
            )
        home = str(globals_.get("chartHome") or DEFAULT_HOME)
        configured = ConfiguredChart(
            index=index,
            entry=kust.entry_name("helmCharts", index),
            location=kust.location("helmCharts", index),
            chart=chart,
            chart_home=home,
            values_file="",
            values_file_given=bool(chart.get("valuesFile")),
            # a chart's own kubeVersion/apiVersions win: kustomize unmarshals the config
            # over the command-line values
            kube_version=str(chart.get("kubeVersion") or settings.kube_version or ""),
            api_versions=tuple(chart.get("apiVersions") or settings.api_versions),
            debug=bool(chart.get("debug")) or settings.debug,
        )
        configured.values_file = str(chart.get("valuesFile") or "") or os.path.join(
            abs_chart_home(kust, configured), configured.name, "values.yaml"
        )
        for j, entry in enumerate(chart.get("additionalValuesFiles") or []):
            try:
                fs.resolve_in_root(kust.directory, str(entry), restrict=restrict)
            except LoadError as exc:
                raise _config_error(
                    kust,
                    index,
                    f"additionalValuesFiles[{j}] {entry!r}: {exc.message}",
                    f"could not load additionalValuesFile: {exc.kustomize_message}",
                ) from None
            configured.additional_values_files.append(os.path.join(kust.directory, str(entry)))
        merge = str(chart.get("valuesMerge") or "override")
        if merge not in MERGE_OPTIONS:
            raise _config_error(
                kust,
                index,
                f"valuesMerge {merge!r} must be one of merge, override, replace",
                "valuesMerge must be one of [merge override replace]",
            )
        configured.values_merge = merge
        out.append(configured)
    return out


# -- Generate ---------------------------------------------------------------------------


def _fail(chart: ConfiguredChart, message: str, kustomize: str, **kw: Any) -> GeneratorError:
    return GeneratorError(
        f"{chart.label}: {message}",
        location=kw.get("location") or chart.location,
        entry=chart.entry,
        kustomize_message=kustomize,
    )


def _read_values(kust: Kustomization, chart: ConfiguredChart, restrict: bool) -> bytes:
    """``p.h.Loader().Load(p.ValuesFile)``: the values file, under the load restriction."""
    try:
        path = fs.resolve_in_root(kust.directory, chart.values_file, restrict=restrict)
        return fs.read_bytes(path)
    except LoadError as exc:
        what = "valuesFile" if chart.values_file_given else "the chart's values.yaml"
        raise _fail(
            chart,
            f"{what} {fs.display_path(chart.values_file)!r}: {exc.message}",
            exc.kustomize_message or exc.message,
        ) from None


# kyaml's merge2.Merge(src, dest) as ``merge2(dest, src, empty_paths_of_dest)``: the
# pipeline passes :func:`envlib.kustomize.patches.merge_with_empties` (generators may not
# import patches). kyaml drops a ``key:`` written as nothing wherever its walk visits the map
# holding it but keeps ``key: null``, and Helm tells the two apart.
Merge2 = Callable[
    [dict[str, Any], dict[str, Any], list[tuple[Any, ...]]],
    "tuple[dict[str, Any] | None, list[tuple[Any, ...]]]",
]


def merged_values(
    kust: Kustomization, chart: ConfiguredChart, restrict: bool, merge2: Merge2
) -> bytes:
    """The values file kustomize writes for helm (``<name>-kustomize-values.yaml``).

    No ``valuesInline``: the values file as it is. ``replace``: the inline values alone.
    ``override``: inline merged over the file; ``merge``: the file merged over inline.
    """
    inline = chart.chart.get("valuesInline") or {}
    if not inline:
        return _read_values(kust, chart, restrict)
    from envlib.kustomize.yaml.emitter import dump_object

    if chart.values_merge == "replace":
        return dump_object(inline).encode("utf-8")
    from envlib.kustomize.yaml.readers import load_documents

    text = _read_values(kust, chart, restrict).decode("utf-8", errors="replace")
    path = fs.display_path(os.path.join(kust.directory, chart.values_file))
    docs = load_documents(text, path)
    first = docs[0] if docs and isinstance(docs[0].obj, dict) else None
    file_values: dict[str, Any] = first.obj if first is not None else {}
    empties = list(first.empty) if first is not None else []
    if chart.values_merge == "override":
        out, _ = merge2(file_values, inline, empties)
    else:
        out, _ = merge2(inline, file_values, [])
    return dump_object(out or {}).encode("utf-8")


def _real_disk(path: str) -> bool:
    """Whether Helm may read ``path`` itself: the OS file system, or a pulled chart."""
    from envlib.kustomize.load.remote.cache import cache_root

    if isinstance(fs.current(), fs.OSFileSystem):
        return True
    return Path(path).is_relative_to(cache_root().parent)


def file_on_disk(path: str, tmp: str) -> str:
    """``path`` where Helm can read it (a copy in ``tmp`` when envlib reads git objects)."""
    if _real_disk(path) or Path(path).is_relative_to(tmp):
        return path
    copy = os.path.join(tmp, "values-" + hashlib.sha256(path.encode()).hexdigest()[:12])
    os.makedirs(copy, exist_ok=True)
    target = os.path.join(copy, os.path.basename(path))
    with open(target, "wb") as handle:
        handle.write(fs.read_bytes(path))
    return target


@contextmanager
def chart_on_disk(directory: str) -> Iterator[str]:
    """The chart as a real directory: Helm reads the disk, envlib may read git objects."""
    if _real_disk(directory):
        yield directory
        return
    with tempfile.TemporaryDirectory(prefix="envlib-chart-") as tmp:
        target = os.path.join(tmp, os.path.basename(directory))
        for top, _dirs, files in fs.walk(directory):
            rel = os.path.relpath(top, directory)
            os.makedirs(os.path.join(target, rel), exist_ok=True)
            for name in files:
                with open(os.path.join(target, rel, name), "wb") as handle:
                    handle.write(fs.read_bytes(os.path.join(top, name)))
        yield target


def inflate(
    kust: Kustomization,
    chart: ConfiguredChart,
    settings: HelmSettings,
    restrict: bool,
    merge2: Merge2,
) -> list[Resource]:
    """kustomize's ``Generate`` for one chart: the rendered objects, in helm's order."""
    try:
        engine = engine_for(settings)
    except HelmFailure as exc:
        raise _fail(chart, exc.first_line, exc.detail) from None
    config_home = str(
        chart.chart.get("configHome") or (kust.helm_globals or {}).get("configHome") or ""
    )
    with tempfile.TemporaryDirectory(prefix="kustomize-helm-") as tmp:
        home = config_home or os.path.join(tmp, "helm")
        try:
            engine.check_version(home)
        except HelmFailure as exc:
            raise _fail(chart, exc.first_line, _kustomize_text(exc)) from None
        chart_dir = os.path.join(abs_chart_home(kust, chart), chart.name)
        fs.note_read(chart_dir)
        values_restrict = restrict
        if not fs.isdir(chart_dir):
            chart_dir = _pull(kust, chart, engine, settings, home, chart_dir)
            if not chart.values_file_given:  # the pulled chart's own values.yaml
                chart = replace(chart, values_file=os.path.join(chart_dir, "values.yaml"))
                values_restrict = False
        values_path = os.path.join(tmp, f"{chart.name}-kustomize-values.yaml")
        with open(values_path, "wb") as handle:
            handle.write(merged_values(kust, chart, values_restrict, merge2))
        with chart_on_disk(chart_dir) as disk_dir:
            _note_chart(disk_dir if disk_dir == chart_dir else "")
            request = TemplateRequest(
                chart_dir=disk_dir,
                release_name=str(chart.chart.get("releaseName") or ""),
                namespace=str(chart.chart.get("namespace") or ""),
                name_template=str(chart.chart.get("nameTemplate") or ""),
                values_files=(
                    values_path,
                    *(file_on_disk(p, tmp) for p in chart.additional_values_files),
                ),
                api_versions=chart.api_versions,
                kube_version=chart.kube_version,
                include_crds=bool(chart.chart.get("includeCRDs")),
                skip_tests=bool(chart.chart.get("skipTests")),
                no_hooks=bool(chart.chart.get("skipHooks")),
                debug=chart.debug,
            )
            try:
                text = engine.template(request, home)
            except HelmFailure as exc:
                exc.command = exc.command or " ".join(request.as_args())
                raise _template_failure(kust, chart, exc, chart_dir, engine, home) from None
    return _resources(kust, chart, text)


def _note_chart(directory: str) -> None:
    """Record every chart file as a build input (so cached builds notice a template edit)."""
    if not directory:
        return
    for top, _dirs, files in fs.walk(directory):
        for name in files:
            fs.note_read(os.path.join(top, name))


def pulled_chart_dir(repo: str, name: str, version: str) -> Path:
    """Where a pulled chart lives: envlib's cache, never the repository (docs/helm.md)."""
    from envlib.kustomize.load.remote.cache import cache_root

    key = hashlib.sha256("\0".join((repo, name, version)).encode("utf-8")).hexdigest()[:20]
    return cache_root().parent / "helm" / f"{name}-{version or 'latest'}-{key}"


def _pull(
    kust: Kustomization,
    chart: ConfiguredChart,
    engine: Any,
    settings: HelmSettings,
    home: str,
    chart_dir: str,
) -> str:
    """kustomize's ``helm pull`` of a ``repo:`` chart missing under chartHome; the chart dir.

    kustomize untars into chartHome, inside the repository; envlib never writes there, so
    the chart goes to its cache (one pull per repo/name/version; an unpinned chart is pulled
    again unless ``--offline``, which uses the cache alone).
    """
    repo = str(chart.chart.get("repo") or "")
    if not repo:
        raise _fail(
            chart,
            f"no chart at {fs.display_path(chart_dir)} and no repo: to pull it from",
            "no repo specified for pull, no chart found at ''",
        )
    version = str(chart.chart.get("version") or "")
    entry = pulled_chart_dir(repo, chart.name, version)
    cached = entry / chart.name
    if cached.is_dir() and (version or settings.offline):
        return os.fspath(cached)
    if settings.offline:
        raise _fail(
            chart,
            f"chart {chart.name!r} is not under {fs.display_path(os.path.dirname(chart_dir))} "
            f"nor in envlib's cache, and --offline forbids pulling it from {repo}",
            f"--offline: not pulling chart {chart.name} from {repo}",
        )
    entry.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{entry.name}-", dir=entry.parent))
    request = PullRequest(name=chart.name, repo=repo, untar_dir=os.fspath(fresh), version=version)
    try:
        engine.pull(request, home)
    except HelmFailure as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        raise _fail(
            chart, f"helm pull from {repo} failed: {exc.first_line}", _kustomize_text(exc)
        ) from None
    if not (fresh / chart.name).is_dir():
        shutil.rmtree(fresh, ignore_errors=True)
        raise _fail(chart, f"helm pull from {repo} gave no chart {chart.name!r}", "helm pull")
    old = entry.with_name(entry.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if entry.exists():
        os.replace(entry, old)
    os.replace(fresh, entry)
    shutil.rmtree(old, ignore_errors=True)
    return os.fspath(cached)


def _kustomize_text(exc: HelmFailure, command: str = "helm", home: str = "") -> str:
    """kustomize's ``runHelmCommand`` error: helm's stderr, then ``unable to run: '...'``."""
    if exc.missing:
        return exc.detail
    env = " ".join(helm_env(home)) if home else ""
    return (
        f"{exc.stderr}: unable to run: '{command} {exc.command}' with env=[{env}] "
        f"(is '{command}' installed?): exit status 1"
    )


def _template_failure(
    kust: Kustomization,
    chart: ConfiguredChart,
    exc: HelmFailure,
    chart_dir: str,
    engine: Engine,
    home: str,
) -> GeneratorError:
    """Helm's message, located at the template file:line Helm names, with the values in play."""
    values = [fs.display_path(os.path.join(kust.directory, chart.values_file))]
    if chart.chart.get("valuesInline"):
        values = ["valuesInline"] if chart.values_merge == "replace" else [*values, "valuesInline"]
    values += [fs.display_path(p) for p in chart.additional_values_files]
    spot = exc.spot
    location = chart.location
    if spot is not None:
        # Helm names files from the chart's own name: "<chart>/templates/x.yaml"
        _, _, rest = spot.file.partition("/")
        location = SourceLocation(fs.display_path(os.path.join(chart_dir, rest)), spot.line)
    return GeneratorError(
        f"helm chart {chart.name!r} ({chart.location}): helm template failed "
        f"(values: {', '.join(values)}): {exc.first_line}",
        location=location,
        entry=chart.entry,
        kustomize_message=_kustomize_text(exc, engine.command or "helm", home),
    )


def _resources(kust: Kustomization, chart: ConfiguredChart, text: str) -> list[Resource]:
    """Helm's output read as kustomize reads bytes into a ResMap (``*List`` kinds flattened)."""
    from envlib.kustomize.core.trace import snapshot
    from envlib.kustomize.load.resource_entries import flatten_document
    from envlib.kustomize.yaml.readers import load_documents

    display = f"{kust.display_path} ({chart.entry})"
    out: list[Resource] = []
    try:
        docs = load_documents(text, display, resources=True)
    except EnvlibError as exc:
        raise _fail(
            chart, f"cannot read helm's output: {exc.message}", exc.kustomize_message or exc.message
        ) from None
    line = chart.location.line
    for doc in docs:
        if doc.obj is None:
            continue
        first = len(out)
        flatten_document(snapshot(doc.obj), display, doc.doc_index, line, out)
        for res in out[first:]:
            res.origin = replace(
                res.origin,
                path=kust.display_path,
                line=line,
                generator=f"helmCharts[{chart.index}]",
            )
    return out


def absorb_chart(resmap: Any, chart: ConfiguredChart, resources: list[Resource]) -> None:
    """kustomize's ``AbsorbAll`` of a chart's objects: a second object with an id is an error."""
    for res in resources:
        if resmap.find_by_id(res.cur_id):
            from envlib.kustomize.generators.configmap_secret import go_resid

            raise GeneratorError(
                f"{chart.label}: {res.cur_id} already exists in the build",
                location=chart.location,
                entry=chart.entry,
                resource=str(res.cur_id),
                kustomize_message=(
                    f"merging from generator &{{...}}: id {go_resid(res.cur_id)} exists; "
                    "behavior must be merge or replace"
                ),
            )
        resmap.append(res)
