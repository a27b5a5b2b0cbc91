"""Every environment command on every buildable root of the shared corpora.

The issue asks for outputs "a platform engineer would trust" on any real repository, so each
root listed in ``corpora/INDEX.tsv`` is analysed through ``envlib.cli.main`` exactly as a user
would (``--repo <root> -o json``) and the answers are checked against the rendered objects
themselves: replica counts, workload kinds, totals, rule summaries, diff bookkeeping.

A root is analysed with the environments discovery gives it: the root alone, or its base +
overlays siblings when it sits in such a layout. Builds are memoised per directory (many roots
share a layout, and the argo-workflows CRDs are 12 MB), so the module stays well under the
three-minute budget on two cores.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from support import SHARED  # type: ignore[import-not-found]

from envlib.analysis import environments
from envlib.cli import main

INDEX = SHARED / "corpora" / "INDEX.tsv"
Capture = pytest.CaptureFixture[str]
# kind -> (apiVersion prefixes, where the declared replica count is, its default)
WORKLOADS: dict[str, tuple[tuple[str, ...], tuple[str, ...] | None, int | None]] = {
    "Deployment": (("apps/",), ("spec", "replicas"), 1),
    "StatefulSet": (("apps/",), ("spec", "replicas"), 1),
    "ReplicaSet": (("apps/",), ("spec", "replicas"), 1),
    "DaemonSet": (("apps/",), None, None),
    "Job": (("batch/",), ("spec", "parallelism"), 1),
    "CronJob": (("batch/",), ("spec", "jobTemplate", "spec", "parallelism"), 1),
    "Pod": (("v1",), None, 1),
}


def _roots() -> list[str]:
    if not INDEX.is_file():
        return ["(shared corpora missing)"]  # the shared_dir fixture skips, or fails in CI
    lines = INDEX.read_text().splitlines()[1:]
    return [line.split("\t", 1)[0] for line in lines if line.strip()]


_BUILDS: dict[tuple[str, bool], environments.RenderedEnv] = {}


@pytest.fixture(autouse=True)
def memoised_builds(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Build each directory once per session (with and without trace), whatever its name."""
    real = environments.render

    def render(env: environments.Environment, **options: Any) -> environments.RenderedEnv:
        if set(options) - {"trace"}:
            return real(env, **options)
        key = (str(env.path), bool(options.get("trace", True)))
        if key not in _BUILDS:
            _BUILDS[key] = real(env, **options)
        return replace(_BUILDS[key], env=env)

    monkeypatch.setattr(environments, "render", render)
    yield


