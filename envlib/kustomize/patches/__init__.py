"""Patches: strategic merge (kyaml semantics), JSON6902, target selection, patch parsing.

Pure functions on plain dicts; :mod:`envlib.kustomize.patching` wires them into a build.
"""

from .json6902 import apply_json6902
from .parse import ParsedPatch, parse_patch
from .schema import is_known_kind
from .strategic import apply_strategic_merge
from .target import Selector, selector_matches

__all__ = [
    "ParsedPatch",
    "Selector",
    "apply_json6902",
    "apply_strategic_merge",
    "is_known_kind",
    "parse_patch",
    "selector_matches",
]
