"""Environments as Argo CD renders them, through every analysis: table, diff, explorer; and
one broken environment that does not hide the others (CLI, analysis API, explorer)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envlib.analysis import environments
from envlib.cli import main
from envlib.errors import EnvlibError

DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: example/api:1.0
        resources:
          requests: {cpu: 250m, memory: 256Mi}
"""


def _app(name: str, path: str, kustomize: str = "") -> str:
    return f"""\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {{name: {name}}}
spec:
  project: default
  destination: {{name: in-cluster, namespace: {name}}}
  source:
    repoURL: https://example.com/repo.git
    targetRevision: main
    path: {path}
{kustomize}"""


FILES = {
    "base/kustomization.yaml": "resources:\n- deploy.yaml\n",
    "base/deploy.yaml": DEPLOY,
    "overlays/dev/kustomization.yaml": "resources:\n- ../../base\n",
    "overlays/prod/kustomization.yaml": "resources:\n- ../../base\n",
    # Argo CD Image Updater's file: replaces the Application's images for this app only
    "overlays/prod/.argocd-source-web-prod.yaml": "kustomize:\n  images: [example/api:2.5]\n",
    "apps/dev.yaml": _app("web-dev", "overlays/dev"),
    "apps/prod.yaml": _app(
        "web-prod",
        "overlays/prod",
        "    kustomize:\n      namePrefix: prod-\n      images: [example/api:2.0]\n"
        "      replicas: [{name: api, count: 6}]\n",
    ),
}
BROKEN = {
    "overlays/qa/kustomization.yaml": "resources:\n- ../../base\npatches:\n- path: gone.yaml\n",
    "apps/qa.yaml": _app("web-qa", "overlays/qa"),
}


@pytest.fixture
def repo(write_tree, tmp_path: Path) -> Path:
    root = write_tree(FILES, tmp_path / "repo")
    (root / ".git").mkdir()
    return root


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_overrides_show_in_envs_table_and_diff(repo: Path, capsys) -> None:
    code, out, _ = _run(capsys, "envs", "--repo", str(repo), "-o", "json")
    assert code == 0
    rows = {r["environment"]: r for r in json.loads(out)["environments"]}
    assert rows["prod"]["kustomize overrides"] == ["images", "namePrefix", "replicas"]
    assert [
        f.endswith(".argocd-source-web-prod.yaml") for f in rows["prod"]["parameter files"]
    ] == [True]
    assert rows["dev"]["kustomize overrides"] == [] and rows["dev"]["note"] is None

    code, out, _ = _run(capsys, "table", "--long", "--repo", str(repo), "-o", "json")
    assert code == 0
    workloads = {r["environment"]: r for r in json.loads(out)["workloads"]}
    assert workloads["prod"]["name"] == "prod-api"
    assert workloads["prod"]["replicas"] == 6
    assert workloads["prod"]["tags"] == "2.5" and workloads["prod"]["environment"] == "prod"
    assert workloads["dev"]["name"] == "api" and workloads["dev"]["replicas"] == 2

    code, out, _ = _run(capsys, "diff", "dev", "prod", "--repo", str(repo), "-o", "json")
    assert code == 0
    changes = json.loads(out)["changes"]
    fields = {(c["field"], c["value"]) for c in changes if c["environment"] == "prod"}
    assert ("spec.replicas", 6) in fields  # a number, as in the manifest
    assert ("spec.template.spec.containers[name=api].image", "example/api:2.5") in fields


def test_overrides_show_in_the_explorer(repo: Path) -> None:
    pytest.importorskip("ipywidgets")
    from envlib.widgets import Explorer

    ex = Explorer(repo)
    inv = ex.views.inventory
    prod = inv[inv["env"] == "prod"].iloc[0]
    assert prod["name"] == "prod-api" and prod["replicas"] == 6
    rendered = ex.state.rendered("prod")
    assert rendered.applied[-3:] == ("namePrefix", "images", "replicas")
    image = rendered.resources[0].obj["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "example/api:2.5"


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        pytest.param(["table"], "2.5", id="table"),
        pytest.param(["table", "-o", "json"], '"prod-api"', id="table-json"),
        pytest.param(["experiment"], "No Seldon Experiment", id="experiment"),
        pytest.param(["check"], "Rules", id="check"),
        pytest.param(["diff", "dev", "qa"], "Differences dev -> qa", id="diff-broken-side"),
    ],
)
def test_one_broken_environment_cli(write_tree, repo: Path, capsys, argv, shown) -> None:
    write_tree(BROKEN, repo)
    code, out, err = _run(capsys, *argv, "--repo", str(repo))
    assert code == 1
    assert shown in out
    where = "overlays/qa/kustomization.yaml:4"
    assert where in out and "gone.yaml" in out  # in its place, with file and line
    assert "error: environment qa: " in err and where in err
    assert "Traceback" not in err


def test_one_broken_environment_analysis_api(write_tree, repo: Path) -> None:
    write_tree(BROKEN, repo)
    envs = environments.discover(repo)
    rendered, broken = environments.render_each(envs, trace=False)
    assert [r.name for r in rendered] == ["dev", "prod"]
    assert [b.name for b in broken] == ["qa"]
    frame = environments.broken_frame(broken)
    assert frame.loc[0, "line"] == 4 and frame.loc[0, "file"].endswith("qa/kustomization.yaml")
    with pytest.warns(environments.BrokenEnvironmentWarning, match=r"qa.*kustomization\.yaml:4"):
        assert [r.name for r in environments.render_all(envs)] == ["dev", "prod"]
    with pytest.raises(EnvlibError, match=r"gone\.yaml"):
        environments.render_all(envs, errors="raise")


def test_one_broken_environment_explorer(write_tree, repo: Path) -> None:
    pytest.importorskip("ipywidgets")
    from envlib.widgets import Explorer

    write_tree(BROKEN, repo)
    ex = Explorer(repo)
    assert list(ex.views.errors) == ["qa"]
    assert "overlays/qa/kustomization.yaml:4" in ex.views.errors["qa"]
    message = ex.error_out.outputs[-1]["data"]["text/html"]
    assert "qa:" in message and "kustomization.yaml:4" in message
    assert set(ex.views.inventory["env"]) == {"dev", "prod"}
