"""The embedded sample repository ``k8s/`` builds cleanly and means what its docs say.

Every other part of envlib uses ``k8s/`` as its default data: the notebooks explain dev vs
prod with it and the engine is compared with kubectl on it. So these tests pin down what a
reader of docs/environments.md is told: the dev mirror is off, prod is HA and hardened, the
Argo CD objects point at real overlays, and every field is a real field of its kind
(built-in kinds against the Kubernetes OpenAPI document, Seldon / Argo CD / Prometheus kinds
against the field tables of docs/ml-platform.md). The renders come from the kubectl oracle.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes.utils import parse_quantity

Obj = dict[str, Any]
Rendered = dict[str, list[Obj]]

ENV_DIRS = {
    "base": "k8s/base",
    "dev": "k8s/overlays/dev",
    "prod": "k8s/overlays/prod",
    "argocd": "k8s/argocd",
}
NAMESPACE = "financial-inference"
MODELS = ("baseline-predictor", "enhanced-predictor", "traffic-mirror")
PROD_ONLY_KINDS = ("HorizontalPodAutoscaler", "PodDisruptionBudget", "PrometheusRule")

# Custom resources: the allowed fields per path (``[]`` = every list element), taken from
# docs/ml-platform.md §1 (Seldon), §4 (Argo CD) and §5 (Prometheus Operator).
CRD_API_VERSIONS = {
    "Experiment": "mlops.seldon.io/v1alpha1",
    "Model": "mlops.seldon.io/v1alpha1",
    "Server": "mlops.seldon.io/v1alpha1",
    "SeldonRuntime": "mlops.seldon.io/v1alpha1",
    "Application": "argoproj.io/v1alpha1",
    "AppProject": "argoproj.io/v1alpha1",
    "PodMonitor": "monitoring.coreos.com/v1",
    "ServiceMonitor": "monitoring.coreos.com/v1",
    "PrometheusRule": "monitoring.coreos.com/v1",
}
_CRD_FIELD_TABLE = {
    "Experiment": {
        "spec": "default candidates mirror resourceType",
        "spec.candidates[]": "name weight",
        "spec.mirror": "name percent",
    },
    "Model": {
        "spec": "storageUri modelType artifactVersion schemaUri secretName requirements memory"
        " replicas minReplicas maxReplicas server preloaded dedicated logger explainer llm"
        " parameters dataflow",
    },
    "Server": {
        "spec": "serverConfig capabilities extraCapabilities podSpec imageOverrides replicas"
        " minReplicas maxReplicas disableAutoUpdate deploymentStrategy"
        " statefulSetPersistentVolumeClaimRetentionPolicy",
    },
    "SeldonRuntime": {
        "spec": "seldonConfig overrides config disableAutoUpdate",
        "spec.overrides[]": "name replicas disable serviceType podSpec",
    },
    "Application": {
        "spec": "project source sources destination syncPolicy ignoreDifferences"
        " revisionHistoryLimit info",
        "spec.source": "repoURL targetRevision path kustomize",
        "spec.destination": "server name namespace",
        "spec.syncPolicy": "automated syncOptions managedNamespaceMetadata retry",
        "spec.syncPolicy.automated": "prune selfHeal allowEmpty",
        "spec.syncPolicy.retry": "limit backoff",
        "spec.syncPolicy.retry.backoff": "duration factor maxDuration",
        "spec.ignoreDifferences[]": "group kind name namespace jsonPointers jqPathExpressions"
        " managedFieldsManagers",
    },
    "AppProject": {
        "spec": "sourceRepos destinations clusterResourceWhitelist namespaceResourceWhitelist"
        " namespaceResourceBlacklist roles syncWindows orphanedResources sourceNamespaces",
        "spec.destinations[]": "server name namespace",
        "spec.syncWindows[]": "kind schedule duration applications manualSync",
    },
    "PodMonitor": {
        "spec": "selector namespaceSelector podMetricsEndpoints",
        "spec.podMetricsEndpoints[]": "port path interval",
    },
    "ServiceMonitor": {
        "spec": "selector namespaceSelector endpoints",
        "spec.endpoints[]": "port path interval",
    },
    "PrometheusRule": {
        "spec": "groups",
        "spec.groups[]": "name interval rules",
        "spec.groups[].rules[]": "alert record expr for labels annotations",
    },
}
CRD_FIELDS = {
    kind: {path: set(fields.split()) for path, fields in table.items()}
    for kind, table in _CRD_FIELD_TABLE.items()
}
# Integer fields of custom resources (int32/uint32 in the Go types).
CRD_INT_FIELDS = {
    "Experiment": {"spec.candidates[].weight", "spec.mirror.percent"},
    "Model": {"spec.replicas", "spec.minReplicas", "spec.maxReplicas"},
    "Server": {"spec.replicas", "spec.minReplicas", "spec.maxReplicas"},
    "SeldonRuntime": {"spec.overrides[].replicas"},
}
# Custom-resource fields that hold a Kubernetes PodSpec, checked against the OpenAPI schema.
CRD_POD_SPECS = {"Server": {"spec.podSpec"}, "SeldonRuntime": {"spec.overrides[].podSpec"}}
POD_SPEC = "io.k8s.api.core.v1.PodSpec"
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


class K8sSchema:
    """Field-name and scalar-type checker over the Kubernetes OpenAPI v2 definitions."""

    def __init__(self, path: Path) -> None:
        self.defs: dict[str, Obj] = json.loads(path.read_text())["definitions"]
        self.by_gvk: dict[tuple[str, str, str], str] = {}
        for name, schema in self.defs.items():
            for gvk in schema.get("x-kubernetes-group-version-kind", []):
                self.by_gvk[(gvk["group"], gvk["version"], gvk["kind"])] = name

    def definition_for(self, api_version: str, kind: str) -> str | None:
        group, _, version = api_version.rpartition("/")
        return self.by_gvk.get((group, version, kind))

    def check(self, value: Any, schema: Obj, path: str, problems: list[str]) -> None:
        ref = schema.get("$ref", "").rsplit("/", 1)[-1]
        if ref:
            schema = self.defs[ref]
        props, extra, typ = (
            schema.get("properties"),
            schema.get("additionalProperties"),
            schema.get("type"),
        )
        if props is not None or extra is not None or typ == "object":
            if not isinstance(value, dict):
                problems.append(f"{path}: expected a mapping, got {value!r}")
                return
            for key, sub in value.items():
                if props and key in props:
                    self.check(sub, props[key], f"{path}.{key}", problems)
                elif isinstance(extra, dict):
                    self.check(sub, extra, f"{path}.{key}", problems)
                elif props is not None or extra is False:
                    problems.append(f"{path}.{key}: unknown field")
        elif typ == "array":
            if not isinstance(value, list):
                problems.append(f"{path}: expected a list, got {value!r}")
                return
            for i, item in enumerate(value):
                self.check(item, schema.get("items", {}), f"{path}[{i}]", problems)
        elif typ is not None and not _scalar_ok(value, typ, schema.get("format"), ref):
            problems.append(f"{path}: {value!r} is not of type {typ}")


def _scalar_ok(value: Any, typ: str, fmt: str | None, ref: str) -> bool:
    if isinstance(value, bool):
        return typ == "boolean"
    if typ == "string":
        numeric_ok = fmt == "int-or-string" or ref.endswith(".Quantity")
        return isinstance(value, str) or (numeric_ok and isinstance(value, (int, float)))
    if typ == "integer":
        return isinstance(value, int)
    if typ == "number":
        return isinstance(value, (int, float))
    return typ != "boolean"


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Yield (normalised path, value) for every node; list items get ``[]``."""
    yield path, value
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from walk(sub, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item, f"{path}[]")


