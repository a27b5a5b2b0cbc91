"""Committed notebooks are fit for strict nbval: run, with outputs, without widget state.

nbval only compares cells whose reference has run, so a notebook saved without outputs would
turn the strict comparison into a smoke test without anyone noticing; this test makes that
(and stale ``metadata.widgets``, absolute paths or secret values in outputs) fail instead.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from envlib.nbtools import problems

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
EXPECTED = [
    "01-onboarding.ipynb",
    "02-compare-environments.ipynb",
    "03-ab-experiment.ipynb",
    "04-what-if.ipynb",
    "05-explorer.ipynb",
    "06-bring-your-own-repo.ipynb",
    "07-promotion-preview.ipynb",
]
# literal secret values that the sample trees contain (06 writes one into a temp repository)
SECRET_VALUES = ("change-me-please", "Y2hhbmdlLW1lLXBsZWFzZQ")


def test_every_notebook_is_there() -> None:
    assert [p.name for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_notebook_is_executed_and_clean(path: Path) -> None:
    assert problems(path) == []


def _outputs_text(path: Path) -> str:
    nb = nbformat.read(str(path), as_version=4)
    return "\n".join(
        json.dumps(output)
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_outputs_hold_no_machine_paths_or_secrets(path: Path) -> None:
    text = _outputs_text(path)
    for needle in (str(REPO), "/tmp/", "/home/", "/root/", *SECRET_VALUES):
        assert needle not in text, f"{path.name} shows {needle!r}"
    assert "at 0x" not in text, f"{path.name} shows a memory address"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_kernel_is_the_plain_python3_spec(path: Path) -> None:
    nb = nbformat.read(str(path), as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"


def _ran(source: str, count: int | None, outputs: list[dict] | None = None, tags=()) -> dict:
    cell = new_code_cell(source, execution_count=count, outputs=outputs or [])
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


OUT = [new_output("stream", name="stdout", text="1\n")]
ERROR = [new_output("error", ename="LoadError", evalue="bad", traceback=[])]


STRIPPED = ["saved without outputs", "cell 0 has not been run"]
UNTAGGED = ["cell 0 shows an error but is not tagged raises-exception"]
WIDGETS = {"widgets": {"application/vnd.jupyter.widget-state+json": {}}}
WIDGET_PROBLEM = ["metadata.widgets is stored (strip it: python -m envlib.nbtools execute)"]
ORDER = ["cells were not run top to bottom in one session (counts [2, 1])"]
TAGGED = ["raises-exception"]
UNRUN = ["cell 1 has not been run"]


@pytest.mark.parametrize(
    ("cells", "metadata", "expected"),
    [
        pytest.param([_ran("print(1)", 1, OUT)], {}, [], id="clean"),
        pytest.param([_ran("print(1)", None)], {}, STRIPPED, id="stripped"),
        pytest.param([_ran("print(1)", 1, OUT), _ran("x = 2", None)], {}, UNRUN, id="unrun"),
        pytest.param([_ran("print(1)", 1, OUT)], WIDGETS, WIDGET_PROBLEM, id="widget-state"),
        pytest.param([_ran("raise X", 1, ERROR)], {}, UNTAGGED, id="untagged-error"),
        pytest.param([_ran("raise X", 1, ERROR, tags=TAGGED)], {}, [], id="tagged-error"),
        pytest.param([_ran("print(1)", 2, OUT), _ran("x", 1, OUT)], {}, ORDER, id="out-of-order"),
        pytest.param([new_markdown_cell("# only text")], {}, ["no code cells"], id="no-code"),
    ],
)  # fmt: skip
def test_problems_table(
    tmp_path: Path, cells: list[dict], metadata: dict, expected: list[str]
) -> None:
    nb = new_notebook(cells=cells, metadata=metadata)
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(path))
    assert problems(path) == expected
