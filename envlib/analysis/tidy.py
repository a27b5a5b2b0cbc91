"""Tidy records for machines: ``-o json`` of the workload table, one row per env x workload.

Why: the text table is wide (one column group per environment) and its cells are display
strings; a script wants one record per environment and workload, numbers as numbers
(replicas as integers, CPU in cores, memory in bytes), the quantity as written beside it,
and the column names a person reads ("CPU request", not ``cpu_request_text``).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from . import quantities as q
from .diff import MISSING

# inventory column -> the record's key (numbers); quantities keep their text beside
WORKLOAD_FIELDS: tuple[tuple[str, str], ...] = (
    ("env", "environment"),
    ("kind", "kind"),
    ("name", "name"),
    ("namespace", "namespace"),
    ("key", "workload"),
    ("replicas", "replicas"),
    ("effective_replicas", "effective replicas"),
    ("hpa", "HPA"),
    ("hpa_min", "HPA min"),
    ("hpa_max", "HPA max"),
    ("containers", "containers"),
    ("cpu_request", "CPU request (cores)"),
    ("cpu_request_text", "CPU request"),
    ("cpu_limit", "CPU limit (cores)"),
    ("cpu_limit_text", "CPU limit"),
    ("memory_request", "memory request (bytes)"),
    ("memory_request_text", "memory request"),
    ("memory_limit", "memory limit (bytes)"),
    ("memory_limit_text", "memory limit"),
    ("gpu", "GPUs"),
    ("total_cpu_request", "total CPU request (cores)"),
    ("total_memory_request", "total memory request (bytes)"),
    ("total_cpu_limit", "total CPU limit (cores)"),
    ("total_memory_limit", "total memory limit (bytes)"),
    ("images", "images"),
    ("tags", "tags"),
    ("log_level", "log level"),
    ("file", "file"),
)
TOTAL_FIELDS: tuple[tuple[str, str], ...] = (
    ("env", "environment"),
    ("workloads", "workloads"),
    ("replicas", "replicas"),
    ("total_cpu_request", "CPU request (cores)"),
    ("total_cpu_request_text", "CPU request"),
    ("total_cpu_limit", "CPU limit (cores)"),
    ("total_cpu_limit_text", "CPU limit"),
    ("total_memory_request", "memory request (bytes)"),
    ("total_memory_request_text", "memory request"),
    ("total_memory_limit", "memory limit (bytes)"),
    ("total_memory_limit_text", "memory limit"),
)
_INTEGERS = {"replicas", "effective replicas", "HPA min", "HPA max", "containers", "workloads"}


def _value(value: Any, integer: bool) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if integer or (value.is_integer() and abs(value) >= 1):
            return int(value) if value.is_integer() else value
        return value
    if hasattr(value, "item"):  # numpy scalars
        return _value(value.item(), integer)
    if isinstance(value, str):
        return value if value != "" else None
    return value


def tidy_records(frame: pd.DataFrame, fields: tuple[tuple[str, str], ...]) -> list[dict[str, Any]]:
    """``frame`` as records with the human keys of ``fields`` (columns it lacks are skipped)."""
    present = [(c, k) for c, k in fields if c in frame.columns]
    out = []
    for row in frame.to_dict("records"):
        out.append({key: _value(row[column], key in _INTEGERS) for column, key in present})
    return out


_QUANTITY_FIELDS = (".cpu", ".memory", ".ephemeral-storage", "/gpu", '"]', ".storage")


def _is_quantity_field(field: str) -> bool:
    """Resource amounts (``...requests.cpu``, ``...limits["nvidia.com/gpu"]``, storage)."""
    lowered = field.lower()
    if not any(p in lowered for p in ("requests", "limits", "storage", "capacity")):
        return False
    return lowered.endswith(_QUANTITY_FIELDS)


def change_records(
    changes: pd.DataFrame, left: str, right: str, raw: Any = None
) -> list[dict[str, Any]]:
    """Diff changes as tidy rows: one per changed field and environment.

    ``value`` is the field's value in that environment (numbers stay numbers, ``null`` when
    the field is absent there); resource amounts also get ``quantity`` (cores or bytes,
    parsed as Kubernetes does) so scripts can compare "500m" with "0.5".
    """
    out: list[dict[str, Any]] = []
    typed = getattr(raw, "values", None) or {}
    for row in changes.to_dict("records"):
        pair = typed.get((row.get("resource"), row.get("field")))
        for index, (env, column) in enumerate(((left, "left"), (right, "right"))):
            if pair is not None:
                value = None if pair[index] is MISSING else pair[index]
            else:
                value = _value(row.get(column), False)
            record = {
                "resource": row.get("resource"),
                "field": row.get("field"),
                "status": row.get("status"),
                "environment": env,
                "value": value,
            }
            if _is_quantity_field(str(row.get("field", ""))) and value is not None:
                record["quantity"] = q.parse(value)
            record["note"] = row.get("note") or None
            out.append(record)
    return out


__all__ = ["TOTAL_FIELDS", "WORKLOAD_FIELDS", "change_records", "tidy_records"]
