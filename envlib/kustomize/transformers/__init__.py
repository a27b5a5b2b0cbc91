"""kustomize's built-in transformers, one module per kustomization feature.

Each function works in place on a :class:`envlib.kustomize.resource.ResMap`. The build calls
them in kustomize's fixed order (spec §0): namespace, prefix/suffix, labels, annotations,
replicas, images, replacements per level; name-reference fixing and vars once at the root.
"""

from .annotations import apply_annotations
from .images import apply_images
from .labels import apply_labels
from .name_affix import apply_name_affix
from .namerefs import fix_name_references
from .namespace import apply_namespace
from .replacements import apply_replacements
from .replicas import apply_replicas
from .vars import resolve_vars

__all__ = [
    "apply_annotations",
    "apply_images",
    "apply_labels",
    "apply_name_affix",
    "apply_namespace",
    "apply_replacements",
    "apply_replicas",
    "fix_name_references",
    "resolve_vars",
]
