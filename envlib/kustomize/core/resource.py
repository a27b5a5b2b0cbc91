"""A Kubernetes object in the build, with where it came from and every id it has had.

The object itself is a plain JSON-like Python value (``dict``/``list``/``str``/``int``/
``float``/``bool``/``None``) so transformers and patches work on it directly and fast.

kustomize matches patches, replicas and name references against an object's *original* id,
every *intermediate* id (recorded whenever a namespace, prefix, suffix or patch renamed it) and
its *current* id; :meth:`Resource.all_ids` gives exactly that list. Renames must go through
:meth:`Resource.set_name` / :meth:`Resource.set_namespace` / :meth:`Resource.record_current_id`
so that history is kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from envlib.errors import ResourceConflictError, SourceLocation
from envlib.kustomize.core.resid import Gvk, ResId


def node_text(value: Any) -> str:
    """kyaml's reading of an identity field (``GetName``, ``GetKind``...) that is not a string.

    kyaml returns the scalar node's text: a name patched to the number ``3`` is "3" (and
    ``namePrefix: p-`` makes it ``p-3``), ``true`` is "true"; null, maps and lists give "".
    Numbers carry their node text when it is not Python's (``TextInt``/``TextFloat``).
    """
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return str.__str__(value)
    text = getattr(value, "text", None)
    return text if isinstance(text, str) else str(value)


def _text(value: Any) -> str:
    return value if type(value) is str else node_text(value)


@lru_cache(maxsize=4096)
def _gvk(api_version: str, kind: str) -> Gvk:
    """The (immutable) Gvk of an apiVersion/kind pair, parsed once per distinct pair.

    Keyed on the strings read from the object each time, so an object mutated in place
    never sees a stale value; only the parsing is shared.
    """
    return Gvk.from_api_version(api_version, kind)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a resource was declared.

    ``path`` is the file (as a path relative to the current directory when possible);
    ``doc_index`` is the 0-based document in that file (for ``kind: List`` items, the
    document that held the list); ``line`` is 1-based. Generated objects point at the
    kustomization file and name the generator entry, e.g. ``configMapGenerator[0]``.
    Files of a remote root (``path`` is then a URL) also carry kustomize's ``repo``/``ref``
    and the path inside the repository its origin annotation prints.
    """

    path: str
    doc_index: int = 0
    line: int | None = None
    generator: str | None = None
    # a file of a remote root: kustomize's origin fields (clone URL, ref, path in the repo)
    repo: str | None = None
    ref: str = ""
    repo_path: str = ""

    @property
    def location(self) -> SourceLocation:
        """The origin as a :class:`SourceLocation` for error messages."""
        return SourceLocation(self.path, self.line)

    def __str__(self) -> str:
        text = str(self.location)
        return f"{text} ({self.generator})" if self.generator else text


@dataclass(slots=True)
class GeneratorInfo:
    """Marks an object made by configMapGenerator / secretGenerator."""

    behavior: str = "create"
    disable_hash: bool = False
    # kustomize's ``generatorBehavior`` build annotation: the entry's ``behavior`` as written
    # when it is create/merge/replace, else "unspecified" (a JSON6902 patch can see it).
    behavior_text: str = "unspecified"


