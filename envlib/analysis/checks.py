"""Environment-aware checks: rules per environment, findings that name the file to fix.

Rules come from ``default_checks.yaml`` and, when present, the first of
``.envlib/checks.yaml`` / ``envlib-checks.yaml`` / ``.envlib-checks.yaml`` found in the repository
directory or its parents up to the git root (loading lives in :mod:`envlib.analysis.rules`).
The repository file looks like::

    extends: default        # default; "none" starts from an empty rule set
    disable: [dev-single-replica]
    rules:
    - id: prod-min-replicas  # same id as a default rule: replaces it
      envs: [prod, staging]  # shell patterns on the environment (or Argo CD app) name
      check: min-replicas
      min: 3
      kinds: [Deployment, Server]
      exclude: ["*/seldon-scheduler"]   # patterns on the workload name
      severity: error        # error (default) fails `envlib check`; warning does not

Checks: ``min-replicas`` / ``max-replicas`` (``min``/``max``, ``kinds``, ``exclude``),
``resources-set`` (``fields`` such as ``limits.memory``), ``no-debug-logging``,
``require-kind`` (``kind``, optional ``group``, ``min``), ``default-deny-network-policy``
(``policy_types``), ``mirror-percent`` (``min``/``max``) and ``field`` (``kinds``, ``path``
and one of ``equals``, ``one_of``, ``min``, ``max``, ``exists``).

Every finding names the environment, rule, resource, field, offending value, the file that
declared the resource and - from the build trace - the step (patch) that last set the field.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .blame import BlameError, get_value, parse_field, set_by
from .diff import format_path, format_value
from .environments import RenderedEnv
from .inventory import effective_replicas
from .rules import (
    CONFIG_NAMES,
    KNOWN_CHECKS,
    ChecksConfigError,
    Rule,
    config_path_for,
    default_rules,
    find_config,
    load_rules,
)
from .workloads import SELDON_GROUP, Workload, find_hpa, hpa_targets, workloads_of

FINDING_COLUMNS = [
    "env",
    "rule",
    "severity",
    "resource",
    "field",
    "value",
    "expected",
    "message",
    "file",
    "set_by",
]


# -- checks ------------------------------------------------------------------------------------
Finding = dict[str, Any]


@dataclass
class _Ctx:
    rendered: RenderedEnv
    workloads: list[tuple[Workload, Any]]

    def finding(
        self,
        rule: Rule,
        res: Any,
        path: tuple[str | int, ...],
        value: Any,
        expected: str,
        message: str,
    ) -> Finding:
        return {
            "env": self.rendered.name,
            "rule": rule.id,
            "severity": rule.severity,
            "resource": f"{res.kind}/{res.name}" if res is not None else "(environment)",
            "field": format_path(path),
            "value": value if isinstance(value, str) else format_value(value),
            "expected": expected,
            "message": message,
            "file": str(res.origin) if res is not None else self.rendered.env.display_path,
            "set_by": set_by(self.rendered, res, path) if res is not None else "",
        }


def _selected(ctx: _Ctx, rule: Rule) -> Iterator[tuple[Workload, Any]]:
    for workload, hpa in ctx.workloads:
        if rule.kinds and workload.kind not in rule.kinds:
            continue
        if any(fnmatch.fnmatchcase(workload.name, p) for p in rule.exclude):
            continue
        yield workload, hpa


def _replicas(ctx: _Ctx, rule: Rule, bound: str) -> list[Finding]:
    limit = float(rule.params.get(bound, 2 if bound == "min" else 1))
    out: list[Finding] = []
    for workload, hpa in _selected(ctx, rule):
        count = effective_replicas(workload, hpa)
        if count is None or workload.disabled:
            continue
        bad = count < limit if bound == "min" else count > limit
        if bad:
            sign = ">=" if bound == "min" else "<="
            scaler = f" (HPA {hpa.name})" if hpa is not None else ""
            out.append(
                ctx.finding(
                    rule,
                    workload.resource,
                    workload.replicas_field,
                    f"{count:g}",
                    f"{sign} {limit:g}",
                    f"{workload.kind}/{workload.name} runs {count:g} replica(s){scaler}",
                )
            )
    return out


def _resources_set(ctx: _Ctx, rule: Rule) -> list[Finding]:
    wanted = [
        str(f)
        for f in rule.params.get(
            "fields", ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"]
        )
    ]
    out: list[Finding] = []
    for workload, _ in _selected(ctx, rule):
        for container in workload.containers:
            missing = [
                f
                for f in wanted
                if f.split(".", 1)[1] not in getattr(container, f.split(".", 1)[0], {})
            ]
            if missing:
                implicit = (
                    " (not in the manifest; ServerConfig defaults give "
                    f"{', '.join(container.defaulted)})"
                    if container.defaulted
                    else ""
                )
                out.append(
                    ctx.finding(
                        rule,
                        workload.resource,
                        (*container.path, "resources"),
                        "unset: " + ", ".join(missing),
                        "all of " + ", ".join(wanted),
                        f"container {container.name!r} of {workload.kind}/{workload.name} lacks "
                        f"{', '.join(missing)}{implicit}",
                    )
                )
    return out


def _no_debug(ctx: _Ctx, rule: Rule) -> list[Finding]:
    out: list[Finding] = []
    for workload, _ in _selected(ctx, rule):
        for container in workload.containers:
            for setting, raw, level in container.log_settings:
                if level in ("debug", "trace"):
                    out.append(
                        ctx.finding(
                            rule,
                            workload.resource,
                            (*container.path, "env"),
                            f"{setting}={raw}",
                            "no DEBUG logging",
                            f"container {container.name!r} of {workload.kind}/{workload.name} "
                            f"logs at {level.upper()}",
                        )
                    )
    return out


def _require_kind(ctx: _Ctx, rule: Rule) -> list[Finding]:
    kind = str(rule.params.get("kind", ""))
    group = rule.params.get("group")
    minimum = int(rule.params.get("min", 1))
    count = sum(
        1
        for r in ctx.rendered.resources
        if r.kind == kind and (group is None or r.gvk.group == group)
    )
    if count >= minimum:
        return []
    return [
        ctx.finding(
            rule,
            None,
            (),
            f"{count} {kind}",
            f">= {minimum} {kind}",
            f"no {kind} in {ctx.rendered.name}",
        )
    ]


def _default_deny(ctx: _Ctx, rule: Rule) -> list[Finding]:
    types = [str(t) for t in rule.params.get("policy_types", ["Ingress"])]
    for res in ctx.rendered.resources:
        if res.kind != "NetworkPolicy":
            continue
        spec = res.obj.get("spec") or {}
        selector = spec.get("podSelector") or {}
        if selector.get("matchLabels") or selector.get("matchExpressions"):
            continue
        declared = spec.get("policyTypes") or (
            ["Ingress"] + (["Egress"] if "egress" in spec else [])
        )
        if all(t in declared and not spec.get(t.lower()) for t in types):
            return []
    return [
        ctx.finding(
            rule,
            None,
            (),
            "none",
            f"a NetworkPolicy with podSelector {{}} denying {'/'.join(types)}",
            f"no default-deny NetworkPolicy in {ctx.rendered.name}",
        )
    ]


def _mirror_percent(ctx: _Ctx, rule: Rule) -> list[Finding]:
    out: list[Finding] = []
    for res in ctx.rendered.resources:
        if res.kind != "Experiment" or res.gvk.group != SELDON_GROUP:
            continue
        mirror = (res.obj.get("spec") or {}).get("mirror")
        percent = float(mirror.get("percent", 0)) if isinstance(mirror, dict) else 0.0
        low, high = rule.params.get("min"), rule.params.get("max")
        if (low is not None and percent < float(low)) or (
            high is not None and percent > float(high)
        ):
            expected = " and ".join(
                t
                for t in (
                    f">= {low}" if low is not None else "",
                    f"<= {high}" if high is not None else "",
                )
                if t
            )
            out.append(
                ctx.finding(
                    rule,
                    res,
                    ("spec", "mirror", "percent"),
                    f"{percent:g}",
                    expected,
                    f"Experiment {res.name} mirrors {percent:g}% of its traffic",
                )
            )
    return out


def _field(ctx: _Ctx, rule: Rule) -> list[Finding]:
    text = str(rule.params.get("path", ""))
    out: list[Finding] = []
    for res in ctx.rendered.resources:
        if rule.kinds and res.kind not in rule.kinds:
            continue
        if any(fnmatch.fnmatchcase(res.name, p) for p in rule.exclude):
            continue
        try:
            path = parse_field(res.obj, text)
            value = get_value(res.obj, path)
        except BlameError:
            path, value = (), None
        problem = _field_problem(rule.params, value)
        if problem:
            out.append(
                ctx.finding(
                    rule,
                    res,
                    path,
                    value,
                    problem,
                    f"{res.kind}/{res.name} {text}: expected {problem}",
                )
            )
    return out


def _field_problem(params: dict[str, Any], value: Any) -> str:
    if "exists" in params and (value is not None) != bool(params["exists"]):
        return "present" if params["exists"] else "absent"
    if "equals" in params and value != params["equals"]:
        return f"== {params['equals']!r}"
    if "one_of" in params and value not in list(params["one_of"]):
        return f"one of {params['one_of']!r}"
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if "min" in params and (number is None or number < params["min"]):
        return f">= {params['min']}"
    if "max" in params and (number is None or number > params["max"]):
        return f"<= {params['max']}"
    return ""


CHECKS: dict[str, Callable[[_Ctx, Rule], list[Finding]]] = {
    "min-replicas": lambda ctx, rule: _replicas(ctx, rule, "min"),
    "max-replicas": lambda ctx, rule: _replicas(ctx, rule, "max"),
    "resources-set": _resources_set,
    "no-debug-logging": _no_debug,
    "require-kind": _require_kind,
    "default-deny-network-policy": _default_deny,
    "mirror-percent": _mirror_percent,
    "field": _field,
}


assert set(CHECKS) == set(KNOWN_CHECKS), "rules.KNOWN_CHECKS must list every check"


def _context(rendered: RenderedEnv) -> _Ctx:
    hpas = hpa_targets(rendered.resources)
    items = [(w, find_hpa(w, hpas)) for r in rendered.resources for w in workloads_of(r)]
    return _Ctx(rendered, items)


def run_checks(
    envs: RenderedEnv | Sequence[RenderedEnv], rules: Sequence[Rule] | None = None
) -> pd.DataFrame:
    """Findings of every rule on every environment it applies to (an empty frame: all pass)."""
    items = [envs] if isinstance(envs, RenderedEnv) else list(envs)
    chosen = default_rules() if rules is None else list(rules)
    rows: list[Finding] = []
    for rendered in items:
        ctx = _context(rendered)
        for rule in chosen:
            if rule.applies_to(rendered):
                rows.extend(CHECKS[rule.check](ctx, rule))
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def check_summary(
    envs: RenderedEnv | Sequence[RenderedEnv], rules: Sequence[Rule], findings: pd.DataFrame
) -> pd.DataFrame:
    """Per environment and applicable rule: passed or failed, and how many findings."""
    items = [envs] if isinstance(envs, RenderedEnv) else list(envs)
    rows: list[dict[str, Any]] = []
    for rendered in items:
        for rule in rules:
            if not rule.applies_to(rendered):
                continue
            count = (
                int(((findings["env"] == rendered.name) & (findings["rule"] == rule.id)).sum())
                if len(findings)
                else 0
            )
            status = "pass" if count == 0 else ("fail" if rule.severity == "error" else "warn")
            rows.append(
                {
                    "env": rendered.name,
                    "rule": rule.id,
                    "severity": rule.severity,
                    "status": status,
                    "findings": count,
                    "description": rule.description,
                }
            )
    return pd.DataFrame(
        rows, columns=["env", "rule", "severity", "status", "findings", "description"]
    )


def failed(findings: pd.DataFrame) -> bool:
    """Whether any finding has severity ``error`` (what makes ``envlib check`` exit 1)."""
    return bool(len(findings)) and bool((findings["severity"] == "error").any())


__all__ = [
    "CONFIG_NAMES",
    "ChecksConfigError",
    "Rule",
    "check_summary",
    "config_path_for",
    "default_rules",
    "failed",
    "find_config",
    "load_rules",
    "run_checks",
]
