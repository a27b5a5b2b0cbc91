"""Configuration of ``envlib lint``: which lint rules run, at which severity, for which envs.

Like the checks file (:mod:`.rules`), the first of ``.envlib/lint.yaml`` / ``envlib-lint.yaml``
/ ``.envlib-lint.yaml`` found from the repository up to its git root is merged over the
defaults; ``--config`` names one explicitly::

    disable: [override-equals-base]      # rule ids to switch off
    openapi: ../openapi/swagger.json     # OpenAPI v2 document for deprecated fields
    rules:
    - id: patch-changed-nothing
      severity: error                    # error (exit 1) or warning
      envs: [prod]                       # shell patterns on the environment name

Errors name the file and the entry (``rules[1]``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envlib.errors import SourceLocation
from envlib.kustomize.load.fs import display_path

from .rules import ChecksConfigError, _read

# rule id -> (default severity, what it finds)
LINT_RULES: dict[str, tuple[str, str]] = {
    "patch-matched-nothing": ("error", "a patch whose target selects no resource"),
    "patch-changed-nothing": ("warning", "a patch that selects resources but changes nothing"),
    "patch-replaced-list": ("warning", "a strategic merge that replaced a whole list"),
    "shadowed-step": ("warning", "every value a step sets is overwritten by a later step"),
    "belongs-in-base": ("warning", "every environment overrides a field with the same value"),
    "override-equals-base": ("warning", "a patch sets a field to the value it already has"),
    "json6902-missing-path": ("error", "a JSON6902 replace/remove on a path the base lacks"),
    "deprecated-field": ("warning", "a deprecated field (with its replacement)"),
}
CONFIG_NAMES = (".envlib/lint.yaml", "envlib-lint.yaml", ".envlib-lint.yaml")


@dataclass
class LintRules:
    """Severity per enabled rule, environment patterns per rule, the OpenAPI document."""

    severity: dict[str, str] = field(
        default_factory=lambda: {k: v[0] for k, v in LINT_RULES.items()}
    )
    envs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    openapi: str | None = None
    source: str = "(defaults)"

    def enabled(self, rule: str, env: str = "") -> bool:
        """Whether ``rule`` runs (for environment ``env`` when given)."""
        import fnmatch

        if rule not in self.severity:
            return False
        patterns = self.envs.get(rule, ())
        return not env or not patterns or any(fnmatch.fnmatchcase(env, p) for p in patterns)


def find_config(repo: Path) -> Path | None:
    """The repository's lint file, searched from ``repo`` up to the git root."""
    for directory in (repo, *repo.parents):
        for name in CONFIG_NAMES:
            if (directory / name).is_file():
                return directory / name
        if (directory / ".git").exists():
            break
    return None


def load_rules(config: Path | None, repo: Path) -> LintRules:
    """Defaults merged with the repository's lint file (or ``config``)."""
    path = config if config is not None else find_config(repo)
    rules = LintRules(openapi=os.environ.get("ENVLIB_OPENAPI") or None)
    if path is None:
        return rules
    shown = display_path(path)
    data: Any = _read(path) or {}
    if not isinstance(data, dict):
        raise ChecksConfigError("expected a mapping", location=SourceLocation(shown))
    rules.source = shown
    for index, raw in enumerate(data.get("rules") or []):
        entry = f"rules[{index}]"
        rule_id = raw.get("id") if isinstance(raw, dict) else None
        if rule_id not in LINT_RULES:
            known = ", ".join(LINT_RULES)
            raise ChecksConfigError(
                f"unknown lint rule {rule_id!r} (known: {known})",
                location=SourceLocation(shown),
                entry=entry,
            )
        severity = str(raw.get("severity", rules.severity.get(rule_id, "warning")))
        if severity not in ("error", "warning"):
            raise ChecksConfigError(
                f"severity must be error or warning, not {severity!r}",
                location=SourceLocation(shown),
                entry=entry,
            )
        rules.severity[rule_id] = severity
        rules.envs[rule_id] = tuple(str(e) for e in raw.get("envs") or ())
    for rule_id in data.get("disable") or []:
        if str(rule_id) not in LINT_RULES:
            raise ChecksConfigError(
                f"unknown lint rule {rule_id!r}", location=SourceLocation(shown), entry="disable"
            )
        rules.severity.pop(str(rule_id), None)
    if data.get("openapi"):
        rules.openapi = str(path.parent / str(data["openapi"]))
    return rules
