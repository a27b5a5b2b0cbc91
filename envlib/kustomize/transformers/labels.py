"""``labels:`` entries and ``commonLabels`` (kustomize's LabelTransformer).

Which fields a label lands in depends on the entry, exactly as kustomize decides it:

* plain ``labels:`` entry -> ``metadata.labels`` only (plus the entry's own ``fields``);
* ``includeTemplates: true`` -> also pod/job template labels and StatefulSet volume claim
  templates (:data:`~.fieldspecs.TEMPLATE_LABEL_SPECS`);
* ``includeSelectors: true`` or ``commonLabels`` -> also selectors
  (:data:`~.fieldspecs.COMMON_LABEL_SPECS`), creating missing ones where kustomize does
  (a Service selector even for ``type: ExternalName``, a bare StatefulSet's
  ``spec.selector.matchLabels`` and ``spec.template.metadata.labels``). Selectors kustomize does
  not create (NetworkPolicy ``podSelector: {}``, PDB, Job) stay untouched when absent/empty.

Labels are written on whatever object kind matches the specs; custom resources only match
the kind-less ``metadata/labels`` spec, which is why a CRD kind's ``spec.selector`` is left alone.

The module also holds :func:`matches_selector`, the Kubernetes label-selector matcher that
``replacements`` (and anything else selecting by ``labelSelector``) uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from envlib.kustomize.core.resource import ResMap
from envlib.kustomize.core.shared_nodes import present_paths, record_writes
from envlib.kustomize.transformers.fieldpath import (
    Setter,
    Slot,
    apply_field_specs,
    scalar_text,
    wrong_kind,
)
from envlib.kustomize.transformers.fieldspecs import (
    COMMON_LABEL_SPECS,
    METADATA_ONLY_LABEL_SPECS,
    TEMPLATE_LABEL_SPECS,
    FieldSpec,
    merge_field_specs,
)

# ``kustomize edit fix`` refuses to merge commonLabels into labels with this text; a build
# (``kubectl kustomize``) does NOT fail: both apply and commonLabels, applied last, wins.
LABEL_CONFLICT_MESSAGE = "label name '{key}' exists in both commonLabels and labels"


def label_field_specs(
    *,
    include_selectors: bool,
    include_templates: bool,
    fields: Iterable[FieldSpec] = (),
) -> tuple[FieldSpec, ...]:
    """The field specs one ``labels:`` entry writes to (kustomize's configurator logic)."""
    if include_selectors:
        return merge_field_specs(fields, COMMON_LABEL_SPECS)
    if include_templates:
        return merge_field_specs(fields, TEMPLATE_LABEL_SPECS, METADATA_ONLY_LABEL_SPECS)
    return merge_field_specs(fields, METADATA_ONLY_LABEL_SPECS)


def set_map_entry(key: str, value: str) -> Setter:
    """A setter writing ``key: value`` into the map found at a field-spec path.

    A ``null`` at the end of a non-creating path stays ``null`` (kyaml appends to the null
    node, which serializes as ``null``); a scalar or list there is kyaml's wrong-kind error.
    """

    def setter(slot: Slot) -> None:
        node = slot.value
        if node is None:
            return
        if not isinstance(node, dict):
            raise wrong_kind("MappingNode", node)
        node[key] = value

    return setter


def apply_labels(
    resmap: ResMap,
    pairs: Mapping[str, str],
    *,
    include_selectors: bool,
    include_templates: bool,
    fields: Iterable[FieldSpec] = (),
    specs: Iterable[FieldSpec] | None = None,
    entry: str = "labels",
) -> None:
    """Apply one ``labels:`` entry (or ``commonLabels`` with ``include_selectors=True``) in place.

    ``fields`` are the entry's own field specs, merged before the built-in ones. ``specs``,
    when given, replaces the whole choice (a builtin ``LabelTransformer`` config writes to
    exactly its ``fieldSpecs``). ``entry`` names the kustomization entry in error messages
    (``labels[0]``, ``commonLabels``). Raises :class:`envlib.errors.TransformerError` when a
    path runs into a scalar or a ``labels`` field that is not a map.
    """
    if not pairs:
        return
    if specs is None:
        specs = label_field_specs(
            include_selectors=include_selectors,
            include_templates=include_templates,
            fields=fields,
        )
    set_map_entries(resmap, pairs, specs, entry=entry, noun="label")


def set_map_entries(
    resmap: ResMap, pairs: Mapping[str, str], specs: Iterable[FieldSpec], *, entry: str, noun: str
) -> None:
    """Write every ``key: value`` of ``pairs`` (sorted, as kustomize) into the maps ``specs``
    reach in each object, creating them; ``noun`` (``label``) names the action in errors."""
    spec_list = tuple(specs)
    by_kind: dict[tuple[str, str], list[str]] = {}
    for res in resmap:
        gvk = (res.api_version, res.kind)
        matching = by_kind.get(gvk)
        if matching is None:
            matching = by_kind[gvk] = [s.path for s in spec_list if s.matches(*gvk)]
        # one field gets no shared node; only an existing group or empty value needs care
        track = len(matching) > 1 or bool(res.shared) or bool(res.empty_nulls)
        for key in sorted(pairs):
            before = present_paths(res.obj, matching, key) if track else []
            apply_field_specs(
                res,
                spec_list,
                set_map_entry(key, pairs[key]),
                create_map=True,
                entry=entry,
                what=f"set {noun} {key!r}",
            )
            if track:
                after = present_paths(res.obj, matching, key)
                existed = [p for p in after if p in before]
                created = [p for p in after if p not in before]
                record_writes(res, existed, created, pairs[key])


def check_label_conflicts(
    common_labels: Mapping[str, str], labels_entries: Iterable[Mapping[str, Any]]
) -> list[str]:
    """Keys present both in ``commonLabels`` and in some ``labels[].pairs``, sorted.

    Not a build error in kubectl 1.32 (checked with the oracle: the build succeeds and the
    commonLabels value wins because it is applied after every ``labels:`` entry). Callers may
    use it for a warning/lint; :data:`LABEL_CONFLICT_MESSAGE` is kustomize's wording from
    ``kustomize edit fix``.
    """
    seen: set[str] = set()
    for item in labels_entries:
        pairs = item.get("pairs") or {}
        seen.update(k for k in pairs if k in common_labels)
    return sorted(seen)


# -- label selectors (Kubernetes syntax) -----------------------------------------------
_REQUIREMENT = re.compile(
    r"\s*(?P<neg>!)?\s*(?P<key>[^\s!=<>(),]+)\s*"
    r"(?:(?P<op>==|=|!=|<|>|\bnotin\b|\bin\b)\s*(?P<val>\([^)]*\)|[^,]*))?\s*"
)


def matches_selector(selector: str, labels: Mapping[str, Any]) -> bool:
    """Whether ``labels`` satisfy a Kubernetes label selector string ("" selects everything).

    Supports ``k=v``, ``k==v``, ``k!=v``, ``k in (a,b)``, ``k notin (a)``, ``k``, ``!k``,
    ``k>n``, ``k<n``; raises ValueError on anything else.
    """
    for req in _split_requirements(selector):
        m = _REQUIREMENT.fullmatch(req)
        if m is None or (m["neg"] and m["op"]):
            raise ValueError(f"unable to parse requirement: {req!r}")
        key, op, raw = m["key"], m["op"], (m["val"] or "").strip()
        have = key in labels
        text = scalar_text(labels.get(key))
        if m["neg"] or op is None:
            ok = have != bool(m["neg"])
        elif op in ("in", "notin"):
            if not (raw.startswith("(") and raw.endswith(")")):
                raise ValueError(f"found '{raw}', expected: '('")
            values = {v.strip() for v in raw[1:-1].split(",")}
            ok = (have and text in values) if op == "in" else not (have and text in values)
        elif op in ("=", "=="):
            ok = have and text == raw
        elif op == "!=":
            ok = not have or text != raw
        else:
            try:
                bound, mine = int(raw), int(text)
            except ValueError:
                ok = False
            else:
                ok = have and (mine > bound if op == ">" else mine < bound)
        if not ok:
            return False
    return True


def _split_requirements(selector: str) -> list[str]:
    out, depth, start = [], 0, 0
    for i, ch in enumerate(selector):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            out.append(selector[start:i])
            start = i + 1
    out.append(selector[start:])
    return [r for r in out if r.strip()] if selector.strip() else []
