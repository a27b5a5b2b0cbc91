"""The ``envlib`` command line: dispatch to sub-commands, turn errors into one line.

Sub-commands live in :mod:`envlib.commands` (one module each, with ``register(subparsers)``)
and are imported lazily so ``envlib build`` never imports pandas or Jupyter.
Every :class:`~envlib.errors.EnvlibError` becomes ``error: <one line>`` on stderr and exit
status 1; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from envlib.errors import EnvlibError

# sub-command name -> module in envlib.commands that registers it
COMMANDS: dict[str, str] = {
    "build": "build_cmd",
    "envs": "env_cmds",
    "table": "env_cmds",
    "diff": "env_cmds",
    "experiment": "env_cmds",
    "check": "env_cmds",
    "blame": "env_cmds",
    "preview": "preview_cmd",
    "explain": "explain_cmds",
    "lint": "explain_cmds",
}


def _parser(selected: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="envlib",
        description="Explore Kustomize + Argo CD environments, rendered exactly as kustomize does.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = sorted(set(COMMANDS.values())) if selected is None else [COMMANDS[selected]]
    for module_name in modules:
        try:
            module = importlib.import_module(f"envlib.commands.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"envlib.commands.{module_name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    # --debug is accepted anywhere on the line (``envlib build DIR --debug`` too)
    debug = "--debug" in args_list
    args_list = [a for a in args_list if a != "--debug"]
    selected = next((a for a in args_list if not a.startswith("-")), None)
    parser = _parser(selected if selected in COMMANDS else None)
    args = parser.parse_args(args_list)
    args.debug = debug
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.handler(args) or 0)
    except EnvlibError as exc:
        if args.debug:
            raise
        print(f"error: {exc.one_line()}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug in envlib, not bad input: still one line by default
        if args.debug:
            raise
        print(
            f"error: internal error ({type(exc).__name__}: {exc}); "
            "run again with --debug for the traceback and please report it",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
