"""Applying patch entries: ``patches``, legacy ``patchesStrategicMerge`` / ``patchesJson6902``.

The merge algorithms live in :mod:`envlib.kustomize.patches`; this module does what
kustomize's PatchTransformer / PatchStrategicMergeTransformer / PatchJson6902Transformer do
around them (spec §6):

* (configuration - reading and classifying entries - is in
  :mod:`envlib.kustomize.patches.configure_entries`);
* select targets: ``target:`` selectors (anchored regexes over original or current
  name/namespace), or for an untargeted strategic merge the one object that has ever had the
  patch's exact id (§6.3);
* apply, restoring ``kind`` / ``metadata.name`` / ``metadata.namespace`` unless
  ``allowKindChange`` / ``allowNameChange`` (namespace always), removing objects a
  ``$patch: delete`` emptied, and showing JSON6902 the internal ``previous*`` annotations
  kustomize keeps on every object (§6.5).

Each configured entry is one :class:`~envlib.kustomize.patches.configure_entries.ConfiguredPatch`;
applying it fills the trace step's ``matched`` count and, for strategic merges on custom resources,
the lists the patch replaced wholesale (a common surprise worth a warning).
"""

from __future__ import annotations

from typing import Any

from envlib.errors import EnvlibError, PatchError
from envlib.kustomize.core import shared_nodes
from envlib.kustomize.core.resid import Gvk, ResId
from envlib.kustomize.core.resource import ResMap, Resource
from envlib.kustomize.core.trace import FieldPath, Step
from envlib.kustomize.patches.configure_entries import JSON6902, ConfiguredPatch
from envlib.kustomize.yaml.scalars import AnnotationText, scalar_text

PREVIOUS_KINDS = "internal.config.kubernetes.io/previousKinds"
PREVIOUS_NAMES = "internal.config.kubernetes.io/previousNames"
PREVIOUS_NAMESPACES = "internal.config.kubernetes.io/previousNamespaces"
PREFIXES = "internal.config.kubernetes.io/prefixes"
SUFFIXES = "internal.config.kubernetes.io/suffixes"
GENERATOR_BEHAVIOR = "internal.config.kubernetes.io/generatorBehavior"
NEEDS_HASH_SUFFIX = "internal.config.kubernetes.io/needsHashSuffix"
_INTERNAL_KEYS = (
    PREVIOUS_KINDS,
    PREVIOUS_NAMES,
    PREVIOUS_NAMESPACES,
    PREFIXES,
    SUFFIXES,
    GENERATOR_BEHAVIOR,
    NEEDS_HASH_SUFFIX,
)


# -- selection ------------------------------------------------------------------------------


def select_targets(resmap: ResMap, target: dict[str, Any]) -> list[Resource]:
    """Resources a ``target:`` selector picks, in build order."""
    from envlib.kustomize.patches import Selector, selector_matches

    selector = Selector.from_dict(target)
    return [r for r in resmap if selector_matches(selector, r)]


def _patch_id(doc: dict[str, Any]) -> ResId:
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    assert isinstance(meta, dict)
    api_version = doc.get("apiVersion") if isinstance(doc.get("apiVersion"), str) else ""
    return ResId(
        Gvk.from_api_version(str(api_version), str(doc.get("kind") or "")),
        str(meta.get("name") or ""),
        str(meta.get("namespace") or ""),
    )


def find_by_any_id(resmap: ResMap, cp: ConfiguredPatch, doc: dict[str, Any]) -> Resource:
    """kustomize's ``GetById``: the one object that has ever had the patch's id."""
    rid = _patch_id(doc)
    key = rid.key
    found = [r for r in resmap if any(i.key == key for i in r.all_ids())]
    if len(found) == 1:
        return found[0]
    what = "multiple matches" if found else "no matches"
    inner = f"{what} for Id {rid}; failed to find unique target for patch {rid}"
    message = (
        f"strategic-merge patch for {rid} matches {len(found)} resources"
        if found
        else f"no resource matches strategic merge patch {rid} (compared with each object's "
        "original, intermediate and current ids; the namespace must match too)"
    )
    raise PatchError(
        message,
        location=cp.location,
        entry=cp.entry_name,
        resource=str(rid),
        kustomize_message=(
            inner if cp.legacy else f'no resource matches strategic merge patch "{rid}": {inner}'
        ),
    )


