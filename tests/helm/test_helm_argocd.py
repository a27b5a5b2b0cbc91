"""Argo CD Applications whose source is a Helm chart: environments like any other.

One chart (tests/helm/helmsupport.APP_CHART), two Applications with ``values-dev.yaml`` and
``values-prod.yaml``: the tables, the diff, the checks and the explorer must show what
differs, and Argo CD's precedence (parameters > valuesObject > valueFiles > chart values)
must hold.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helmsupport import chart_files

from envlib.analysis.environments import discover, render
from envlib.cli import main
from envlib.errors import EnvlibError, LoadError

DEV_VALUES = "replicas: 1\nlogLevel: DEBUG\n"
PROD_VALUES = """\
replicas: 3
logLevel: WARN
image:
  tag: "1.5"
resources:
  limits:
    cpu: "1"
    memory: 256Mi
  requests:
    cpu: 500m
    memory: 128Mi
"""


def _app(name: str, namespace: str, helm: str, sources: str = "") -> str:
    source = sources or (
        "  source:\n    repoURL: https://git.example/shop.git\n    path: charts/shop\n"
        "    targetRevision: main\n    helm:\n" + helm
    )
    return (
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\n"
        f"metadata: {{name: {name}}}\nspec:\n  project: default\n"
        f"  destination: {{server: https://kubernetes.default.svc, namespace: {namespace}}}\n"
        + source
    )


@pytest.fixture
def helm_repo(write_tree, tmp_path: Path, helm_sdk: None) -> Path:
    root = tmp_path / "repo"
    files = {
        **chart_files("charts/shop"),
        "charts/shop/values-dev.yaml": DEV_VALUES,
        "charts/shop/values-prod.yaml": PROD_VALUES,
        "envs/staging/values.yaml": "replicas: 2\nlogLevel: INFO\n",
        "argocd/dev.yaml": _app(
            "shop-dev", "shop-dev", "      releaseName: shop\n      valueFiles: [values-dev.yaml]\n"
        ),
        "argocd/prod.yaml": _app(
            "shop-prod",
            "shop",
            "      releaseName: shop\n"
            "      valueFiles: [values-prod.yaml, values-eu.yaml]\n"
            "      ignoreMissingValueFiles: true\n"
            "      valuesObject:\n        image: {tag: '1.9'}\n        labels: {tier: prod}\n"
            "      parameters:\n      - {name: image.tag, value: '2.0'}\n"
            "      - {name: greeting, value: '007', forceString: true}\n",
        ),
        "argocd/staging.yaml": _app(
            "shop-staging",
            "staging",
            "",
            sources=(
                "  sources:\n"
                "  - repoURL: https://git.example/shop.git\n    path: charts/shop\n"
                "    helm:\n      releaseName: shop\n      skipCrds: true\n"
                "      valueFiles: [$values/envs/staging/values.yaml]\n"
                "  - {repoURL: 'https://git.example/shop', ref: values}\n"
            ),
        ),
    }
    write_tree(files, root)
    (root / ".git").mkdir()
    return root


def _envs(repo: Path) -> dict[str, object]:
    return {e.name: e for e in discover(repo)}


def _deployment(repo: Path, env: str) -> dict:
    rendered = render(_envs(repo)[env])  # type: ignore[arg-type]
    (dep,) = [r for r in rendered.resources if r.kind == "Deployment"]
    return dep.obj


def test_each_application_is_an_environment(helm_repo: Path) -> None:
    assert sorted(_envs(helm_repo)) == ["shop-dev", "shop-prod", "shop-staging"]


def test_values_precedence_is_argo_cds(helm_repo: Path) -> None:
    prod = _deployment(helm_repo, "shop-prod")
    assert prod["spec"]["replicas"] == 3  # values-prod.yaml over the chart's 1
    container = prod["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "example/app:2.0"  # parameter > valuesObject > valueFiles
    assert prod["metadata"]["labels"]["tier"] == "prod"  # valuesObject
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["LOG_LEVEL"] == "WARN" and env["MESSAGE"] == "shop says 007"  # forceString
    dev = _deployment(helm_repo, "shop-dev")
    assert dev["spec"]["replicas"] == 1
    assert dev["spec"]["template"]["spec"]["containers"][0]["image"] == "example/app:9.9"


def test_release_namespace_is_the_destination(helm_repo: Path) -> None:
    rendered = render(_envs(helm_repo)["shop-prod"])  # type: ignore[arg-type]
    (svc,) = [r for r in rendered.resources if r.kind == "Service"]
    assert svc.namespace == "shop"
    kinds = {r.kind for r in rendered.resources}
    assert "CustomResourceDefinition" in kinds  # Argo CD passes --include-crds
    assert any("values-eu.yaml (missing, ignored)" in a for a in rendered.applied)


def test_multi_source_values_ref_and_skip_crds(helm_repo: Path) -> None:
    staging = render(_envs(helm_repo)["shop-staging"])  # type: ignore[arg-type]
    (dep,) = [r for r in staging.resources if r.kind == "Deployment"]
    assert dep.obj["spec"]["replicas"] == 2
    assert "CustomResourceDefinition" not in {r.kind for r in staging.resources}


def test_objects_remember_their_template(helm_repo: Path) -> None:
    rendered = render(_envs(helm_repo)["shop-dev"])  # type: ignore[arg-type]
    (dep,) = [r for r in rendered.resources if r.kind == "Deployment"]
    assert dep.origin.path.endswith("charts/shop/templates/deployment.yaml")


def test_missing_value_file_is_a_one_line_error(helm_repo: Path, capsys) -> None:
    app = helm_repo / "argocd/prod.yaml"
    app.write_text(app.read_text().replace("      ignoreMissingValueFiles: true\n", ""))
    with pytest.raises(LoadError, match=r"values-eu\.yaml does not exist"):
        render(_envs(helm_repo)["shop-prod"])  # type: ignore[arg-type]
    assert main(["table", "--repo", str(helm_repo)]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "argocd/prod.yaml" in err


def test_failing_template_names_file_line_and_values(helm_repo: Path) -> None:
    app = helm_repo / "argocd/dev.yaml"
    app.write_text(
        app.read_text().replace(
            "[values-dev.yaml]", "[values-dev.yaml]\n      values: 'strict: true'"
        )
    )
    with pytest.raises(LoadError) as info:
        render(_envs(helm_repo)["shop-dev"])  # type: ignore[arg-type]
    text = str(info.value)
    assert "charts/shop/templates/service.yaml:" in text
    assert "values-dev.yaml" in text and "strict mode needs .Values.token" in text


def test_table_and_diff_show_the_value_files(helm_repo: Path, capsys) -> None:
    argv = ["table", "shop-dev", "shop-prod", "--repo", str(helm_repo), "-o", "json"]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    # tidy records: one per environment x workload (README, JSON output)
    rows = {r["environment"]: r for r in doc["workloads"] if r["kind"] == "Deployment"}
    assert {r["workload"] for r in rows.values()} == {"shop-app"}  # one release name
    replicas = {env: row["effective replicas"] for env, row in rows.items()}
    assert replicas == {"shop-dev": 1, "shop-prod": 3}
    assert rows["shop-dev"]["tags"] != rows["shop-prod"]["tags"]
    assert rows["shop-prod"]["CPU request"] == "500m"
    assert rows["shop-prod"]["CPU request (cores)"] == 0.5
    assert main(["diff", "shop-dev", "shop-prod", "--repo", str(helm_repo), "-o", "json"]) == 0
    diff = json.dumps(json.loads(capsys.readouterr().out))
    assert "spec.replicas" in diff and "Deployment/shop-app" in diff


def test_checks_run_on_helm_environments(helm_repo: Path, capsys) -> None:
    rc = main(["check", "--repo", str(helm_repo), "-o", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert rc in (0, 1) and doc["environments"]


def test_explorer_toggles_between_the_applications(helm_repo: Path) -> None:
    pytest.importorskip("ipywidgets")
    from envlib.widgets import Explorer

    explorer = Explorer(helm_repo)
    assert explorer.state.names == ["shop-dev", "shop-prod", "shop-staging"]
    explorer.focus.value = "shop-prod"
    explorer.resource.value = next(v for v in explorer.resource.options if "Deployment" in str(v))
    assert "replicas: 3" in explorer.resource_text
    explorer.focus.value = "shop-dev"
    assert "replicas: 1" in explorer.resource_text


def test_kustomize_source_with_enable_helm_build_option(
    write_tree, tmp_path: Path, helm_sdk: None
) -> None:
    """Argo CD's ``kustomize.buildOptions: --enable-helm`` renders the overlay's helmCharts."""
    root = tmp_path / "repo"
    write_tree(
        {
            **chart_files("overlays/prod/charts/app"),
            "overlays/prod/kustomization.yaml": (
                "namespace: prod\nhelmCharts:\n- name: app\n  releaseName: web\n"
                "  valuesInline: {replicas: 4}\n"
            ),
            "argocd/prod.yaml": _app(
                "web-prod",
                "prod",
                "",
                sources="  source: {repoURL: https://git.example/x.git, path: overlays/prod}\n",
            ),
        },
        root,
    )
    (root / ".git").mkdir()
    (env,) = [e for e in discover(root) if e.app.name == "web-prod"]
    with pytest.raises(EnvlibError, match="--enable-helm"):
        render(env)
    write_tree({".envlib/argocd.yaml": "kustomize:\n  buildOptions: --enable-helm\n"}, root)
    (env,) = [e for e in discover(root) if e.app.name == "web-prod"]
    rendered = render(env)
    (dep,) = [r for r in rendered.resources if r.kind == "Deployment"]
    assert (dep.namespace, dep.obj["spec"]["replicas"]) == ("prod", 4)
    # Argo CD hands kubeVersion/apiVersions to kustomize's helm with --enable-helm
    app = root / "argocd/prod.yaml"
    app.write_text(
        app.read_text().replace(
            "path: overlays/prod}",
            "path: overlays/prod, kustomize: {kubeVersion: 1.27.1, "
            "apiVersions: [monitoring.coreos.com/v1]}}",
        )
    )
    (env,) = [e for e in discover(root) if e.app.name == "web-prod"]
    rendered = render(env)
    kinds = {r.kind for r in rendered.resources}
    (caps,) = [r for r in rendered.resources if r.name.endswith("-caps")]
    assert "ServiceMonitor" in kinds and caps.obj["data"]["kubeVersion"] == "v1.27.1"


def test_explain_names_the_values_line(helm_repo: Path, capsys) -> None:
    """``3 at values-prod.yaml:1``: the key is checked by rendering again with it changed."""
    argv = ["explain", "shop-prod", "Deployment/shop-app", "spec.replicas"]
    assert main([*argv, "--repo", str(helm_repo), "-o", "json"]) == 0
    out = capsys.readouterr().out
    assert "charts/shop/values-prod.yaml:1" in out and "values replicas" in out
    image = [
        "explain",
        "shop-prod",
        "Deployment/shop-app",
        "spec.template.spec.containers[0].image",
    ]
    assert main([*image, "--repo", str(helm_repo)]) == 0
    out = capsys.readouterr().out
    assert "charts/shop/values.yaml:3 (values image.repository)" in out
    assert "argocd/prod.yaml (parameters) (values image.tag)" in out
    assert main(["explain", "shop-prod", "Deployment/shop-app", "--repo", str(helm_repo)]) == 0
    table = capsys.readouterr().out
    assert "values-prod.yaml:10" in table  # resources.requests.memory, by its key name


def test_a_git_revision_renders_its_own_values(helm_repo: Path) -> None:
    """Previews read git objects: Helm gets copies of the chart and values of that revision."""
    from envlib.kustomize.load import fs
    from envlib.kustomize.load.overlayfs import OverlayFileSystem

    prod_values = helm_repo / "charts/shop/values-prod.yaml"
    edited = OverlayFileSystem(fs.current(), {prod_values: PROD_VALUES.replace("3", "5", 1)})
    env = _envs(helm_repo)["shop-prod"]
    with fs.using(edited):
        rendered = render(env)  # type: ignore[arg-type]
    (dep,) = [r for r in rendered.resources if r.kind == "Deployment"]
    assert dep.obj["spec"]["replicas"] == 5
    assert prod_values.read_text() == PROD_VALUES  # the working tree is untouched
