"""``commonAnnotations`` (kustomize's AnnotationsTransformer).

Annotations go to ``metadata.annotations`` of every object and to the pod/job templates of
the built-in workload kinds (:data:`~.fieldspecs.COMMON_ANNOTATION_SPECS`), creating the maps
where missing. Values are strings (multi-line values included); the serializer decides how
they print.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from envlib.kustomize.resource import ResMap

from .fieldpath import apply_field_specs
from .fieldspecs import COMMON_ANNOTATION_SPECS, FieldSpec
from .labels import set_map_entry


def apply_annotations(
    resmap: ResMap,
    annotations: Mapping[str, str],
    *,
    specs: Iterable[FieldSpec] = COMMON_ANNOTATION_SPECS,
    entry: str = "commonAnnotations",
) -> None:
    """Add ``annotations`` to every resource in place (kustomize ``commonAnnotations``).

    Raises :class:`envlib.errors.TransformerError` if an ``annotations`` field along the way is
    not a map or a path runs into a scalar.
    """
    if not annotations:
        return
    spec_list = tuple(specs)
    for res in resmap:
        for key in sorted(annotations):
            apply_field_specs(
                res,
                spec_list,
                set_map_entry(key, annotations[key]),
                create_map=True,
                entry=entry,
                what=f"set annotation {key!r}",
            )
