"""Redaction of secret values: the one place that keeps them out of every output.

Every rendered environment passes through :func:`redact_resources` inside
:func:`envlib.analysis.environments.render` before any analysis sees it, so tables, diffs,
checks, blame and the CLI can only ever show the placeholder. That covers Secret ``data`` and
``stringData`` whether they came from a manifest or from a ``secretGenerator`` (literals,
files or env files all end up in the generated Secret's ``data``), and the
``last-applied-configuration`` annotation, which would otherwise repeat them.

A redacted value still compares *unequal* to a redacted different value, so the environment
diff can say "this key differs between dev and prod" without saying what it is: each
placeholder carries an HMAC of the value under a key that is random per process and never
leaves memory (so nobody can brute-force it from the output, and nothing leaks across runs).
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import hmac
import secrets as _stdlib_secrets
from typing import Any

from envlib.kustomize.core.resource import Resource

PLACEHOLDER = "<redacted>"

_KEY = _stdlib_secrets.token_bytes(32)

# annotations that echo a whole object (and so its secret values)
_ECHO_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",)

# paths below which blame/trace values are secret, as tuples of keys
SECRET_FIELDS = ("data", "stringData")


class Redacted(str):
    """The placeholder text, comparing equal only to a placeholder of the same value.

    It is a ``str`` so that JSON, pandas and text rendering print ``<redacted>`` with no special
    casing; only equality (used by the diff) looks at the hidden digest.
    """

    __slots__ = ("_digest",)
    _digest: bytes

    def __new__(cls, value: object) -> Redacted:
        obj = super().__new__(cls, PLACEHOLDER)
        raw = value if isinstance(value, bytes) else str(value).encode("utf-8", "replace")
        obj._digest = hmac.new(_KEY, raw, hashlib.sha256).digest()
        return obj

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Redacted):
            return hmac.compare_digest(self._digest, other._digest)
        return False

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self._digest)

    def __reduce__(self) -> tuple[Any, ...]:  # pragma: no cover - pickling keeps no secret
        return (str, (PLACEHOLDER,))


def is_secret(obj: dict[str, Any]) -> bool:
    """Whether an object is a core/v1 Secret (the only kind whose values we hide)."""
    return obj.get("kind") == "Secret" and obj.get("apiVersion") in ("v1", None, "")


def redact_object(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``obj`` with secret values replaced by :class:`Redacted` placeholders.

    Objects that are not Secrets are returned unchanged (the same object) except that an
    echoing ``last-applied-configuration`` annotation is redacted on any kind.
    """
    meta = obj.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    echo = isinstance(annotations, dict) and any(a in annotations for a in _ECHO_ANNOTATIONS)
    if not is_secret(obj) and not echo:
        return obj
    out = copy.deepcopy(obj)
    if is_secret(out):
        for field in SECRET_FIELDS:
            values = out.get(field)
            if isinstance(values, dict):
                out[field] = {key: Redacted(value) for key, value in values.items()}
            elif values is not None:
                out[field] = Redacted(values)
    if echo:
        out_annotations = out["metadata"]["annotations"]
        for name in _ECHO_ANNOTATIONS:
            if name in out_annotations:
                out_annotations[name] = Redacted(out_annotations[name])
    return out


def redact_resources(resources: list[Resource]) -> list[Resource]:
    """Redact every resource; untouched resources are shared, redacted ones are copies."""
    out: list[Resource] = []
    for res in resources:
        clean = redact_object(res.obj)
        if clean is res.obj:
            out.append(res)
            continue
        copy_res = Resource(
            obj=clean,
            origin=res.origin,
            org_id=res.org_id,
            prev_ids=list(res.prev_ids),
            generated=res.generated,
        )
        out.append(copy_res)
    return out


def is_secret_path(kind: str, path: tuple[str | int, ...]) -> bool:
    """Whether a field path of a resource of ``kind`` holds a secret value."""
    if kind == "Secret" and path and path[0] in SECRET_FIELDS:
        return True
    return bool(
        len(path) >= 3
        and path[0] == "metadata"
        and path[1] == "annotations"
        and path[2] in _ECHO_ANNOTATIONS
    )


def secret_strings(resources: list[Resource]) -> set[str]:
    """Every secret value of these (unredacted) resources, raw and base64-decoded.

    Used to scrub free text that the engine wrote (step descriptions, warnings), which is not
    structured data :func:`redact_object` could reach. Values shorter than 4 characters are
    left out: scrubbing ``"1"`` out of every sentence would only garble the text.
    """
    out: set[str] = set()
    for res in resources:
        if not is_secret(res.obj):
            continue
        for field in SECRET_FIELDS:
            values = res.obj.get(field)
            if not isinstance(values, dict):
                continue
            for value in values.values():
                text = str(value)
                out.add(text)
                if field == "data":
                    try:
                        out.add(base64.b64decode(text, validate=True).decode("utf-8"))
                    except (binascii.Error, ValueError):
                        pass
    return {s for s in out if len(s) >= 4}


def scrub(text: str, strings: set[str]) -> str:
    """``text`` with every secret string replaced by the placeholder (longest first)."""
    for value in sorted(strings, key=len, reverse=True):
        if value in text:
            text = text.replace(value, PLACEHOLDER)
    return text
