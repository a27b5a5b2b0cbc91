"""Reading YAML the way kustomize does, in its three dialects.

* :func:`load_documents` -- resource files and strategic-merge patch bodies, read by kyaml
  (go-yaml v3): YAML 1.2-like typing, duplicate keys are an error, empty documents skipped.
* :func:`load_kustomization_yaml` -- kustomization files, read by sigs.k8s.io/yaml (go-yaml
  v2): YAML 1.1 typing (``y``/``on`` are booleans), the last duplicate key wins, mapping
  keys become JSON strings; returns a line map so the engine can point at ``patches[0]``.
* :func:`load_yaml11` -- the same YAML 1.1 typing for JSON6902 operations written in YAML.

Parsing is done by libyaml through PyYAML's C parser; libyaml composes the node tree in C and
we only type scalars and build plain dicts/lists in one Python pass.  We do not use PyYAML's
resolver or constructors: their YAML 1.1 regexes are both wrong for kustomize (``yes`` is a
bool, ``0755`` a string) and the slowest part of ``yaml.load``.
"""

from __future__ import annotations

import base64
import binascii
import gc
import json
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import yaml
from yaml._yaml import CParser
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from envlib.errors import KustomizationError, ResourceError, SourceLocation, YamlSyntaxError
from envlib.kustomize.yaml import deepstack
from envlib.kustomize.yaml.decoding import control_character_error
from envlib.kustomize.yaml.scalars import (
    INT64_MAX,
    MERGE,
    TIMESTAMP,
    TextTimestamp,
    annotation_text,
    go_format_float,
    parse_timestamp,
    resolve_v2,
    resolve_v3,
    with_text,
)

__all__ = [
    "Document",
    "LineMap",
    "gc_paused",
    "load_documents",
    "load_kustomization_yaml",
    "load_yaml11",
    "located_yaml_error",
]

LineMap = dict[tuple[str | int, ...], int]
"""1-based line of every mapping key / sequence item, keyed by its path."""

_Y = "tag:yaml.org,2002:"
_PLAIN = "!envlib-plain"  # marker: an untagged plain scalar, still to be typed
_STR, _SEQ, _MAP = _Y + "str", _Y + "seq", _Y + "map"
_MERGE_TAG = _Y + "merge"


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run work that builds large acyclic trees without the cyclic garbage collector.

    Loading, building or dumping thousands of documents allocates hundreds of thousands of
    containers, almost all alive until the work returns. With the collector on, CPython
    rescans that growing heap again and again (a factor of 1.5-4 on loads and dumps, ~20 %
    of a 2,000-resource build, bench/bench_build.py). Re-enabling it afterwards would make
    the next young-generation pass walk every object allocated meanwhile (about 1 s after
    dumping 20,000 resources), so what survives is moved to the oldest generation without a
    scan (``gc.freeze`` + ``gc.unfreeze``). Reference counting frees everything as usual; any
    cyclic garbage is still found by the next full pass. Nested uses are free.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        gc.enable()


class Document(NamedTuple):
    """One non-empty document of a stream."""

    obj: Any
    doc_index: int
    """Position in the stream, counting every document including skipped empty ones."""
    line: int
    """1-based line where the document's root node starts."""
    targeted: Any = None
    """Patches only: the object as a ``target:``-ed patch sees it (see :func:`_patch_meta`)."""
    empty: tuple[tuple[Any, ...], ...] = ()
    """Paths of map values written as nothing (``key:``), which kyaml tells from ``null``."""


class _Parser(CParser):
    """libyaml's parser and composer; scalar typing is left to our builders."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP

    def descend_resolver(self, parent: Any, index: Any) -> None:
        """Typing never depends on the path: nothing to track."""

    def ascend_resolver(self) -> None:
        """Typing never depends on the path: nothing to track."""


def _prepare(text: str) -> str:
    """BOM stripped and CRLF normalised, as kustomize does before parsing."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text


