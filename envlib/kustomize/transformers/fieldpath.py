"""Walking kustomize field paths over plain JSON-like objects.

kustomize has two path dialects and both are here because several transformers share them:

* **Field-spec paths** (``spec/template/metadata/labels``, ``spec/containers[]/image``) used
  by the labels, annotations, images, namespace, ... transformers. A list met anywhere along
  the path is walked element by element with the *same* remaining path (``[]`` only says "a
  list is expected here"); with ``create`` missing maps are created; a ``null`` value becomes
  an empty map (or list, for ``name[]``) when the spec may create it. See :func:`walk_field_spec`.
* **Dotted paths** of ``replacements`` (``spec.template.spec.containers.[name=app].image``,
  ``metadata.annotations.[a.b/c]``, numeric indexes, ``*``). The *source* side looks values up
  (:func:`lookup_path`, exact ``[k=v]`` match, first element only); the *target* side matches
  every element whose field matches ``v`` as an unanchored regex and can create what is
  missing (:func:`match_path`). Those differences are kustomize's (kyaml ``PathGetter`` vs
  ``PathMatcher``) and users notice them, so they are reproduced.

Values are addressed through :class:`Slot` (container + key) so that a scalar at the end of
a path can be replaced in place. Errors are raised as :class:`FieldPathError` carrying the
text kyaml would produce; the transformers wrap it into :class:`envlib.errors.TransformerError`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import yaml

from envlib.errors import TransformerError
from envlib.kustomize.core import goregex
from envlib.kustomize.core.resource import Resource
from envlib.kustomize.transformers.fieldspecs import FieldSpec
from envlib.kustomize.yaml.scalars import source_text

NodeKind = Literal["map", "seq", "scalar"]


class FieldPathError(ValueError):
    """A path could not be walked; ``str()`` is kyaml's wording (without kustomize's prefix).

    ``reason`` is the bare cause and ``trail`` the remaining paths of every list walked on the
    way, outermost first: kyaml prefixes its message with ``visit traversal on path: [...]``
    for each, while our own messages only want the cause.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.reason = message
        self.trail: list[tuple[str, ...]] = []

    def __str__(self) -> str:
        prefix = "".join(f"visit traversal on path: [{' '.join(p)}]: " for p in self.trail)
        return prefix + self.reason

    def kustomize_text(self) -> str:
        """The message with kustomize's ``visit traversal on path`` prefixes (``str()``)."""
        return str(self)


@dataclass(slots=True)
class Slot:
    """A place holding a value: ``holder[key]`` of a dict or list."""

    holder: Any
    key: Any

    @property
    def value(self) -> Any:
        """The value currently stored."""
        return self.holder[self.key]

    def set(self, value: Any) -> None:
        """Replace the stored value."""
        self.holder[self.key] = value


def node_kind(value: Any) -> str:
    """kyaml's node-kind name of a plain value, for error texts."""
    if isinstance(value, dict):
        return "MappingNode"
    if isinstance(value, list):
        return "SequenceNode"
    return "ScalarNode"


def node_contents(value: Any, *, block: bool = False) -> str:
    """A YAML rendering of a value as kyaml prints it in "node contents" errors.

    kyaml keeps each node's style; envlib does not, so leaf lists print in flow style (as
    they are usually written) unless ``block`` (nodes made by JSON6902 are block style).
    """
    flow = False if block else None
    text = yaml.safe_dump(value, default_flow_style=flow, sort_keys=False, width=80)
    return text.removesuffix("...\n").rstrip("\n")


def wrong_kind(expected: str, value: Any, *, block: bool = False) -> FieldPathError:
    """kyaml's ``InvalidNodeKindError``."""
    return FieldPathError(
        f"wrong node kind: expected {expected} but got {node_kind(value)}: node contents:\n"
        f"{node_contents(value, block=block)}"
    )


def split_path(path: str, delimiter: str) -> list[str]:
    """kyaml's ``PathSplitter``: split on ``delimiter``, ``\\`` escapes it, drop a leading one."""
    return list(_split_path(path, delimiter))