# -- application ----------------------------------------------------------------------------


def _list_paths(patch: Any, prefix: FieldPath = ()) -> list[FieldPath]:
    """Paths of list values in a patch document (candidates for wholesale replacement)."""
    out: list[FieldPath] = []
    if isinstance(patch, dict):
        for key, value in patch.items():
            if isinstance(key, str) and key.startswith("$"):
                continue
            if isinstance(value, list):
                out.append((*prefix, key))
            else:
                out.extend(_list_paths(value, (*prefix, key)))
    return out


def _get(obj: Any, path: FieldPath) -> Any:
    for seg in path:
        if not isinstance(obj, dict) or seg not in obj:
            return None
        obj = obj[seg]
    return obj


def _is_custom_kind(res: Resource) -> bool:
    try:
        from envlib.kustomize.patches import is_known_kind
    except ImportError:  # colleague's schema helper not available: assume built-in
        return False
    return not is_known_kind(res.api_version, res.kind)


def _restorable(res: Resource) -> tuple[Any, Any, Any]:
    """Name, namespace and kind as kustomize puts them back after a strategic merge.

    It re-sets them from their text (``SetName(GetName())``) as untagged scalars, so a
    number or boolean a JSON6902 patch put there keeps printing as one: the typed value is
    kept; anything else is its text (null, maps and lists become "").
    """
    meta = res.obj.get("metadata")
    meta = meta if isinstance(meta, dict) else {}

    def keep(raw: Any, text: str) -> Any:
        if raw is None or isinstance(raw, (str, dict, list)):
            return text
        return raw

    return (
        keep(meta.get("name"), res.name),
        keep(meta.get("namespace"), res.namespace),
        keep(res.obj.get("kind"), res.kind),
    )


def _apply_smp(res: Resource, doc: dict[str, Any], cp: ConfiguredPatch, step: Step | None) -> bool:
    """Merge ``doc`` into ``res``; returns False when the object was deleted."""
    from envlib.kustomize.patches import apply_strategic_merge, merge_with_empties

    name, namespace, kind = _restorable(res)
    if cp.allow_name_change or cp.allow_kind_change:
        res.store_previous_id()
    before = res.cur_id
    lists = _list_paths(doc) if step is not None and _is_custom_kind(res) else []
    originals = [(p, _get(res.obj, p)) for p in lists]
    before_obj = res.obj
    try:
        if res.empty_nulls:
            merged, res.empty_nulls = merge_with_empties(res.obj, doc, res.empty_nulls)
        else:
            merged = apply_strategic_merge(res.obj, doc)
    except EnvlibError as exc:
        exc.location = exc.location or cp.location
        exc.entry = exc.entry or cp.entry_name
        _name_resource(exc, str(res.cur_id))
        raise
    if not merged:
        return False
    res.obj = merged
    if not cp.allow_kind_change:
        merged["kind"] = kind
    meta = merged.get("metadata")
    if not isinstance(meta, dict):
        meta = {}
        merged["metadata"] = meta
    if not cp.allow_name_change:
        meta["name"] = name
    if namespace:
        meta["namespace"] = namespace
    else:
        meta.pop("namespace", None)
    res.record_current_id(before)
    shared_nodes.after_merge(res, before_obj, doc)
    if res.untyped:
        shared_nodes.stringify_untyped(res, doc, scalar_text)
    if step is not None:
        for path, original in originals:
            now = _get(merged, path)
            if (
                isinstance(original, list)
                and original
                and now != original
                and now == _get(doc, path)
            ):
                step.replaced_lists.append((str(res.cur_id), path))
    return True