def _syntax_error(
    exc: yaml.MarkedYAMLError, path: str | None, v3: bool, text: str | None = None
) -> YamlSyntaxError:
    """A YamlSyntaxError at the problem's real line, plus go-yaml's own wording.

    go-yaml numbers lines oddly (parser errors report the 0-based line of the context or
    problem, scanner errors the 1-based one); ``kustomize_message`` mimics that.
    """
    problem = exc.problem or "unknown problem parsing YAML content"
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    scanner = isinstance(exc, yaml.scanner.ScannerError)
    marks = [exc.context_mark, exc.problem_mark] if v3 else [exc.problem_mark, exc.context_mark]
    go_line = 0
    for candidate in marks:
        if candidate is not None and candidate.line != 0:
            go_line = candidate.line + (1 if scanner else 0)
            break
    where = f"line {go_line}: " if go_line else ""
    message = problem if exc.context is None else f"{exc.context}: {problem}"
    go_message = f"yaml: {where}{problem}"
    if problem == "found undefined alias" and mark is not None and text is not None:
        found = re.match(r"\*([^\s,\[\]{}]+)", text.split("\n")[mark.line][mark.column :])
        if found:
            message = go_message = f"yaml: unknown anchor '{found.group(1)}' referenced"
    location = SourceLocation(path, line) if path is not None else None
    return YamlSyntaxError(message, location=location, kustomize_message=go_message)


_NESTING = "exceeded maximum nesting depth"  # libyaml's own limit (1,000 unless deepstack)


def _nesting_error(exc: yaml.MarkedYAMLError, path: str | None) -> Exception:
    """libyaml's nesting limit: retry on a large stack, or (there) go-yaml's depth error."""
    if not deepstack.active():
        return RecursionError("deeply nested YAML document")
    mark = exc.problem_mark
    line = mark.line + 1 if mark is not None else None
    return _depth_error(path, line, parser=True)


def _depth_error(path: str | None, line: int | None, *, parser: bool) -> YamlSyntaxError:
    """kubectl's failure on a document nested deeper than go-yaml's 10,000 levels.

    go-yaml's parser refuses more than 10,000 flow levels or block indents with the line;
    a document within both but deeper overall fails when kustomize re-encodes the object.
    """
    limit = deepstack.DEPTH_LIMIT
    where = f"line {line}: " if parser and line else ""
    return YamlSyntaxError(
        f"nested deeper than {limit} levels (go-yaml's limit, which kubectl enforces)",
        location=SourceLocation(path, line) if path is not None else None,
        kustomize_message=f"yaml: {where}exceeded max depth of {limit}",
    )


def _check_depth(root: Node, path: str | None) -> None:
    """Raise go-yaml's depth error for a document nested deeper than it allows.

    Called only on the large-stack worker (a shallow document never gets there). Walks the
    node tree in document order with go-yaml's counters: flow collections raise the flow
    level, a block collection further right than its parent pushes an indent (a sequence
    written at its key's column does not); each node is visited once (aliases share nodes).
    """
    limit = deepstack.DEPTH_LIMIT
    seen: set[int] = set()
    first_deep: Node | None = None
    stack: list[tuple[Node, int, int, int, int]] = [(root, 1, 0, 0, -1)]
    while stack:
        node, depth, flow, indents, indent = stack.pop()
        if type(node) is ScalarNode or id(node) in seen:
            continue
        seen.add(id(node))
        if getattr(node, "flow_style", False):
            flow += 1
        elif node.start_mark.column > indent:
            indents += 1
            indent = node.start_mark.column
        if flow > limit or indents > limit:
            raise _depth_error(path, node.start_mark.line + 1, parser=True)
        if depth > limit and first_deep is None:
            first_deep = node
        if type(node) is SequenceNode:
            children = list(node.value)
        else:
            children = [part for pair in node.value for part in pair]
        stack.extend((child, depth + 1, flow, indents, indent) for child in reversed(children))
    if first_deep is not None:
        raise _depth_error(path, first_deep.start_mark.line + 1, parser=False)


