"""Kubernetes quantities: parse with ``kubernetes.utils.parse_quantity``, print readably.

Tables keep numbers (CPU in cores, memory in bytes) so that totals and comparisons are exact
arithmetic, and add a readable text column next to them; both go through this module so that
"1000m" and "1" are always the same amount.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

from kubernetes.utils import parse_quantity  # type: ignore[import-untyped,unused-ignore]

_DECIMAL = (("E", 10**18), ("P", 10**15), ("T", 10**12), ("G", 10**9), ("M", 10**6), ("k", 10**3))
_BINARY = (("Ei", 2**60), ("Pi", 2**50), ("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10))


def parse(value: Any) -> float | None:
    """A quantity as a float (cores, bytes, counts); ``None`` when absent or unparsable.

    Unparsable text (e.g. an unresolved ``${VAR}``) is treated as absent rather than failing
    the whole table; the raw text stays visible in the per-container view.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        parsed: Decimal = parse_quantity(str(value))
    except (ValueError, InvalidOperation, TypeError):
        return None
    return float(parsed)


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
