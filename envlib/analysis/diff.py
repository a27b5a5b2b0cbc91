"""Field-level difference between two rendered environments.

Resources are paired with :mod:`envlib.analysis.matching` (so ``dev-api`` in namespace
``dev`` meets ``api`` in ``prod``), then walked side by side. Lists of objects that carry a
merge key (``name``, ``containerPort``, ``mountPath``, ...) are paired by that key, so a
reordered container list is not a difference and a row says ``containers[name=mlserver]``
rather than ``containers[1]``.

Nothing is dropped silently: a difference judged to be noise (a generator hash suffix, the
same quantity written differently, a cluster-written field, a user ``ignore`` pattern) is a
row with status ``ignored`` and the reason, so a reader can always check the judgement.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

import pandas as pd

from .environments import RenderedEnv
from .matching import Match, has_hash, match_resources, strip_hash
from .quantities import same_quantity

PathPart = str | int | tuple[str, Any]

# (field path pattern, reason): written by the cluster, never by the repository
DEFAULT_IGNORE: tuple[tuple[str, str], ...] = (
    ("status", "status is written by the cluster"),
    ("status.*", "status is written by the cluster"),
    ("metadata.managedFields*", "written by the API server"),
    ("metadata.creationTimestamp", "written by the API server"),
    ("metadata.resourceVersion", "written by the API server"),
    ("metadata.generation", "written by the API server"),
    ("metadata.uid", "written by the API server"),
)
MERGE_KEYS = ("name", "containerPort", "port", "mountPath", "devicePath", "ip", "topologyKey")
COLUMNS = [
    "resource",
    "kind",
    "status",
    "field",
    "left",
    "right",
    "note",
    "left_id",
    "right_id",
    "left_file",
    "right_file",
]
_PLAIN_KEY = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")
_ABSENT = object()


def format_path(path: Sequence[PathPart]) -> str:
    """A field path as text: ``spec.containers[name=app].image``.

    Parts are keys, list indexes, or ``(merge key, value)`` pairs for keyed list items.
    """
    out = ""
    for part in path:
        if isinstance(part, tuple):
            out += f"[{part[0]}={part[1]}]"
        elif isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part)}]"
    return out


def format_value(value: Any) -> str | None:
    """A value for a table cell: scalars as text, objects as compact JSON, absent as None."""
    if value is _ABSENT:
        return None
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, sort_keys=False, separators=(", ", ": "), default=str)


def _merge_key(left: list[Any], right: list[Any]) -> str | None:
    if not left or not right:
        items = left or right
    else:
        items = left + right
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for key in MERGE_KEYS:
        if all(key in i for i in items):
            lvals = [i[key] for i in left]
            rvals = [i[key] for i in right]
            if len(set(map(repr, lvals))) == len(lvals) and len(set(map(repr, rvals))) == len(
                rvals
            ):
                return key
    return None


def walk(
    left: Any, right: Any, path: tuple[PathPart, ...] = ()
) -> Iterator[tuple[tuple[PathPart, ...], Any, Any]]:
    """Every differing leaf (or whole subtree present on one side only) of two values."""
    if left is _ABSENT or right is _ABSENT:
        yield path, left, right
        return
    if type(left) is type(right) and left == right:
        return
    if isinstance(left, dict) and isinstance(right, dict):
        for key in list(dict.fromkeys([*left, *right])):
            yield from walk(left.get(key, _ABSENT), right.get(key, _ABSENT), (*path, key))
        return
    if isinstance(left, list) and isinstance(right, list):
        key = _merge_key(left, right)
        if key is not None:
            lmap = {repr(i[key]): i for i in left}
            rmap = {repr(i[key]): i for i in right}
            for ident in dict.fromkeys([*lmap, *rmap]):
                item = lmap.get(ident, rmap.get(ident))
                assert isinstance(item, dict)
                part = (key, item[key])
                yield from walk(lmap.get(ident, _ABSENT), rmap.get(ident, _ABSENT), (*path, part))
            return
        if all(isinstance(i, (dict, list)) for i in [*left, *right]) and len(left) == len(right):
            for index, (a, b) in enumerate(zip(left, right, strict=True)):
                yield from walk(a, b, (*path, index))
            return
    yield path, left, right


def _ignored(field: str, left: Any, right: Any, patterns: Sequence[tuple[str, str]]) -> str:
    for pattern, reason in patterns:
        if fnmatch.fnmatchcase(field, pattern):
            return reason
    if (
        isinstance(left, str)
        and isinstance(right, str)
        and (has_hash(left) or has_hash(right))
        and strip_hash(left) == strip_hash(right)
    ):
        return "generated hash suffix (the content change shows on the generated object)"
    if ".resources." in f".{field}." and same_quantity(left, right):
        return "same quantity written differently"
    return ""


def _argocd_note(rendered: RenderedEnv, match: Match, path: tuple[PathPart, ...]) -> str:
    """Mention an Argo CD ignoreDifferences entry of the environment covering this field."""
    res = match.right if rendered is not None else None
    if res is None:
        return ""
    pointer = "/" + "/".join(str(p[1] if isinstance(p, tuple) else p) for p in path)
    for entry in rendered.env.app.ignore_differences:
        if (
            entry.get("kind") not in (None, res.kind)
            or entry.get("group", res.gvk.group) != res.gvk.group
        ):
            continue
        if entry.get("name") not in (None, res.name):
            continue
        for json_pointer in entry.get("jsonPointers") or []:
            if pointer == json_pointer or pointer.startswith(str(json_pointer).rstrip("/") + "/"):
                return f"Argo CD ignores {json_pointer} in {rendered.name} (ignoreDifferences)"
    return ""


def _ident(res: Any) -> str | None:
    if res is None:
        return None
    return f"{res.name}.{res.namespace}" if res.namespace else str(res.name)


def diff_envs(
    left: RenderedEnv,
    right: RenderedEnv,
    *,
    ignore: Sequence[str | tuple[str, str]] = (),
    default_ignore: Sequence[tuple[str, str]] = DEFAULT_IGNORE,
    matches: Sequence[Match] | None = None,
) -> pd.DataFrame:
    """Every difference between two environments, one row per resource-only or changed field.

    ``status`` is ``only in <left>``, ``only in <right>``, ``changed`` or ``ignored``; ``note``
    says how renamed resources were matched, why a row is ignored, or that Argo CD ignores the
    field. ``ignore`` adds field patterns (``fnmatch`` on the dotted path, e.g.
    ``metadata.labels*``) whose differences are reported as ignored. ``frame.attrs`` holds the
    two environment names under ``left`` and ``right``. ``matches`` are the pairs
    :func:`~.matching.match_resources` gives for the two (callers that need them too pass
    them, instead of matching twice).
    """
    patterns = [
        *default_ignore,
        *((p, "ignored on request") if isinstance(p, str) else p for p in ignore),
    ]
    rows: list[dict[str, Any]] = []
    raw = RawValues()
    if matches is None:
        matches = match_resources(left.resources, right.resources)
    for match in matches:
        base = {
            "resource": match.key,
            "kind": match.kind,
            "left_id": _ident(match.left),
            "right_id": _ident(match.right),
            "left_file": str(match.left.origin) if match.left else None,
            "right_file": str(match.right.origin) if match.right else None,
        }
        if match.left is None or match.right is None:
            env = left.name if match.left is not None else right.name
            rows.append(
                {
                    **base,
                    "status": f"only in {env}",
                    "field": "",
                    "left": None,
                    "right": None,
                    "note": "",
                }
            )
            continue
        for path, lval, rval in walk(match.left.obj, match.right.obj):
            field = format_path(path)
            reason = _ignored(field, lval, rval, patterns)
            note = (
                reason or _argocd_note(right, match, path) or _argocd_note(left, _flip(match), path)
            )
            if not reason and path[:2] == ("metadata", "name") and match.how:
                note = f"matched as {match.how}"
            rows.append(
                {
                    **base,
                    "status": "ignored" if reason else "changed",
                    "field": field,
                    "left": format_value(lval),
                    "right": format_value(rval),
                    "note": note,
                }
            )
            raw.values[(match.key, field)] = (_raw(lval), _raw(rval))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame.attrs["left"] = left.name
    frame.attrs["right"] = right.name
    frame.attrs["values"] = raw
    return frame


class RawValues:
    """The typed values behind a diff frame's text cells, by (resource, field).

    Why: the frame's ``left``/``right`` are display text (``"1"`` for both the number and
    the string), and JSON output wants numbers as numbers. Kept in ``frame.attrs``, which
    pandas deep-copies on every operation, so copying returns the same object.
    """

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], tuple[Any, Any]] = {}

    def __deepcopy__(self, memo: dict[int, Any]) -> RawValues:
        return self


MISSING = object()
"""A value absent from one environment (as opposed to an explicit ``null``)."""


def _raw(value: Any) -> Any:
    return MISSING if value is _ABSENT else value


def _flip(match: Match) -> Match:
    return Match(match.key, match.right, match.left, match.how)


def diff_summary(diff: pd.DataFrame) -> pd.DataFrame:
    """Per resource: its status and how many fields changed or were ignored."""
    if diff.empty:
        return pd.DataFrame(columns=["resource", "kind", "status", "changed", "ignored"])
    rows: list[dict[str, Any]] = []
    for (resource, kind), group in diff.groupby(["resource", "kind"], sort=False):
        statuses = set(group["status"])
        only = next((s for s in statuses if s.startswith("only in")), "")
        changed = int((group["status"] == "changed").sum())
        ignored = int((group["status"] == "ignored").sum())
        status = only or ("changed" if changed else "ignored only")
        rows.append(
            {
                "resource": resource,
                "kind": kind,
                "status": status,
                "changed": changed,
                "ignored": ignored,
            }
        )
    return pd.DataFrame(rows)