def _reader_error(exc: yaml.reader.ReaderError, text: str, path: str | None) -> YamlSyntaxError:
    """libyaml refused a character go-yaml's reader refuses too: name the file and line."""
    found = control_character_error(text, path or "<input>")
    if found is not None:
        if path is None:
            found.location = None
        return found
    return YamlSyntaxError(
        exc.reason,
        location=SourceLocation(path) if path is not None else None,
        kustomize_message="yaml: control characters are not allowed",
    )


def located_yaml_error(exc: yaml.YAMLError, text: str, path: str) -> YamlSyntaxError:
    """A PyYAML error (from any loader) as a one-line YamlSyntaxError at ``path``:line.

    For readers outside this module (configurations, crds, replacements, plugin configs)
    that parse with PyYAML's own loaders: the message names the file, not ``<unicode string>``.
    """
    if isinstance(exc, yaml.reader.ReaderError):
        return _reader_error(exc, text, path)
    if isinstance(exc, yaml.MarkedYAMLError):
        return _syntax_error(exc, path, v3=False, text=text)
    return YamlSyntaxError(str(exc), location=SourceLocation(path))


def _tagged_scalar(node: ScalarNode, typed: Callable[[str], Any]) -> Any:
    """An explicitly tagged scalar (``!!str 123``, ``!!binary ...``, ``!!int "7"``)."""
    tag, value = node.tag, node.value
    if tag == _STR or not tag.startswith(_Y):
        return value  # unknown local tags keep the text, as go-yaml does
    kind = tag[len(_Y) :]
    if kind == "binary":
        try:
            raw = base64.b64decode("".join(value.split()), validate=True)
            return raw.decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return value
    if kind == "timestamp":
        stamp = parse_timestamp(value)
        return value if stamp is None else stamp
    result = typed(value)
    expected = {"int": (int,), "float": (int, float), "bool": (bool,), "null": (type(None),)}
    types = expected.get(kind)
    if types is None or isinstance(result, bool) != (kind == "bool"):
        return value
    if isinstance(result, types):
        if kind == "float" and result is not None:
            return with_text(float(result), value)  # !!float 1: kyaml's node text is "1"
        return result
    return value


ALIAS_NODE_BOUND = 1_000_000
"""Most nodes one resource or patch document may build through aliases (docs/fidelity.md)."""


def _allowed_alias_ratio(decoded: int) -> float:
    """go-yaml's ``allowedAliasRatio``: 99 % up to 400,000 decodes, 10 % from 4,000,000."""
    low, high = 400_000, 4_000_000
    if decoded <= low:
        return 0.99
    if decoded >= high:
        return 0.10
    return 0.99 - 0.89 * ((decoded - low) / (high - low))


