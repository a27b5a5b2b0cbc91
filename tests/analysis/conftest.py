"""A small ML-serving repository written per test: base + dev/prod overlays + Argo CD apps.

The numbers are chosen so that every assertion can be checked by hand:

* Deployment ``api``: base 2 replicas, one container 250m/256Mi requests, 500m/512Mi limits;
  dev sets 1 replica and DEBUG; prod 4 replicas, with an HPA (min 3, max 8).
* Server ``mlserver`` (serverConfig ``triton``, so no Seldon defaults are merged): prod 3
  replicas x (1 CPU / 2Gi requests); dev 1 replica x (500m / 1Gi).
* Experiment 70/30 with mirror ``traffic-mirror`` 100%; dev patches the percent to 0.
* A Secret and a secretGenerator carry :data:`PLANTED` (the secrets test looks for it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

PLANTED = "s3cr3t-PLANTED-value-9f2c"

BASE = {
    "kustomization.yaml": """\
namespace: serving
resources:
- api.yaml
- server.yaml
- models.yaml
- experiment.yaml
- secret.yaml
secretGenerator:
- name: generated-creds
  literals:
  - token=PLANTED_VALUE
""".replace("PLANTED_VALUE", PLANTED),
    "api.yaml": """\
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
        image: example/api:1.0.0
        env:
        - name: LOG_LEVEL
          value: info
        resources:
          requests: {cpu: 250m, memory: 256Mi}
          limits: {cpu: 500m, memory: 512Mi}
""",
    "server.yaml": """\
apiVersion: mlops.seldon.io/v1alpha1
kind: Server
metadata:
  name: mlserver
spec:
  serverConfig: triton
  replicas: 1
  podSpec:
    containers:
    - name: triton
      image: nvcr.io/triton:24.01
      resources:
        requests: {cpu: 500m, memory: 1Gi}
        limits: {cpu: "1", memory: 2Gi}
""",
    "models.yaml": """\
apiVersion: mlops.seldon.io/v1alpha1
kind: Model
metadata:
  name: baseline-predictor
spec: {storageUri: "s3://m/b", replicas: 2, server: mlserver, memory: 256Mi}
---
apiVersion: mlops.seldon.io/v1alpha1
kind: Model
metadata:
  name: enhanced-predictor
spec: {storageUri: "s3://m/e", replicas: 2, server: mlserver}
---
apiVersion: mlops.seldon.io/v1alpha1
kind: Model
metadata:
  name: traffic-mirror
spec: {storageUri: "s3://m/t", replicas: 1, server: mlserver}
""",
    "experiment.yaml": """\
apiVersion: mlops.seldon.io/v1alpha1
kind: Experiment
metadata:
  name: ab-test
spec:
  default: baseline-predictor
  candidates:
  - {name: baseline-predictor, weight: 70}
  - {name: enhanced-predictor, weight: 30}
  mirror: {name: traffic-mirror, percent: 100}
""",
    "secret.yaml": """\
apiVersion: v1
kind: Secret
metadata:
  name: db-password
type: Opaque
stringData:
  password: PLANTED_VALUE
""".replace("PLANTED_VALUE", PLANTED),
}

DEV = {
    "kustomization.yaml": """\
resources:
- ../../base
patches:
- target: {kind: Experiment, name: ab-test}
  patch: |-
    - op: replace
      path: /spec/mirror/percent
      value: 0
- target: {kind: Model}
  patch: |-
    - op: replace
      path: /spec/replicas
      value: 1
- path: api-dev.yaml
""",
    "api-dev.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: api
        env:
        - name: LOG_LEVEL
          value: DEBUG
""",
}

PROD = {
    "kustomization.yaml": """\
resources:
- ../../base
- hpa.yaml
- alerts.yaml
- deny.yaml
patches:
- path: api-prod.yaml
- target: {kind: Server, name: mlserver}
  patch: |-
    - op: replace
      path: /spec/replicas
      value: 3
    - op: replace
      path: /spec/podSpec/containers/0/resources
      value:
        requests: {cpu: "1", memory: 2Gi}
        limits: {cpu: "2", memory: 4Gi}
""",
    "api-prod.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 4
""",
    "hpa.yaml": """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: api
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 3
  maxReplicas: 8
""",
    "alerts.yaml": """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: alerts
spec:
  groups:
  - name: serving
    rules:
    - alert: HighErrorRate
      expr: vector(1)
""",
    "deny.yaml": """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
""",
}

ARGOCD = {
    "app-dev.yaml": """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: serving-dev
  namespace: argocd
spec:
  project: default
  source: {repoURL: "https://example.com/repo.git", targetRevision: main, path: overlays/dev}
  destination: {name: dev-cluster, namespace: serving}
  syncPolicy:
    automated: {prune: true, selfHeal: true}
    syncOptions: [CreateNamespace=true]
""",
    "app-prod.yaml": """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: serving-prod
  namespace: argocd
spec:
  project: default
  source: {repoURL: "https://example.com/repo.git", targetRevision: main, path: overlays/prod}
  destination: {name: prod-cluster, namespace: serving}
  ignoreDifferences:
  - group: mlops.seldon.io
    kind: Model
    jsonPointers: [/spec/replicas]
""",
}


def tree_files(with_argocd: bool = True) -> dict[str, str]:
    """The sample repository as {relative path: text}."""
    files = {f"base/{k}": v for k, v in BASE.items()}
    files.update({f"overlays/dev/{k}": v for k, v in DEV.items()})
    files.update({f"overlays/prod/{k}": v for k, v in PROD.items()})
    if with_argocd:
        files.update({f"argocd/{k}": v for k, v in ARGOCD.items()})
    return files


@pytest.fixture
def sample_repo(write_tree, tmp_path: Path) -> Path:
    """The sample repository with Argo CD Applications (in its own git root)."""
    root = tmp_path / "repo"
    write_tree(tree_files(), root)
    (root / ".git").mkdir()
    return root


@pytest.fixture
def sample_envs(sample_repo: Path):
    """The sample repository's environments rendered by the engine, as {name: RenderedEnv}."""
    from envlib.analysis.environments import discover, render_all

    return {r.name: r for r in render_all(discover(sample_repo))}


@pytest.fixture
def planted() -> str:
    """The secret value planted in the sample repository's Secret and secretGenerator."""
    return PLANTED


@pytest.fixture
def sample_files():
    """:func:`tree_files` for tests that write variants of the sample repository."""
    return tree_files