def schema_problems(obj: Obj, schema: K8sSchema) -> list[str]:
    """Every field of ``obj`` that is not a real field of its kind (empty list = valid)."""
    kind, api_version = obj.get("kind", ""), obj.get("apiVersion", "")
    problems: list[str] = []
    definition = schema.definition_for(api_version, kind)
    if definition is not None:
        schema.check(obj, {"$ref": f"#/definitions/{definition}"}, kind, problems)
        return problems
    if CRD_API_VERSIONS.get(kind) != api_version:
        return [f"{api_version} {kind}: no schema known for this kind"]
    unknown_top = set(obj) - {"apiVersion", "kind", "metadata", "spec"}
    problems += [f"{kind}.{key}: unknown field" for key in sorted(unknown_top)]
    schema.check(
        obj.get("metadata", {}),
        {"$ref": f"#/definitions/{OBJECT_META}"},
        f"{kind}.metadata",
        problems,
    )
    for path, value in walk(obj):
        allowed = CRD_FIELDS[kind].get(path)
        if allowed is not None:
            problems += [f"{kind}.{path}.{k}: unknown field" for k in value if k not in allowed]
        if path in CRD_INT_FIELDS.get(kind, set()) and (
            not isinstance(value, int) or isinstance(value, bool)
        ):
            problems.append(f"{kind}.{path}: {value!r} is not an integer")
        if path in CRD_POD_SPECS.get(kind, set()):
            schema.check(value, {"$ref": f"#/definitions/{POD_SPEC}"}, f"{kind}.{path}", problems)
    return problems


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def builds(oracle: Any, repo_dir: Path) -> dict[str, Any]:
    return {env: oracle.build(repo_dir / rel) for env, rel in ENV_DIRS.items()}


