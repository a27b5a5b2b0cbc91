"""Which resource in one environment is "the same" as which in another.

Overlays rename things: ``namePrefix: dev-``, a per-environment namespace, or a generator hash
suffix (``app-config-7g2h9mbk5t``). Matching on the rendered name would make every renamed
object look removed and re-added, so resources are matched on a *logical key*, in this order:

1. the original id the engine recorded before any prefix/suffix/namespace (``org_id``), minus a
   generator hash suffix;
2. the name with the environment's common ``namePrefix``/``nameSuffix`` removed (computed from
   all names in the environment), minus a hash suffix;
3. a unique remaining pair of the same kind where one name is the other plus a ``-`` affix.

Namespace is not part of the key unless two objects of one environment would otherwise
collide. Every match says how it was made, so a renamed match is visible, never silent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from envlib.kustomize.core.resource import Resource

# kustomize's hash: 10 chars of hex with 0,1,3,a,e replaced by g,h,k,m,t
_HASH = re.compile(r"-[2456789bcdfghkmt]{10}$")

Key = tuple[str, str, str, str]  # group, kind, logical name, namespace ("" unless needed)


def strip_hash(name: str) -> str:
    """The name without a kustomize generator hash suffix."""
    if len(name) < 11 or name[-11] != "-":  # cheap test first: most names have none
        return name
    return _HASH.sub("", name)


def has_hash(name: str) -> bool:
    """Whether the name ends in something that looks like a kustomize hash suffix."""
    return len(name) >= 11 and name[-11] == "-" and _HASH.search(name) is not None


def _common_start(texts: Sequence[str]) -> str:
    """The longest string every text starts with."""
    if not texts:
        return ""
    first, last = min(texts), max(texts)
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:size]


def _affixes(names: Sequence[str]) -> tuple[str, str]:
    """The ``-``-delimited prefix and suffix every name in an environment shares."""
    if len(names) < 2:
        return "", ""
    prefix = _common_start(list(names))
    prefix = prefix[: prefix.rfind("-") + 1] if "-" in prefix else ""
    rev = [n[::-1] for n in names]
    suffix = _common_start(rev)[::-1]
    suffix = suffix[suffix.find("-") :] if "-" in suffix else ""
    if any(len(n) <= len(prefix) + len(suffix) for n in names):
        return "", ""
    return prefix, suffix


@dataclass
class Match:
    """A pair (either side may be missing) and how it was matched."""

    key: str
    left: Resource | None
    right: Resource | None
    how: str  # "same id", "renamed (...)", "" for unmatched

    @property
    def kind(self) -> str:
        """The kind of whichever side is present."""
        res = self.left or self.right
        assert res is not None
        return res.kind


def _logical(res: Resource, prefix: str, suffix: str) -> str:
    org = strip_hash(res.org_id.name)
    cur = strip_hash(res.name)
    if org != cur:  # the engine told us the original name
        return org
    name = cur
    if prefix and name.startswith(prefix):
        name = name[len(prefix) :]
    if suffix and name.endswith(suffix):
        name = name[: -len(suffix)]
    return name


_Memo = dict[
    tuple[int, tuple[int, ...]],
    tuple[Sequence[Resource], tuple[Sequence[Resource], ...], dict[Key, Resource]],
]
_MEMO: ContextVar[_Memo | None] = ContextVar("envlib_matching_memo", default=None)


@contextmanager
def memoised() -> Iterator[None]:
    """Within the block, the logical keys of one list of resources are worked out once.

    Why: the promotion preview matches an environment's two revisions and keys their
    workloads for capacity, from the same lists. The lists must not change inside the block.
    """
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def _keys(
    resources: Sequence[Resource], others: Sequence[Sequence[Resource]] = ()
) -> dict[Key, Resource]:
    """Logical key per resource, qualified by namespace where names would collide.

    ``others`` are the environments ``resources`` is compared with: a prefix or suffix
    guessed from the names alone is kept only when it does not match them worse than the
    names as written (see :func:`_compute_keys`).
    """
    memo = _MEMO.get()
    if memo is None:
        return _compute_keys(resources, others)
    others = tuple(others)
    slot = (id(resources), tuple(id(o) for o in others))
    hit = memo.get(slot)
    if (
        hit is not None
        and hit[0] is resources
        and all(a is b for a, b in zip(hit[1], others, strict=True))
    ):
        return hit[2]
    found = _compute_keys(resources, others)
    memo[slot] = (resources, others, found)
    return found


def _compute_keys(
    resources: Sequence[Resource], others: Sequence[Sequence[Resource]]
) -> dict[Key, Resource]:
    """Keys with the environment's guessed common affix, or with the names as written.

    Why both: a ``-`` affix that every name of one environment happens to share
    (``simple-deployment``, ``simple-service``) looks like a ``namePrefix`` written into
    the files, but the other environment may hold the very same names beside others. The
    guess stands unless the names as written match the other environments' keys better.
    """
    plain = [strip_hash(r.name) for r in resources if r.org_id.name == r.name]
    prefix, suffix = _affixes(plain)
    guessed = _keys_with(resources, prefix, suffix)
    if not (prefix or suffix) or not others:
        return guessed
    theirs: set[Key] = set()
    for other in others:
        theirs.update(_keys(other))
    as_written = _keys_with(resources, "", "")
    if len(as_written.keys() & theirs) > len(guessed.keys() & theirs):
        return as_written
    return guessed


def _keys_with(resources: Sequence[Resource], prefix: str, suffix: str) -> dict[Key, Resource]:
    """Logical keys with ``prefix``/``suffix`` taken off names the engine did not change."""
    base: list[tuple[tuple[str, str, str], Resource]] = [
        ((r.gvk.group, r.kind, _logical(r, prefix, suffix)), r) for r in resources
    ]
    counts: dict[tuple[str, str, str], int] = {}
    for key, _ in base:
        counts[key] = counts.get(key, 0) + 1
    out: dict[Key, Resource] = {}
    for key, res in base:
        namespace = res.namespace if counts[key] > 1 else ""
        full: Key = (*key, namespace)
        while full in out:  # same logical name twice (e.g. "" vs "default" namespace)
            full = (full[0], full[1], full[2] + "'", full[3])
        out[full] = res
    return out


def logical_keys(
    resources: Sequence[Resource], others: Sequence[Sequence[Resource]] = ()
) -> dict[int, Key]:
    """The logical key of every resource, by ``id()`` of the resource.

    Pass the environments the keys will be compared across as ``others``.
    """
    return {id(res): key for key, res in _keys(resources, others).items()}


def _how(left: Resource, right: Resource) -> str:
    if left.cur_id.key == right.cur_id.key:
        return "same id"
    reasons: list[str] = []
    if left.name != right.name:
        if strip_hash(left.name) == strip_hash(right.name):
            reasons.append("hash suffix")
        else:
            reasons.append("name")
    if left.cur_id.effective_namespace != right.cur_id.effective_namespace:
        reasons.append("namespace")
    return f"renamed ({', '.join(reasons)})" if reasons else "same id"


def describe_key(key: Key) -> str:
    """``Kind/name`` (plus ``@namespace`` when needed) for a logical key."""
    _group, kind, name, namespace = key
    text = f"{kind}/{name}"
    return f"{text}@{namespace}" if namespace else text


def key_name(key: Key) -> str:
    """The logical name of a key (plus ``@namespace`` when needed), without the kind."""
    return f"{key[2]}@{key[3]}" if key[3] else key[2]


def match_resources(left: Sequence[Resource], right: Sequence[Resource]) -> list[Match]:
    """Pair up resources of two environments; unmatched ones come back with one side None."""
    lkeys, rkeys = _keys(left, [right]), _keys(right, [left])
    matches: list[Match] = []
    for key, res in lkeys.items():
        other = rkeys.get(key)
        matches.append(Match(describe_key(key), res, other, _how(res, other) if other else ""))
    matched_right = {id(m.right) for m in matches if m.right is not None}
    only_right = [(k, r) for k, r in rkeys.items() if id(r) not in matched_right]
    # last resort: a unique same-kind pair whose names differ by a '-' affix
    for match in matches:
        if match.right is not None or match.left is None:
            continue
        lname = strip_hash(match.left.name)
        candidates = [
            (k, r)
            for k, r in only_right
            if r.kind == match.left.kind
            and r.gvk.group == match.left.gvk.group
            and _affix_related(lname, strip_hash(r.name))
        ]
        if len(candidates) == 1:
            match.right = candidates[0][1]
            match.how = _how(match.left, match.right)
            only_right.remove(candidates[0])
    matches.extend(Match(describe_key(k), None, r, "") for k, r in only_right)
    return matches


def _affix_related(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return long.startswith(short + "-") or long.endswith("-" + short)
