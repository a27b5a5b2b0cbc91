"""Kubernetes quantities: parse with ``kubernetes.utils.parse_quantity``, print readably.

Tables keep numbers (CPU in cores, memory in bytes) so that totals and comparisons are exact
arithmetic, and add a readable text column next to them; both go through this module so that
"1000m" and "1" are always the same amount.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import os
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

_DECIMAL = (("E", 10**18), ("P", 10**15), ("T", 10**12), ("G", 10**9), ("M", 10**6), ("k", 10**3))
_BINARY = (("Ei", 2**60), ("Pi", 2**50), ("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10))


@functools.cache
def _parser() -> Callable[[str], Decimal]:
    """``kubernetes.utils.parse_quantity``, loaded on first use without the rest of the client.

    ``import kubernetes.utils`` runs the package's ``__init__``, which imports the whole API
    client and kubeconfig machinery (a quarter of a second, more than an embedded-repository
    ``envlib preview`` computes). The parser's own module, ``kubernetes/utils/quantity.py``,
    imports only :mod:`decimal`, so it is loaded straight from its file (under a private
    name, leaving ``sys.modules`` as a normal ``import kubernetes`` expects it). Should the
    package ever be laid out differently, the ordinary import is used.
    """
    try:
        spec = importlib.util.find_spec("kubernetes")
        where = list(spec.submodule_search_locations or []) if spec else []
        path = os.path.join(where[0], "utils", "quantity.py")
        module_spec = importlib.util.spec_from_file_location("_envlib_k8s_quantity", path)
        if module_spec is None or module_spec.loader is None:
            raise ImportError(path)
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        found: Callable[[str], Decimal] = module.parse_quantity
    except (ImportError, OSError, IndexError, AttributeError):
        from kubernetes.utils import parse_quantity  # type: ignore[import-untyped,unused-ignore]

        found = parse_quantity
    return found


@functools.lru_cache(maxsize=4096)
def _parse_text(text: str) -> float | None:
    try:
        parsed = _parser()(text)
    except (ValueError, InvalidOperation, TypeError):
        return None
    return float(parsed)


def parse(value: Any) -> float | None:
    """A quantity as a float (cores, bytes, counts); ``None`` when absent or unparsable.

    Unparsable text (e.g. an unresolved ``${VAR}``) is treated as absent rather than failing
    the whole table; the raw text stays visible in the per-container view.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return _parse_text(str(value))


def _trim(number: float, digits: int = 2) -> str:
    text = f"{number:.{digits}f}".rstrip("0").rstrip(".")
    return text or "0"


def format_cpu(cores: float | None) -> str:
    """Cores as kubectl would write them: ``500m`` below one core, ``1.5`` above."""
    if cores is None or (isinstance(cores, float) and math.isnan(cores)):
        return ""
    if cores == 0:
        return "0"
    if abs(cores) < 1:
        return f"{_trim(cores * 1000, 1)}m"
    return _trim(cores, 3)


def format_memory(size: float | None) -> str:
    """Bytes in the largest binary unit that keeps the number at least 1 (``2Gi``, ``512Mi``)."""
    if size is None or (isinstance(size, float) and math.isnan(size)):
        return ""
    if size == 0:
        return "0"
    for (suffix, factor), (_, binary) in zip(_DECIMAL, _BINARY, strict=True):
        # written as 1G / 500M (a whole number of decimal units, not binary ones): keep it
        if abs(size) >= factor and size % factor == 0 and size % binary != 0:
            return f"{_trim(size / factor)}{suffix}"
    for suffix, factor in _BINARY:
        if abs(size) >= factor:
            return f"{_trim(size / factor)}{suffix}"
    return _trim(size, 0)


def format_count(count: float | None) -> str:
    """A count (replicas, GPUs) without a trailing ``.0``."""
    if count is None or (isinstance(count, float) and math.isnan(count)):
        return ""
    return _trim(count, 2)


def same_quantity(left: Any, right: Any) -> bool:
    """Whether two scalar values are the same quantity written differently (``1`` vs ``1000m``)."""
    if not isinstance(left, (str, int, float)) or not isinstance(right, (str, int, float)):
        return False
    if isinstance(left, bool) or isinstance(right, bool):
        return False
    if left == right and type(left) is type(right):
        return False
    a, b = parse(left), parse(right)
    return a is not None and b is not None and a == b