@pytest.fixture(scope="session")
def rendered(builds: dict[str, Any]) -> Rendered:
    out = {}
    for env, result in builds.items():
        assert result.rc == 0, f"{env} does not build: {result.stderr}"
        out[env] = [d for d in yaml.load_all(result.stdout, Loader=yaml.CSafeLoader) if d]
    return out


@pytest.fixture(scope="session")
def k8s_schema(shared_dir: Path) -> K8sSchema:
    return K8sSchema(shared_dir / "openapi" / "kubernetes-openapi-v2.json")


def of_kind(objs: list[Obj], kind: str) -> list[Obj]:
    return [o for o in objs if o["kind"] == kind]


def one(objs: list[Obj], kind: str, name: str) -> Obj:
    found = [o for o in of_kind(objs, kind) if o["metadata"]["name"] == name]
    assert len(found) == 1, f"expected exactly one {kind}/{name}, found {len(found)}"
    return found[0]


def container(server: Obj, name: str) -> Obj:
    return next(c for c in server["spec"]["podSpec"]["containers"] if c["name"] == name)


def env_vars(cont: Obj) -> dict[str, str]:
    return {e["name"]: e["value"] for e in cont.get("env", [])}


def load_kustomization(repo_dir: Path, env: str) -> Obj:
    return yaml.safe_load((repo_dir / ENV_DIRS[env] / "kustomization.yaml").read_text())


# --------------------------------------------------------------------------- builds


@pytest.mark.oracle
@pytest.mark.parametrize("env", list(ENV_DIRS))
def test_builds_cleanly(builds: dict[str, Any], env: str) -> None:
    result = builds[env]
    assert (result.rc, result.stderr) == (0, ""), "build failed or printed warnings"
    assert result.stdout.startswith(b"apiVersion: ")


