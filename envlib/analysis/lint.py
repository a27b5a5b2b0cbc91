"""``envlib lint``: patches and overrides that do not do what their author meant.

Read from the build trace and field-level provenance (:mod:`envlib.provenance`):

* a patch that matches nothing, changes nothing, or (strategic merge on a custom resource)
  replaces a whole list - :meth:`~envlib.kustomize.trace.BuildTrace.ineffective_patches`;
* a step every value of which a later step overwrites, in every environment (shadowed);
* a field every environment overrides with the same value: it belongs in the base;
* a patch that sets a field to the value it already has (an override equal to the base);
* a JSON6902 ``replace``/``remove`` on a path the base lacks - kubectl fails; the finding
  names the base file that should declare the field (the build is retried without the
  patch so the other rules still run);
* deprecated fields, with their replacement (:mod:`.deprecations`), and the deprecated
  kustomization fields kustomize warns about.

Every finding names a file:line. Rules, severities and environments are configured in a lint
file (:mod:`.lint_config`).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import pandas as pd

from envlib.errors import EnvlibError, PatchError
from envlib.provenance import project_root

from . import environments as environments_mod
from .diff import format_path
from .environments import Environment, RenderedEnv
from .explain import location_text, provenance
from .lint_config import LintRules
from .lint_values import equal_overrides
from .secrets import is_secret_path

FINDING_COLUMNS = ["rule", "severity", "env", "resource", "field", "location", "message"]
_MAX_RETRIES = 20


def render_for_lint(
    env: Environment, *, offline: bool = False
) -> tuple[RenderedEnv | None, list[dict[str, Any]]]:
    """Render with a trace; a failing JSON6902 replace/remove becomes a finding and is skipped.

    ``offline``: remote bases from envlib's cache only (docs/remote.md)."""
    disabled: list[str] = []
    found: list[dict[str, Any]] = []
    for _ in range(_MAX_RETRIES):
        try:
            rendered = environments_mod.render(
                env, disabled_steps=disabled, trace=True, offline=offline
            )
            return rendered, found
        except PatchError as exc:
            step_id = _failed_step(env, exc)
            if (
                step_id is None
                or step_id in disabled
                or "missing path" not in str(exc.kustomize_message or "")
            ):
                raise
            disabled.append(step_id)
            found.append({"step": step_id, "error": exc})
    return None, found


def _failed_step(env: Environment, exc: EnvlibError) -> str | None:
    if exc.location is None or not exc.entry or env.path is None:
        return None
    root = project_root(env.path)
    rel = os.path.relpath(os.path.abspath(exc.location.path), root).replace(os.sep, "/")
    return f"{rel}#{exc.entry}"


def _missing_path_findings(rendered: RenderedEnv, failures: list[dict[str, Any]]) -> list[dict]:
    prov = provenance(rendered)
    rows = []
    for failure in failures:
        exc: EnvlibError = failure["error"]
        declared = "the base"
        resource = exc.resource or ""
        for res in rendered.resources:
            if any(str(i) == resource for i in rendered.original(res).all_ids()):
                resource = f"{res.kind}/{res.name}"
                declared = prov.display(os.path.abspath(res.origin.path))
                if res.origin.line:
                    declared += f":{res.origin.line}"
        rows.append(
            _row(
                "json6902-missing-path",
                rendered.name,
                resource,
                "",
                _where(rendered, exc.location, failure["step"]),
                f"{failure['step']}: {exc.message}; kubectl fails here - declare the field in "
                f"{declared} (JSON6902 replace/remove need the path to exist)",
            )
        )
    return rows


def _where(rendered: RenderedEnv, location: Any, fallback: str = "") -> str:
    """A step or error location relative to the repository (as every other path)."""
    if location is None or not getattr(location, "path", ""):
        return fallback
    shown = provenance(rendered).display(os.path.abspath(location.path))
    return f"{shown}:{location.line}" if location.line else shown


def _row(rule: str, env: str, resource: str, field: str, location: str, message: str) -> dict:
    return {
        "rule": rule,
        "env": env,
        "resource": resource,
        "field": field,
        "location": location,
        "message": message,
    }


def _patch_issues(rendered: RenderedEnv) -> list[dict]:
    rule_of = {
        "matched-nothing": "patch-matched-nothing",
        "changed-nothing": "patch-changed-nothing",
        "replaced-list": "patch-replaced-list",
    }
    return [
        _row(
            rule_of[issue.reason],
            rendered.name,
            "",
            "",
            _where(rendered, issue.step.location, issue.step.id),
            issue.message,
        )
        for issue in rendered.trace.ineffective_patches()
    ]


def _step_effects(rendered: RenderedEnv) -> dict[str, tuple[int, int, set[str]]]:
    """step id -> (fields it set, fields where its value is final, steps that overwrote it)."""
    prov = provenance(rendered)
    effects: dict[str, list[Any]] = defaultdict(lambda: [0, 0, set()])
    for res in rendered.resources:
        for found in prov.fields(rendered.original(res)):
            chain = found.chain
            for index, entry in enumerate(chain):
                if not entry.step:
                    continue
                record = effects[entry.step]
                record[0] += 1
                later = [e.step for e in chain[index + 1 :] if e.step]
                if index == len(chain) - 1:
                    record[1] += 1
                else:
                    record[2].update(later)
    return {k: (v[0], v[1], v[2]) for k, v in effects.items()}


