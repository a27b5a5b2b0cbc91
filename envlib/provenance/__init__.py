"""Field-level provenance: for every field of a rendered resource, the file:line behind it.

A layer over the engine's build trace (:mod:`envlib.kustomize.trace`): the engine only keeps
each step's before/after snapshots; this package reads the source files again (lazily) to
find the line that wrote each value, the chain of earlier values, and the comments that say
why (:mod:`.reasons`). Used by ``envlib explain``, ``envlib build --annotate`` and
``envlib lint``.
"""

from __future__ import annotations

from .chain import Provenance, project_root
from .model import Entry, FieldProvenance, Site

__all__ = ["Entry", "FieldProvenance", "Provenance", "Site", "project_root"]
