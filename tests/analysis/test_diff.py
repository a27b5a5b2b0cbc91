"""Environment diff: matching renamed resources, field rows, ignored noise reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from envlib.analysis.diff import diff_envs, diff_summary
from envlib.analysis.environments import discover, render_all


def _rows(frame, resource: str) -> dict[str, tuple[str, str | None, str | None]]:
    part = frame[frame["resource"] == resource]
    return {r["field"]: (r["status"], r["left"], r["right"]) for r in part.to_dict("records")}


def test_dev_versus_prod(sample_envs) -> None:
    frame = diff_envs(sample_envs["dev"], sample_envs["prod"])
    api = _rows(frame, "Deployment/api")
    assert api["spec.replicas"] == ("changed", "1", "4")
    assert api["spec.template.spec.containers[name=api].env[name=LOG_LEVEL].value"] == (
        "changed",
        "DEBUG",
        "info",
    )
    assert _rows(frame, "Experiment/ab-test")["spec.mirror.percent"] == ("changed", "0", "100")
    only = set(frame.loc[frame["status"] == "only in prod", "resource"])
    assert only == {
        "HorizontalPodAutoscaler/api",
        "PrometheusRule/alerts",
        "NetworkPolicy/default-deny",
    }
    assert "Secret/db-password" not in set(frame["resource"])  # equal secrets: no row
    note = frame[
        (frame["resource"] == "Model/baseline-predictor") & (frame["field"] == "spec.replicas")
    ]["note"]
    assert list(note) == ["Argo CD ignores /spec/replicas in prod (ignoreDifferences)"]
    summary = diff_summary(frame).set_index("resource")
    assert summary.loc["Deployment/api", "changed"] == 2


RENAMING = {
    "base/kustomization.yaml": """\
resources: [app.yaml]
configMapGenerator:
- name: settings
  literals: [MODE=base]
""",
    "base/app.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: web:1
        resources: {requests: {cpu: "1"}}
        envFrom: [{configMapRef: {name: settings}}]
""",
    "overlays/dev/kustomization.yaml": """\
namePrefix: dev-
namespace: dev
resources: [../../base]
configMapGenerator:
- {name: settings, behavior: merge, literals: [MODE=dev]}
""",
    "overlays/prod/kustomization.yaml": """\
namespace: prod
resources: [../../base]
patches:
- target: {kind: Deployment}
  patch: |-
    - op: replace
      path: /spec/template/spec/containers/0/resources/requests/cpu
      value: 1000m
""",
    "overlays/staging/kustomization.yaml": """\
namespace: prod
resources: [../../base]
configMapGenerator:
- {name: settings, behavior: merge, literals: [MODE=staging]}
""",
}


@pytest.fixture
def renaming_envs(write_tree, tmp_path: Path):
    root = write_tree(RENAMING, tmp_path / "renaming")
    return {r.name: r for r in render_all(discover(root))}


def test_prefix_namespace_and_hash_still_match(renaming_envs) -> None:
    frame = diff_envs(renaming_envs["dev"], renaming_envs["prod"])
    assert not frame["status"].str.startswith("only in").any(), frame
    web = _rows(frame, "Deployment/web")
    assert web["metadata.name"] == ("changed", "dev-web", "web")
    assert web["metadata.namespace"] == ("changed", "dev", "prod")
    assert _rows(frame, "ConfigMap/settings")["data.MODE"] == ("changed", "dev", "base")


def test_noise_is_reported_as_ignored_with_a_reason(renaming_envs) -> None:
    frame = diff_envs(renaming_envs["prod"], renaming_envs["staging"])
    settings = frame[frame["resource"] == "ConfigMap/settings"].set_index("field")
    assert settings.loc["metadata.name", "status"] == "ignored"
    assert "hash suffix" in settings.loc["metadata.name", "note"]
    assert settings.loc["data.MODE", "status"] == "changed"
    ref = frame[
        (frame["resource"] == "Deployment/web") & frame["field"].str.contains("configMapRef")
    ]
    assert list(ref["status"]) == ["ignored"]
    quantity = frame[frame["field"].str.endswith("requests.cpu")]  # prod 1000m, staging 1
    assert list(zip(quantity["status"], quantity["left"], quantity["right"], strict=True)) == [
        ("ignored", "1000m", "1")
    ]


def test_same_quantity_and_ignore_patterns_are_ignored_not_dropped(renaming_envs) -> None:
    frame = diff_envs(renaming_envs["dev"], renaming_envs["prod"], ignore=["metadata.namespace"])
    cpu = frame[frame["field"].str.endswith("requests.cpu")]
    assert list(zip(cpu["status"], cpu["note"], strict=True)) == [
        ("ignored", "same quantity written differently")
    ]
    ns = frame[frame["field"] == "metadata.namespace"]
    assert set(ns["status"]) == {"ignored"} and set(ns["note"]) == {"ignored on request"}


SHARED_WORD = {
    "base/kustomization.yaml": "resources: [app.yaml]\n",
    "base/app.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: simple-deployment}
spec:
  replicas: 1
  selector: {matchLabels: {app: simple}}
  template:
    metadata: {labels: {app: simple}}
    spec:
      containers:
      - {name: web, image: web:1}
---
apiVersion: v1
kind: Service
metadata: {name: simple-service}
spec:
  selector: {app: simple}
  ports: [{port: 80}]
""",
    "overlays/dev/kustomization.yaml": "resources: [../../base]\n",
    "overlays/prod/kustomization.yaml": """\
resources: [../../base, settings.yaml]
patches:
- target: {kind: Deployment}
  patch: |-
    - {op: replace, path: /spec/replicas, value: 3}
""",
    "overlays/prod/settings.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {MODE: prod}
""",
}


def test_inferred_affixes_are_checked_against_the_other_environments(
    write_tree, tmp_path: Path
) -> None:
    """dev's names all start with ``simple-`` by chance; prod has the same names beside
    another one. The guessed prefix must not split one Deployment into two."""
    from envlib.analysis.inventory import inventory

    root = write_tree(SHARED_WORD, tmp_path / "shared-word")
    envs = {r.name: r for r in render_all(discover(root))}
    frame = diff_envs(envs["dev"], envs["prod"])
    assert set(frame.loc[frame["status"] == "only in prod", "resource"]) == {"ConfigMap/settings"}
    assert _rows(frame, "Deployment/simple-deployment")["spec.replicas"] == (
        "changed",
        "1",
        "3",
    )
    inv = inventory([envs["dev"], envs["prod"]])
    assert sorted(inv["key"]) == ["simple-deployment", "simple-deployment"]
    alone = inventory(envs["dev"])  # one environment alone: the guess has nothing to meet
    assert list(alone["key"]) == ["deployment"]
