"""Provenance checked against the text over every shared corpus root.

For every scalar field of every resource, the file:line that ``explain`` names must exist and
contain the value or the key being set (or lie in the transformer entry that set it); values
the engine computes (hash suffixes, rewritten name references, vars) name their step instead
and are counted as documented exceptions (docs/explain.md). The annotated output must parse
to exactly the plain output, whose sha256 is the oracle's recorded one - so the annotated
text parses as exactly kubectl's output.
"""

from __future__ import annotations

import hashlib

import pytest
import yaml
from support import SHARED, require

from envlib.errors import EnvlibError
from envlib.kustomize import build
from envlib.provenance.audit import EXCEPTIONS, VERIFIED, AuditResult, audit_build

CORPORA = SHARED / "corpora"


def _rows() -> list[tuple[str, str]]:
    index = CORPORA / "INDEX.tsv"
    if not index.is_file():
        return []
    rows = [line.split("\t") for line in index.read_text().splitlines()[1:] if line.strip()]
    return [(row[0], row[4]) for row in rows]


@pytest.mark.shared
@pytest.mark.parametrize(
    ("root", "sha256"),
    [pytest.param(r, s, id=r) for r, s in _rows()] or [pytest.param(None, None, id="missing")],
)
def test_corpus_root_provenance(root: str | None, sha256: str | None) -> None:
    require(root is not None, f"{CORPORA}/INDEX.tsv is missing")
    assert root is not None
    directory = CORPORA / root
    try:
        result = build(directory)
    except EnvlibError:
        return  # a root kubectl rejects too (the differential test checks the error)
    plain = result.to_yaml()
    assert hashlib.sha256(plain.encode()).hexdigest() == sha256
    audit: AuditResult = audit_build(result)  # every field's line, and the annotated output
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    assert list(yaml.load_all(audit.text, Loader=loader)) == list(
        yaml.load_all(plain, Loader=loader)
    )
    assert audit.share(*VERIFIED, *EXCEPTIONS) == 1.0, audit.failures
