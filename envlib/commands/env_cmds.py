"""Environment commands: ``envs``, ``table``, ``diff``, ``experiment``, ``check``, ``blame``.

Each command discovers the environments of ``--repo`` (default: the current directory when it
holds a kustomization tree, else envlib's embedded ``k8s/``), renders the ones it needs, calls
one analysis function and prints its DataFrame(s) with ``-o text|json|markdown``. No logic
lives here beyond argument handling; errors are :class:`~envlib.errors.EnvlibError` and the
dispatcher prints them as one line with exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from envlib.analysis import blame as blame_mod
from envlib.analysis import checks as checks_mod
from envlib.analysis import diff as diff_mod
from envlib.analysis import environments as environments_mod
from envlib.analysis import experiment as experiment_mod
from envlib.analysis import inventory as inventory_mod
from envlib.analysis import terminal, tidy
from envlib.analysis.present import ABSENT, FORMATS, cell_text, render_sections, to_text
from envlib.errors import KustomizationError, LoadError


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--repo",
        type=Path,
        help="repository to analyse (default: the current directory when it holds a "
        "kustomization tree, else envlib's embedded k8s/)",
    )
    parser.add_argument(
        "--env",
        dest="explicit",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="use this kustomization directory as environment NAME "
        "(repeatable; replaces discovery)",
    )
    parser.add_argument("-o", "--output", choices=FORMATS, default="text", help="output format")
    parser.add_argument(
        "--offline",
        action="store_true",
        help="remote bases from envlib's cache only; never touch the network",
    )


def _explicit(values: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        name, sep, path = value.partition("=")
        if not sep:
            name, path = Path(value).name, value
        if not name or not path:
            raise KustomizationError(f"--env expects NAME=PATH, got {value!r}")
        out[name] = path
    return out


def _envs(args: argparse.Namespace) -> list[environments_mod.Environment]:
    repo = getattr(args, "repo_pos", None) or args.repo
    return environments_mod.discover(repo, _explicit(args.explicit))


def _chosen(args: argparse.Namespace, names: Sequence[str]) -> list[environments_mod.Environment]:
    """The environments called ``names``, or all of them when no name is given."""
    envs = _envs(args)
    return [_select(envs, n, args) for n in names] if names else envs


def _select(
    envs: Sequence[environments_mod.Environment], name: str, args: argparse.Namespace
) -> environments_mod.Environment:
    """``environments.select``, saying what to type when the name is a directory instead.

    ``envlib table /path/to/repo`` reads the path as an environment name (the repository is
    ``--repo``); a new user's first try should get the command that works, not only the
    environment names of a repository they did not mean.
    """
    try:
        return environments_mod.select(envs, name)
    except LoadError as exc:
        if Path(name).is_dir() and not (getattr(args, "repo_pos", None) or args.repo):
            exc.message = (
                f"{exc.message}; {name!r} is a directory: to analyse it as the repository, "
                f"pass --repo {name}"
            )
        raise


def _rendered(
    args: argparse.Namespace, names: Sequence[str] = (), *, trace: bool = False
) -> list[environments_mod.RenderedEnv]:
    """Render the chosen environments; the build trace only when the command reads it.

    The trace records every step's changes and costs up to ten times the build itself on
    large trees (12 MB of CRDs), so only ``blame`` and ``check``'s findings ask for it.
    """
    return _render_each(args, _chosen(args, names), trace=trace)


def _offline(args: argparse.Namespace) -> bool:
    """``--offline``: remote bases from the cache only (docs/remote.md)."""
    return bool(getattr(args, "offline", False))


def _render_each(
    args: argparse.Namespace, envs: Sequence[environments_mod.Environment], *, trace: bool
) -> list[environments_mod.RenderedEnv]:
    """Render ``envs``; the broken ones are kept on ``args`` for :func:`_with_broken`."""
    rendered, broken = environments_mod.render_each(envs, trace=trace, offline=_offline(args))
    known = getattr(args, "broken", [])
    args.broken = known + [b for b in broken if b.name not in {k.name for k in known}]
    return rendered


_BROKEN = "Broken environments"


def _with_broken(args: argparse.Namespace, sections: list[tuple[str, Any]]) -> list[Any]:
    """``sections`` plus one naming each environment that failed to render, if any."""
    broken = getattr(args, "broken", [])
    if not broken:
        return sections
    return [*sections, (_BROKEN, environments_mod.broken_frame(broken))]


def _broken_view(frame: Any) -> str:
    return "\n".join(
        f"{env}: error: {error}" for env, error in zip(frame["env"], frame["error"], strict=True)
    )


def _status(args: argparse.Namespace, code: int = 0) -> int:
    """Exit status 1 when an environment was broken (after everything else was printed)."""
    broken = getattr(args, "broken", [])
    for b in broken:
        print(f"error: environment {b.name}: {b.text}", file=sys.stderr)
    return 1 if broken else code


def _print(text: str) -> None:
    print(text)


def _meta(args: argparse.Namespace, envs: Sequence[Any]) -> dict[str, Any]:
    repo = getattr(args, "repo_pos", None) or args.repo or environments_mod.default_repo()
    return {"repo": str(repo), "environments": [e.name for e in envs]}


# -- handlers --------------------------------------------------------------------------------
def _cmd_envs(args: argparse.Namespace) -> int:
    envs = _envs(args)
    frame = environments_mod.environments_frame(envs)
    json_views = {"Environments": lambda _frame: environments_mod.environment_records(envs)}
    _print(
        render_sections(
            [("Environments", frame)], args.output, meta=_meta(args, envs), json_views=json_views
        )
    )
    return 0


def _cmd_table(args: argparse.Namespace) -> int:
    rendered = _rendered(args, args.envs)
    views: dict[str, Any] = {}
    if args.containers:
        frame = inventory_mod.containers(rendered)
        sections = [("Containers", _columns(frame, _CONTAINER_COLUMNS))]
    else:
        inv = inventory_mod.inventory(rendered)
        sections = [
            (
                "Workloads",
                inventory_mod.side_by_side(inv) if not args.long else _columns(inv, _LONG_COLUMNS),
            ),
            ("Totals", _columns(inventory_mod.totals(inv), _TOTAL_COLUMNS)),
        ]
        if not args.long:
            views["Workloads"] = lambda _frame: terminal.workloads(inv)
    notes = [
        "Totals count pods (replicas x per-pod requests/limits); "
        "Seldon Models run inside Server pods."
    ]
    if args.output == "text" and not args.long and not args.containers:
        notes.insert(
            0,
            "Replicas: declared->effective (HPA min-max); cpu in cores, memory in bytes "
            "(Mi/Gi); totals are requests x replicas; * marks a value that differs "
            "between environments.",
        )
    views[_BROKEN] = _broken_view
    json_views: dict[str, Any] = {}
    if not args.containers:  # tidy rows: one per environment x workload, numbers as numbers
        json_views["Workloads"] = lambda _frame: tidy.tidy_records(inv, tidy.WORKLOAD_FIELDS)
        json_views["Totals"] = lambda _frame: tidy.tidy_records(
            inventory_mod.totals(inv), tidy.TOTAL_FIELDS
        )
    _print(
        render_sections(
            _with_broken(args, sections),
            args.output,
            title="Replicas and resources",
            notes=notes,
            meta=_meta(args, rendered),
            text_views=views,
            json_views=json_views,
        )
    )
    return _status(args)


_LONG_COLUMNS = [
    "env",
    "kind",
    "name",
    "namespace",
    "replicas",
    "effective_replicas",
    "hpa",
    "hpa_min",
    "hpa_max",
    "min_replicas",
    "max_replicas",
    *inventory_mod.TEXT_COLUMNS,
    "total_cpu_request_text",
    "total_cpu_limit_text",
    "total_memory_request_text",
    "total_memory_limit_text",
    "tags",
    "log_level",
    "file",
]
_TOTAL_COLUMNS = [
    "env",
    "workloads",
    "replicas",
    *(f"total_{c}" for c in inventory_mod.TEXT_COLUMNS),
]
_CONTAINER_COLUMNS = [
    "env",
    "kind",
    "workload",
    "container",
    "role",
    "tag",
    *inventory_mod.TEXT_COLUMNS,
    "from_server_config",
    "log_settings",
]


def _columns(frame: Any, wanted: Sequence[str]) -> Any:
    return frame[[c for c in wanted if c in frame.columns]]


def _cmd_diff(args: argparse.Namespace) -> int:
    pair = _rendered(args, [args.left, args.right])
    if len(pair) < 2:  # one side is broken: nothing to compare, the error is the output
        _print(
            render_sections(
                _with_broken(args, []),
                args.output,
                title=f"Differences {args.left} -> {args.right}",
                meta=_meta(args, pair),
                text_views={_BROKEN: _broken_view},
            )
        )
        return _status(args)
    left, right = pair
    frame = diff_mod.diff_envs(left, right, ignore=args.ignore)
    changes = frame[frame["status"] != "ignored"]
    ignored = frame[frame["status"] == "ignored"]
    summary = diff_mod.diff_summary(frame)
    changed_resources = int((summary["status"] != "ignored only").sum()) if len(summary) else 0
    shown = ["resource", "status", "field", "left", "right", "note"]
    title = f"Differences {left.name} -> {right.name}"
    names = (
        (left.name, right.name)
        if left.name != right.name
        else (f"{left.name} (A)", f"{right.name} (B)")
    )
    headers = {"left": names[0], "right": names[1]}
    sections = [
        ("Summary", summary),
        ("Changes", changes[shown].rename(columns=headers)),
        ("Ignored", ignored[shown].rename(columns=headers)),
    ]
    notes = [
        f"{len(changes)} difference(s) in {changed_resources} "
        f"resource(s); {len(ignored)} ignored as noise (listed with the reason)."
    ]
    meta = {**_meta(args, [left, right]), "left": left.name, "right": right.name}

    def grouped(frame: Any) -> str:
        return terminal.changes(frame, left.name, right.name, lambda v: cell_text(v, ABSENT))

    views = {
        "Summary": lambda frame: to_text(frame.drop(columns=["kind"])),
        "Changes": lambda _frame: grouped(changes),
        "Ignored": lambda _frame: grouped(ignored),
    }
    raw = frame.attrs.get("values")
    json_views = {  # tidy: one row per changed field and environment
        "Changes": lambda _frame: tidy.change_records(changes, left.name, right.name, raw),
        "Ignored": lambda _frame: tidy.change_records(ignored, left.name, right.name, raw),
    }
    _print(
        render_sections(
            _with_broken(args, sections),
            args.output,
            title=title,
            notes=notes,
            meta=meta,
            absent=ABSENT,
            text_views=views,
            json_views=json_views,
        )
    )
    return _status(args)


def _cmd_experiment(args: argparse.Namespace) -> int:
    rendered = _rendered(args, args.envs)
    preview = experiment_mod.experiment_preview(
        rendered, args.rps, mirror_percent=args.mirror_percent
    )
    warnings = experiment_mod.experiment_warnings(rendered, mirror_percent=args.mirror_percent)
    shown = [
        "env",
        "experiment",
        "role",
        "model",
        "weight",
        "share",
        "mirror_percent",
        "rps",
        "replicas",
        "rps_per_replica",
    ]
    what_if = (
        f", mirror percent set to {args.mirror_percent:g} (what-if)"
        if args.mirror_percent is not None
        else ""
    )
    title = f"Experiment traffic at {args.rps:g} requests/s{what_if}"
    notes = [] if len(preview) else ["No Seldon Experiment in these environments."]
    meta = {**_meta(args, rendered), "rps": args.rps, "mirror_percent": args.mirror_percent}
    sections = [
        ("Traffic", _columns(preview, shown)),
        ("Warnings", warnings[["env", "experiment", "code", "message"]]),
    ]
    views = {"Traffic": lambda _frame: terminal.traffic(preview), _BROKEN: _broken_view}
    _print(
        render_sections(
            _with_broken(args, sections),
            args.output,
            title=title,
            notes=notes,
            meta=meta,
            text_views=views,
        )
    )
    return _status(args)


def _cmd_check(args: argparse.Namespace) -> int:
    chosen = _chosen(args, args.envs)
    rendered = _render_each(args, chosen, trace=False)
    repo = chosen[0].repo if chosen else Path.cwd()
    rules = checks_mod.load_rules(repo, args.config)
    findings = checks_mod.run_checks(rendered, rules)
    if len(findings):  # name the patch that set each offending field: needs the trace
        again = set(findings["env"])
        rendered = [
            environments_mod.render(r.env, offline=_offline(args)) if r.name in again else r
            for r in rendered
        ]
        findings = checks_mod.run_checks(rendered, rules)
    summary = checks_mod.check_summary(rendered, rules, findings)
    failed = checks_mod.failed(findings)
    config = str(args.config) if args.config else checks_mod.config_path_for(repo)
    verdict = "FAILED" if failed else "passed"
    notes = [f"Rules: {config}. {len(findings)} finding(s); checks {verdict}."]
    # the finding's columns, its message (the longest cell) last
    shown = [c for c in checks_mod.FINDING_COLUMNS if c != "message"] + ["message"]
    meta = {**_meta(args, rendered), "rules": config, "passed": not failed}
    sections = [("Rules", summary), ("Findings", findings[shown])]
    _print(
        render_sections(
            _with_broken(args, sections),
            args.output,
            title=f"Environment checks {verdict}",
            notes=notes,
            meta=meta,
            text_views={_BROKEN: _broken_view},
        )
    )
    return _status(args, 1 if failed else 0)


def _cmd_blame(args: argparse.Namespace) -> int:
    (env,) = _chosen(args, [args.env_name])
    # one environment: its error is the answer
    rendered = environments_mod.render(env, trace=True, offline=_offline(args))
    frame = blame_mod.blame(rendered, args.resource, args.field)
    meta = {**_meta(args, [rendered]), "resource": args.resource, "field": args.field}
    title = f"{args.resource} {args.field} in {rendered.name}"

    def steps(table: Any) -> str:
        value = table["value"].iloc[0] if len(table) else None
        shown = ["order", "step", "step_kind", "location", "description"]
        return f"value: {cell_text(value, ABSENT)}\n\n{to_text(table[shown])}"

    _print(
        render_sections(
            [("Blame", frame)], args.output, title=title, meta=meta, text_views={"Blame": steps}
        )
    )
    return 0


# -- registration ------------------------------------------------------------------------------
def _command(
    subparsers: Any, name: str, help_text: str, handler: Any, *, envs_verb: str = ""
) -> argparse.ArgumentParser:
    """A sub-command with the common options, and an optional ENV list when ``envs_verb``."""
    p: argparse.ArgumentParser = subparsers.add_parser(name, help=help_text)
    _common(p)
    if envs_verb:
        p.add_argument(
            "envs", nargs="*", metavar="ENV", help=f"environments to {envs_verb} (default: all)"
        )
    p.set_defaults(handler=handler)
    return p


def register(subparsers: Any) -> None:
    """Add the environment sub-commands to the ``envlib`` parser."""
    p = _command(subparsers, "envs", "list the environments of a repository", _cmd_envs)
    p.add_argument(
        "repo_pos", nargs="?", type=Path, metavar="REPO", help="repository (same as --repo)"
    )

    p = _command(
        subparsers,
        "table",
        "replicas and resources per workload and environment",
        _cmd_table,
        envs_verb="show",
    )
    p.add_argument("--long", action="store_true", help="one row per workload per environment")
    p.add_argument("--containers", action="store_true", help="one row per container")

    p = _command(subparsers, "diff", "every difference between two environments", _cmd_diff)
    p.add_argument("left", metavar="ENV_A")
    p.add_argument("right", metavar="ENV_B")
    p.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="PATTERN",
        help="field path pattern to report as ignored (fnmatch, e.g. 'metadata.labels*')",
    )

    p = _command(
        subparsers,
        "experiment",
        "preview Seldon Experiment traffic split and mirror load",
        _cmd_experiment,
        envs_verb="show",
    )
    p.add_argument(
        "--rps",
        type=float,
        default=100.0,
        help="incoming requests/s at the experiment (default 100)",
    )
    p.add_argument(
        "--mirror-percent", type=float, default=None, help="what-if: override every mirror percent"
    )

    p = _command(
        subparsers,
        "check",
        "run environment-aware checks; exit 1 when a rule fails",
        _cmd_check,
        envs_verb="check",
    )
    p.add_argument(
        "--config", type=Path, default=None, help="checks file (default: found in the repository)"
    )

    p = _command(subparsers, "blame", "which file and patch set a field", _cmd_blame)
    p.add_argument("env_name", metavar="ENV")
    p.add_argument("resource", metavar="RESOURCE", help="Kind/name, name or Kind/name@namespace")
    p.add_argument(
        "field",
        metavar="FIELD",
        help="e.g. spec.replicas or spec.podSpec.containers[name=agent].env",
    )
