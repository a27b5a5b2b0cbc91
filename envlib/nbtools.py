"""Execute notebooks in place with their outputs, and check committed notebooks.

The notebooks under ``notebooks/`` are committed *with* outputs and compared strictly by
nbval, so how they are executed matters:

* outputs are produced by nbclient in the current interpreter (the kernel ``python3`` resolves
  to ``sys.executable``), with ``store_widget_state=False`` and no per-cell timing metadata,
  so a re-run changes only what really changed;
* ``metadata.widgets`` is removed afterwards: nbval never reads it, JupyterLab does not
  refresh it, and stale widget state in git only produces noise;
* a cell tagged ``raises-exception`` may fail (nbclient and nbval both honour the tag); its
  traceback is cut to ``ename: evalue`` (the frames name this machine's paths, and nbval does
  not compare tracebacks); any other error aborts and leaves the notebook file untouched.

``check`` is what tests/test_notebooks_committed.py asserts: every code cell has run, the
notebook has outputs, and no widget state is stored.

    python -m envlib.nbtools execute notebooks/01-onboarding.ipynb [...]
    python -m envlib.nbtools check notebooks/*.ipynb
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def _read(path: Path) -> Any:
    import nbformat

    return nbformat.read(str(path), as_version=4)


def strip_widget_state(nb: Any) -> bool:
    """Remove ``metadata.widgets``; True when something was removed."""
    return nb.metadata.pop("widgets", None) is not None


def execute(path: Path, timeout: int = 600) -> None:
    """Run every cell of the notebook at ``path`` in its own folder and save it in place."""
    import nbformat
    from nbclient import NotebookClient

    nb = _read(path)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=KERNELSPEC["name"],
        resources={"metadata": {"path": str(path.parent.resolve())}},
        store_widget_state=False,
        record_timing=False,
    )
    client.execute()
    strip_widget_state(nb)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                # the frames name this machine's paths; nbval ignores tracebacks anyway
                out["traceback"] = [f"{out['ename']}: {out['evalue']}"]
    nbformat.validate(nb)
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


def problems(path: Path) -> list[str]:
    """Why the committed notebook at ``path`` is not fit for strict nbval (empty: fine)."""
    nb = _read(path)
    found: list[str] = []
    if "widgets" in nb.metadata:
        found.append("metadata.widgets is stored (strip it: python -m envlib.nbtools execute)")
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not code:
        found.append("no code cells")
    if code and not any(c.get("outputs") for c in code):
        found.append("saved without outputs")
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        if cell.get("execution_count") is None:
            found.append(f"cell {index} has not been run")
        tags = cell.metadata.get("tags", [])
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors and "raises-exception" not in tags:
            found.append(f"cell {index} shows an error but is not tagged raises-exception")
    counts = [c.get("execution_count") for c in code if c.source.strip()]
    if all(isinstance(n, int) for n in counts) and counts != list(range(1, len(counts) + 1)):
        found.append(f"cells were not run top to bottom in one session (counts {counts})")
    return found


def main(argv: list[str] | None = None) -> int:
    """``execute`` or ``check`` the notebooks named on the command line; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m envlib.nbtools", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("execute", help="run notebooks in place and save their outputs")
    run.add_argument("notebooks", nargs="+", type=Path)
    run.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    chk = sub.add_parser(
        "check", help="check committed notebooks (outputs, no unrun cells, no widget state)"
    )
    chk.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    status = 0
    for path in args.notebooks:
        if args.command == "execute":
            print(f"executing {path}", flush=True)
            execute(path, timeout=args.timeout)
            continue
        for problem in problems(path):
            print(f"{path}: {problem}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
