"""The explorer's state on plain Python objects: which environments, which steps, which what-if.

The widgets only translate clicks into calls on :class:`ExplorerState` and show what
:mod:`envlib.widgets.views` computes from it, so a test (or a notebook cell) can drive the
explorer with no browser and no kernel: set ``state.set_step(...)``, read the DataFrames.

Rendering goes through :func:`envlib.analysis.environments.render` (the one call into the
engine). Builds are cached per (environment, disabled steps, extra patches): ticking a box
back on, or switching the focus environment, costs nothing, and unticking a box rebuilds only
the environment it belongs to.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envlib.analysis.checks import Rule, load_rules
from envlib.analysis.environments import Environment, RenderedEnv, discover, render
from envlib.errors import EnvlibError
from envlib.kustomize.pipeline.build import ExtraPatch

from .memo import ContentTokens, FrameMemo

# Steps kustomize runs once at the root on everything (not configured by the user) and the
# accumulation of resources itself: switching those off is not a meaningful what-if.
NOT_TOGGLEABLE = frozenset(
    {
        "resources",
        "components",
        "hashSuffix",
        "nameReferences",
        "vars",
        "resolveVars",
        "localConfig",
        "dropLocalConfig",
        "sort",
        "buildMetadata",
        "stripInternal",
    }
)
_CACHE_SIZE = 64
_NOTEBOOK_REPO = Path("..") / "k8s"


def resolve_repo(repo: str | os.PathLike[str] | None = None) -> Path:
    """The repository to explore: ``repo``, else ``$ENVLIB_REPO``, else ``../k8s``.

    ``../k8s`` is the embedded sample as seen from ``notebooks/`` (a kernel's working
    directory is its notebook's folder); elsewhere the analysis layer's default applies.
    """
    chosen = repo if repo is not None else os.environ.get("ENVLIB_REPO") or None
    if chosen is not None:
        return Path(os.path.abspath(chosen))
    if _NOTEBOOK_REPO.is_dir():
        return _NOTEBOOK_REPO.resolve()
    from envlib.analysis.environments import default_repo

    return default_repo()


@dataclass(frozen=True)
class Toggle:
    """One switchable build step (a patch, transformer or generator entry)."""

    step_id: str
    field: str  # "patches[0]"
    file: str  # kustomization file, relative to the repository
    kind: str
    description: str

    @property
    def label(self) -> str:
        """What a checkbox says: file, field and what the step does."""
        return f"{self.file} {self.field}: {self.description}"


def _relative(path_text: str, repo: Path) -> str:
    absolute = Path(os.path.abspath(path_text))
    try:
        return absolute.relative_to(repo).as_posix()
    except ValueError:
        return path_text


def toggles_of(rendered: RenderedEnv, repo: Path) -> list[Toggle]:
    """The switchable steps of one rendered environment, in build order."""
    if rendered.trace is None:
        return []
    out: list[Toggle] = []
    for step in rendered.trace.steps:
        if step.kind in NOT_TOGGLEABLE:
            continue
        field = step.id.split("#", 1)[1] if "#" in step.id else step.id
        out.append(
            Toggle(
                step_id=step.id,
                field=field,
                file=_relative(step.level, repo) if step.level else "",
                kind=step.kind,
                description=step.description,
            )
        )
    return out


def _patch_key(patches: Sequence[ExtraPatch]) -> tuple[Any, ...]:
    return tuple((p.text, repr(p.target), repr(p.options)) for p in patches)


class ExplorerState:
    """Environments, the compared selection, the focus environment and per-environment what-ifs.

    ``selected`` are the environments shown side by side (the first two are diffed); ``focus``
    is the one whose steps can be switched off (``disabled``) or extended with ad-hoc patches
    (``extra``). ``rps`` and ``mirror_percent`` drive the experiment preview.
    """

    def __init__(
        self,
        repo: str | os.PathLike[str] | None = None,
        *,
        envs: Sequence[Environment] | None = None,
        selected: Sequence[str] | None = None,
        focus: str | None = None,
        rps: float = 200.0,
    ) -> None:
        self.repo = resolve_repo(repo)
        found = discover(self.repo) if envs is None else list(envs)
        self.envs = [env for env in found if env.path is not None]
        if not self.envs:
            raise EnvlibError(f"no buildable environment in {self.repo.name}")
        self.names = [env.name for env in self.envs]
        self.selected: list[str] = list(selected) if selected is not None else list(self.names)
        overlays = [n for n in self.selected if n != "base"] or self.selected or self.names
        self.focus = focus if focus is not None else overlays[0]
        self.disabled: dict[str, frozenset[str]] = {}
        self.extra: dict[str, tuple[ExtraPatch, ...]] = {}
        self.rps = float(rps)
        self.mirror_percent: float | None = None
        self._cache: OrderedDict[tuple[Any, ...], RenderedEnv | EnvlibError] = OrderedDict()
        self._rules: list[Rule] | None = None
        # frames computed from these builds (envlib.widgets.views), by what the builds contain
        self.frames = FrameMemo()
        self.tokens = ContentTokens()
        for name in [*self.selected, self.focus]:
            self.environment(name)  # unknown names fail early, with the known ones listed

    @property
    def rules(self) -> list[Rule]:
        """The checks in effect for the repository (read once; :meth:`reset` re-reads them)."""
        if self._rules is None:
            self._rules = load_rules(self.repo)
        return self._rules

    # -- lookups ------------------------------------------------------------------------------
    def environment(self, name: str) -> Environment:
        """The environment called ``name``."""
        for env in self.envs:
            if env.name == name:
                return env
        raise EnvlibError(f"unknown environment {name!r} (known: {', '.join(self.names)})")

    def _build(
        self, name: str, disabled: frozenset[str], extra: tuple[ExtraPatch, ...]
    ) -> RenderedEnv:
        key = (name, disabled, _patch_key(extra))
        if key not in self._cache:
            try:
                result: RenderedEnv | EnvlibError = render(
                    self.environment(name), disabled_steps=sorted(disabled), extra_patches=extra
                )
            except EnvlibError as exc:
                result = exc
            self._cache[key] = result
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        self._cache.move_to_end(key)
        found = self._cache[key]
        if isinstance(found, EnvlibError):
            raise found
        return found

    def rendered(self, name: str) -> RenderedEnv:
        """``name`` as currently configured (its steps switched off, its extra patches added)."""
        return self._build(name, self.disabled.get(name, frozenset()), self.extra.get(name, ()))

    def baseline(self, name: str) -> RenderedEnv:
        """``name`` exactly as the repository defines it."""
        return self._build(name, frozenset(), ())

    def toggles(self, name: str | None = None) -> list[Toggle]:
        """Switchable steps of ``name`` (default: the focus environment), from its baseline."""
        return toggles_of(self.baseline(name or self.focus), self.repo)

    def is_modified(self, name: str) -> bool:
        """Whether ``name`` differs from the repository (steps off or extra patches)."""
        return bool(self.disabled.get(name) or self.extra.get(name))

    # -- changes ------------------------------------------------------------------------------
    def select(self, names: Sequence[str]) -> None:
        """Compare these environments (in the order the repository lists them)."""
        for name in names:
            self.environment(name)
        self.selected = [n for n in self.names if n in set(names)]

    def set_focus(self, name: str) -> None:
        """Make ``name`` the environment whose steps the toggles switch."""
        self.environment(name)
        self.focus = name

    def set_step(self, step_id: str, enabled: bool, env: str | None = None) -> None:
        """Switch one build step of ``env`` (default: the focus environment) on or off.

        The step must be a switchable step of ``env``. A switched-off step is still listed in
        the trace of the build without it, so that build (which the next refresh shows
        anyway) is what checks the id - one build, not also the baseline's when the cache
        was cleared. When that build fails, the baseline's steps decide.
        """
        name = env or self.focus
        previous = self.disabled.get(name, frozenset())
        current = set(previous)
        if enabled:
            current.discard(step_id)
        else:
            current.add(step_id)
        self.disabled[name] = frozenset(current)
        try:
            known = {t.step_id for t in toggles_of(self.rendered(name), self.repo)}
        except EnvlibError:
            known = set()
        if step_id not in known and step_id not in {t.step_id for t in self.toggles(name)}:
            self.disabled[name] = previous
            raise EnvlibError(f"{step_id!r} is not a switchable step of environment {name!r}")

    def set_extra_patches(
        self, patches: Sequence[ExtraPatch | dict[str, Any]], env: str | None = None
    ) -> None:
        """Ad-hoc patches (``patches:`` entries) applied after ``env``'s own; () removes them."""
        name = env or self.focus
        self.environment(name)
        self.extra[name] = tuple(
            p
            if isinstance(p, ExtraPatch)
            else ExtraPatch(str(p.get("patch", "")), p.get("target"), p.get("options"))
            for p in patches
        )

    def clear_cache(self, env: str | None = None) -> None:
        """Forget cached builds of ``env`` (default: all), e.g. after the files changed on disk."""
        for key in [k for k in self._cache if env is None or k[0] == env]:
            del self._cache[key]

    def reset(self, env: str | None = None) -> None:
        """Back to the repository's definition for ``env`` (default: every environment)."""
        if env is None:
            self._rules = None
        for name in [env] if env else list(self.names):
            self.disabled.pop(name, None)
            self.extra.pop(name, None)