def _apply_targeted_smp(resmap: ResMap, cp: ConfiguredPatch, step: Step | None) -> list[Resource]:
    assert cp.target is not None
    selected = select_targets(resmap, cp.target)
    doc = (cp.targeted_documents or cp.documents)[0]
    keep: list[Resource] = []
    chosen = {id(r) for r in selected}
    for res in list(resmap):
        if id(res) in chosen:
            copy_ = dict(doc)
            copy_["apiVersion"] = res.obj.get("apiVersion")
            if "apiVersion" not in res.obj:
                copy_.pop("apiVersion", None)
            if not _apply_smp(res, copy_, cp, step):
                continue
        keep.append(res)
    resmap.resources[:] = keep
    return selected


def internal_annotations(res: Resource) -> dict[str, str]:
    """kustomize's build annotations on ``res`` at this point (what JSON6902 can see).

    kustomize keeps its bookkeeping in annotations while it builds: the ``previous*`` ids,
    the ``prefixes``/``suffixes`` applied so far, and on generated objects the generator's
    behavior and hash-suffix flag. envlib keeps them on the :class:`Resource`; a JSON6902
    ``copy``/``move`` of ``/metadata/annotations`` copies them along in kubectl.
    """
    out: dict[str, str] = {}
    gen = res.generated
    if gen is not None:
        out[GENERATOR_BEHAVIOR] = gen.behavior_text
        if not gen.disable_hash:
            out[NEEDS_HASH_SUFFIX] = "enabled"
    if res.name_prefixes:
        out[PREFIXES] = ",".join(res.name_prefixes)
    if res.name_suffixes:
        out[SUFFIXES] = ",".join(res.name_suffixes)
    ids = res.prev_ids
    if not ids:
        return out

    def ens(rid: ResId) -> str:
        if rid.gvk.cluster_scoped:
            return "_non_namespaceable_"
        return rid.namespace or "default"

    out[PREVIOUS_KINDS] = ",".join(i.gvk.kind for i in ids)
    out[PREVIOUS_NAMES] = ",".join(i.name for i in ids)
    out[PREVIOUS_NAMESPACES] = ",".join(ens(i) for i in ids)
    return out


def _apply_json(resmap: ResMap, cp: ConfiguredPatch) -> list[Resource]:
    from envlib.kustomize.patches import apply_json6902

    assert cp.target is not None
    selected = select_targets(resmap, cp.target)
    for res in selected:
        if not cp.legacy:
            res.store_previous_id()
        before = res.cur_id
        internal = internal_annotations(res)
        meta = res.metadata
        had_annotations = "annotations" in meta
        _typed_annotations(meta)
        original = meta.get("annotations")
        if internal:
            annotations = original if isinstance(original, dict) else {}
            meta["annotations"] = {**annotations, **internal}
        try:
            patched = apply_json6902(res.obj, cp.ops)
        except EnvlibError as exc:
            exc.location = exc.location or cp.location
            exc.entry = exc.entry or cp.entry_name
            _name_resource(exc, str(before))
            raise
        finally:
            if internal:
                # put the unpatched object back as it was: the patch result may hold the
                # annotations map with the internal keys elsewhere (a move or copy of it)
                if had_annotations:
                    meta["annotations"] = original
                else:
                    meta.pop("annotations", None)
        res.obj = _reset_annotations(patched)
        shared_nodes.forget(res)  # the JSON round trip makes every node new
        res.empty_nulls.clear()
        res.untyped.clear()
        res.record_current_id(before)
    return selected


def _typed_annotations(meta: dict[str, Any]) -> None:
    """The annotation nodes JSON6902 serialises still have their YAML types."""
    annotations = meta.get("annotations")
    if isinstance(annotations, dict) and any(
        type(v) is AnnotationText for v in annotations.values()
    ):
        meta["annotations"] = {
            k: v.typed if type(v) is AnnotationText else v for k, v in annotations.items()
        }


