"""Deprecated fields, read from a Kubernetes OpenAPI v2 document (``swagger.json``).

A field is deprecated when its description says so (``Deprecated: Use serviceAccountName
instead.``, ``DeprecatedServiceAccount is a deprecated alias for ServiceAccountName``). The
schema of each rendered object is found by its group/version/kind
(``x-kubernetes-group-version-kind``) and followed through ``$ref`` and ``items``; the
finding quotes the schema's own sentence, which names the replacement when there is one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

_DEPRECATED = re.compile(r"(?:^|[.\s])(deprecated\b[^.]*(?:\.[^.]*use [^.]*)?\.?)", re.IGNORECASE)
_NOT_DEPRECATION = re.compile(
    r"should be considered as deprecated|is deprecated by|deprecated in favor of the", re.I
)


@lru_cache(maxsize=4)
def _schema(path: str) -> tuple[dict[str, Any], dict[tuple[str, str], str]]:
    with open(path, encoding="utf-8") as handle:
        doc = json.load(handle)
    definitions: dict[str, Any] = doc.get("definitions") or {}
    by_gvk: dict[tuple[str, str], str] = {}
    for name, schema in definitions.items():
        for gvk in schema.get("x-kubernetes-group-version-kind") or []:
            group, version = gvk.get("group", ""), gvk.get("version", "")
            api = f"{group}/{version}" if group else version
            by_gvk[(api, gvk.get("kind", ""))] = name
    return definitions, by_gvk


def _message(description: str) -> str | None:
    if "deprecated" not in description.lower():
        return None
    explicit = re.search(r"Deprecated[:.]\s*([^.]*\.)", description)
    if explicit is not None and explicit.group(1).strip():
        return f"deprecated: {explicit.group(1).strip()}"
    found = _DEPRECATED.search(description)
    if found is None:
        return None
    sentence = description[found.start(1) :].split("\n")[0]
    end = sentence.find(". ")
    text = sentence if end < 0 else sentence[: end + 1]
    after = description[found.end(1) :]
    use = re.search(r"\b[Uu]se (`?[\w.]+`?)[^.]*\.", after[:200])
    if use and "use" not in text.lower():
        text = f"{text} {use.group(0)}"
    return text.strip()


def _ref(definitions: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref") or ""
    if ref.startswith("#/definitions/"):
        return definitions.get(ref[len("#/definitions/") :], {})
    return schema


def deprecated_fields(openapi: str, obj: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """``(field path, the schema's deprecation sentence)`` for each deprecated field set."""
    definitions, by_gvk = _schema(openapi)
    name = by_gvk.get((str(obj.get("apiVersion", "")), str(obj.get("kind", ""))))
    if name is None:
        return
    yield from _walk(definitions, definitions[name], obj, ())


def _walk(
    definitions: dict[str, Any], schema: dict[str, Any], value: Any, path: tuple[Any, ...]
) -> Iterator[tuple[tuple[Any, ...], str]]:
    schema = _ref(definitions, schema)
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        for key, child in value.items():
            sub_schema = properties.get(key)
            if sub_schema is None:
                continue
            description = str(_ref(definitions, sub_schema).get("description") or "")
            description = str(sub_schema.get("description") or description)
            message = _message(description)
            if message and not _NOT_DEPRECATION.search(description):
                yield (*path, key), f"{key}: {message}"
            yield from _walk(definitions, sub_schema, child, (*path, key))
    elif isinstance(value, list):
        items = schema.get("items") or {}
        for index, child in enumerate(value):
            yield from _walk(definitions, items, child, (*path, index))
