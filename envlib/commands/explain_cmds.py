"""``envlib explain ENV RESOURCE [FIELD]`` and ``envlib lint``: provenance for the terminal.

``explain`` reads one field's history (declaration, each step that changed it, the comment
that says why) or, without FIELD, every field of the resource as a table. ``lint`` reports
patches and overrides that do nothing useful, from the same provenance; it exits 1 when a
finding has severity ``error``. Both render with ``-o text|json|markdown``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from envlib.analysis import environments as environments_mod
from envlib.analysis import explain as explain_mod
from envlib.analysis.present import render_sections, to_text

from .env_cmds import _chosen, _common, _meta, _offline


def _cmd_explain(args: argparse.Namespace) -> int:
    (env,) = _chosen(args, [args.env_name])
    rendered = environments_mod.render(env, trace=True, offline=_offline(args))
    meta = {**_meta(args, [rendered]), "resource": args.resource, "field": args.field}
    if args.field:
        frame = explain_mod.explain_field(rendered, args.resource, args.field)
        title = f"{args.resource} {args.field} in {rendered.name}"

        def chain(table: Any) -> str:
            shown = ["order", "value", "location", "step", "why"]
            return f"{explain_mod.sentence(table)}\n\n{to_text(table[shown])}"

        sections = [("Explain", frame)]
        views: dict[str, Callable[[Any], str]] = {"Explain": chain}
    else:
        frame = explain_mod.explain_resource(rendered, args.resource)
        title = f"{args.resource} in {rendered.name}: where every field comes from"
        sections = [("Fields", frame)]

        def table(fields: Any) -> str:
            shown = fields[["field", "value", "location", "step", "history"]]
            reasons = fields[fields["why"] != ""].drop_duplicates("why")
            notes = "\n".join(f"- {r.location}: {r.why}" for r in reasons.itertuples())
            return f"{to_text(shown, width=200)}\n\nWhy (the repository's comments):\n{notes}"

        views = {"Fields": table}
    _print(render_sections(sections, args.output, title=title, meta=meta, text_views=views))
    return 0


def _cmd_lint(args: argparse.Namespace) -> int:
    from envlib.analysis import lint as lint_mod
    from envlib.analysis import lint_config

    envs = _chosen(args, args.envs)
    repo = getattr(args, "repo_pos", None) or args.repo or environments_mod.default_repo()
    rules = lint_config.load_rules(args.config, Path(repo))
    findings = lint_mod.lint(envs, rules, offline=_offline(args))
    failed = lint_mod.failed(findings)
    verdict = "FAILED" if failed else "passed"
    notes = [f"Rules: {rules.source}. {len(findings)} finding(s); lint {verdict}."]
    meta = {**_meta(args, envs), "rules": rules.source, "passed": not failed}
    _print(
        render_sections(
            [("Findings", findings)],
            args.output,
            title=f"Patch lint {verdict}",
            notes=notes,
            meta=meta,
        )
    )
    return 1 if failed else 0


def _print(text: str) -> None:
    print(text)


def register(subparsers: Any) -> None:
    """Add ``explain`` and ``lint``."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "explain", help="where a field's value comes from, its history, and why"
    )
    _common(p)
    p.add_argument("env_name", metavar="ENV")
    p.add_argument("resource", metavar="RESOURCE", help="Kind/name, name or Kind/name@namespace")
    p.add_argument(
        "field",
        nargs="?",
        metavar="FIELD",
        help="e.g. spec.replicas or spec.podSpec.containers[name=agent].image "
        "(default: every field of the resource)",
    )
    p.set_defaults(handler=_cmd_explain)

    p = subparsers.add_parser(
        "lint", help="patches that match or change nothing, shadowed and redundant overrides"
    )
    _common(p)
    p.add_argument("envs", nargs="*", metavar="ENV", help="environments to lint (default: all)")
    p.add_argument(
        "--config", type=Path, default=None, help="lint rules file (default: found in the repo)"
    )
    p.set_defaults(handler=_cmd_lint)