def _run(capsys: Capture, *argv: str) -> tuple[int, dict[str, Any]]:
    rc = main([*argv, "-o", "json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err, captured.err
    assert rc == 0 or (rc == 1 and argv[0] == "check"), (argv, captured.err)
    return rc, json.loads(captured.out)


def _get(obj: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


def _declared(rendered: environments.RenderedEnv) -> list[tuple[str, str, int | None]]:
    """(kind, name, declared replicas) of every workload, read from the rendered objects."""
    out: list[tuple[str, str, int | None]] = []
    for res in rendered.resources:
        spec = WORKLOADS.get(res.kind)
        api = str(res.obj.get("apiVersion", ""))
        if spec is None or not api.startswith(spec[0]):
            continue
        value = _get(res.obj, spec[1]) if spec[1] else None
        out.append((res.kind, res.name, value if isinstance(value, int) else spec[2]))
    return out


def _check_table(capsys: Capture, repo: str, built: dict[str, environments.RenderedEnv]) -> None:
    _, long = _run(capsys, "table", "--long", "--repo", repo)
    rows = long["workloads"]  # tidy: one record per environment x workload
    for name, rendered in built.items():
        declared = _declared(rendered)
        mine = [r for r in rows if r["environment"] == name]
        # every workload kind of the rendered output appears, with its declared replicas
        found = Counter((r["kind"], r["name"], r["replicas"]) for r in mine)
        assert Counter(declared) - found == Counter(), (name, Counter(declared) - found)
        for row in mine:
            for column in ("replicas", "effective replicas", "HPA min", "HPA max"):
                assert row[column] is None or row[column] >= 0, (name, row)
                assert row[column] is None or isinstance(row[column], int), (name, row)
            if row["HPA"]:
                assert row["HPA min"] is None or row["HPA min"] <= row["effective replicas"]
                assert row["effective replicas"] <= row["HPA max"], (name, row)
            else:
                assert row["effective replicas"] == row["replicas"], (name, row)
            assert not any(key.endswith("_text") for key in row), row
    _, table = _run(capsys, "table", "--repo", repo)
    assert table["environments"] == list(built)
    assert table["workloads"] == rows  # the same tidy records, side-by-side is for people
    totals = {t["environment"]: t for t in table["totals"]}
    for name in built:
        mine = [r for r in rows if r["environment"] == name]
        if not mine:
            continue
        total = totals[name]
        assert total["workloads"] == len(mine)
        pods = sum(r["effective replicas"] or 0 for r in mine if r["kind"] != "Model")
        assert total["replicas"] == pods, name


def _check_experiment(capsys: Capture, repo: str, names: list[str]) -> None:
    _, doc = _run(capsys, "experiment", "--rps", "200", "--repo", repo)
    assert doc["environments"] == names and doc["rps"] == 200
    for row in doc["traffic"]:
        assert row["rps"] >= 0 and (row["replicas"] is None or row["replicas"] >= 0)
    if not doc["traffic"]:
        assert doc["notes"] == ["No Seldon Experiment in these environments."]


def _check_check(capsys: Capture, repo: str, names: list[str]) -> None:
    rc, doc = _run(capsys, "check", "--repo", repo)
    assert doc["environments"] == names
    assert doc["passed"] is (rc == 0)
    counts = Counter((f["env"], f["rule"]) for f in doc["findings"])
    for rule in doc["rules"]:
        assert rule["findings"] == counts.pop((rule["env"], rule["rule"]), 0), rule
        expected = (
            "pass" if not rule["findings"] else {"error": "fail"}.get(rule["severity"], "warn")
        )
        assert rule["status"] == expected, rule
    assert not counts, f"findings of rules missing from the summary: {counts}"
    for finding in doc["findings"]:
        assert finding["env"] in names and finding["file"] and finding["message"]
    assert (rc == 1) is any(f["severity"] == "error" for f in doc["findings"])


def _check_diff(capsys: Capture, repo: str, left: str, right: str) -> None:
    _, doc = _run(capsys, "diff", left, right, "--repo", repo)
    assert (doc["left"], doc["right"]) == (left, right)
    statuses = {"changed", "ignored", f"only in {left}", f"only in {right}"}
    summary = {s["resource"]: s for s in doc["summary"]}
    for row in [*doc["changes"], *doc["ignored"]]:
        assert row["status"] in statuses and row["resource"] in summary, row
    # tidy: one record per changed field and environment (two per field)
    fields = {(r["resource"], r["field"]) for r in doc["changes"] if r["status"] == "changed"}
    changed = Counter(resource for resource, _field in fields)
    for row in doc["changes"]:
        assert row["environment"] in (left, right), row
    for resource, entry in summary.items():
        assert entry["changed"] == changed[resource], entry
    # an environment compared with itself has no difference at all
    _, same = _run(capsys, "diff", left, left, "--repo", repo)
    assert same["changes"] == [] and same["summary"] == []


def _check_text_fits(capsys: Capture, repo: str, names: list[str]) -> None:
    """The terminal layouts stay within 100 columns, whatever the names and values."""
    commands = [["table"], ["check"], *([["diff", names[0], names[-1]]] if len(names) > 1 else [])]
    for argv in commands:
        main([*argv, "--repo", repo])
        lines = capsys.readouterr().out.splitlines()
        # a path longer than a column is never broken (it is copied from the report)
        too_wide = [line for line in lines if len(line) > 100 and len(line.split()[-1]) < 60]
        assert not too_wide, (argv, too_wide[:3])


@pytest.mark.shared
@pytest.mark.parametrize("root", _roots())
def test_every_command_on_every_corpus_root(
    shared_dir: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch, root: str
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    repo = str(shared_dir / "corpora" / root)
    _, doc = _run(capsys, "envs", "--repo", repo)
    envs = doc["environments"]
    names = [e["environment"] for e in envs]
    assert names and len(set(names)) == len(names)
    assert any(e["path"] for e in envs)
    built = {
        env.name: environments.render(env, trace=False)
        for env in environments.discover(repo)
        if env.path is not None
    }
    assert list(built) == names
    _check_table(capsys, repo, built)
    _check_experiment(capsys, repo, names)
    _check_check(capsys, repo, names)
    if len(names) >= 2:
        _check_diff(capsys, repo, names[0], names[-1])
    _check_text_fits(capsys, repo, names)
