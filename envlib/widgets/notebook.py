"""The first cell of every notebook: which repository, which working directory, which display.

Notebook outputs are committed and compared strictly by nbval, so they must not depend on
the machine: envlib prints file paths relative to the working directory, and a kernel starts
in the notebook's folder, from which the embedded repository is ``../k8s``. :func:`open_repo`
therefore works from the folder that *holds* the repository (paths read ``k8s/base/...``),
and fixes pandas' and matplotlib's display settings. Calling it again (re-running the first
cell) returns the same answer instead of resolving ``../k8s`` from the new directory.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from .state import resolve_repo

_OPENED: dict[str, Path] = {}

PANDAS_OPTIONS = {
    "display.max_columns": 40,
    "display.max_colwidth": 90,
    "display.width": 200,
    "display.max_rows": 80,
}
MATPLOTLIB_RC = {"figure.figsize": (7.5, 3.2), "figure.dpi": 100, "font.size": 9}


def open_repo(repo: str | os.PathLike[str] | None = None) -> Path:
    """The repository to explore (``repo``, ``$ENVLIB_REPO`` or ``../k8s``); chdir to its parent."""
    key = os.fspath(repo) if repo is not None else os.environ.get("ENVLIB_REPO", "")
    if key not in _OPENED:
        _OPENED[key] = resolve_repo(repo)
    found = _OPENED[key]
    os.chdir(found.parent)
    import pandas as pd

    for option, value in PANDAS_OPTIONS.items():
        pd.set_option(option, value)
    import matplotlib
    import matplotlib.style

    matplotlib.style.use("default")
    matplotlib.rcParams.update(MATPLOTLIB_RC)  # type: ignore[arg-type]
    shell = _kernel_shell()
    if shell is not None:
        # registers the inline PNG formatter for every Figure, so a chart returned as a cell's
        # value is drawn (envlib's charts are plain Figures, made without pyplot)
        shell.run_line_magic("matplotlib", "inline")
    return found


def _kernel_shell() -> Any:
    if "ipykernel" not in sys.modules:
        return None
    from IPython import get_ipython

    return get_ipython()