def _shadowed(rendered_all: Sequence[RenderedEnv]) -> list[dict]:
    totals: dict[str, list[Any]] = defaultdict(lambda: [0, 0, set(), None, []])
    for rendered in rendered_all:
        for step_id, (count, final, over) in _step_effects(rendered).items():
            record = totals[step_id]
            record[0] += count
            record[1] += final
            record[2].update(over)
            record[4].append(rendered.name)
            if record[3] is None:
                step = rendered.trace.step(step_id)
                record[3] = (step, _where(rendered, step.location, step_id))
    rows = []
    for step_id, (count, final, over, found, envs) in totals.items():
        step, where = found if found is not None else (None, step_id)
        if count and not final and step is not None and step.kind not in _ROOT_KINDS:
            later = ", ".join(sorted(s.rpartition("#")[2] for s in over))
            rows.append(
                _row(
                    "shadowed-step",
                    ", ".join(sorted(set(envs))),
                    "",
                    "",
                    where,
                    f"{step_id}: every value it sets ({count}) is overwritten later "
                    f"(by {later}); remove it or the later step",
                )
            )
    return rows


_ROOT_KINDS = frozenset({"hashSuffix", "nameReferences", "vars", "localConfig"})


def _shared_levels(rendered_all: Sequence[RenderedEnv]) -> set[str]:
    levels = [{s.level for s in r.trace.steps} for r in rendered_all]
    return set.intersection(*levels) if levels else set()


def _overlays(rendered_all: Sequence[RenderedEnv]) -> list[RenderedEnv]:
    """The environments no other environment builds on (a base rendered as an env is not)."""
    origins = {id(r): {os.path.abspath(x.origin.path) for x in r.resources} for r in rendered_all}
    out = []
    for rendered in rendered_all:
        root = os.path.abspath(str(rendered.env.path or "")) + os.sep
        if not any(
            other is not rendered and any(p.startswith(root) for p in origins[id(other)])
            for other in rendered_all
        ):
            out.append(rendered)
    return out


def _belongs_in_base(rendered_all: Sequence[RenderedEnv]) -> list[dict]:
    rendered_all = _overlays(rendered_all)
    if len(rendered_all) < 2:
        return []
    shared = _shared_levels(rendered_all)
    per_field: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for rendered in rendered_all:
        prov = provenance(rendered)
        for res in rendered.resources:
            engine_res = rendered.original(res)
            key = str(engine_res.org_id)
            for found in prov.fields(engine_res):
                final = found.final
                if final is None or not final.step or is_secret_path(res.kind, found.path):
                    continue
                step = rendered.trace.step(final.step)
                if step.level in shared or step.kind in _ROOT_KINDS:
                    continue
                per_field[(key, format_path(found.path))].append(
                    (rendered, res, found, location_text(prov, final))
                )
    rows = []
    for (_, field), hits in per_field.items():
        if len(hits) != len(rendered_all) or len({repr(h[2].value) for h in hits}) != 1:
            continue
        rendered, res, found, location = hits[0]
        base = found.chain[0] if found.chain[0].kind == "resource" else None
        target = location_text(provenance(rendered), base) if base else "the base"
        wheres = "; ".join(f"{h[0].name}: {h[3]}" for h in hits)
        rows.append(
            _row(
                "belongs-in-base",
                ", ".join(h[0].name for h in hits),
                f"{res.kind}/{res.name}",
                field,
                location,
                f"every environment sets {field} to {found.value!r} ({wheres}); "
                f"set it once in {target}",
            )
        )
    return rows


def _deprecated(rendered: RenderedEnv, rules: LintRules) -> list[dict]:
    from .deprecations import deprecated_fields

    rows = [
        _row("deprecated-field", rendered.name, "", "", "", str(w))
        for w in rendered.warnings
        if "deprecated" in str(w).lower()
    ]
    if not rules.openapi:
        return rows
    prov = provenance(rendered)
    for res in rendered.resources:
        for path, message in deprecated_fields(rules.openapi, res.obj):
            found = prov.field(rendered.original(res), path)
            rows.append(
                _row(
                    "deprecated-field",
                    rendered.name,
                    f"{res.kind}/{res.name}",
                    format_path(path),
                    location_text(prov, found.final),
                    message,
                )
            )
    return rows


def lint(envs: Sequence[Environment], rules: LintRules, *, offline: bool = False) -> pd.DataFrame:
    """Every lint finding over the environments (built here, with a trace; ``offline``:
    remote bases from the cache only)."""
    rows: list[dict] = []
    rendered_all: list[RenderedEnv] = []
    for env in envs:
        if env.path is None:
            continue
        rendered, failures = render_for_lint(env, offline=offline)
        if rendered is None:
            continue
        rendered_all.append(rendered)
        rows += _missing_path_findings(rendered, failures)
        rows += _patch_issues(rendered)
        rows += equal_overrides(rendered)
        rows += _deprecated(rendered, rules)
    rows += _shadowed(rendered_all)
    rows += _belongs_in_base(rendered_all)
    kept = []
    for row in rows:
        envs_of_row = [e.strip() for e in row["env"].split(",")] or [""]
        if any(rules.enabled(row["rule"], e) for e in envs_of_row):
            row["severity"] = rules.severity[row["rule"]]
            kept.append(row)
    frame = pd.DataFrame(kept, columns=FINDING_COLUMNS)
    return frame.drop_duplicates(ignore_index=True)


def failed(findings: pd.DataFrame) -> bool:
    """Whether any finding has severity ``error``."""
    return bool(len(findings)) and bool((findings["severity"] == "error").any())
