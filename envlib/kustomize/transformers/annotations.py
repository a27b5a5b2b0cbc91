"""``commonAnnotations`` (kustomize's AnnotationsTransformer).

Annotations go to ``metadata.annotations`` of every object and to the pod/job templates of
the built-in workload kinds (:data:`~.fieldspecs.COMMON_ANNOTATION_SPECS`), creating the maps
where missing. Values are strings (multi-line values included); the serializer decides how
they print.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from envlib.kustomize.core.resource import ResMap
from envlib.kustomize.transformers.fieldspecs import COMMON_ANNOTATION_SPECS, FieldSpec
from envlib.kustomize.transformers.labels import set_map_entries


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
    set_map_entries(resmap, annotations, specs, entry=entry, noun="annotation")
