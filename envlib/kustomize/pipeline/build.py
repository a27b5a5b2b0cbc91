"""The build pipeline: kustomize's KustTarget + kustomizer, in Python, with a trace.

For the root directory and, recursively, every kustomization it includes, :data:`PIPELINE`
runs in exactly kustomize's order (spec §0): resources, generators, components, then the
transformers. Only the root then runs :data:`ROOT_PIPELINE` (hash suffixes, name references,
vars, local-config drop, sort, build metadata, internal-annotation strip).

Every configured generator, transformer and patch entry is a
:class:`~envlib.kustomize.core.trace.Step` whose id names the kustomization file and field
(``k8s/overlays/dev/kustomization.yaml#patches[0]``).
:func:`build` can skip chosen steps (``disabled_steps``) and add ad-hoc patches after the
root's own ``patches`` (``extra_patches``), which is what patch toggles and what-if views use.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envlib.errors import EnvlibError, LoadError, RemoteError, SourceLocation, UnsupportedError
from envlib.helm import HelmSettings
from envlib.kustomize.core.resource import ResMap, Resource
from envlib.kustomize.core.sorting import SortOptions, sort_resources
from envlib.kustomize.core.trace import (
    BuildTrace,
    Change,
    Step,
    diff_paths,
    kept_steps,
    snapshot,
)
from envlib.kustomize.load import fs
from envlib.kustomize.load import fs as fs_mod
from envlib.kustomize.load.remote.repospec import RepoSpec, repo_spec_or_none
from envlib.kustomize.load.remote.session import FetchError, RemoteLoader
from envlib.kustomize.load.resource_entries import (
    EntryContext,
    check_json_compatible,
    go_quote,
    remote_root,
)
from envlib.kustomize.patches import custom_schema
from envlib.kustomize.pipeline import shared_builds
from envlib.kustomize.pipeline.level_steps import LevelSteps
from envlib.kustomize.pipeline.stage_context import kustomization_file
from envlib.kustomize.yaml import deepstack
from envlib.kustomize.yaml.readers import gc_paused

# kustomize's per-kustomization order (api/internal/target/kusttarget.go + configplugin.go).
PIPELINE: tuple[str, ...] = (
    "resources",
    "configurations",
    "configMapGenerator",
    "secretGenerator",
    "helmCharts",
    "generators",
    "components",
    "patchesStrategicMerge",
    "patches",
    "extraPatches",  # root only: build(extra_patches=...), after the root's own patches
    "namespace",
    "namePrefix",
    "nameSuffix",
    "labels",
    "commonLabels",
    "commonAnnotations",
    "patchesJson6902",
    "replicas",
    "images",
    "replacements",
    "transformers",
    "validators",
    "vars",
)

# After every level, once, at the root (api/krusty/kustomizer.go).
ROOT_PIPELINE: tuple[str, ...] = (
    "hashSuffix",
    "nameReferences",
    "resolveVars",
    "dropLocalConfig",
    "sort",
    "buildMetadata",
    "stripInternal",
)

LOAD_RESTRICTORS = ("LoadRestrictionsRootOnly", "LoadRestrictionsNone")

ORIGIN_ANNOTATION = "config.kubernetes.io/origin"
TRANSFORMER_ANNOTATION = "alpha.config.kubernetes.io/transformations"
LOCAL_CONFIG = "config.kubernetes.io/local-config"
MANAGED_BY = "app.kubernetes.io/managed-by"


@dataclass(frozen=True)
class ExtraPatch:
    """An ad-hoc patch for what-if builds: same shape as a ``patches:`` entry."""

    text: str
    target: dict[str, Any] | None = None
    options: dict[str, Any] | None = None


@dataclass
class BuildResult:
    """A finished build: resources in output order, warnings, and the trace."""

    resources: list[Resource]
    warnings: list[str]
    trace: BuildTrace
    root: Path
    # every file whose contents went into this build, and every path it only looked at
    # (existence checks): the build's exact inputs, so a change elsewhere cannot affect it
    inputs: fs.ReadSet = field(default_factory=fs.ReadSet)

    @property
    def files_read(self) -> frozenset[str]:
        """Absolute paths of every file this build read (kustomizations, manifests, patches)."""
        return frozenset(self.inputs.files)

    def to_yaml(self) -> str:
        """Exactly what ``kubectl kustomize`` prints on stdout."""
        from envlib.kustomize.yaml.emitter import dump_objects

        return deepstack.call(dump_objects, [r.obj for r in self.resources])

    def find(self, res_id: Any) -> Resource:
        """The resource with this final id (``ResId`` or its string), or any historical id.

        ``Kind/name`` and ``Kind/namespace/name`` shortcuts are accepted too.
        """
        text = str(res_id)
        for res in self.resources:
            if str(res.cur_id) == text:
                return res
        for res in self.resources:
            if any(str(i) == text for i in res.all_ids()):
                return res
        parts = text.split("/")
        for res in self.resources:
            if len(parts) == 2 and (res.kind, res.name) == tuple(parts):
                return res
            if len(parts) == 3 and (res.kind, res.namespace, res.name) == tuple(parts):
                return res
        raise KeyError(f"no resource {text!r} in the build")


@dataclass
class BuildOptions:
    """What :func:`build` was asked to do."""

    restrict: bool = True
    disabled: frozenset[str] = frozenset()
    extra_patches: tuple[ExtraPatch, ...] = ()
    trace: bool = True
    provenance: bool = True  # with trace: keep each change's after-snapshot (envlib.provenance)
    on_warning: Callable[[str], None] | None = None
    offline: bool = False  # remote resources from envlib's cache only, never the network
    on_fetch: Callable[[str], None] | None = None  # progress lines while fetching (None: stderr)
    helm: HelmSettings = field(default_factory=HelmSettings)  # --enable-helm and friends


def _project_root(directory: Path) -> Path:
    """Nearest ancestor holding ``.git`` (step ids are relative to it), else ``directory``."""
    for candidate in (directory, *directory.parents):
        if fs.exists(candidate / ".git"):
            return candidate
    return directory


class Builder:
    """One build: holds options, the trace, warnings, the directory stack and collected vars."""

    def __init__(self, root: Path, options: BuildOptions) -> None:
        self.root = root
        self.options = options
        self.trace = BuildTrace(enabled=options.trace)
        self.warnings: list[str] = []
        self.stack: list[str] = []
        self.vars: list[Any] = []
        self.project_root = _project_root(root)
        self.remote = RemoteLoader(
            offline=options.offline, progress=options.on_fetch, repository=self.project_root
        )
        self.remote_stack: list[str] = []  # raw URLs of the remote roots being built
        self._used_ids: set[str] = set()
        # buildMetadata (from the root, applies to every level): transformer origins per object
        self.build_metadata: set[str] = set()
        self.transformations: dict[int, list[tuple[str, str]]] = {}
        self._pending: dict[int, Change] = {}  # changes whose after-snapshot is still to come
        # core.trace.tracing_only: the steps whose changes are recorded (None: every step)
        self._keep = kept_steps() if options.trace else None
        self._provenance = options.provenance and self._keep is None
        # reuse of identical subdirectory builds (pipeline/shared_builds.py), when asked for
        self._shared = shared_builds.active()
        self._id_log: list[tuple[str, str]] = []  # (id asked for, id given), with sharing on
        self._entered: list[str] = []  # real paths of the directories built, with sharing on

    def load_url(self, url: str) -> str:
        """A file URL named by a patch, generator or configuration: fetched, cached, mounted."""
        try:
            return self.remote.file_path(url)
        except FetchError as exc:
            raise RemoteError(exc.message, kustomize_message=exc.kustomize) from None

    # -- steps ----------------------------------------------------------------------------
    def step_id(self, kust_file: Path, name: str) -> str:
        """Stable id ``<kustomization file relative to project root>#<field>[i]``."""
        if fs.mount_of(kust_file) is not None:
            rel = fs.display_path(kust_file)  # a remote root: named by its URL
        else:
            rel = os.path.relpath(kust_file, self.project_root).replace(os.sep, "/")
        return self._unique_id(f"{rel}#{name}")

    def _unique_id(self, base: str) -> str:
        step_id, n = base, 1
        while step_id in self._used_ids:  # the same directory included twice
            n += 1
            step_id = f"{base}@{n}"
        self._used_ids.add(step_id)
        if self._shared is not None:
            self._id_log.append((base, step_id))
        return step_id

    def run_step(self, step: Step, resmap: ResMap, action: Callable[[], object]) -> None:
        """Run ``action`` as ``step`` (unless disabled) and record what it changed."""
        self.trace.steps.append(step)
        if step.id in self.options.disabled:
            step.enabled = False
            return
        self._execute(step, resmap, action)
        if step.builtin and self.build_metadata & {"originAnnotations", "transformerAnnotations"}:
            # kustomize's AddTransformerAnnotation: every object notes every builtin transformer
            configured_in = os.path.relpath(os.path.abspath(step.level), self.root)
            for res in resmap:
                self.transformations.setdefault(id(res), []).append((configured_in, step.builtin))

    def _execute(self, step: Step, resmap: ResMap, action: Callable[[], object]) -> None:
        if not self.options.trace or (self._keep is not None and not self._keep(step.id)):
            action()
            return
        before = {id(r): (r, snapshot(r.obj)) for r in resmap}
        self._settle(before)
        action()
        changed = 0
        for res in resmap:
            prior = before.pop(id(res), None)
            if prior is None:
                change = Change("", res.origin, [()], created=True, res=res)
                self._await_after(change)
                step.changes.append(change)
                changed += 1
            elif prior[1] != res.obj:
                paths = diff_paths(prior[1], res.obj)
                change = Change("", res.origin, paths, res=res, before=prior[1])
                self._await_after(change)
                step.changes.append(change)
                changed += 1
        for res, prior_obj in before.values():
            step.changes.append(
                Change("", res.origin, [()], removed=True, res=res, before=prior_obj)
            )
            changed += 1
        if not step.is_patch:
            step.matched = changed

    # -- provenance: each change's after-state, for free ----------------------------------
    def _await_after(self, change: Change) -> None:
        """Provenance needs the object as the step left it: the next step's before-snapshot."""
        if self._provenance and change.res is not None:
            self._pending[id(change.res)] = change

    def _settle(self, snapshots: dict[int, tuple[Resource, Any]]) -> None:
        """Hand this step's before-snapshots to the changes still waiting for an after."""
        for key, (_, obj) in snapshots.items():
            change = self._pending.pop(key, None)
            if change is not None:
                change.after = obj

    def _settle_all(self) -> None:
        """At the end of the build, the remaining changes end at the final objects."""
        for change in self._pending.values():
            if change.res is not None:
                change.after = snapshot(change.res.obj)
        self._pending.clear()

    # -- directories ----------------------------------------------------------------------
    def load(self, directory: Path) -> Any:
        """Load a kustomization (collecting its deprecation warnings)."""
        from envlib.kustomize.load.kustomization import load_kustomization

        kust = load_kustomization(directory)
        for warning in getattr(kust, "warnings", ()) or ():
            self.warnings.append(warning)
            if self.options.on_warning is not None:
                self.options.on_warning(warning)
        return kust

    def accumulate(self, directory: Path, kust: Any, resmap: ResMap, *, is_root: bool) -> None:
        """Run :data:`PIPELINE` for one kustomization onto ``resmap``."""
        real = fs.realpath(directory)
        self.stack.append(real)
        if self._shared is not None:
            self._entered.append(real)
        try:
            LevelSteps(self, directory, kust, resmap, is_root=is_root).run(PIPELINE)
        finally:
            self.stack.pop()

    def build_subdirectory(self, directory: Path) -> ResMap:
        """A ``resources:`` directory: its own root, built fully, returned as a new set.

        Inside :func:`~.shared_builds.shared_directory_builds`, an identical earlier build
        of the directory is reused instead (same result, see that module).
        """
        memo = self._shared
        if memo is None:
            return self._build_subdirectory(directory)
        schema_used = custom_schema.shareable_state()
        if schema_used is None or not self._may_share(directory):
            return self._build_subdirectory(directory)
        key = (
            fs.realpath(directory),
            os.getcwd(),
            str(self.project_root),
            self.options.restrict,
            self.options.offline,
            schema_used,
        )
        entry = shared_builds.find(memo, key, self.stack)
        if entry is not None and not any(self._traces(s.id) for s in entry.steps):
            return self._replay(entry)
        return self._record(memo, key, directory)

    def _traces(self, step_id: str) -> bool:
        """Whether this build records the changes of step ``step_id``."""
        return self.options.trace and (self._keep is None or self._keep(step_id))

    def _may_share(self, directory: Path) -> bool:
        """Whether a build of ``directory`` depends on nothing but the files it reads."""
        options = self.options
        return not (
            (options.trace and self._keep is None)  # a filtered trace may skip the directory
            or options.disabled
            or options.helm.enabled
            or self.build_metadata
            or self.remote_stack
            or fs.mount_of(directory) is not None
        )

    def _record(self, memo: Any, key: tuple[Any, ...], directory: Path) -> ResMap:
        marks = (len(self.trace.steps), len(self.warnings), len(self.vars))
        ids_mark, entered_mark = len(self._id_log), len(self._entered)
        with fs.recording() as reads:
            sub = self._build_subdirectory(directory)
        schema_used = custom_schema.shareable_state()
        if schema_used is None or reads.remote:
            return sub  # an openapi: schema was set inside, or a remote input was read
        if any(self._traces(s.id) for s in self.trace.steps[marks[0] :]):
            return sub  # its changes are in the trace: not what an untraced build gives
        from envlib.kustomize.config.transformer_config import config_of

        entry = shared_builds.Recorded(
            resources=shared_builds.Frozen(list(sub)),
            config=config_of(sub),
            ids=self._id_log[ids_mark:],
            steps=[shared_builds.step_copy(s, s.id) for s in self.trace.steps[marks[0] :]],
            warnings=self.warnings[marks[1] :],
            vars=snapshot(self.vars[marks[2] :]),
            reads=fs.ReadSet(set(reads.files), set(reads.probed), set(reads.remote)),
            stamps={p: fs.stamp_or_none(fs.current(), p) for p in reads.files},
            shapes={p: fs.probe_shape(fs.current(), p) for p in reads.probed - reads.files},
            entered=frozenset(self._entered[entered_mark:]),
            schema_used=schema_used,
        )
        shared_builds.store(memo, key, entry)
        return sub

    def _replay(self, entry: shared_builds.Recorded) -> ResMap:
        """What building the directory again would do to this build, from the record."""
        given = {old: self._unique_id(base) for base, old in entry.ids}
        for step in entry.steps:
            self.trace.steps.append(shared_builds.step_copy(step, given.get(step.id, step.id)))
        for warning in entry.warnings:
            self.warnings.append(warning)
            if self.options.on_warning is not None:
                self.options.on_warning(warning)
        self.vars.extend(snapshot(entry.vars))
        fs.note_reads(entry.reads)
        self._entered.extend(entry.entered)
        if entry.schema_used:
            custom_schema.note_use()
        return shared_builds.fresh_resmap(entry)

    def _build_subdirectory(self, directory: Path) -> ResMap:
        try:
            kust = self.load(directory)
        except EnvlibError as exc:
            exc.kustomize_message = _target_error(directory, exc)
            raise
        if _kind(kust) == "Component":
            raise LoadError(
                f"{fs.display_path(directory)} is a Component; list it under components:",
                location=SourceLocation(fs.display_path(kustomization_file(directory))),
                kustomize_message=f"expected kind != 'Component' for path '{directory}'",
            )
        resmap = ResMap()
        try:
            self.accumulate(directory, kust, resmap, is_root=False)
        except EnvlibError as exc:
            exc.kustomize_message = _recursed(directory, exc)
            raise
        return resmap

    def add_component(self, directory: Path, resmap: ResMap) -> None:
        """A ``components:`` directory: transforms the parent's set in place."""
        try:
            kust = self.load(directory)
        except EnvlibError as exc:
            exc.kustomize_message = _target_error(directory, exc)
            raise _component_error(exc) from None
        if _kind(kust) != "Component":
            raise _component_error(
                LoadError(
                    f"{fs.display_path(directory)} is a Kustomization, not a Component",
                    location=SourceLocation(fs.display_path(kustomization_file(directory))),
                    kustomize_message=(
                        f"expected kind 'Component' for path '{directory}' but got "
                        f"'{_kind(kust) or 'Kustomization'}'"
                    ),
                )
            )
        try:
            self.accumulate(directory, kust, resmap, is_root=False)
        except EnvlibError as exc:
            exc.kustomize_message = _recursed(directory, exc)
            raise _component_error(exc) from None

    # -- root -----------------------------------------------------------------------------
    def build_root(self) -> list[Resource]:
        """The whole build: root pipeline included; returns resources in output order."""
        kust = self.load(self.root)
        self.build_metadata = {str(m) for m in getattr(kust, "build_metadata", None) or []}
        resmap = ResMap()
        self.accumulate(self.root, kust, resmap, is_root=True)
        from envlib.kustomize.pipeline.root_steps import RootSteps

        resources = RootSteps(self, self.root, kust, resmap).run(ROOT_PIPELINE)
        self._settle_all()
        for step in self.trace.steps:
            for change in step.changes:
                if change.res is not None:
                    change.resource = str(change.res.cur_id)
        return resources


