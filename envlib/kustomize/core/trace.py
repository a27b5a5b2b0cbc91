"""The build trace: every generator, transformer and patch entry of a build, and what it changed.

Blame ("why is ``spec.replicas`` 1 in dev?"), patch toggles (render with a step disabled),
what-if patches and patch-effect warnings all read this one record, so it is plain data:

* a :class:`Step` per configured entry, with a stable :attr:`Step.id` such as
  ``k8s/overlays/dev/kustomization.yaml#patches[0]`` (the kustomization file relative to the
  project root - the nearest ancestor of the build root holding ``.git``, else the build root -
  then ``#`` and the field with its index), so the same id names the same entry on every run;
* per step, the :class:`Change` list: which resources it touched (final id and origin) and which
  field paths differ before/after (computed by diffing the touched objects, only when the build
  was asked for a trace).

Field paths are tuples (``("spec", "template", "spec", "containers", 0, "image")``); the
string form is ``spec.template.spec.containers[0].image`` with keys that contain ``.``, ``[``,
``]`` or ``"`` written as ``["app.kubernetes.io/name"]``.
"""

from __future__ import annotations

import copy
import json
import marshal
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from envlib.errors import SourceLocation

if TYPE_CHECKING:
    from envlib.kustomize.core.resource import Origin, Resource

FieldPath = tuple["str | int", ...]

# -- field paths ----------------------------------------------------------------------------

_PLAIN_KEY = re.compile(r"^[^.\[\]\"]+$")
_SEGMENT = re.compile(r'\.?(?:\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|([^.\[\]"]+))')


def format_path(path: Sequence[str | int]) -> str:
    """``("spec", "ports", 0, "port")`` -> ``spec.ports[0].port``; ``()`` -> ``""`` (all)."""
    out: list[str] = []
    for seg in path:
        if isinstance(seg, int):
            out.append(f"[{seg}]")
        elif _PLAIN_KEY.match(seg):
            out.append(f".{seg}" if out else seg)
        else:
            out.append(f"[{json.dumps(seg)}]")
    return "".join(out)


def parse_path(text: str | Sequence[str | int]) -> FieldPath:
    """Inverse of :func:`format_path`; tuples and lists pass through."""
    if not isinstance(text, str):
        return tuple(text)
    segments: list[str | int] = []
    pos = 0
    while pos < len(text):
        match = _SEGMENT.match(text, pos)
        if match is None or match.end() == pos:
            raise ValueError(f"invalid field path {text!r} at position {pos}")
        index, quoted, plain = match.groups()
        if index is not None:
            segments.append(int(index))
        elif quoted is not None:
            segments.append(str(json.loads(quoted)))
        else:
            segments.append(plain)
        pos = match.end()
    return tuple(segments)


_KEEP: ContextVar[Callable[[str], bool] | None] = ContextVar("envlib_trace_keep", default=None)


@contextmanager
def tracing_only(keep: Callable[[str], bool]) -> Iterator[None]:
    """Inside the block, traced builds record changes only for steps whose id ``keep`` takes.

    Why: a caller that will look at a few steps' changes (the promotion preview names the
    kustomization entries a branch edited) need not pay for snapshots of every other step.
    The other steps are still listed, as in an untraced build; changes' after-snapshots
    (provenance) are not kept, since a skipped step cannot close them.
    """
    token = _KEEP.set(keep)
    try:
        yield
    finally:
        _KEEP.reset(token)


def kept_steps() -> Callable[[str], bool] | None:
    """The predicate of the enclosing :func:`tracing_only` block, or None."""
    return _KEEP.get()


def snapshot(obj: Any) -> Any:
    """A deep copy of a JSON-like value; marshal is several times faster than deepcopy."""
    try:
        return marshal.loads(marshal.dumps(obj))
    except ValueError:  # a value marshal does not know (should not happen for YAML data)
        return copy.deepcopy(obj)


def diff_paths(
    before: Any, after: Any, prefix: FieldPath = (), limit: int = 200
) -> list[FieldPath]:
    """Paths whose values differ between ``before`` and ``after``.

    Maps are compared key by key; lists of equal length element by element; a list whose
    length changed is reported as one path (the list itself), because positions no longer
    correspond.
    """
    out: list[FieldPath] = []
    _diff(before, after, prefix, out, limit)
    return out


def _diff(before: Any, after: Any, prefix: FieldPath, out: list[FieldPath], limit: int) -> None:
    if len(out) >= limit or before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        keys = list(before) + [k for k in after if k not in before]
        for key in keys:
            if key not in after or key not in before:
                out.append((*prefix, key))
            else:
                _diff(before[key], after[key], (*prefix, key), out, limit)
        return
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (b, a) in enumerate(zip(before, after, strict=True)):
            _diff(b, a, (*prefix, index), out, limit)
        return
    out.append(prefix)


