"""Helm's failures, kept as Helm words them, plus the template file:line Helm names."""

from __future__ import annotations

import re
from dataclasses import dataclass

# "execution error at (chart/templates/x.yaml:6:8): ..." and "parse error at (...: ...)",
# and for YAML Helm cannot read back: "YAML parse error on chart/templates/x.yaml: ..."
_AT = re.compile(r"(?:error at \(|template: )(?P<file>[^\s():]+):(?P<line>\d+)")
_ON = re.compile(r"YAML parse error on (?P<file>[^\s:]+)")


@dataclass(frozen=True)
class TemplateSpot:
    """The chart file (as Helm names it: ``chart/templates/x.yaml``) and line of a failure."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


class HelmFailure(Exception):
    """Helm failed: ``detail`` is Helm's own message (what ``helm`` prints after ``Error:``).

    ``stderr`` is everything the run printed on stderr and ``command`` the words of the run
    (for kustomize's ``unable to run: 'helm ...'`` text); ``missing`` marks "no such binary".
    """

    def __init__(
        self, detail: str, *, stderr: str = "", command: str = "", missing: bool = False
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.stderr = stderr or f"Error: {detail}\n"
        self.command = command
        self.missing = missing

    @property
    def spot(self) -> TemplateSpot | None:
        """The template file and line Helm's message names, if it names one."""
        match = _AT.search(self.detail)
        if match:
            return TemplateSpot(match["file"], int(match["line"]))
        match = _ON.search(self.detail)
        return TemplateSpot(match["file"]) if match else None

    @property
    def first_line(self) -> str:
        """Helm's message on one line (Helm adds hints after a blank line)."""
        return self.detail.strip().splitlines()[0] if self.detail.strip() else "helm failed"