@functools.lru_cache(maxsize=4096)
def _split_path(path: str, delimiter: str) -> tuple[str, ...]:
    parts = path.split(delimiter)
    if len(parts) > 1 and parts[0] == "":
        parts = parts[1:]
    out = [parts[0]]
    for part in parts[1:]:
        if out[-1].endswith("\\"):
            out[-1] = out[-1][:-1] + delimiter + part
        else:
            out.append(part)
    return tuple(out)


def split_dotted_path(path: str) -> list[str]:
    """kyaml's ``SmarterPathSplitter`` on ``.``: ``[a.b]`` is one key, ``[k=v.w]`` one selector."""
    split = split_path(path, ".")
    out: list[str] = []
    i = 0
    while i < len(split):
        elem = split[i]
        if elem.startswith("[") and not elem.endswith("]"):
            bracketed = [elem]
            while i < len(split) - 1:
                i += 1
                bracketed.append(split[i])
                if split[i].endswith("]"):
                    break
            joined = ".".join(bracketed)
            out.append(joined if "=" in joined else joined.strip("[]"))
        else:
            out.append(elem)
        i += 1
    return out


# -- field-spec paths --------------------------------------------------------------------
Setter = Callable[[Slot], None]


def walk_field_spec(
    obj: dict[str, Any], spec: FieldSpec, setter: Setter, *, create_map: bool
) -> None:
    """Call ``setter`` on every slot ``spec.path`` reaches in ``obj`` (kustomize ``fieldspec``).

    The caller checks ``spec.matches`` first. ``create_map`` says what the leaf is created as
    when the spec has ``create`` (labels/annotations: a map; images: nothing is created).
    Raises :class:`FieldPathError` (unprefixed) for scalars in the way.
    """
    walk_path(obj, split_path(spec.path, "/"), setter, create=spec.create and create_map)


def walk_path(
    obj: dict[str, Any],
    parts: Sequence[str],
    setter: Setter,
    *,
    create: bool,
    leaf_map: bool = True,
    null_to_list: bool = True,
) -> None:
    """The one field-spec walker: call ``setter`` on every slot ``parts`` reaches below ``obj``.

    Lists met on the way are walked element by element without consuming a part; a missing
    or null field ends that branch unless ``create`` asks for maps to be created (the leaf
    as a map when ``leaf_map``, else as null). The transformers differ in two details
    kustomize differs in too, hence the flags: whether the leaf is created as a map, and
    whether an existing null at ``name[]`` becomes an empty list (``null_to_list``).
    """
    if parts:
        steps = _steps(tuple(parts))
        _walk([obj], 0, steps, 0, setter, create, leaf_map, null_to_list)


@functools.lru_cache(maxsize=4096)
def _steps(parts: tuple[str, ...]) -> tuple[tuple[str, str, bool, tuple[str, ...]], ...]:
    """Per part: the part, its map key, whether it ends in ``[]``, and the parts from it on
    (an error's trail names them) - worked out once per path, not once per object walked."""
    out = []
    for index, part in enumerate(parts):
        name = part.removesuffix("[]")
        out.append((part, name, name != part, parts[index:]))
    return tuple(out)


def _walk(
    holder: Any,
    key: Any,
    steps: tuple[tuple[str, str, bool, tuple[str, ...]], ...],
    depth: int,
    setter: Setter,
    create: bool,
    leaf_map: bool,
    null_to_list: bool,
) -> None:
    """Walk ``steps[depth:]`` from ``holder[key]`` (a hot path: no Slot until a leaf)."""
    if depth == len(steps):
        setter(Slot(holder, key))
        return
    node = holder[key]
    if node is None:
        return
    if isinstance(node, list):
        for index in range(len(node)):
            try:
                _walk(node, index, steps, depth, setter, create, leaf_map, null_to_list)
            except FieldPathError as exc:
                exc.trail.insert(0, steps[depth][3])
                raise
        return
    if not isinstance(node, dict):
        raise FieldPathError("expected sequence or mapping node")
    _, name, is_seq, _ = steps[depth]
    if not name:
        raise FieldPathError("cannot set or create an empty field name")
    if create and not is_seq and node.get(name) is None:
        node[name] = {} if depth + 1 < len(steps) or leaf_map else None
    elif is_seq and null_to_list and name in node and node[name] is None:
        # kustomize turns an existing null into the node kind it expected here.
        node[name] = []
    if name in node:
        _walk(node, name, steps, depth + 1, setter, create, leaf_map, null_to_list)


