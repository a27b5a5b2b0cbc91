"""Argo CD sources: kind tagging, parameter files and the SOURCE_RENDERERS hook."""

from __future__ import annotations

from pathlib import Path

import pytest

from envlib.analysis import environments
from envlib.analysis.argocd_params import merge_patch
from envlib.analysis.environments import discover, render
from envlib.analysis.sources import SourceRequest, SourceResult
from envlib.errors import LoadError

DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: api
        image: example/api:0.1
"""
CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: chart-cm
data:
  a: b
"""


def _app(name: str, sources: str) -> str:
    return f"""\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {{name: {name}}}
spec:
  project: default
  destination: {{name: in-cluster, namespace: team}}
{sources}"""


@pytest.fixture
def multi_repo(write_tree, tmp_path: Path) -> Path:
    root = write_tree(
        {
            "overlays/dev/kustomization.yaml": "resources:\n- deploy.yaml\n",
            "overlays/dev/deploy.yaml": DEPLOY,
            "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
            "charts/web/templates/cm.yaml": CONFIGMAP,
            "apps/multi.yaml": _app(
                "multi",
                "  sources:\n"
                "  - {repoURL: https://x/r.git, path: overlays/dev}\n"
                "  - {repoURL: https://x/r.git, path: charts/web}\n"
                "  - {repoURL: https://x/r.git, ref: values}\n"
                "  - {repoURL: https://charts.example.com, chart: redis, targetRevision: 1.2.3}\n",
            ),
            "apps/chart.yaml": _app(
                "chart-only", "  source: {repoURL: https://x/r.git, path: charts/web}\n"
            ),
        },
        tmp_path / "repo",
    )
    (root / ".git").mkdir()
    return root


def test_sources_are_tagged_with_their_kind(multi_repo: Path) -> None:
    envs = {e.name: e for e in discover(multi_repo)}
    kinds = [(s.kind, s.path.name if s.path else None) for s in envs["dev"].app.sources]
    assert kinds == [("kustomize", "dev"), ("helm", "web"), ("", None), ("helm", None)]
    assert envs["chart-only"].app.sources[0].kind == "helm"
    assert envs["chart-only"].path == multi_repo / "charts/web"
    frame = environments.environments_frame(list(envs.values())).set_index("env")
    assert frame.loc["dev", "source_kinds"] == "kustomize, helm, ?, helm"


def test_a_registered_renderer_renders_its_kind(
    multi_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    def fake_helm(request: SourceRequest) -> SourceResult:
        seen.append(request.source.spec.get("chart") or str(request.source.path))
        return SourceResult([], applied=("helm values",))

    envs = {e.name: e for e in discover(multi_repo)}
    monkeypatch.delitem(environments.SOURCE_RENDERERS, "helm", raising=False)
    # without a helm renderer: the chart-only app names what is missing, in one line
    with pytest.raises(LoadError, match="helm sources are not supported"):
        render(envs["chart-only"])
    multi = render(envs["dev"])  # the kustomize source still renders; the others are noted
    assert [r.name for r in multi.resources] == ["api"]
    assert any("not rendered" in str(w) for w in multi.warnings)

    monkeypatch.setitem(environments.SOURCE_RENDERERS, "helm", fake_helm)
    multi = render(envs["dev"])
    assert seen == [str(multi_repo / "charts/web"), "redis"]
    assert multi.applied == ("helm values", "helm values")


def test_merge_patch_is_rfc7386() -> None:
    assert merge_patch({"a": {"b": 1, "c": 2}, "l": [1]}, {"a": {"b": None, "d": 3}, "l": [2]}) == {
        "a": {"c": 2, "d": 3},
        "l": [2],
    }


def test_directory_and_plugin_sources_say_why_they_are_not_rendered(
    write_tree, tmp_path: Path
) -> None:
    root = write_tree(
        {
            "overlays/dev/kustomization.yaml": "resources:\n- cm.yaml\n",
            "overlays/dev/cm.yaml": CONFIGMAP,
            "plain/cm.yaml": CONFIGMAP,
            "apps/dev.yaml": _app(
                "dev", "  source: {repoURL: https://x/r.git, path: overlays/dev}\n"
            ),
            "apps/plain.yaml": _app("plain", "  source: {repoURL: https://x/r.git, path: plain}\n"),
            "apps/cmp.yaml": _app(
                "cmp", "  source: {repoURL: https://x/r.git, path: plain, plugin: {name: x}}\n"
            ),
        },
        tmp_path / "repo",
    )
    (root / ".git").mkdir()
    notes = {e.name: e.note for e in discover(root)}
    assert notes["dev"] == ""
    assert "plain-manifest directory" in notes["plain"]
    assert "config management plugin" in notes["cmp"]
