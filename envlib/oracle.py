"""Where the reference ``kubectl kustomize`` lives (the oracle envlib is compared with).

The ``kubectl`` first on PATH on the project machines may be a dispatcher build that prints
errors differently; the stock binaries sit beside the resolved link as ``kubectl.1.27`` …
``kubectl.1.33``, and ``kubectl.1.32`` embeds Kustomize v5.5.0, the version envlib follows.
Tests, benchmarks and the ``ENVLIB_RENDERER=kubectl`` cross-check all find it here.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

STOCK_NAME = "kubectl.1.32"


def find_kubectl(explicit: str | None = None) -> str | None:
    """``explicit``, else ``$ENVLIB_KUBECTL``, else stock kubectl 1.32 beside ``kubectl``."""
    chosen = explicit or os.environ.get("ENVLIB_KUBECTL")
    if chosen:
        return chosen
    found = shutil.which("kubectl")
    if not found:
        return None
    stock = Path(os.path.realpath(found)).parent / STOCK_NAME
    return str(stock) if stock.exists() else found