@pytest.mark.parametrize("env", list(ENV_DIRS))
def test_kustomizations_use_current_fields_and_keep_names(repo_dir: Path, env: str) -> None:
    kust = load_kustomization(repo_dir, env)
    deprecated = {
        "commonLabels",
        "bases",
        "patchesJson6902",
        "patchesStrategicMerge",
        "vars",
        "imageTags",
    }
    assert deprecated.isdisjoint(kust), "deprecated kustomize fields"
    # Seldon resolves candidates/mirror/server by name: no prefixes or suffixes (§7.2).
    assert {"namePrefix", "nameSuffix"}.isdisjoint(kust)
    assert kust["apiVersion"] == "kustomize.config.k8s.io/v1beta1"


def test_dev_mirror_patch_is_the_first_patch(repo_dir: Path) -> None:
    first = load_kustomization(repo_dir, "dev")["patches"][0]
    assert first["target"] == {"kind": "Experiment", "name": "financial-ab-test-experiment"}
    assert yaml.safe_load(first["patch"]) == [
        {"op": "replace", "path": "/spec/mirror/percent", "value": 0}
    ]


# --------------------------------------------------------------------------- schemas


@pytest.mark.oracle
@pytest.mark.shared
@pytest.mark.parametrize("env", list(ENV_DIRS))
def test_every_field_exists_in_its_schema(
    rendered: Rendered, k8s_schema: K8sSchema, env: str
) -> None:
    problems = [p for obj in rendered[env] for p in schema_problems(obj, k8s_schema)]
    assert problems == []


BAD_OBJECTS = {
    "typo-in-deployment": (
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "d"},
            "spec": {"replica": 1},
        },
        "Deployment.spec.replica: unknown field",
    ),
    "hpa-v1-field-in-v2": (
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "h"},
            "spec": {"targetCPUUtilizationPercentage": 80},
        },
        "HorizontalPodAutoscaler.spec.targetCPUUtilizationPercentage: unknown field",
    ),
    "bool-quantity": (
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": True}}}]},
        },
        "Pod.spec.containers[0].resources.limits.cpu: True is not of type string",
    ),
    "experiment-mirror-typo": (
        {
            "apiVersion": "mlops.seldon.io/v1alpha1",
            "kind": "Experiment",
            "metadata": {"name": "e"},
            "spec": {"mirror": {"name": "m", "percentage": 5}},
        },
        "Experiment.spec.mirror.percentage: unknown field",
    ),
    "string-weight": (
        {
            "apiVersion": "mlops.seldon.io/v1alpha1",
            "kind": "Experiment",
            "metadata": {"name": "e"},
            "spec": {"candidates": [{"name": "a", "weight": "70"}]},
        },
        "Experiment.spec.candidates[].weight: '70' is not an integer",
    ),
    "server-podspec-typo": (
        {
            "apiVersion": "mlops.seldon.io/v1alpha1",
            "kind": "Server",
            "metadata": {"name": "s"},
            "spec": {"podSpec": {"containers": [{"name": "mlserver", "resource": {}}]}},
        },
        "Server.spec.podSpec.containers[0].resource: unknown field",
    ),
    "unknown-kind": (
        {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}},
        "example.com/v1 Widget: no schema known for this kind",
    ),
}


@pytest.mark.shared
@pytest.mark.parametrize(("obj", "problem"), BAD_OBJECTS.values(), ids=list(BAD_OBJECTS))
def test_schema_check_catches_mistakes(k8s_schema: K8sSchema, obj: Obj, problem: str) -> None:
    assert problem in schema_problems(obj, k8s_schema)


# --------------------------------------------------------------------------- environments


@pytest.mark.oracle
@pytest.mark.parametrize(("env", "percent"), [("base", 100), ("dev", 0), ("prod", 100)])
def test_experiment_mirror_percent(rendered: Rendered, env: str, percent: int) -> None:
    spec = one(rendered[env], "Experiment", "financial-ab-test-experiment")["spec"]
    assert spec["mirror"] == {"name": "traffic-mirror", "percent": percent}
    assert spec["default"] == "baseline-predictor"
    assert spec["candidates"] == [
        {"name": "baseline-predictor", "weight": 70},
        {"name": "enhanced-predictor", "weight": 30},
    ]


