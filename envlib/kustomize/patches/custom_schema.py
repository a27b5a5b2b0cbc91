"""``openapi:`` in a kustomization: a custom OpenAPI schema for strategic merges.

kustomize (kyaml ``openapi.SetSchema``) keeps *one* schema per process. The root's
``openapi:`` is applied before anything is built; a base's or component's only if nothing
has set or consulted the schema yet (kyaml's "set once" rule), and then it stays in force
for the rest of the build, overlay patches included. ``openapi: {path: schema.json}``
*replaces* the built-in Kubernetes schema - a Deployment's containers are then replaced, not
merged, unless the file defines Deployments too; ``openapi: {version: v1.21.2}`` names the
built-in schema (the only one kubectl 1.32 embeds).

The strategic merge asks :func:`lookup` first: it returns the custom schema's node for a
kind (``None`` for kinds the file lacks), or :data:`BUILTIN` when no custom schema is
active. Nodes have the shape of :mod:`.schema`'s (``p`` properties, ``a``
additionalProperties, ``i`` items, ``m`` merge keys of a list with a ``merge`` strategy).
The state is per build (a context variable), so concurrent builds do not interfere.
"""

from __future__ import annotations

import json
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any

import yaml

BUILTIN_VERSION = "v1.21.2"
Node = dict[str, Any]


class _Builtin:
    def __repr__(self) -> str:
        return "BUILTIN"


BUILTIN: Any = _Builtin()


class SchemaError(ValueError):
    """An ``openapi:`` field kustomize rejects; ``str()`` is kustomize's text."""


@dataclass
class _State:
    kinds: dict[str, Node] | None = None  # custom schema by "apiVersion|kind"; None = builtin
    settled: bool = False  # kyaml's "schema is set" (a later level's openapi is ignored)
    used: bool = False  # the schema has been consulted (also settles it)
    cache: dict[str, Node] = field(default_factory=dict)


_STATE: ContextVar[_State | None] = ContextVar("envlib_openapi_schema", default=None)


def begin_build() -> Token[_State | None]:
    """Start a build with the built-in schema; pass the token to :func:`end_build`."""
    return _STATE.set(_State())


def end_build(token: Token[_State | None]) -> None:
    """Restore the state from before :func:`begin_build` (other code sees the built-in schema)."""
    _STATE.reset(token)


def apply_openapi(openapi: dict[str, Any], text: str | None, *, root: bool) -> None:
    """kyaml ``SetSchema(openapi, text, reset=root)``; ``text`` is the ``path:`` file's text.

    Raises :class:`SchemaError` (kustomize's text) for a version kubectl does not embed or
    both ``version`` and ``path``.
    """
    state = _STATE.get()
    if state is None:
        state = _State()
        _STATE.set(state)
    if (state.settled or state.used) and not root:
        return
    version = openapi.get("version")
    if version is not None and "path" in openapi:
        raise SchemaError("builtin version and custom schema provided, cannot use both")
    if text is not None:
        state.kinds = _parse(text)
        state.cache.clear()
        state.settled = True
        return
    if not version:
        return
    if version != BUILTIN_VERSION:
        raise SchemaError("the specified OpenAPI version is not built in")
    state.kinds = None
    state.settled = True


def shareable_state() -> bool | None:
    """None when a custom or pinned schema is in force, else whether it has been consulted.

    A build that starts and ends with the built-in schema unsettled depends on the schema
    state only through this flag (pipeline/shared_builds.py).
    """
    state = _STATE.get()
    if state is None:
        return False
    if state.kinds is not None or state.settled:
        return None
    return state.used


def note_use() -> None:
    """Record that the schema was consulted (a later level's ``openapi:`` no longer applies)."""
    state = _STATE.get()
    if state is not None:
        state.used = True


def lookup(api_version: str, kind: str) -> Any:
    """The custom schema's root node for a kind (None if absent), or :data:`BUILTIN`."""
    state = _STATE.get()
    if state is None:
        return BUILTIN
    state.used = True
    if state.kinds is None:
        return BUILTIN
    return state.kinds.get(f"{api_version}|{kind}")


def is_known(api_version: str, kind: str) -> Any:
    """Whether the custom schema defines the kind, or :data:`BUILTIN`."""
    found = lookup(api_version, kind)
    return found if found is BUILTIN else found is not None


# -- parsing ------------------------------------------------------------------------------
def _parse(text: str) -> dict[str, Node]:
    """Swagger ``definitions`` -> {"apiVersion|kind": node}, references resolved (maybe cyclic)."""
    try:
        doc = json.loads(text) if text.lstrip()[:1] == "{" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise SchemaError(f"invalid OpenAPI schema: {exc}") from None
    definitions = doc.get("definitions") if isinstance(doc, dict) else None
    if not isinstance(definitions, dict):
        return {}
    built: dict[str, Node] = {}

    def node_for(schema: Any) -> Node:
        if not isinstance(schema, dict):
            return {}
        ref = schema.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name in built:
                return built[name]
            target = definitions.get(name)
            built[name] = node = {}
            node.update(node_for(target))
            return node
        out: Node = {}
        props = schema.get("properties")
        if isinstance(props, dict):
            out["p"] = {str(k): node_for(v) for k, v in props.items()}
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            out["a"] = node_for(extra)
        items = schema.get("items")
        if isinstance(items, dict):
            out["i"] = node_for(items)
        strategy = schema.get("x-kubernetes-patch-strategy")
        if isinstance(strategy, str) and "merge" in strategy.split(","):
            keys = schema.get("x-kubernetes-list-map-keys")
            key = schema.get("x-kubernetes-patch-merge-key")
            if isinstance(keys, list):
                out["m"] = [str(k) for k in keys]
            else:
                out["m"] = [str(key)] if isinstance(key, str) else []
        return out

    kinds: dict[str, Node] = {}
    for name, schema in definitions.items():
        gvks = schema.get("x-kubernetes-group-version-kind") if isinstance(schema, dict) else None
        if not isinstance(gvks, list):
            continue
        node = node_for({"$ref": f"#/definitions/{name}"})
        for gvk in gvks:
            if not isinstance(gvk, dict):
                continue
            group, version = str(gvk.get("group") or ""), str(gvk.get("version") or "")
            api_version = f"{group}/{version}" if group else version
            kinds[f"{api_version}|{gvk.get('kind')}"] = node
    return kinds