class _Builder:
    """One pass over a composed node tree, producing plain Python values.

    ``v3`` selects kyaml's dialect (duplicate keys fail, keys keep their type); otherwise
    sigs.k8s.io/yaml's (last duplicate wins, keys are turned into JSON strings).  Aliases are
    expanded into independent copies so the engine can mutate objects freely.
    """

    def __init__(
        self,
        path: str | None,
        v3: bool,
        lines: LineMap | None = None,
        *,
        allow_non_finite: bool = False,
    ) -> None:
        self.path = path
        self.v3 = v3
        self.allow_non_finite = allow_non_finite
        self.lines = lines
        self.active: set[int] = set()
        # (map, key) of every value written as nothing (``key:``); see empty_paths
        self.empties: list[tuple[dict[Any, Any], Any]] = []

    def count_aliases(self) -> None:
        """Count nodes built through aliases (the text has a ``*``): go-yaml's bounds.

        Swaps in :meth:`_counting_build`, so documents without aliases pay nothing.
        """
        self.decoded = self.aliased = self.alias_depth = 0
        self.built: set[int] = set()
        self.build = self._counting_build  # type: ignore[method-assign]

    def new_document(self) -> None:
        """Each document of a stream has its own alias counts (go-yaml decodes them apart)."""
        if hasattr(self, "built"):
            self.decoded = self.aliased = self.alias_depth = 0
            self.built.clear()

    def _counting_build(self, node: Node, path: tuple[str | int, ...] = ()) -> Any:
        """:meth:`build` that counts decodes like go-yaml's ``decoder.unmarshal``.

        A node built a second time is an alias expansion. kustomization files (go-yaml v2 via
        sigs.k8s.io/yaml) get go-yaml's ratio rule (``document contains excessive
        aliasing``); kyaml keeps aliases as nodes, so kubectl has no bound for resources and
        a billion-laughs file exhausts its memory: envlib stops at :data:`ALIAS_NODE_BOUND`.
        """
        key = id(node)
        alias = key in self.built
        if alias:
            self.alias_depth += 1
        else:
            self.built.add(key)
        self.decoded += 1
        if self.alias_depth:
            self.aliased += 1
            self._check_aliases(node)
        try:
            return _Builder.build(self, node, path)
        finally:
            if alias:
                self.alias_depth -= 1

    def _check_aliases(self, node: Node) -> None:
        aliased, decoded = self.aliased, self.decoded
        if self.v3:
            if aliased > ALIAS_NODE_BOUND:
                raise YamlSyntaxError(
                    f"aliases expand to more than {ALIAS_NODE_BOUND:,} nodes (envlib's bound "
                    "against alias bombs; kubectl has none)",
                    location=self.location(node),
                    kustomize_message="yaml: document contains excessive aliasing",
                )
        elif aliased > 100 and decoded > 1000 and aliased / decoded > _allowed_alias_ratio(decoded):
            raise YamlSyntaxError(
                "document contains excessive aliasing (go-yaml's alias expansion limit)",
                location=self.location(node),
                kustomize_message="yaml: document contains excessive aliasing",
            )

    def location(self, node: Node) -> SourceLocation | None:
        return SourceLocation(self.path, node.start_mark.line + 1) if self.path else None

    def error(self, node: Node, message: str, kustomize_message: str | None = None) -> Exception:
        location = self.location(node)
        if self.v3:
            return YamlSyntaxError(message, location=location, kustomize_message=kustomize_message)
        return KustomizationError(message, location=location, kustomize_message=kustomize_message)

    def scalar(self, node: ScalarNode) -> Any:
        if node.tag is _PLAIN:
            if self.v3:
                value = resolve_v3(node.value)
                if (
                    isinstance(value, float)
                    and not math.isfinite(value)
                    and not self.allow_non_finite
                ):
                    shown = go_format_float(value)
                    raise ResourceError(
                        f"{node.value!r} is not a number kustomize can print ({shown})",
                        location=self.location(node),
                        kustomize_message=f"json: unsupported value: {shown}",
                    )
                kind = type(value)
                if kind is int or kind is float:
                    return with_text(value, node.value)
                if kind is str and value != node.value:  # a timestamp, formatted
                    return TextTimestamp(value, node.value)
                return value
            tag, value = resolve_v2(node.value)
            return node.value if tag in (TIMESTAMP, MERGE) else value
        if node.tag is _STR:
            return node.value
        return _tagged_scalar(node, resolve_v3 if self.v3 else lambda s: resolve_v2(s)[1])

    def build(self, node: Node, path: tuple[str | int, ...] = ()) -> Any:
        if type(node) is ScalarNode:
            return self.scalar(node)
        key = id(node)
        if key in self.active:
            raise self.error(node, "recursive alias: an anchor is used inside itself")
        self.active.add(key)
        try:
            if isinstance(node, SequenceNode):
                return self.sequence(node, path)
            assert isinstance(node, MappingNode)
            return self.mapping(node, path)
        finally:
            self.active.discard(key)

    def sequence(self, node: SequenceNode, path: tuple[str | int, ...]) -> list[Any]:
        lines = self.lines
        if lines is None:
            return [self.build(item) for item in node.value]
        result = []
        for index, item in enumerate(node.value):
            item_path = (*path, index)
            lines[item_path] = item.start_mark.line + 1
            result.append(self.build(item, item_path))
        return result

    def mapping(self, node: MappingNode, path: tuple[str | int, ...]) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        pairs = node.value
        merges = [v for k, v in pairs if type(k) is ScalarNode and _is_merge_key(k)]
        if self.v3 and any(type(k) is ScalarNode and k.value == "<<" for k, _ in pairs):
            pairs = self.kyaml_merge_keys(node, merges)
        seen: dict[str, int] = {}
        lines = self.lines
        for key_node, value_node in pairs:
            if type(key_node) is ScalarNode:
                if self.v3:
                    first = seen.get(key_node.value)
                    if first is not None:
                        raise self.duplicate(key_node, first)
                    seen[key_node.value] = key_node.start_mark.line + 1
                elif _is_merge_key(key_node):
                    continue
            key = self.key(key_node)
            key_path = (*path, key)
            if lines is not None:
                lines[key_path] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, key_path)
            if (
                type(value_node) is ScalarNode
                and value_node.tag is _PLAIN
                and not value_node.value
                and self.v3
            ):
                self.empties.append((result, key))
        for source in merges:
            self.merge(result, source)
        return result

    def kyaml_merge_keys(self, node: MappingNode, merges: list[Node]) -> list[tuple[Node, Node]]:
        """The pairs kyaml keeps around ``<<`` keys (verified with kubectl).

        kyaml accepts one merge key, then removes the *first* key spelled ``<<`` -- usually
        the merge key, but a quoted ``"<<"`` when it comes first or when there is no merge.
        A plain ``<<`` left behind is merged again by go-yaml, to the same effect.
        """
        if len(merges) > 1:
            second = [k for k, _ in node.value if type(k) is ScalarNode and _is_merge_key(k)][1]
            raise self.error(second, "duplicate merge key", "duplicate merge key")
        pairs = list(node.value)
        for index, (key_node, _) in enumerate(pairs):
            if type(key_node) is ScalarNode and key_node.value == "<<":
                del pairs[index]
                break
        return [(k, v) for k, v in pairs if not (type(k) is ScalarNode and _is_merge_key(k))]

    def duplicate(self, key_node: ScalarNode, first: int) -> Exception:
        text = f"mapping key {json.dumps(key_node.value)} already defined at line {first}"
        line = key_node.start_mark.line + 1
        return self.error(key_node, text, f"yaml: unmarshal errors:\n  line {line}: {text}")

    def key(self, node: Node) -> Any:
        if type(node) is not ScalarNode:
            raise self.error(node, "a mapping or sequence cannot be a mapping key")
        value = self.scalar(node)
        if self.v3 or isinstance(value, str):
            return value
        return self.json_key(node, value)

    def json_key(self, node: ScalarNode, value: Any) -> str:
        """sigs.k8s.io/yaml's conversion of a YAML 1.1 key to a JSON object key."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int) and value <= INT64_MAX:
            return str(value)
        if isinstance(value, float):
            return go_format_float(value, bits=32)
        go_type = "uint64" if isinstance(value, int) else "%!s(<nil>)"
        shown = hex(value) if isinstance(value, int) else "<nil>"
        raise self.error(
            node,
            f"unsupported mapping key {node.value!r}",
            f"invalid Kustomization: unsupported map key of type: {go_type}, key: {shown}, ...",
        )

    def merge(self, result: dict[Any, Any], source: Node) -> None:
        """``<<`` merge keys: explicit keys win, earlier merged maps win over later ones."""
        sources = source.value if type(source) is SequenceNode else [source]
        for item in sources:
            if type(item) is not MappingNode:
                raise self.error(item, "map merge requires map or sequence of maps as the value")
            for key, value in self.mapping(item, ()).items():
                result.setdefault(key, value)


def _is_merge_key(node: ScalarNode) -> bool:
    return node.tag == _MERGE_TAG or (node.tag is _PLAIN and node.value == "<<")


def _parse_first(text: str, path: str | None, v3: bool) -> Node | None:
    text = _prepare(text)
    parser = _Parser(text)
    try:
        if not parser.check_node():
            return None
        root = parser.get_node()
        if root is not None and deepstack.active():
            _check_depth(root, path)
        return root
    except yaml.MarkedYAMLError as exc:
        if exc.problem == _NESTING:
            raise _nesting_error(exc, path) from None
        raise _syntax_error(exc, path, v3, text) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, path) from None
    finally:
        parser.dispose()


def load_documents(
    text: str, path: str, *, resources: bool = False, patches: bool = False
) -> list[Document]:
    """All non-empty documents of a resource (or SMP patch) stream, YAML 1.2-typed.

    Empty, comment-only and ``null`` documents are skipped but still counted in
    ``doc_index``.  Raises YamlSyntaxError (malformed YAML, duplicate key, recursive alias)
    or ResourceError (``.inf``/``.nan``, which kustomize cannot print).
    ``resources=True`` (resource files, not patches) turns annotation values into text as
    kustomize does when it loads an object (see :func:`_annotations_as_text`).
    ``patches=True`` (strategic-merge patch bodies) does the same for non-null annotation
    values and fills ``Document.targeted`` (see :func:`_patch_meta`).
    """
    text = _prepare(text)
    if "%" in text:
        _check_directives(text, path)
    parser = _Parser(text)
    documents: list[Document] = []
    builder = _Builder(path, v3=True)
    if "*" in text:
        builder.count_aliases()
    with gc_paused():
        try:
            index = 0
            while parser.check_node():
                root = parser.get_node()
                if root is None:
                    break
                if deepstack.active():
                    _check_depth(root, path)
                builder.new_document()
                targeted = None
                if patches:
                    obj, targeted = _build_patch(builder, root, path)
                else:
                    obj = _build_document(builder, root, path)
                if resources:
                    _annotations_as_text(root, obj)
                empty = _empty_paths(obj, builder.empties) if builder.empties else ()
                builder.empties.clear()
                if obj is not None:
                    line = root.start_mark.line + 1
                    documents.append(Document(obj, index, line, targeted, empty))
                index += 1
        except yaml.MarkedYAMLError as exc:
            if exc.problem == _NESTING:
                raise _nesting_error(exc, path) from None
            raise _syntax_error(exc, path, True, text) from None
        except yaml.reader.ReaderError as exc:
            raise _reader_error(exc, text, path) from None
        finally:
            parser.dispose()
    return documents


def _build_document(builder: _Builder, root: Node, path: str) -> Any:
    """One document; a ``.inf``/``.nan`` inside an object is no error here.

    kustomize reads objects as YAML nodes: a NaN or infinity fails only when the object is
    serialised (a JSON6902 patch, the output), so a later patch that overwrites or deletes
    it leaves no error; ``pipeline/root_steps.check_encodable`` fails at output. (An object
    without ``kind`` still reports its missing kind first.)
    """
    try:
        return builder.build(root)
    except ResourceError:
        if not isinstance(root, MappingNode):
            raise
        lenient = _Builder(path, v3=True, allow_non_finite=True)
        obj = lenient.build(root)
        builder.empties[:] = lenient.empties
        return obj


def _empty_paths(
    obj: Any, empties: list[tuple[dict[Any, Any], Any]]
) -> tuple[tuple[Any, ...], ...]:
    """Where in ``obj`` the recorded ``(map, key)`` empty values are, as paths.

    kyaml keeps ``key:`` as a null node with no text and a strategic merge drops it, while
    it keeps ``key: null`` (verified with kubectl); plain data cannot tell them apart, so
    the loader reports their places. Maps left out of ``obj`` (merge-key sources) are skipped.
    """
    wanted: dict[int, list[Any]] = {}
    for holder, key in empties:
        wanted.setdefault(id(holder), []).append(key)
    found: list[tuple[Any, ...]] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(obj, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            for key in wanted.get(id(value), ()):
                found.append((*path, key))
            stack.extend((v, (*path, k)) for k, v in value.items() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend(
                (v, (*path, i)) for i, v in enumerate(value) if isinstance(v, (dict, list))
            )
    return tuple(sorted(found, key=lambda p: tuple(map(str, p))))


def _build_patch(builder: _Builder, root: Node, path: str) -> tuple[Any, Any]:
    """A patch document and its targeted variant (:func:`_patch_meta`).

    A ``.inf``/``.nan`` is no error here: kustomize merges patches as YAML nodes, so it
    fails only if the value reaches a JSON step (a JSON6902 patch, the output; see
    ``pipeline/root_steps.check_encodable``) - not when a later level deletes the object.
    """
    try:
        obj = builder.build(root)
    except ResourceError:
        lenient = _Builder(path, v3=True, allow_non_finite=True)
        obj = lenient.build(root)
        builder.empties[:] = lenient.empties
    return obj, _patch_meta(root, obj)


def _value_node(node: Node, key: str) -> Node | None:
    """The value node of a plain scalar ``key`` in a mapping node, if any."""
    if type(node) is not MappingNode:
        return None
    for key_node, value_node in node.value:
        if type(key_node) is ScalarNode and key_node.value == key:
            return value_node
    return None


def _annotations_as_text(root: Node, obj: Any) -> None:
    """Annotation values become the text they were written as, as kustomize makes them.

    kustomize reads and rewrites every object's annotations as a string map: an unquoted
    ``prometheus.io/port: 8080`` prints as ``"8080"``, ``007`` stays ``"007"``, ``~`` is
    ``"~"``, and a mapping or list value becomes ``""`` (all verified with kubectl); a scalar
    in place of the whole map is dropped at output (root_steps.strip_build_annotations). Labels
    are left as they are.
    ``kind: List`` items get the same treatment, since each becomes an object.
    """
    if not isinstance(obj, dict):
        return
    items = obj.get("items")
    if isinstance(items, list) and str(obj.get("kind", "")).endswith("List"):
        items_node = _value_node(root, "items")
        if type(items_node) is SequenceNode and len(items_node.value) == len(items):
            for item_node, item in zip(items_node.value, items, strict=True):
                _annotations_as_text(item_node, item)
    meta = obj.get("metadata")
    meta_node = _value_node(root, "metadata")
    annotations_node = _value_node(meta_node, "annotations") if meta_node else None
    if not isinstance(meta, dict) or annotations_node is None:
        return
    annotations = meta.get("annotations")
    if type(annotations_node) is MappingNode and isinstance(annotations, dict):
        for key_node, value_node in annotations_node.value:
            key = key_node.value if type(key_node) is ScalarNode else None
            if key not in annotations:
                continue
            if type(value_node) is ScalarNode:
                annotations[key] = annotation_text(value_node.value, annotations[key])
            else:
                annotations[key] = ""


def _text_map(node: Node | None) -> dict[str, str] | None:
    """kyaml ``GetLabels``/``GetAnnotations`` of one map node: every value's text.

    A scalar gives the text it was written as (``null`` -> ``"null"``, ``~`` -> ``"~"``,
    empty -> ``""``), a mapping or list ``""``. None when the field is absent or not a map.
    """
    if type(node) is not MappingNode:
        return None
    return {
        k.value: v.value if type(v) is ScalarNode else ""
        for k, v in node.value
        if type(k) is ScalarNode
    }


def _patch_meta(root: Node, obj: Any) -> Any:
    """A strategic-merge patch's annotations as text, and its ``target:``-ed variant.

    Untargeted, kustomize merges the patch node by node (a null value deletes the key) and
    then rewrites the object's annotations as a string map, so each non-null annotation
    value ends up as its source text (``1.50`` -> ``"1.50"``, ``{a: 1}`` -> ``""``).
    With ``target:``, PatchTransformer first re-sets the patch copy's name, namespace and
    kind through ``resource.Resource``'s setters, which read and rewrite *labels and
    annotations* as string maps: ``null`` no longer deletes but becomes ``"null"``, and an
    empty or null map disappears from the patch (all verified with kubectl 1.32).
    Returns that targeted object (a shallow copy sharing everything else), or None when
    it is the same as ``obj``.
    """
    if not isinstance(obj, dict):
        return None
    meta, meta_node = obj.get("metadata"), _value_node(root, "metadata")
    if not isinstance(meta, dict) or meta_node is None:
        return None
    texts = {f: _text_map(_value_node(meta_node, f)) for f in ("labels", "annotations")}
    annotations = meta.get("annotations")
    if isinstance(annotations, dict) and texts["annotations"] is not None:
        for key, text in texts["annotations"].items():
            if key in annotations and annotations[key] is not None:
                annotations[key] = annotation_text(text, annotations[key])
    if all(f not in meta for f in texts):
        return None
    targeted_meta = dict(meta)
    for field_name, text_map in texts.items():
        if text_map:
            targeted_meta[field_name] = text_map
        else:
            targeted_meta.pop(field_name, None)
    return {**obj, "metadata": targeted_meta}


_SEPARATOR = re.compile(r"\n---[^\n]*\n")  # kyaml's splitDocuments
_MAPPING_LINE = re.compile(r"[^\s#\-?][^\n]*?:(?:[ \t]|$)")
_DIRECTIVE_VERSION = re.compile(r"%YAML[ \t]+(\S+)")


def _check_directives(text: str, path: str) -> None:
    """go-yaml's view of ``%YAML``/``%TAG`` directives in kustomize's ``---``-split chunks.

    kyaml splits a resource file at ``\n---\n`` *before* parsing, so a directive followed
    by ``---`` on the next line ends up alone in its chunk: go-yaml then fails with
    ``did not find expected <document start>`` (line numbers counted inside the chunk);
    ``%YAML`` other than 1.1 is ``found incompatible YAML document``.
    """
    first_line = 0
    chunks = _SEPARATOR.split(text)
    for position, chunk in enumerate(chunks):
        # kyaml gives every chunk but the last its newline back
        lines = (chunk if position == len(chunks) - 1 else chunk + "\n").split("\n")
        seen = False
        for number, line in enumerate(lines):
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if line.startswith("%"):
                seen = True
                version = _DIRECTIVE_VERSION.match(line)
                if version is not None and version.group(1) != "1.1":
                    raise YamlSyntaxError(
                        f"unsupported YAML version {version.group(1)} (kustomize reads YAML 1.1)",
                        location=SourceLocation(path, first_line + number + 1),
                        kustomize_message="yaml: found incompatible YAML document",
                    )
                continue
            if seen and not line.startswith("---"):
                if _MAPPING_LINE.match(line):  # go-yaml's scanner complains first
                    raise YamlSyntaxError(
                        "a %-directive must be followed by '---'",
                        location=SourceLocation(path, first_line + number + 1),
                        kustomize_message=(
                            f"yaml: line {number + 1}: mapping values are not allowed in "
                            "this context"
                        ),
                    )
                _raise_no_document_start(path, first_line, number)
            break
        else:
            if seen:
                _raise_no_document_start(path, first_line, len(lines) - 1)
        first_line += chunk.count("\n") + 2


def _raise_no_document_start(path: str, first_line: int, number: int) -> None:
    where = f"line {number}: " if number else ""
    raise YamlSyntaxError(
        "a %-directive must be followed by '---' in the same document (kustomize splits "
        "files at '---' lines first)",
        location=SourceLocation(path, first_line + number + 1),
        kustomize_message=f"yaml: {where}did not find expected <document start>",
    )


def load_kustomization_yaml(text: str, path: str) -> tuple[Any, LineMap]:
    """A kustomization file's first document with YAML 1.1 typing, and its line map.

    Keys are JSON strings as sigs.k8s.io/yaml makes them (``8080`` -> ``"8080"``, ``yes`` ->
    ``"true"``); the last of duplicate keys wins.  The line map has an entry for the root
    (``()``), every mapping key and every sequence item, e.g. ``("patches", 0, "target")``.
    Returns ``(None, {})`` for an empty or comment-only file.
    """
    root = _parse_first(text, path, v3=False)
    if root is None:
        return None, {}
    lines: LineMap = {(): root.start_mark.line + 1}
    builder = _Builder(path, v3=False, lines=lines)
    if "*" in text:
        builder.count_aliases()
    return builder.build(root), lines


def load_yaml11(text: str, path: str | None = None) -> Any:
    """The first document of ``text`` with YAML 1.1 typing (JSON6902 ops written in YAML)."""
    root = _parse_first(text, path, v3=False)
    if root is None:
        return None
    builder = _Builder(path, v3=False)
    if "*" in text:
        builder.count_aliases()
    return builder.build(root)
