"""Random Kubernetes objects for the fuzzer: workloads, services, config, RBAC, CRDs."""

from __future__ import annotations

import random
from typing import Any

from .scalars import IMAGES, NAMES, STRESS, Raw, label_value, scalar, str_scalar

ANN_NONSTR = 0.02  # probability of a non-string annotation value in a resource


def meta(r: random.Random, name: str, labels: bool = True) -> dict[str, Any]:
    m: dict[str, Any] = {"name": name}
    if r.random() < 0.2:
        m["namespace"] = r.choice(["default", "other", "team-a"])
    if labels:
        m["labels"] = {"app": name}
        if r.random() < 0.3:
            m["labels"][r.choice(["tier", "app.kubernetes.io/name", "version"])] = label_value(r)
    if r.random() < 0.4:
        m["annotations"] = {
            r.choice(["note", "description", "a.b/c", "cfg", "zz", "x-1"]): (
                scalar(r) if r.random() < ANN_NONSTR else str_scalar(r)
            )
            for _ in range(r.randint(1, 3))
        }
    return m


def container(r: random.Random, name: str = "app") -> dict[str, Any]:
    c: dict[str, Any] = {"name": name, "image": r.choice(IMAGES)}
    if r.random() < 0.5:
        c["ports"] = [
            {
                "containerPort": p,
                **({"protocol": r.choice(["TCP", "UDP"])} if r.random() < 0.4 else {}),
                **({"name": r.choice(["http", "metrics"])} if r.random() < 0.3 else {}),
            }
            for p in r.sample([80, 8080, 9090, 53], r.randint(1, 2))
        ]
    if r.random() < 0.6:
        c["env"] = [
            {"name": n, "value": scalar(r)}
            for n in r.sample(["A", "B", "LOG_LEVEL", "C_D"], r.randint(1, 3))
        ]
    if r.random() < 0.4:
        c["envFrom"] = [{"configMapRef": {"name": r.choice(["settings", "extra"])}}]
        if r.random() < 0.5:
            c["envFrom"].append({"secretRef": {"name": "creds"}})
    if r.random() < 0.3:
        c["args"] = [r.choice(STRESS) for _ in range(r.randint(1, 3))]
    if r.random() < 0.3:
        c["resources"] = {
            "limits": {
                "cpu": r.choice(["100m", Raw("1"), "0.5", Raw("0.5")]),
                "memory": r.choice(["1Gi", "512Mi"]),
            }
        }
    return c


def pod_spec(r: random.Random) -> dict[str, Any]:
    s: dict[str, Any] = {
        "containers": [container(r, n) for n in r.sample(["app", "sidecar"], r.randint(1, 2))]
    }
    if r.random() < 0.3:
        s["initContainers"] = [container(r, "init")]
    if r.random() < 0.4:
        s["volumes"] = [{"name": "cfg", "configMap": {"name": "settings"}}]
        if r.random() < 0.5:
            s["volumes"].append({"name": "sec", "secret": {"secretName": "creds"}})
    if r.random() < 0.2:
        s["serviceAccountName"] = "runner"
    return s


def workload(r: random.Random, kind: str, name: str) -> dict[str, Any]:
    tmpl = {"metadata": {"labels": {"app": name}}, "spec": pod_spec(r)}
    if kind == "Deployment":
        spec: dict[str, Any] = {"selector": {"matchLabels": {"app": name}}, "template": tmpl}
        if r.random() < 0.8:
            spec = {"replicas": r.randint(0, 5), **spec}
        return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta(r, name), "spec": spec}
    if kind == "StatefulSet":
        spec = {
            "serviceName": name,
            "replicas": r.randint(1, 3),
            "selector": {"matchLabels": {"app": name}},
            "template": tmpl,
        }
        if r.random() < 0.5:
            spec["volumeClaimTemplates"] = [
                {
                    "metadata": {"name": "data"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "1Gi"}},
                    },
                }
            ]
        return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta(r, name), "spec": spec}
    # CronJob
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": meta(r, name),
        "spec": {
            "schedule": r.choice(["*/5 * * * *", "0 0 * * *", Raw("'@daily'")]),
            "jobTemplate": {
                "spec": {"template": {"spec": {**pod_spec(r), "restartPolicy": "OnFailure"}}}
            },
        },
    }