def _target_error(directory: Path, exc: EnvlibError) -> str:
    return f"couldn't make target for path '{directory}': {exc.kustomize_message or exc.message}"


def _recursed(directory: Path, exc: EnvlibError) -> str:
    return f"recursed accumulation of path '{directory}': {exc.kustomize_message or exc.message}"


def _component_error(exc: EnvlibError) -> EnvlibError:
    exc.kustomize_message = f"accumulateDirectory: {go_quote(exc.kustomize_message or exc.message)}"
    return exc


def _kind(kust: Any) -> str:
    return str(getattr(kust, "kind", "") or "")


def _extra_patch(value: ExtraPatch | dict[str, Any]) -> ExtraPatch:
    if isinstance(value, ExtraPatch):
        return value
    text = str(value.get("patch", value.get("text", "")))
    return ExtraPatch(text, value.get("target"), value.get("options"))


def _remote_target(spec: RepoSpec, options: BuildOptions) -> Path:
    """``kubectl kustomize <git URL>``: the target itself is cloned (kustomize's NewLoader)."""
    loader = RemoteLoader(offline=options.offline, progress=options.on_fetch)
    ctx = EntryContext(Path.cwd(), None, "DIR", True, remote=loader)
    return remote_root(ctx, spec)


def check_root(path: str | os.PathLike[str]) -> Path:
    """kubectl's checks on the DIR argument; returns the absolute directory."""
    text = os.fspath(path)
    absolute = os.path.abspath(text)
    if not fs.exists(absolute):
        raise LoadError(
            f"{text!r} does not exist",
            location=SourceLocation(text),
            kustomize_message=(
                "must build at directory: not a valid directory: evalsymlink failure on "
                f"'{absolute}' : lstat {absolute}: no such file or directory"
            ),
        )
    if not fs.isdir(absolute):
        raise LoadError(
            f"{text!r} is not a directory (kustomize builds directories)",
            location=SourceLocation(text),
            kustomize_message=f"must build at directory: '{text}': file is not directory",
        )
    return Path(fs.realpath(absolute))


