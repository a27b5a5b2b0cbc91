"""``envlib build DIR``: a drop-in for ``kubectl kustomize DIR``.

stdout is byte-identical to kubectl's; deprecation warnings go to stderr exactly as kustomize
prints them; on failure the dispatcher prints ``error: <one line>`` and exits 1. The build
runs without a trace (nothing here needs one), which is the fast path; ``--annotate`` asks
for one and ends each line with the file:line that wrote it (:mod:`envlib.provenance`).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from envlib.errors import LoadError


def register(subparsers: Any) -> None:
    """Add the ``build`` sub-command."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "build",
        help="render a kustomization exactly as `kubectl kustomize DIR` does",
        description="Render DIR exactly as `kubectl kustomize DIR` (Kustomize v5.5.0) does.",
    )
    parser.add_argument(
        "dir", nargs="?", default=".", metavar="DIR", help="kustomization directory"
    )
    parser.add_argument(
        "--load-restrictor",
        default="LoadRestrictionsRootOnly",
        help="LoadRestrictionsRootOnly (default) or LoadRestrictionsNone",
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write the YAML to FILE instead of stdout"
    )
    parser.add_argument(
        "--kustomize-errors",
        action="store_true",
        help="print kustomize's own error text instead of envlib's (for drop-in use)",
    )
    parser.add_argument(
        "--annotate",
        action="store_true",
        help="end each line with a `# file:line (step)` comment naming the text behind it",
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        help="remote resources from envlib's cache only; never touch the network",
    )
    add_helm_arguments(parser)
    parser.set_defaults(handler=run)


def add_helm_arguments(parser: argparse.ArgumentParser) -> None:
    """kubectl kustomize's helm flags, same names and meaning."""
    group = parser.add_argument_group("helm (helmCharts), as in kubectl kustomize")
    group.add_argument(
        "--enable-helm", action="store_true", help="enable the Helm chart inflator (helmCharts)"
    )
    group.add_argument(
        "--helm-command",
        metavar="PATH",
        help="helm executable (default: helm on PATH, else Helm's SDK in-process: envlib[helm])",
    )
    group.add_argument("--helm-kube-version", default="", help="Capabilities.KubeVersion for Helm")
    group.add_argument(
        "--helm-api-versions",
        action="append",
        default=[],
        metavar="VERSIONS",
        help="Capabilities.APIVersions for Helm (repeat, or separate with commas)",
    )
    group.add_argument("--helm-debug", action="store_true", help="helm template --debug")


def helm_settings(args: argparse.Namespace) -> Any:
    """The :class:`envlib.helm.HelmSettings` the parsed flags ask for."""
    from envlib.helm import HelmSettings

    apis = tuple(
        v for item in getattr(args, "helm_api_versions", []) or [] for v in item.split(",") if v
    )
    return HelmSettings(
        enabled=bool(getattr(args, "enable_helm", False)),
        command=getattr(args, "helm_command", None) or None,
        kube_version=getattr(args, "helm_kube_version", "") or "",
        api_versions=apis,
        debug=bool(getattr(args, "helm_debug", False)),
        offline=bool(getattr(args, "offline", False)),
    )


def run(args: argparse.Namespace) -> int:
    """Build and print; errors propagate to the dispatcher (``error: ...``, exit 1)."""
    from envlib.errors import EnvlibError
    from envlib.kustomize import build

    try:
        result = build(
            args.dir,
            load_restrictor=args.load_restrictor,
            trace=bool(getattr(args, "annotate", False)),
            on_warning=lambda line: print(line, file=sys.stderr, flush=True),
            offline=bool(getattr(args, "offline", False)),
            helm=helm_settings(args),
        )
    except EnvlibError as exc:
        if args.kustomize_errors and exc.kustomize_message and not getattr(args, "debug", False):
            print(f"error: {exc.kustomize_message}", file=sys.stderr)
            return 1
        raise
    text = result.to_yaml()
    if getattr(args, "annotate", False):
        text = _annotated(result, text)
    if args.output:
        if args.output == "-":
            sys.stdout.write(text)
            return 0
        try:
            with open(args.output, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        except OSError as exc:
            raise LoadError(f"cannot write {args.output}: {exc.strerror}") from exc
        return 0
    out = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
    if out is not None:
        sys.stdout.flush()
        out.write(text.encode("utf-8"))
        out.flush()
    else:
        sys.stdout.write(text)
    return 0


def _annotated(result: Any, text: str) -> str:
    """The output with provenance comments (``envlib build --annotate``)."""
    from envlib.provenance import Provenance, project_root
    from envlib.provenance.annotate import annotate

    prov = Provenance(result.resources, result.trace, project_root(result.root))
    return annotate(text, result.resources, prov).text
