"""Checking provenance against the text: does the named line really write the value?

For every scalar field of every resource of a build, the final entry's file:line must exist
and that line must contain the value or the key being set - or, for a transformer, lie in
the kustomization entry that set it. Values the engine computes (hash suffixes, rewritten
name references, substituted vars) are not written anywhere: those name their step and are
counted as documented exceptions, as are fields changed by the engine between steps.

``python -m envlib.provenance.audit DIR...`` prints the shares; the test suite runs the same
audit over the shared corpus and the embedded repository.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .annotate import annotate
from .chain import Provenance, project_root
from .model import Entry
from .sources import source_file
from .walk import scalar_text

COMPUTED = frozenset({"hashSuffix", "nameReferences", "vars"})
_TRANSFORMERS = frozenset(
    {"namespace", "namePrefix", "nameSuffix", "labels", "commonLabels", "commonAnnotations"}
    | {"images", "replicas", "replacements", "transformers"}
)


@dataclass
class AuditResult:
    """Counts per verdict, examples of failures, and the annotated-line share."""

    verdicts: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    lines: int = 0
    annotated: int = 0
    annotatable: int = 0
    text: str = ""  # the annotated output of the last build audited

    @property
    def fields(self) -> int:
        """Scalar fields checked."""
        return sum(self.verdicts.values())

    def share(self, *verdicts: str) -> float:
        """Share of fields with one of ``verdicts``."""
        return sum(self.verdicts[v] for v in verdicts) / self.fields if self.fields else 1.0

    def merge(self, other: AuditResult) -> None:
        """Add another build's counts."""
        self.verdicts.update(other.verdicts)
        self.failures.extend(other.failures)
        self.lines += other.lines
        self.annotated += other.annotated
        self.annotatable += other.annotatable


def verdict(entry: Entry | None, path: tuple[str | int, ...]) -> str:
    """``value`` / ``key`` / ``entry`` (verified), ``computed`` / ``engine`` (exceptions), else
    ``missing-file`` / ``bad-line`` / ``mismatch``."""
    if entry is None or entry.site is None:
        return "engine"
    if entry.step and entry.step.rpartition("#")[2].split("[")[0] in COMPUTED:
        return "computed"
    site = entry.site
    source = source_file(site.path) if site.path else None
    if source is None:
        return "missing-file"
    if site.line is None or not 0 < site.line <= len(source.lines):
        return "bad-line"
    text = source.line(site.line)
    value = entry.value
    shown = scalar_text(value)
    first = shown.split("\n")[0].strip()
    if shown and (shown in text or first in text):
        return "value"
    if first and text.rstrip().endswith(("|", "|-", "|+", ">", ">-", ">+")):
        if first in source.line(site.line + 1):  # a block scalar's text starts below
            return "value"
    if shown == "" and ('""' in text or "''" in text or text.rstrip().endswith(":")):
        return "value"
    key = next((str(seg) for seg in reversed(path) if not isinstance(seg, int)), "")
    if key and key in text:
        return "key"
    if entry.kind in _TRANSFORMERS or entry.kind in ("configMapGenerator", "secretGenerator"):
        return "entry"
    return "mismatch"


VERIFIED = ("value", "key", "entry")
EXCEPTIONS = ("computed", "engine")


def audit_build(result: Any, *, examples: int = 20) -> AuditResult:
    """Audit one :class:`~envlib.kustomize.build.BuildResult` (built with a trace)."""
    out = AuditResult()
    prov = Provenance(result.resources, result.trace, project_root(result.root))
    for res in result.resources:
        for found in prov.fields(res):
            what = verdict(found.final, found.path)
            out.verdicts[what] += 1
            if what not in VERIFIED + EXCEPTIONS and len(out.failures) < examples:
                site = found.final.site if found.final else None
                out.failures.append(
                    f"{res.kind}/{res.name} {'.'.join(map(str, found.path))}={found.value!r}: "
                    f"{what} at {site.path if site else '-'}:{site.line if site else '-'}"
                )
    annotated = annotate(result.to_yaml(), result.resources, prov)
    out.lines, out.annotated = annotated.lines, annotated.annotated
    out.annotatable = annotated.annotatable
    out.text = annotated.text
    return out


def main(argv: list[str]) -> int:
    """Audit each directory and print the shares."""
    from envlib.errors import EnvlibError
    from envlib.kustomize import build

    total = AuditResult()
    for directory in argv:
        try:
            result = build(directory)
        except EnvlibError as exc:
            print(f"{directory}: build failed ({exc.one_line()})")
            continue
        total.merge(audit_build(result))
    print(f"fields: {total.fields}  " + "  ".join(f"{k}={v}" for k, v in total.verdicts.items()))
    print(f"verified: {total.share(*VERIFIED):.4f}  with exceptions: ", end="")
    print(f"{total.share(*VERIFIED, *EXCEPTIONS):.4f}")
    print(f"annotated lines: {total.annotated}/{total.lines} = ", end="")
    print(f"{total.annotated / total.lines if total.lines else 1:.4f}", end="")
    share = total.annotated / total.annotatable if total.annotatable else 1
    print(f"  (of the {total.annotatable} lines that can carry a comment: {share:.4f})")
    for failure in total.failures:
        print("  " + failure)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
