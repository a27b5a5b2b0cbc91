"""Every bad input at every place that reads a file: one line naming the wrong file, exit 1.

The trees come from ``tests/bad_inputs.py`` (bad contents x reading places, plus paths that
are directories, dangling or outside the root). envlib must never print a traceback or an
"internal error", must name the file that is wrong, and must fail exactly when
``kubectl kustomize`` fails (building the same bytes when it does not).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bad_inputs import CONTENTS, BadTree, bad_trees
from support import Oracle

from envlib.cli import main

TREES = bad_trees()
# contents that are not YAML text at all: the error must give the file's own path
UNREADABLE = set(CONTENTS) - {"utf16", "empty", "comments-only", "crlf-bom"}

# kubectl reads an ``openapi: path:`` schema only when a strategic merge needs it (and then
# panics on a bad one); envlib refuses it at once. docs/fidelity.md, deliberate differences.
EAGER_OPENAPI = {t.id for t in TREES if t.place.name == "openapi-path" and t.problem in UNREADABLE}
# kubectl's own panics (exit 2), a deliberate difference: envlib builds or fails cleanly
KUBECTL_PANICS = {"crds/empty"}


def _envlib(
    tree: BadTree, base: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> tuple[int, str, str]:
    tree.write(base)
    monkeypatch.chdir(base)
    rc = main(["build", "root"])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


@pytest.mark.parametrize("tree", TREES, ids=[t.id for t in TREES])
def test_one_line_naming_the_wrong_file(
    tree: BadTree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    rc, _, err = _envlib(tree, tmp_path, monkeypatch, capsys)
    assert "Traceback" not in err and "internal error" not in err, err
    if rc == 0:
        return
    lines = [line for line in err.splitlines() if not line.startswith("# Warning:")]
    assert rc == 1
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    named = tree.wrong_file in lines[0]
    if tree.problem not in UNREADABLE:  # a semantic problem may name it relative to its entry
        named = named or tree.wrong_file.rsplit("/", 1)[-1] in lines[0]
    assert named, f"{lines[0]!r} does not name {tree.wrong_file}"


@pytest.mark.oracle
@pytest.mark.parametrize("tree", TREES, ids=[t.id for t in TREES])
def test_fails_exactly_when_kubectl_fails(
    tree: BadTree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, oracle: Oracle
) -> None:
    rc, out, err = _envlib(tree, tmp_path, monkeypatch, capsys)
    live = oracle.build(tmp_path / "root")
    if tree.id in EAGER_OPENAPI:
        assert rc == 1 and live.rc == 0
        return
    if tree.id in KUBECTL_PANICS:
        assert live.rc == 2 and "panic:" in live.stderr
        return
    assert (rc == 0) == (live.rc == 0), f"envlib {rc}: {err}\nkubectl {live.rc}: {live.stderr}"
    assert out.encode() == live.stdout