@pytest.mark.oracle
@pytest.mark.parametrize("env", ["base", "dev", "prod"])
def test_experiment_is_consistent_with_the_models(rendered: Rendered, env: str) -> None:
    """What Seldon's scheduler validates, plus "every referenced Model exists" (§1.1)."""
    objs = rendered[env]
    spec = one(objs, "Experiment", "financial-ab-test-experiment")["spec"]
    candidates = [c["name"] for c in spec["candidates"]]
    assert spec["default"] in candidates
    assert spec["mirror"]["name"] not in candidates
    assert sum(c["weight"] for c in spec["candidates"]) > 0
    models = {m["metadata"]["name"]: m for m in of_kind(objs, "Model")}
    assert set(models) == set(MODELS) == {*candidates, spec["mirror"]["name"]}
    server = one(objs, "Server", "mlserver")
    assert {m["spec"]["server"] for m in models.values()} == {"mlserver"}
    # Each Model replica needs its own Server replica.
    assert max(m["spec"]["replicas"] for m in models.values()) <= server["spec"]["replicas"]


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("env", "server", "models", "envoy", "gateway", "feature_server"),
    [("base", 2, 2, 2, 2, 2), ("dev", 1, 1, 1, 1, 1), ("prod", 3, 2, 3, 2, 3)],
)
def test_replicas(
    rendered: Rendered,
    env: str,
    server: int,
    models: int,
    envoy: int,
    gateway: int,
    feature_server: int,
) -> None:
    objs = rendered[env]
    assert one(objs, "Server", "mlserver")["spec"]["replicas"] == server
    assert {one(objs, "Model", m)["spec"]["replicas"] for m in MODELS} == {models}
    overrides = {
        o["name"]: o["replicas"]
        for o in one(objs, "SeldonRuntime", "financial-inference-runtime")["spec"]["overrides"]
    }
    assert (overrides["seldon-envoy"], overrides["seldon-modelgateway"]) == (envoy, gateway)
    assert overrides["seldon-scheduler"] == 1
    assert one(objs, "Deployment", "feature-server")["spec"]["replicas"] == feature_server


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("env", "debug", "agent_level", "image", "requests", "limits"),
    [
        ("dev", "true", "debug", "seldonio/mlserver:1.7.0", ("500m", "1Gi"), ("1", "2Gi")),
        ("base", "false", "info", "seldonio/mlserver:1.6.1", ("1", "2Gi"), ("2", "4Gi")),
        (
            "prod",
            "false",
            "warn",
            "registry.example.com/mirror/seldonio/mlserver:1.6.1",
            ("2", "4Gi"),
            ("4", "8Gi"),
        ),
    ],
)
def test_server_logging_image_and_resources(
    rendered: Rendered,
    env: str,
    debug: str,
    agent_level: str,
    image: str,
    requests: tuple[str, str],
    limits: tuple[str, str],
) -> None:
    server = one(rendered[env], "Server", "mlserver")
    mlserver, agent = container(server, "mlserver"), container(server, "agent")
    assert env_vars(mlserver)["MLSERVER_DEBUG"] == debug
    assert env_vars(agent)["SELDON_LOG_LEVEL"] == agent_level
    assert mlserver["image"] == image
    res = mlserver["resources"]
    expected = {"cpu": requests[0], "memory": requests[1]}, {"cpu": limits[0], "memory": limits[1]}
    assert (res["requests"], res["limits"]) == expected