def _overlaps(a: FieldPath, b: FieldPath) -> bool:
    """Whether one path is a prefix of the other (a change at one affects the other)."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]


# -- records --------------------------------------------------------------------------------


@dataclass
class Change:
    """One resource touched by a step.

    ``resource`` is the resource's id string at the end of the build (``Kind.version.group/
    name.namespace``), ``origin`` where it was declared. ``paths`` are the field paths that
    differ before/after the step; ``()`` means the whole object (created or removed).
    """

    resource: str
    origin: Origin
    paths: list[FieldPath]
    created: bool = False
    removed: bool = False
    res: Resource | None = field(default=None, repr=False, compare=False)
    # the object just before and just after the step (snapshots), which field-level
    # provenance (envlib.provenance) diffs to carry each value's history; None when removed
    before: Any = field(default=None, repr=False, compare=False)
    after: Any = field(default=None, repr=False, compare=False)

    @property
    def path_strings(self) -> list[str]:
        """``paths`` in their string form."""
        return [format_path(p) for p in self.paths]


@dataclass
class Step:
    """One configured generator, transformer or patch entry (or a root-only build step).

    ``kind`` names the kustomization feature (``patch``, ``patchesStrategicMerge``,
    ``patchesJson6902``, ``namespace``, ``namePrefix``, ``labels``, ``commonLabels``,
    ``configMapGenerator``, ``images``, ..., and for root-only steps ``hashSuffix``,
    ``nameReferences``, ``vars``, ``localConfig``). ``matched`` counts the resources the step
    selected (patches: targets; other steps: resources it changed). ``enabled`` is False for a
    step switched off through ``build(disabled_steps=...)``.
    """

    id: str
    kind: str
    location: SourceLocation | None
    description: str
    changes: list[Change] = field(default_factory=list)
    matched: int = 0
    enabled: bool = True
    patch_type: str | None = None  # "strategic-merge" | "json6902" for patch steps
    replaced_lists: list[tuple[str, FieldPath]] = field(default_factory=list)
    level: str = ""  # kustomization file (display path) that configured the step
    builtin: str | None = None  # kustomize's builtin plugin kind, for buildMetadata
    # patch steps of a traced build: the resources the patch selected, changed or not (a
    # patch now writing the value already there still targets the object)
    targets: list[Resource] = field(default_factory=list, repr=False, compare=False)

    @property
    def is_patch(self) -> bool:
        """Whether this step is a patch entry (any of the three patch fields or an extra patch)."""
        return self.patch_type is not None

    def changed_paths(self, res: Resource) -> list[FieldPath]:
        """Paths this step changed on ``res`` (by identity)."""
        return [p for c in self.changes if c.res is res for p in c.paths]


@dataclass(frozen=True)
class PatchIssue:
    """A patch that probably does not do what its author meant."""

    step: Step
    reason: str  # "matched-nothing" | "changed-nothing" | "replaced-list"
    message: str


@dataclass
class BuildTrace:
    """All steps of one build, in execution order."""

    steps: list[Step] = field(default_factory=list)
    enabled: bool = True  # False when the build ran with trace=False (no changes recorded)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    def step(self, step_id: str) -> Step:
        """The step with this id (KeyError if unknown)."""
        for candidate in self.steps:
            if candidate.id == step_id:
                return candidate
        raise KeyError(step_id)

    def ids(self) -> list[str]:
        """Every step id, in execution order."""
        return [s.id for s in self.steps]

    def patches(self) -> list[Step]:
        """Patch steps only."""
        return [s for s in self.steps if s.is_patch]

    def ineffective_patches(self) -> list[PatchIssue]:
        """Patches that matched nothing or changed nothing, and SMPs that replaced a whole list.

        The last case is a strategic merge on a custom resource (kustomize knows no merge keys
        for it), where a list in the patch replaced the original list instead of merging
        into it - usually not what the author meant.
        """
        issues: list[PatchIssue] = []
        for step in self.steps:
            if not step.is_patch or not step.enabled:
                continue
            if step.matched == 0:
                issues.append(
                    PatchIssue(step, "matched-nothing", f"{step.id}: matched no resource")
                )
            elif self.enabled and not any(c.paths for c in step.changes):
                issues.append(
                    PatchIssue(
                        step,
                        "changed-nothing",
                        f"{step.id}: matched {step.matched} resource(s) but changed nothing",
                    )
                )
            for res_id, path in step.replaced_lists:
                issues.append(
                    PatchIssue(
                        step,
                        "replaced-list",
                        f"{step.id}: strategic merge replaced the whole list "
                        f"{format_path(path)} of {res_id} (no merge key for custom resources)",
                    )
                )
        return issues

    def steps_touching(self, res: Resource, path: Sequence[str | int] | str = ()) -> list[Step]:
        """Steps that changed ``path`` (or a parent or child of it) on ``res``."""
        wanted = parse_path(path)
        return [
            step
            for step in self.steps
            if any(_overlaps(p, wanted) for p in step.changed_paths(res))
        ]