def _annotation_text(value: Any) -> Any:
    """How kyaml reads a non-string annotation back as a string (after the JSON round trip)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        # every JSON number is a float64 to kustomize by then, printed with Go's %v:
        # 8080 -> "8080", 1234567 -> "1.234567e+06" (verified with kubectl)
        from envlib.kustomize.yaml.emitter import go_format_float

        return go_format_float(float(value))
    if isinstance(value, (dict, list)):
        return ""
    return value


def _reset_annotations(obj: dict[str, Any]) -> dict[str, Any]:
    """Annotations as kustomize re-sets them after every JSON6902 patch.

    Both patch transformers (``patches:`` and the legacy ``patchesJson6902:``) end each
    resource with ``GetAnnotations`` + its internal annotations + ``SetAnnotations``. kyaml
    reads the node under ``metadata.annotations`` as key/value pairs of its children, whatever
    its kind: a map gives its entries (values as their text, a nested map or list as ""); a
    scalar or null gives nothing; a list gives its items two by two (``[a, b]`` -> ``a: b``).
    ``SetAnnotations`` then clears the field and writes the map back with string values, or
    leaves it out when the map is empty, so a patch that makes the annotations a scalar or an
    empty map removes them (checked with kubectl 1.32). An empty key makes kyaml stop after
    clearing the map (``SetField("")`` swaps the node it works on): the annotations are left
    an empty map. kubectl panics on a list of odd length; envlib drops the unpaired item
    (docs/fidelity.md). envlib's own build annotations are not in ``obj``: the ones the patch
    could see are removed here, as kustomize removes them at the end of the build.

    Copy-on-write: the patch result shares untouched subtrees (and, when nothing changed,
    the whole object) with earlier versions of the resource, so ``obj`` is returned as it is
    when its annotations already read back the same, and otherwise a new top-level dict with
    a new ``metadata`` is returned.
    """
    meta = obj.get("metadata")
    if not isinstance(meta, dict) or "annotations" not in meta:
        return obj
    node = meta["annotations"]
    pairs: list[tuple[Any, Any]]
    if isinstance(node, dict):
        pairs = list(node.items())
    elif isinstance(node, list):
        pairs = list(zip(node[0::2], node[1::2], strict=False))
    else:
        pairs = []
    annotations: dict[str, Any] | None = {}
    for key, value in pairs:
        text = key if isinstance(key, str) else _annotation_text(key)
        if text == "":
            annotations = None  # kyaml's SetField("") case: left an empty map
            break
        assert annotations is not None
        annotations[text] = value if isinstance(value, str) else _annotation_text(value)
    if annotations is not None:
        for key in _INTERNAL_KEYS:
            annotations.pop(key, None)
        if annotations == node and type(node) is dict and _all_plain_str(node):
            return obj
    new_meta = dict(meta)
    if annotations is None:
        new_meta["annotations"] = {}
    elif annotations:
        new_meta["annotations"] = annotations
    else:
        del new_meta["annotations"]
    return {**obj, "metadata": new_meta}


def _all_plain_str(mapping: dict[Any, Any]) -> bool:
    """Every key and value is a ``str`` (not an envlib text subclass that remembers a type)."""
    return all(type(k) is str and type(v) is str for k, v in mapping.items())


def _name_resource(exc: EnvlibError, res_id: str) -> None:
    """Say which resource a patch failed on (kustomize does not)."""
    exc.resource = exc.resource or res_id
    if exc.resource not in exc.message:
        exc.message = f"{exc.message} (applying to {exc.resource})"


def apply_patch(resmap: ResMap, cp: ConfiguredPatch, step: Step | None = None) -> int:
    """Apply one configured patch entry to ``resmap`` in place; returns how many it matched."""
    if cp.patch_type == JSON6902:
        selected = _apply_json(resmap, cp)
    elif cp.target is not None:
        selected = _apply_targeted_smp(resmap, cp, step)
    else:
        selected = []
        for doc in cp.documents:
            res = find_by_any_id(resmap, cp, doc)
            selected.append(res)
            if not _apply_smp(res, doc, cp, step):
                resmap.resources[:] = [r for r in resmap if r is not res]
    if step is not None:
        step.matched = len(selected)
        step.targets = list(selected)
    return len(selected)
