"""kustomize's built-in transformers, one module per kustomization feature.

Each function works in place on a :class:`envlib.kustomize.core.resource.ResMap`. The build calls
them in kustomize's fixed order (spec §0): namespace, prefix/suffix, labels, annotations,
replicas, images, replacements per level; name-reference fixing and vars once at the root.
"""

from envlib.kustomize.transformers.annotations import apply_annotations
from envlib.kustomize.transformers.images import apply_images
from envlib.kustomize.transformers.labels import apply_labels
from envlib.kustomize.transformers.name_affix import apply_name_affix
from envlib.kustomize.transformers.namerefs import fix_name_references
from envlib.kustomize.transformers.namespace import apply_namespace
from envlib.kustomize.transformers.replacements import apply_replacements
from envlib.kustomize.transformers.replicas import apply_replicas
from envlib.kustomize.transformers.vars import resolve_vars

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