@pytest.mark.oracle
def test_prod_gets_more_resources_than_dev(rendered: Rendered) -> None:
    def sizes(env: str, name: str) -> list[Any]:
        objs = rendered[env]
        if name == "mlserver":
            res = container(one(objs, "Server", "mlserver"), "mlserver")["resources"]
        else:
            pod = one(objs, "Deployment", name)["spec"]["template"]["spec"]
            res = pod["containers"][0]["resources"]
        return [
            parse_quantity(res[k][r]) for k in ("requests", "limits") for r in ("cpu", "memory")
        ]

    for name in ("mlserver", "feature-server"):
        assert all(d < p for d, p in zip(sizes("dev", name), sizes("prod", name), strict=True)), (
            name
        )


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("env", "values"),
    [
        (
            "dev",
            {
                "ENVIRONMENT": "dev",
                "FEATURE_FLAG_SHAP_EXPLANATIONS": "true",
                "PREDICTION_CACHE_TTL_SECONDS": "0",
            },
        ),
        (
            "prod",
            {
                "ENVIRONMENT": "prod",
                "FEATURE_FLAG_SHAP_EXPLANATIONS": "false",
                "PREDICTION_CACHE_TTL_SECONDS": "300",
            },
        ),
    ],
)
def test_settings_and_config_references_resolve(
    rendered: Rendered, env: str, values: dict[str, str]
) -> None:
    objs = rendered[env]
    configmaps = {c["metadata"]["name"]: c for c in of_kind(objs, "ConfigMap")}
    # The Server (a custom resource) refers to the plain name: the generator keeps it.
    ref = container(one(objs, "Server", "mlserver"), "mlserver")["envFrom"][0]["configMapRef"]
    assert ref["name"] == "inference-settings"
    assert values.items() <= configmaps["inference-settings"]["data"].items()
    # The Deployment's reference follows the hash-suffixed generated name.
    pod = one(objs, "Deployment", "feature-server")["spec"]["template"]["spec"]
    volume = next(v for v in pod["volumes"] if v["name"] == "feature-repo")["configMap"]["name"]
    assert volume.startswith("feature-store-config-") and volume in configmaps
    assert of_kind(objs, "Secret") == [], "the sample repo must not carry Secrets"


@pytest.mark.oracle
@pytest.mark.parametrize("env", ["base", "dev", "prod"])
def test_labels_namespace_and_selectors(rendered: Rendered, env: str) -> None:
    objs = rendered[env]
    for obj in objs:
        meta = obj["metadata"]
        assert meta["labels"]["app.kubernetes.io/part-of"] == "ml-platform", meta["name"]
        if env != "base":
            assert meta["labels"]["environment"] == env, meta["name"]
        expected_ns = None if obj["kind"] == "Namespace" else NAMESPACE
        assert meta.get("namespace") == expected_ns, meta["name"]
    # includeSelectors: false keeps selectors matching the operator-managed pod labels.
    deployment = one(objs, "Deployment", "feature-server")
    assert deployment["spec"]["selector"] == {
        "matchLabels": {"app.kubernetes.io/name": "feature-server"}
    }
    assert one(objs, "NetworkPolicy", "financial-inference-allow")["spec"]["podSelector"] == {}


