"""Environment discovery: Argo CD Applications, base + overlays, single roots, explicit dirs."""

from __future__ import annotations

from pathlib import Path

import pytest

from envlib.analysis.environments import discover, environments_frame, select
from envlib.errors import LoadError


def test_argocd_applications_define_the_environments(sample_repo: Path) -> None:
    envs = discover(sample_repo)
    frame = environments_frame(envs).set_index("env")
    assert list(frame.index) == ["dev", "prod"]
    assert frame.loc["dev", "path"] == "overlays/dev"
    assert frame.loc["dev", "cluster"] == "dev-cluster"
    assert frame.loc["dev", "sync_policy"] == "automated (prune, selfHeal)"
    assert frame.loc["prod", "sync_policy"] == "manual"
    assert frame.loc["prod", "ignore_differences"] == "mlops.seldon.io/Model: /spec/replicas"
    assert select(envs, "serving-prod").name == "prod"  # the Application name works too


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        pytest.param("plain", ["base", "dev", "prod"], id="base-plus-overlays"),
        pytest.param("k8s", ["base", "dev", "prod"], id="overlays-under-k8s"),
        pytest.param("root", ["root"], id="single-root"),
    ],
)
def test_discovery_without_argocd(
    write_tree, sample_files, tmp_path: Path, layout: str, expected: list[str]
) -> None:
    files = sample_files(with_argocd=False)
    if layout == "k8s":
        files = {f"k8s/{k}": v for k, v in files.items()}
    elif layout == "root":
        files = {"kustomization.yaml": "resources: []\n"}
    root = write_tree(files, tmp_path / "root")
    assert [e.name for e in discover(root)] == expected


def test_components_are_not_environments(write_tree, tmp_path: Path) -> None:
    """The ``envs/<name>`` + ``variants/<mixin>`` layout (kind: Component mix-ins)."""
    component = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
    files = {
        "base/kustomization.yaml": "resources: []\n",
        "envs/qa/kustomization.yaml": "resources: [../../base]\ncomponents: [../../variants/eu]\n",
        "envs/prod/kustomization.yaml": "resources: [../../base]\n",
        "variants/eu/kustomization.yaml": component,
        "variants/prod/kustomization.yml": component + "commonLabels: {tier: prod}\n",
    }
    root = write_tree(files, tmp_path / "r")
    assert [e.name for e in discover(root)] == ["base", "envs/prod", "envs/qa"]


def test_applicationset_list_generator_expands_per_element(
    write_tree, sample_files, tmp_path: Path
) -> None:
    files = sample_files(with_argocd=False)
    files["argocd/appset.yaml"] = """\
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: serving}
spec:
  goTemplate: true
  generators:
  - list:
      elements:
      - {env: dev, cluster: dev-cluster}
      - {env: prod, cluster: prod-cluster}
  template:
    metadata: {name: 'serving-{{.env}}'}
    spec:
      project: default
      source: {repoURL: x, path: 'overlays/{{.env}}'}
      destination: {name: '{{.cluster}}', namespace: serving}
"""
    root = write_tree(files, tmp_path / "r")
    envs = discover(root)
    assert [(e.name, e.application, e.cluster) for e in envs] == [
        ("dev", "serving-dev", "dev-cluster"),
        ("prod", "serving-prod", "prod-cluster"),
    ]


def test_explicit_directories_replace_discovery(sample_repo: Path) -> None:
    envs = discover(sample_repo, {"a": "overlays/dev", "b": sample_repo / "base"})
    assert [(e.name, e.display_path) for e in envs] == [("a", "overlays/dev"), ("b", "base")]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(
            lambda repo: discover(repo / "missing"), "is not a directory", id="missing-repo"
        ),
        pytest.param(
            lambda repo: discover(repo, ["argocd"]),
            "no kustomization file",
            id="explicit-not-kustomization",
        ),
        pytest.param(
            lambda repo: select(discover(repo), "staging"),
            "unknown environment 'staging'",
            id="unknown-env",
        ),
    ],
)
def test_discovery_errors_are_one_line_load_errors(sample_repo: Path, call, message: str) -> None:
    with pytest.raises(LoadError, match=message) as info:
        call(sample_repo)
    assert "\n" not in info.value.one_line()


def test_embedded_repository_has_dev_and_prod(repo_dir: Path) -> None:
    k8s = repo_dir / "k8s"
    if not (k8s / "overlays").is_dir():
        pytest.fail("the embedded k8s/ sample repository is missing")
    envs = {e.name: e for e in discover(k8s)}
    assert {"dev", "prod"} <= set(envs)
    assert envs["prod"].path == (k8s / "overlays" / "prod").resolve()
