"""helm template's stdout read back as resources, each remembering its chart template.

Why a module: the Argo CD helm renderer (:mod:`.helm_source`) and value explanations
(:mod:`.helm_explain`, which renders again to check a values key) read Helm's output the
same way; the ``# Source: <chart>/templates/x.yaml`` line before each document names the
template, which becomes the object's origin.
"""

from __future__ import annotations

import re
from pathlib import Path

from envlib.kustomize.core.resource import Origin, Resource
from envlib.kustomize.load.fs import display_path

_SOURCE = re.compile(r"^---\n# Source: (?P<file>[^\n]+)\n", re.M)


def resources_from_output(text: str, chart_dir: Path) -> list[Resource]:
    """helm template's stdout as resources, each with its template file as origin."""
    from envlib.kustomize.core.trace import snapshot
    from envlib.kustomize.load.resource_entries import flatten_document
    from envlib.kustomize.yaml.readers import load_documents

    marks = list(_SOURCE.finditer(text))
    chunks = [(m.group("file"), text[m.end() : nxt.start() if nxt else len(text)])
              for m, nxt in zip(marks, [*marks[1:], None], strict=True)]  # fmt: skip
    out: list[Resource] = []
    for helm_file, chunk in chunks:
        _, _, rest = helm_file.partition("/")  # "<chart>/templates/x.yaml"
        display = display_path(chart_dir / rest)
        for doc in load_documents(chunk, display, resources=True):
            if doc.obj is not None:
                flatten_document(snapshot(doc.obj), display, doc.doc_index, doc.line, out)
    for res in out:
        res.origin = Origin(res.origin.path, res.origin.doc_index, res.origin.line)
    return out


__all__ = ["resources_from_output"]