@dataclass(slots=True, eq=False)
class Resource:
    """One object in the build."""

    obj: dict[str, Any]
    origin: Origin
    org_id: ResId
    prev_ids: list[ResId] = field(default_factory=list)
    generated: GeneratorInfo | None = None
    # Every namePrefix / nameSuffix applied to this object, innermost level first
    # (kustomize's internal ``prefixes``/``suffixes`` annotations). Name-reference fixing
    # uses them to pick between candidates that had the same original name.
    name_prefixes: list[str] = field(default_factory=list)
    name_suffixes: list[str] = field(default_factory=list)
    # Groups of field paths whose scalars are one YAML node in kustomize (a label written
    # by commonLabels to metadata and selector); see shared_nodes.py.
    shared: list[tuple[tuple[Any, ...], ...]] = field(default_factory=list)
    # Paths of map values written as nothing (``key:``): kyaml's strategic merge drops
    # them but keeps ``key: null``; see patches.apply_strategic_merge.
    empty_nulls: list[tuple[Any, ...]] = field(default_factory=list)
    # Paths of scalars a replacement created (untagged nodes): a later strategic merge of
    # the object turns them into strings; see shared_nodes.stringify_untyped.
    untyped: list[tuple[Any, ...]] = field(default_factory=list)
    # The last id computed and the four identity values it was computed from (see cur_id).
    _id_memo: tuple[Any, Any, Any, Any, ResId] | None = field(
        default=None, repr=False, compare=False
    )

    @classmethod
    def from_obj(cls, obj: dict[str, Any], origin: Origin) -> Resource:
        """Wrap a freshly loaded or generated object; its id now is its original id."""
        res = cls(obj=obj, origin=origin, org_id=ResId(Gvk("", "", ""), ""))
        res.org_id = res.cur_id
        return res

    # -- accessors -------------------------------------------------------------------
    @property
    def api_version(self) -> str:
        """``apiVersion`` as text (see :func:`node_text`)."""
        value = self.obj.get("apiVersion")
        return value if type(value) is str else node_text(value)

    @property
    def kind(self) -> str:
        """``kind`` as text (see :func:`node_text`)."""
        value = self.obj.get("kind")
        return value if type(value) is str else node_text(value)

    @property
    def metadata(self) -> dict[str, Any]:
        """``metadata``, created when missing."""
        meta = self.obj.get("metadata")
        if not isinstance(meta, dict):
            meta = {}
            self.obj["metadata"] = meta
        return meta

    @property
    def name(self) -> str:
        """``metadata.name`` as text (see :func:`node_text`)."""
        meta = self.obj.get("metadata")
        value = meta.get("name") if isinstance(meta, dict) else None
        return value if type(value) is str else node_text(value)

    @property
    def namespace(self) -> str:
        """``metadata.namespace`` as text (raw, not defaulted; see :func:`node_text`)."""
        meta = self.obj.get("metadata")
        value = meta.get("namespace") if isinstance(meta, dict) else None
        return value if type(value) is str else node_text(value)

    @property
    def gvk(self) -> Gvk:
        """The current group/version/kind."""
        return _gvk(self.api_version, self.kind)

    @property
    def cur_id(self) -> ResId:
        """The current id, read from the object each time.

        A build asks for it about ten times per object (accumulation, sorting, selectors,
        name references), so the last result is kept with the very values it was read from
        and reused while the object still holds those same objects (``is``: the values are
        immutable scalars, or maps/lists whose text is always ""), never a stale id.
        """
        obj = self.obj
        meta = obj.get("metadata")
        if isinstance(meta, dict):
            name, namespace = meta.get("name"), meta.get("namespace")
        else:
            name = namespace = None
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        memo = self._id_memo
        if (
            memo is not None
            and memo[0] is api_version
            and memo[1] is kind
            and memo[2] is name
            and memo[3] is namespace
        ):
            return memo[4]
        rid = ResId(_gvk(_text(api_version), _text(kind)), _text(name), _text(namespace))
        self._id_memo = (api_version, kind, name, namespace, rid)
        return rid

    def labels(self) -> dict[str, Any]:
        """``metadata.labels`` (a new empty dict when absent; not stored)."""
        value = self.obj.get("metadata", {}).get("labels")
        return value if isinstance(value, dict) else {}

    def annotations(self) -> dict[str, Any]:
        """``metadata.annotations`` (a new empty dict when absent; not stored)."""
        value = self.obj.get("metadata", {}).get("annotations")
        return value if isinstance(value, dict) else {}

    # -- identity history ------------------------------------------------------------
    def all_ids(self) -> list[ResId]:
        """Original id, every intermediate id, and the current id (duplicates removed)."""
        out: list[ResId] = []
        for rid in (self.org_id, *self.prev_ids, self.cur_id):
            if rid not in out:
                out.append(rid)
        return out

    def all_names(self) -> list[str]:
        """Every name the object has had, oldest first."""
        return list(dict.fromkeys(rid.name for rid in self.all_ids()))

    def record_current_id(self, before: ResId) -> None:
        """Remember ``before`` as an intermediate id if the object's id changed since."""
        if before != self.cur_id and (not self.prev_ids or self.prev_ids[-1] != before):
            self.prev_ids.append(before)

    def store_previous_id(self) -> None:
        """Record the current id as a previous one even if it will not change.

        kustomize's namespace/prefix/suffix transformers do this for every object they
        visit; name-reference fixing only considers objects that have previous ids.
        """
        self.prev_ids.append(self.cur_id)

    def set_name(self, name: str) -> None:
        """Rename, keeping the old id in the history."""
        before = self.cur_id
        self.metadata["name"] = name
        self.record_current_id(before)

    def set_namespace(self, namespace: str) -> None:
        """Move to another namespace, keeping the old id in the history."""
        before = self.cur_id
        self.metadata["namespace"] = namespace
        self.record_current_id(before)

    def __repr__(self) -> str:
        return f"Resource({self.cur_id}, origin={self.origin})"


class ResMap:
    """The ordered collection of resources of a build (kustomize's ``ResMap``).

    Order is accumulation order (what ``sortOptions: fifo`` prints). Ids must be unique
    under :meth:`ResId.same_as`; :meth:`append` enforces it.
    """

    def __init__(self, resources: list[Resource] | None = None) -> None:
        self._items: list[Resource] = list(resources or [])

    def __iter__(self) -> Iterator[Resource]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int) -> Resource:
        return self._items[index]

    @property
    def resources(self) -> list[Resource]:
        """The underlying list (mutable: steps may reorder or replace it)."""
        return self._items

    def append(self, res: Resource, *, context: str = "") -> None:
        """Add a resource; a second object with the same id is an error."""
        key = res.cur_id.key
        for other in self._items:
            if other.cur_id.key == key:
                raise ResourceConflictError(
                    f"may not add resource with an already registered id: {res.cur_id}",
                    location=res.origin.location,
                    resource=str(res.cur_id),
                    kustomize_message=(
                        f"{context}may not add resource with an already registered id: {res.cur_id}"
                    ),
                )
        self._items.append(res)

    def extend(self, other: ResMap | list[Resource], *, context: str = "") -> None:
        """Append every resource of ``other`` (duplicate ids are errors)."""
        seen = {r.cur_id.key for r in self._items}
        for res in other:
            key = res.cur_id.key
            if key in seen:
                self.append(res, context=context)  # raises with the standard message
            seen.add(key)
            self._items.append(res)

    def remove(self, res: Resource) -> None:
        """Drop one resource (identity, not equality)."""
        self._items = [r for r in self._items if r is not res]

    def find_by_id(self, rid: ResId) -> list[Resource]:
        """Resources any of whose ids equal ``rid`` (kustomize: GetMatchingResourcesByAnyId)."""
        key = rid.key
        return [r for r in self._items if any(i.key == key for i in r.all_ids())]

    def objects(self) -> list[dict[str, Any]]:
        """The plain objects, in order."""
        return [r.obj for r in self._items]
