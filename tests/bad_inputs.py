"""A table of bad input trees: every kind of bad file at every place kustomize reads a file.

Why a generated table: the bugs this guards against (a traceback, an ``internal error``, an
error that names the kustomization entry but not the file that is wrong) hide in the one
reading place nobody tried. Each :class:`BadTree` is one bad input (:data:`CONTENTS`, or a
path problem from :data:`PATH_PROBLEMS`) put at one place (:data:`PLACES`); ``write`` lays
it out under a directory, with the build root at ``root/`` and a sibling ``outside/`` for
paths that leave the root. ``tests/test_bad_inputs.py`` builds each with envlib and with
``kubectl kustomize``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

_HEAD = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"
CM = _HEAD + b"data:\n  k: v\n"
"""A valid resource every place can build on (patches target it)."""

# -- bad contents -----------------------------------------------------------------------------
CONTENTS: dict[str, bytes] = {
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x08\x06\x00\x00\x00\xff\xd8",
    "invalid-utf8": _HEAD + b"data:\n  k: \xc3\x28\n",
    "latin1": _HEAD + b"data:\n  k: caf\xe9\n",
    "nul": b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\x00\ndata:\n  k: v\n",
    "control": _HEAD + b"data:\n  k: a\x01b\n",
    "sub-char": _HEAD + b"data:\n  k: a\x1ab\n",
    "utf16": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n".encode("utf-16"),
    "truncated-quote": b'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "cm\n',
    "truncated-flow": b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, labels: {a: b\n",
    "truncated-utf8": _HEAD + b"data:\n  k: \xe2\x82",
    "empty": b"",
    "comments-only": b"# nothing here\n---\n# nor here\n",
    "crlf-bom": b"\xef\xbb\xbf" + _HEAD.replace(b"\n", b"\r\n"),
}

PATH_PROBLEMS = ("directory", "symlink-outside", "dotdot-outside", "dangling-symlink")


@dataclass(frozen=True)
class Place:
    """One place in a kustomization that reads a file: how to point it at ``{f}``."""

    name: str
    kustomization: str
    """``root/kustomization.yaml``; ``{f}`` is the entry naming the bad file."""
    bad_name: str = "bad.yaml"
    extra: dict[str, bytes] = field(default_factory=dict)
    nested: str | None = None
    """The bad file is this directory's kustomization file (``{f}`` is the directory)."""


_RES = "resources:\n- cm.yaml\n"
PLACES: tuple[Place, ...] = (
    Place("kustomization", ""),
    Place("resources", "resources:\n- {f}\n"),
    Place("resources-dir", "resources:\n- {f}\n", nested="sub"),
    Place("components", _RES + "components:\n- {f}\n", nested="comp"),
    Place("patches-path", _RES + "patches:\n- path: {f}\n"),
    Place("patches-target-path", _RES + "patches:\n- path: {f}\n  target:\n    kind: ConfigMap\n"),
    Place("patchesStrategicMerge", _RES + "patchesStrategicMerge:\n- {f}\n"),
    Place(
        "patchesJson6902",
        _RES + "patchesJson6902:\n- target: {{version: v1, kind: ConfigMap, name: cm}}\n"
        "  path: {f}\n",
    ),
    Place("configMapGenerator-files", "configMapGenerator:\n- name: g\n  files:\n  - {f}\n"),
    Place(
        "configMapGenerator-envs",
        "configMapGenerator:\n- name: g\n  envs:\n  - {f}\n",
        bad_name="bad.env",
    ),
    Place("secretGenerator-files", "secretGenerator:\n- name: s\n  files:\n  - k={f}\n"),
    Place("replacements-path", _RES + "replacements:\n- path: {f}\n"),
    Place("configurations", _RES + "configurations:\n- {f}\n"),
    Place("openapi-path", _RES + "openapi:\n  path: {f}\n"),
    Place("crds", _RES + "crds:\n- {f}\n"),
    Place("transformers", _RES + "transformers:\n- {f}\n"),
    Place("generators", "generators:\n- {f}\n"),
)


@dataclass(frozen=True)
class BadTree:
    """One bad input at one place; ``id`` reads ``<place>/<problem>``."""

    place: Place
    problem: str

    @property
    def id(self) -> str:
        return f"{self.place.name}/{self.problem}"

    @property
    def wrong_file(self) -> str:
        """The path (relative to the tree's base) the error must name: the file that is wrong."""
        place, problem = self.place, self.problem
        if place.name == "kustomization":
            return "root/kustomization.yaml"
        if problem == "dotdot-outside" or problem == "symlink-outside":
            return "outside" if place.nested else "outside/x.yaml"
        if place.nested is not None:
            if problem in CONTENTS:
                return f"root/{place.nested}/kustomization.yaml"
            return f"root/{place.nested}"
        return f"root/{place.bad_name}"

    def write(self, base: Path) -> Path:
        """Lay the tree out below ``base``; returns the build root (``base/root``)."""
        root = base / "root"
        outside = base / "outside"
        root.mkdir(parents=True)
        outside.mkdir()
        (outside / "x.yaml").write_bytes(CM)
        (outside / "kustomization.yaml").write_bytes(b"resources:\n- x.yaml\n")
        (root / "cm.yaml").write_bytes(CM)
        for rel, data in self.place.extra.items():
            (root / rel).write_bytes(data)
        place = self.place
        if place.name == "kustomization":
            self._bad_file(root / "kustomization.yaml", root, outside)
            return root
        entry = place.nested or place.bad_name
        if self.problem == "dotdot-outside":
            entry = "../outside" if place.nested else "../outside/x.yaml"
        if place.nested is not None and self.problem not in ("dotdot-outside",):
            nested = root / place.nested
            if self.problem in ("symlink-outside", "dangling-symlink", "directory"):
                self._bad_file(nested, root, outside, directory_entry=True)
            else:
                nested.mkdir()
                self._bad_file(nested / "kustomization.yaml", root, outside)
        elif self.problem != "dotdot-outside":
            self._bad_file(root / place.bad_name, root, outside)
        text = place.kustomization.format(f=entry)
        (root / "kustomization.yaml").write_text(text)
        return root

    def _bad_file(
        self, target: Path, root: Path, outside: Path, *, directory_entry: bool = False
    ) -> None:
        problem = self.problem
        if problem in CONTENTS:
            target.write_bytes(CONTENTS[problem])
        elif problem == "directory":
            if directory_entry:  # a file where the entry wants a directory
                target.write_bytes(CM)
            else:
                target.mkdir()
                (target / "x.yaml").write_bytes(CM)
        elif problem == "symlink-outside":
            source = outside if directory_entry else outside / "x.yaml"
            os.symlink(os.path.relpath(source, target.parent), target)
        elif problem == "dangling-symlink":
            os.symlink("does-not-exist.yaml", target)
        else:  # dotdot-outside is written as the entry itself
            target.write_bytes(CM)


def bad_trees() -> list[BadTree]:
    """Every bad input at every place (path problems make no sense for the root file)."""
    trees = []
    for place in PLACES:
        for problem in (*CONTENTS, *PATH_PROBLEMS):
            if place.name == "kustomization" and problem in PATH_PROBLEMS:
                continue
            trees.append(BadTree(place, problem))
    return trees