# -- dotted paths (replacements) ---------------------------------------------------------
def _is_list_index(part: str) -> bool:
    return part.startswith("[") and part.endswith("]")


def _is_index_number(part: str) -> bool:
    return re.fullmatch(r"[+-]?\d+", part) is not None and int(part) >= 0


def split_selector(part: str) -> tuple[str, str]:
    """``[name=app]`` -> (``name``, ``app``); ``[=-jar]`` -> (``""``, ``-jar``)."""
    body = part.removeprefix("[").removesuffix("]")
    if "=" not in body:
        raise FieldPathError(
            "list path element must contain fieldName=fieldValue for element to match"
        )
    key, _, value = body.partition("=")
    return key, value


def scalar_text(value: Any) -> str:
    """The text of a scalar as go-yaml holds it (``true``, ``5432``, ``""`` for null/containers)."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = source_text(value)
    return str(value) if text is None else text


def lookup_path(obj: Any, parts: list[str]) -> Slot | None:
    """kyaml ``PathGetter`` without create: the slot at ``parts`` or None when missing."""
    parts = [p.strip() for p in parts if p.strip()]
    slot = Slot([obj], 0)
    for part in parts:
        node = slot.value
        if node is None:
            return None
        if re.fullmatch(r"[+-]?\d+", part):
            index = int(part)
            if index < 0:
                raise FieldPathError(f"array index {index} cannot be negative")
            if not isinstance(node, list):
                raise wrong_kind("SequenceNode", node)
            if index >= len(node):
                return None
            slot = Slot(node, index)
        elif part == "-":
            if not isinstance(node, list):
                raise wrong_kind("SequenceNode", node)
            if not node:
                return None
            slot = Slot(node, len(node) - 1)
        elif part == "*":
            raise FieldPathError("wildcard is not supported in PathGetter")
        elif _is_list_index(part):
            key, want = split_selector(part)
            if not isinstance(node, list):
                raise wrong_kind("SequenceNode", node)
            found = _first_element(node, key, want)
            if found is None:
                return None
            slot = Slot(node, found)
        else:
            if not isinstance(node, dict):
                raise wrong_kind("MappingNode", node)
            if part not in node:
                return None
            slot = Slot(node, part)
    return slot


def _first_element(node: list[Any], key: str, want: str) -> int | None:
    for index, elem in enumerate(node):
        if not key:
            if not isinstance(elem, (dict, list)) and scalar_text(elem) == want:
                return index
        elif isinstance(elem, dict) and key in elem and scalar_text(elem[key]) == want:
            return index
    return None


def _part_kind(next_part: str, default: NodeKind | None) -> NodeKind | None:
    if _is_list_index(next_part) or _is_index_number(next_part):
        return "seq"
    if next_part == "":
        return default
    return "map"


class _Created:
    """Marks a scalar leaf :func:`match_path` created (go-yaml's untagged empty node).

    The caller must overwrite it at once; its type is decided by the text written into it.
    """

    def __repr__(self) -> str:
        return "CREATED"


CREATED: Any = _Created()


def _new_node(kind: NodeKind | None) -> Any:
    return {} if kind == "map" else [] if kind == "seq" else CREATED


def match_path(obj: Any, parts: list[str], create: NodeKind | None = None) -> list[Slot]:
    """kyaml ``PathMatcher``: every slot matching ``parts``; ``create`` builds missing parts.

    ``[k=v]`` matches elements whose ``k`` matches the *unanchored* regex ``v``; ``*`` takes
    every element; a numeric index may append one element (index == length) when creating.
    """
    return _match(Slot([obj], 0), parts, create)


def _match(slot: Slot, parts: list[str], create: NodeKind | None) -> list[Slot]:
    if not parts:
        return [slot]
    part, rest = parts[0], parts[1:]
    next_part = rest[0] if rest else ""
    node = slot.value
    if _is_index_number(part):
        index = int(part)
        elems = node if isinstance(node, list) else None
        if elems is None:
            if node is not None:
                raise wrong_kind("SequenceNode", node)
            elems = []
        if len(elems) == index and create is not None and isinstance(node, list):
            node.append(_new_node(_part_kind(next_part, create)))
        if len(elems) < index + 1:
            raise FieldPathError(f"index {index} specified but only {len(elems)} elements found")
        return _match(Slot(node, index), rest, create)
    if _is_list_index(part):
        return _match_seq(slot, part, rest, create)
    if part == "*":
        if not isinstance(node, list):
            if node is None:
                return []
            raise wrong_kind("SequenceNode", node)
        out: list[Slot] = []
        for index in range(len(node)):
            out.extend(_match(Slot(node, index), rest, create))
        return out
    if node is None:
        return []
    if not isinstance(node, dict):
        raise wrong_kind("MappingNode", node)
    if part not in node:
        if create is None:
            return []
        node[part] = _new_node(_part_kind(next_part, create))
    return _match(Slot(node, part), rest, create)


def _match_seq(slot: Slot, part: str, rest: list[str], create: NodeKind | None) -> list[Slot]:
    key, pattern = split_selector(part)
    node = slot.value
    if node is None:
        return []
    if not isinstance(node, list):
        raise wrong_kind("SequenceNode", node)
    try:
        regex = goregex.compile(pattern)  # kyaml's ElementMatcher: Go regexp, unanchored
    except goregex.GoRegexError as exc:
        raise FieldPathError(str(exc)) from None
    out: list[Slot] = []
    for index, elem in enumerate(node):
        if key:
            if not isinstance(elem, dict) or key not in elem:
                continue
            text = _element_text(elem[key])
        else:
            text = _element_text(elem)
        if regex.search(text) is None:
            continue
        if key:
            out.extend(_match(Slot(node, index), rest, create))
        else:
            # kyaml returns a matching primitive element itself and ignores the rest of the path.
            out.append(Slot(node, index))
    if out or create is None:
        return out
    node.append({key: pattern} if key else pattern)
    return _match_seq(slot, part, rest, create)


def _element_text(value: Any) -> str:
    """How kyaml stringifies a node before regex-matching it (``null`` for null)."""
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return node_contents(value).strip()
    return scalar_text(value).strip()


# -- applying field specs to resources ---------------------------------------------------
def apply_field_specs(
    res: Resource,
    specs: Iterable[FieldSpec],
    setter: Setter,
    *,
    create_map: bool,
    entry: str,
    what: str,
) -> None:
    """Run :func:`walk_field_spec` for every spec matching ``res``, wrapping failures.

    ``entry`` names the kustomization entry (``labels[1]``) and ``what`` the action (``set
    label 'app'``) in our message; ``kustomize_message`` is kustomize's ``considering field
    '<path>' of object <id>: <kyaml text>``.
    """
    for spec in specs:
        if not spec.matches(res.api_version, res.kind):
            continue
        try:
            walk_field_spec(res.obj, spec, setter, create_map=create_map)
        except FieldPathError as exc:
            raise field_spec_error(res, spec.path, exc, what=what, entry=entry) from None


def field_spec_error(
    res: Resource, path: str, exc: FieldPathError, *, what: str, entry: str, context: str = ""
) -> TransformerError:
    """The error for a field-spec walk that failed on ``res`` at ``path``.

    Ours says what was being done (``what``: ``set label 'app'``); kustomize's text is
    ``[<context>]considering field '<path>' of object <id>: <kyaml text>``.
    """
    rid = str(res.cur_id)
    return TransformerError(
        f"cannot {what} at '{path}' of {rid}: {exc}",
        location=res.origin.location,
        entry=entry,
        resource=rid,
        kustomize_message=f"{context}considering field '{path}' of object {rid}: {exc}",
    )