def build(
    path: str | os.PathLike[str],
    *,
    load_restrictor: str = "LoadRestrictionsRootOnly",
    disabled_steps: Iterable[str] = (),
    extra_patches: Sequence[ExtraPatch | dict[str, Any]] = (),
    trace: bool = True,
    provenance: bool = True,
    on_warning: Callable[[str], None] | None = None,
    fs: fs_mod.FileSystem | None = None,
    offline: bool = False,
    on_fetch: Callable[[str], None] | None = None,
    helm: HelmSettings | None = None,
) -> BuildResult:
    """Build the kustomization in directory ``path`` exactly as ``kubectl kustomize`` does.

    ``disabled_steps`` are step ids (see :class:`~envlib.kustomize.core.trace.Step`) to skip;
    ``extra_patches`` are applied after the root's own ``patches``. With ``trace=False`` no per-step
    changes are recorded (faster; steps are still listed); ``provenance`` (with a trace) also
    keeps each change's after-snapshot, which :mod:`envlib.provenance` reads. ``on_warning``
    is called with each deprecation warning as its kustomization is loaded (kubectl prints
    them even when the build later fails); they are also in :attr:`BuildResult.warnings`.
    ``fs`` is the :class:`~.fs.FileSystem` to read from (default: the active one, normally
    the OS; see :class:`~.gitfs.GitFileSystem` and :class:`~.overlayfs.OverlayFileSystem`);
    every file read is listed in :attr:`BuildResult.files_read`.
    ``path`` may itself be a git URL, as for kubectl (the repository is fetched first).
    Remote ``resources:``/``components:`` (git and file URLs) are fetched as kustomize does
    and cached outside the repository (docs/remote.md); ``offline=True`` uses only that
    cache and never touches the network; ``on_fetch`` receives a progress line per fetch
    (default: printed on stderr). Remote inputs are recorded by URL in ``inputs.remote``.
    ``helm`` carries kubectl's
    ``--enable-helm``/``--helm-command``/``--helm-kube-version``/``--helm-api-versions``
    (default: helm disabled, so ``helmCharts`` fail exactly as in kubectl without the flag).
    Raises :class:`~envlib.errors.EnvlibError`
    subclasses on bad input, with kustomize's own text in ``kustomize_message``.
    """
    if load_restrictor not in LOAD_RESTRICTORS:
        raise UnsupportedError(
            f"unknown load restrictor {load_restrictor!r}",
            kustomize_message=(
                f"illegal flag value --load-restrictor {load_restrictor}; legal values: "
                "[LoadRestrictionsRootOnly LoadRestrictionsNone]"
            ),
        )
    # a deep document reruns the build on a large stack (yaml/deepstack.py): the rerun
    # repeats the first attempt's warnings, which were already passed on
    passed_on, count = [0], [0]

    def note(message: str) -> None:
        count[0] += 1
        if count[0] > passed_on[0]:
            passed_on[0] += 1
            if on_warning is not None:
                on_warning(message)

    def attempt(options: BuildOptions) -> BuildResult:
        count[0] = 0
        return _build(path, options)

    with fs_mod.using(fs), fs_mod.recording() as reads, gc_paused():
        options = BuildOptions(
            restrict=load_restrictor == "LoadRestrictionsRootOnly",
            disabled=frozenset(disabled_steps),
            extra_patches=tuple(_extra_patch(p) for p in extra_patches),
            trace=trace,
            provenance=provenance,
            on_warning=note,
            offline=offline,
            on_fetch=on_fetch,
            # the cache-only promise covers helm pull too
            helm=dataclasses.replace(helm or HelmSettings(), offline=True)
            if offline
            else helm or HelmSettings(),
        )
        result = deepstack.call(attempt, options)
    result.inputs = reads
    return result


def _build(path: str | os.PathLike[str], options: BuildOptions) -> BuildResult:
    spec = repo_spec_or_none(path) if isinstance(path, str) else None
    root = check_root(path) if spec is None else _remote_target(spec, options)
    builder = Builder(root, options)
    if spec is not None:
        builder.remote_stack.append(spec.raw)
    with fs.loading_urls(builder.load_url):
        resources = builder.build_root()
    for res in resources:
        check_json_compatible(res)
    return BuildResult(resources, builder.warnings, builder.trace, root)


__all__ = [
    "LOAD_RESTRICTORS",
    "PIPELINE",
    "ROOT_PIPELINE",
    "BuildOptions",
    "BuildResult",
    "ExtraPatch",
    "SortOptions",
    "build",
    "sort_resources",
]