@pytest.mark.oracle
@pytest.mark.parametrize(("env", "audit"), [("dev", None), ("prod", "restricted")])
def test_pod_security_labels(rendered: Rendered, env: str, audit: str | None) -> None:
    labels = one(rendered[env], "Namespace", NAMESPACE)["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "baseline"
    assert labels["pod-security.kubernetes.io/warn"] == "restricted"
    assert labels.get("pod-security.kubernetes.io/audit") == audit


@pytest.mark.oracle
def test_dev_has_no_prod_only_resources(rendered: Rendered) -> None:
    for kind in PROD_ONLY_KINDS:
        assert of_kind(rendered["dev"], kind) == [], kind
    assert [n["metadata"]["name"] for n in of_kind(rendered["dev"], "NetworkPolicy")] == [
        "financial-inference-allow"
    ]


@pytest.mark.oracle
def test_prod_autoscaling_targets_the_candidate_models(rendered: Rendered) -> None:
    objs = rendered["prod"]
    server = one(objs, "Server", "mlserver")["spec"]
    assert (server["minReplicas"], server["maxReplicas"]) == (3, 6)
    hpas = {
        h["spec"]["scaleTargetRef"]["name"]: h["spec"]
        for h in of_kind(objs, "HorizontalPodAutoscaler")
    }
    assert set(hpas) == {"baseline-predictor", "enhanced-predictor"}
    for name, spec in hpas.items():
        assert spec["scaleTargetRef"] == {
            "apiVersion": "mlops.seldon.io/v1alpha1",
            "kind": "Model",
            "name": name,
        }
        metric = spec["metrics"][0]
        assert metric["type"] == "Object"
        assert metric["object"]["metric"] == {"name": "infer_rps"}
        assert metric["object"]["describedObject"]["name"] == name
        assert metric["object"]["target"]["type"] == "AverageValue"
        model = one(objs, "Model", name)["spec"]
        assert (
            spec["minReplicas"] <= model["replicas"] <= spec["maxReplicas"] <= server["maxReplicas"]
        )
        # An HPA-scaled Model must not also use Seldon's own autoscaling (§5).
        assert "minReplicas" not in model and "maxReplicas" not in model


@pytest.mark.oracle
def test_prod_disruption_budgets_and_network_policies(rendered: Rendered) -> None:
    objs = rendered["prod"]
    pdbs = {p["metadata"]["name"]: p["spec"] for p in of_kind(objs, "PodDisruptionBudget")}
    assert pdbs["mlserver-pdb"] == {
        "maxUnavailable": 1,
        "selector": {"matchLabels": {"seldon-server-name": "mlserver"}},
    }
    assert pdbs["seldon-envoy-pdb"]["selector"] == {
        "matchLabels": {"app.kubernetes.io/name": "seldon-envoy"}
    }
    assert pdbs["feature-server-pdb"]["minAvailable"] == 2
    for spec in pdbs.values():
        assert ("minAvailable" in spec) != ("maxUnavailable" in spec)
    deny = one(objs, "NetworkPolicy", "default-deny-all")["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


@pytest.mark.oracle
def test_prod_alerts(rendered: Rendered) -> None:
    rule = one(rendered["prod"], "PrometheusRule", "financial-inference-alerts")
    assert rule["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    rules = {r["alert"]: r for g in rule["spec"]["groups"] for r in g["rules"]}
    expected = {
        "ModelHighErrorRate": ("5m", "critical", "seldon_model_infer_total"),
        "ModelHighLatencyP95": ("10m", "warning", "seldon_model_infer_api_seconds_bucket"),
        "ExperimentCandidateNoTraffic": ("15m", "warning", "seldon_model_infer_total"),
        "TrafficMirrorLagging": ("15m", "warning", 'model="traffic-mirror"'),
        "MlserverReplicasUnavailable": ("5m", "critical", "kube_statefulset_status_replicas_ready"),
    }
    assert set(rules) == set(expected)
    for name, (for_, severity, needle) in expected.items():
        r = rules[name]
        assert (r["for"], r["labels"]["severity"]) == (for_, severity), name
        assert needle in r["expr"] and f'namespace="{NAMESPACE}"' in r["expr"], name
        assert r["annotations"]["summary"], name


@pytest.mark.oracle
@pytest.mark.parametrize("kind", ["Deployment", "Server"])
def test_prod_pods_are_hardened(rendered: Rendered, kind: str) -> None:
    if kind == "Server":
        pod = one(rendered["prod"], "Server", "mlserver")["spec"]["podSpec"]
        assert [c["name"] for c in pod["containers"]] == ["mlserver", "agent", "rclone"]
        assert pod["securityContext"]["runAsNonRoot"] is True
    else:
        pod = one(rendered["prod"], "Deployment", "feature-server")["spec"]["template"]["spec"]
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    for cont in pod["containers"]:
        sc = cont["securityContext"]
        assert sc["allowPrivilegeEscalation"] is False, cont["name"]
        assert sc["readOnlyRootFilesystem"] is True, cont["name"]
        assert sc["capabilities"] == {"drop": ["ALL"]}, cont["name"]


# --------------------------------------------------------------------------- Argo CD


def group_of(obj: Obj) -> str:
    return obj["apiVersion"].rpartition("/")[0]


def allowed(entries: list[Obj], group: str, kind: str) -> bool:
    return any(
        fnmatch.fnmatchcase(group, e["group"]) and fnmatch.fnmatchcase(kind, e["kind"])
        for e in entries
    )


@pytest.mark.oracle
def test_argocd_objects(rendered: Rendered) -> None:
    objs = rendered["argocd"]
    assert {o["metadata"]["namespace"] for o in objs} == {"argocd"}
    assert [a["metadata"]["name"] for a in of_kind(objs, "Application")] == [
        "financial-inference-dev",
        "financial-inference-prod",
    ]
    assert len(of_kind(objs, "AppProject")) == 1


@pytest.mark.oracle
@pytest.mark.parametrize("env", ["dev", "prod"])
def test_application_matches_project_and_repo(rendered: Rendered, repo_dir: Path, env: str) -> None:
    objs = rendered["argocd"]
    app = one(objs, "Application", f"financial-inference-{env}")["spec"]
    project = one(objs, "AppProject", app["project"])["spec"]
    source, dest = app["source"], app["destination"]
    assert (source["path"], source["targetRevision"]) == (ENV_DIRS[env], "main")
    assert (dest["name"], dest["namespace"]) == (f"{env}-cluster", NAMESPACE)
    overlay = repo_dir / source["path"]
    assert any(
        (overlay / n).is_file()
        for n in ("kustomization.yaml", "kustomization.yml", "Kustomization")
    )
    assert any(fnmatch.fnmatchcase(source["repoURL"], r) for r in project["sourceRepos"])
    assert any(
        fnmatch.fnmatchcase(dest.get("name", ""), d.get("name", ""))
        and fnmatch.fnmatchcase(dest["namespace"], d["namespace"])
        for d in project["destinations"]
    ), "no AppProject destination covers this Application"
    # Every kind the overlay renders is allowed by the project's whitelists.
    for obj in rendered[env]:
        cluster_scoped = obj["kind"] == "Namespace"
        entries = project[
            "clusterResourceWhitelist" if cluster_scoped else "namespaceResourceWhitelist"
        ]
        assert allowed(entries, group_of(obj), obj["kind"]), f"{obj['kind']} is not whitelisted"


@pytest.mark.oracle
@pytest.mark.parametrize(("env", "prune"), [("dev", True), ("prod", False)])
def test_sync_policies(rendered: Rendered, env: str, prune: bool) -> None:
    policy = one(rendered["argocd"], "Application", f"financial-inference-{env}")["spec"][
        "syncPolicy"
    ]
    assert policy["automated"] == {"prune": prune, "selfHeal": True}
    assert "CreateNamespace=true" in policy["syncOptions"]
    assert policy["retry"]["limit"] == 5


@pytest.mark.oracle
def test_prod_ignores_hpa_managed_replicas(rendered: Rendered) -> None:
    app = one(rendered["argocd"], "Application", "financial-inference-prod")["spec"]
    assert "RespectIgnoreDifferences=true" in app["syncPolicy"]["syncOptions"]
    ignored = {
        (d["kind"], d["name"])
        for d in app["ignoreDifferences"]
        if d["group"] == "mlops.seldon.io" and d["jsonPointers"] == ["/spec/replicas"]
    }
    hpa_targets = {
        (h["spec"]["scaleTargetRef"]["kind"], h["spec"]["scaleTargetRef"]["name"])
        for h in of_kind(rendered["prod"], "HorizontalPodAutoscaler")
    }
    assert ignored == hpa_targets
    dev = one(rendered["argocd"], "Application", "financial-inference-dev")["spec"]
    assert "ignoreDifferences" not in dev
