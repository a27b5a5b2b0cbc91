"""Patches: strategic merge (kyaml semantics), JSON6902, target selection, patch parsing.

Pure functions on plain dicts; :mod:`envlib.kustomize.patches.apply_entries` wires them into a
build.
"""

from envlib.kustomize.core.selector import Selector, selector_matches
from envlib.kustomize.patches.json6902 import apply_json6902
from envlib.kustomize.patches.merge import apply_strategic_merge, merge_with_empties
from envlib.kustomize.patches.parse import ParsedPatch, parse_patch
from envlib.kustomize.patches.schema import is_known_kind

__all__ = [
    "ParsedPatch",
    "Selector",
    "apply_json6902",
    "apply_strategic_merge",
    "is_known_kind",
    "merge_with_empties",
    "parse_patch",
    "selector_matches",
]
