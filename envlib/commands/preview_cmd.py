"""``envlib preview``: what merging this branch changes in every environment.

Argument handling only: :func:`envlib.analysis.preview.preview` does the work and
:mod:`envlib.analysis.preview_report` formats it. Exit status: 0, or 2 with
``--fail-on check`` when the merge makes an error-severity check fail in an environment it
reaches; errors (a revision missing from a shallow clone, a broken kustomization at both
revisions) exit 1 through the dispatcher.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from envlib.analysis.present import FORMATS


def _cmd_preview(args: argparse.Namespace) -> int:
    from envlib.analysis import preview_report as report
    from envlib.analysis.preview import preview

    result = preview(args.repo, args.base, args.head, into=args.into, rps=args.rps)
    if args.output == "json":
        text = report.to_json(result)
    elif args.output == "markdown":
        text = report.to_markdown(result, limit=args.max_chars)
    else:
        text = report.to_text(result)
    print(text, end="" if text.endswith("\n") else "\n")
    return 2 if "check" in args.fail_on and result.fails_checks else 0


def register(subparsers: Any) -> None:
    """Add ``preview`` to the ``envlib`` parser."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "preview",
        help="what merging a branch changes in every environment (offline, from git objects)",
    )
    p.add_argument(
        "--repo",
        type=Path,
        help="directory holding the environments (default: the current directory)",
    )
    p.add_argument(
        "--base",
        metavar="REF",
        help="revision merged into (default: the merge base of --head with --into)",
    )
    p.add_argument(
        "--head", metavar="REF", help="revision being merged (default: the working tree)"
    )
    p.add_argument(
        "--into",
        default="main",
        metavar="BRANCH",
        help="branch the merge goes to, which Argo CD follows (default: main)",
    )
    p.add_argument(
        "--rps", type=float, default=100.0, help="request rate for experiment traffic (100)"
    )
    p.add_argument("-o", "--output", choices=FORMATS, default="text", help="output format")
    p.add_argument(
        "--fail-on",
        action="append",
        choices=["check"],
        default=[],
        help="exit 2 when the merge makes an environment check (severity error) fail",
    )
    p.add_argument(
        "--max-chars",
        type=int,
        default=65_536,
        help="longest markdown output (GitHub's comment limit: 65536)",
    )
    p.set_defaults(handler=_cmd_preview)
