"""Rule configuration for :mod:`envlib.analysis.checks`: the default set and repository files.

Rules come from ``default_checks.yaml`` (next to this module) and, when present, the first of
``.envlib/checks.yaml`` / ``envlib-checks.yaml`` / ``.envlib-checks.yaml`` found in the
repository directory or its parents up to the git root. The file format is described in
:mod:`envlib.analysis.checks`. Errors name the file and the rule entry (``rules[2]``).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from envlib.errors import EnvlibError, LoadError, SourceLocation
from envlib.kustomize.load import fs
from envlib.kustomize.load.fs import display_path

from .environments import RenderedEnv

KNOWN_CHECKS = (
    "min-replicas",
    "max-replicas",
    "resources-set",
    "no-debug-logging",
    "require-kind",
    "default-deny-network-policy",
    "mirror-percent",
    "field",
)
CONFIG_NAMES = (".envlib/checks.yaml", "envlib-checks.yaml", ".envlib-checks.yaml")
DEFAULT_RULES = Path(__file__).with_name("default_checks.yaml")
_COMMON = {"id", "description", "envs", "check", "severity", "kinds", "exclude"}


class ChecksConfigError(EnvlibError):
    """A checks file that cannot be read or names an unknown check or bad parameter."""


@dataclass
class Rule:
    """One configured rule."""

    id: str
    check: str
    description: str = ""
    envs: tuple[str, ...] = ()
    severity: str = "error"
    kinds: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    source: str = ""

    def applies_to(self, rendered: RenderedEnv) -> bool:
        """Whether the rule's environment patterns match this environment."""
        if not self.envs:
            return True
        names = [rendered.name, rendered.env.application]
        return any(fnmatch.fnmatchcase(n, p) for n in names if n for p in self.envs)


# -- configuration ---------------------------------------------------------------------------
def _parse_rules(data: Any, path: str) -> tuple[list[Rule], str, list[str]]:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ChecksConfigError("expected a mapping with `rules`", location=SourceLocation(path))
    extends = str(data.get("extends", "default"))
    if extends not in ("default", "none"):
        raise ChecksConfigError(
            f"extends must be 'default' or 'none', not {extends!r}",
            location=SourceLocation(path),
            entry="extends",
        )
    disable = [str(d) for d in data.get("disable") or []]
    rules: list[Rule] = []
    for index, raw in enumerate(data.get("rules") or []):
        entry = f"rules[{index}]"
        if not isinstance(raw, dict) or not raw.get("id") or not raw.get("check"):
            raise ChecksConfigError(
                "a rule needs `id` and `check`", location=SourceLocation(path), entry=entry
            )
        if raw["check"] not in KNOWN_CHECKS:
            known = ", ".join(sorted(KNOWN_CHECKS))
            raise ChecksConfigError(
                f"unknown check {raw['check']!r} (known: {known})",
                location=SourceLocation(path),
                entry=entry,
            )
        severity = str(raw.get("severity", "error"))
        if severity not in ("error", "warning"):
            raise ChecksConfigError(
                f"severity must be error or warning, not {severity!r}",
                location=SourceLocation(path),
                entry=entry,
            )
        rules.append(
            Rule(
                id=str(raw["id"]),
                check=str(raw["check"]),
                description=str(raw.get("description", "")),
                envs=tuple(str(e) for e in raw.get("envs") or ()),
                severity=severity,
                kinds=tuple(str(k) for k in raw.get("kinds") or ()),
                exclude=tuple(str(x) for x in raw.get("exclude") or ()),
                params={k: v for k, v in raw.items() if k not in _COMMON},
                source=f"{path}#{entry}",
            )
        )
    return rules, extends, disable


def _read(path: Path) -> Any:
    try:
        if path == DEFAULT_RULES:  # envlib's own file, whatever the repository's revision
            return yaml.safe_load(path.read_text(encoding="utf-8"))
        return yaml.safe_load(fs.read_bytes(path).decode("utf-8"))
    except OSError as exc:
        raise ChecksConfigError(
            f"cannot read: {exc.strerror}", location=SourceLocation(display_path(path))
        ) from exc
    except LoadError as exc:  # the file system's "cannot read" (it names the file)
        reason = exc.message.rsplit(": ", 1)[-1]
        raise ChecksConfigError(f"cannot read: {reason}", location=exc.location) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ChecksConfigError(
            f"invalid YAML: {getattr(exc, 'problem', exc)}",
            location=SourceLocation(display_path(path), line),
        ) from exc


def default_rules() -> list[Rule]:
    """The rules shipped with envlib."""
    return _parse_rules(_read(DEFAULT_RULES), display_path(DEFAULT_RULES))[0]


def find_config(repo: Path) -> Path | None:
    """The repository's checks file, searched from ``repo`` up to the git root."""
    for directory in (repo, *repo.parents):
        for name in CONFIG_NAMES:
            if fs.isfile(directory / name):
                return directory / name
        if fs.exists(directory / ".git"):
            break
    return None


def load_rules(repo: Path | None = None, config: Path | None = None) -> list[Rule]:
    """Default rules merged with the repository's checks file (or ``config`` when given)."""
    path = config if config is not None else (find_config(repo) if repo is not None else None)
    if path is None:
        return default_rules()
    rules, extends, disable = _parse_rules(_read(path), display_path(path))
    base = default_rules() if extends == "default" else []
    own = {r.id for r in rules}
    merged = [r for r in base if r.id not in own] + rules
    return [r for r in merged if r.id not in disable]


def config_path_for(repo: Path) -> str:
    """The checks file in effect for ``repo`` (display path) or ``(defaults)``."""
    found = find_config(repo)
    return display_path(found) if found is not None else "(defaults)"