def other(r: random.Random, kind: str, name: str) -> dict[str, Any]:
    if kind == "Service":
        ports = []
        for p in r.sample([80, 443, 8080, 53], r.randint(1, 3)):
            d: dict[str, Any] = {"port": p}
            if r.random() < 0.5:
                d["protocol"] = r.choice(["TCP", "UDP"])
            if r.random() < 0.6:
                d["name"] = r.choice(["http", "https", "dns", f"p{p}"])
            d["targetPort"] = r.choice([8080, "http", p])
            ports.append(d)
        return {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta(r, name),
            "spec": {
                "selector": {"app": name},
                "ports": ports,
                **({"type": "ClusterIP"} if r.random() < 0.3 else {}),
            },
        }
    if kind == "ConfigMap":
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": meta(r, name, labels=r.random() < 0.5),
            "data": {
                k: scalar(r)
                for k in r.sample(
                    ["level", "url", "k1", "k10", "k2", "empty", "a.b", "Z", "_x"], r.randint(0, 4)
                )
            },
        }
    if kind == "Secret":
        return {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": meta(r, name, labels=False),
            "type": "Opaque",
            "stringData" if r.random() < 0.5 else "data": {
                "password": r.choice(["c2VjcmV0", "hunter2", Raw("yes")])
            },
        }
    if kind == "Ingress":
        return {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": meta(r, name),
            "spec": {
                "rules": [
                    {
                        "host": r.choice(["a.example.com", "*.x.io"]),
                        "http": {
                            "paths": [
                                {
                                    "path": "/",
                                    "pathType": "Prefix",
                                    "backend": {
                                        "service": {"name": r.choice(NAMES), "port": {"number": 80}}
                                    },
                                }
                            ]
                        },
                    }
                ],
                **(
                    {"tls": [{"hosts": ["a.example.com"], "secretName": "creds"}]}
                    if r.random() < 0.5
                    else {}
                ),
            },
        }
    if kind == "ServiceAccount":
        return {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": meta(r, "runner", labels=False),
        }
    if kind == "RoleBinding":
        return {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": meta(r, name, labels=False),
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": r.choice(["ClusterRole", "Role"]),
                "name": "view",
            },
            "subjects": [
                {
                    "kind": "ServiceAccount",
                    "name": "runner",
                    **({"namespace": "default"} if r.random() < 0.5 else {}),
                }
            ],
        }
    if kind == "HorizontalPodAutoscaler":
        return {
            "apiVersion": "autoscaling/v2",
            "kind": kind,
            "metadata": meta(r, name),
            "spec": {
                "scaleTargetRef": {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": r.choice(NAMES),
                },
                "minReplicas": 1,
                "maxReplicas": r.randint(2, 10),
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {"type": "Utilization", "averageUtilization": 80},
                        },
                    }
                ],
            },
        }
    if kind == "PodDisruptionBudget":
        return {
            "apiVersion": "policy/v1",
            "kind": kind,
            "metadata": meta(r, name),
            "spec": {
                "minAvailable": r.choice([1, "50%"]),
                "selector": {"matchLabels": {"app": name}},
            },
        }
    if kind == "NetworkPolicy":
        return {
            "apiVersion": "networking.k8s.io/v1",
            "kind": kind,
            "metadata": meta(r, name),
            "spec": {
                "podSelector": {"matchLabels": {"app": name}},
                "policyTypes": ["Ingress"],
                "ingress": [
                    {
                        "from": [{"podSelector": {"matchLabels": {"app": r.choice(NAMES)}}}],
                        "ports": [
                            {"port": 80, **({"protocol": "TCP"} if r.random() < 0.5 else {})}
                        ],
                    }
                ],
            },
        }
    if kind == "Model":
        return {
            "apiVersion": "mlops.seldon.io/v1alpha1",
            "kind": "Model",
            "metadata": meta(r, name),
            "spec": {
                "storageUri": "gs://bucket/" + name,
                "requirements": r.sample(["sklearn", "xgboost", "mlflow"], r.randint(1, 2)),
                **({"replicas": r.randint(1, 3)} if r.random() < 0.5 else {}),
                **({"memory": r.choice(["1Gi", Raw("100")])} if r.random() < 0.3 else {}),
            },
        }
    if kind == "Experiment":
        return {
            "apiVersion": "mlops.seldon.io/v1alpha1",
            "kind": "Experiment",
            "metadata": meta(r, name),
            "spec": {
                "default": "model-a",
                "candidates": [
                    {"name": n, "weight": w}
                    for n, w in zip(r.sample(NAMES, 2), [50, 50], strict=False)
                ],
            },
        }
    if kind == "ClusterRole":
        return {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": meta(r, "view", labels=r.random() < 0.5),
            "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}],
        }
    if kind == "ClusterRoleBinding":
        return {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": kind,
            "metadata": meta(r, name, labels=False),
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": "view",
            },
            "subjects": [
                {
                    "kind": "ServiceAccount",
                    "name": "runner",
                    "namespace": r.choice(["default", "team-a"]),
                }
            ],
        }
    if kind == "Namespace":
        return {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": r.choice(["dev", "prod", "team-a"])},
        }
    raise ValueError(kind)


WORKLOADS = ["Deployment", "StatefulSet", "CronJob"]
OTHERS = [
    "Service",
    "ConfigMap",
    "Secret",
    "Ingress",
    "ServiceAccount",
    "RoleBinding",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "NetworkPolicy",
    "Model",
    "Experiment",
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
]


def resources_for(r: random.Random, names: list[str]) -> list[dict[str, Any]]:
    out = []
    used: set[tuple[str, str]] = set()
    for n in names:
        k = r.choice(WORKLOADS)
        out.append(workload(r, k, n))
        used.add((k, n))
    for _ in range(r.randint(1, 6)):
        k = r.choice(OTHERS)
        n = r.choice([*names, "settings", "creds"])
        if k == "ConfigMap" and r.random() < 0.5:
            n = "settings"
        o = other(r, k, n)
        key = (k, o["metadata"]["name"])
        if key in used:
            continue
        used.add(key)
        out.append(o)
    return out


# ---------------- transformers -----------------
