"""Differential fuzzer: envlib.kustomize.build vs kubectl kustomize on random trees.

Usage:
  .venv/bin/python tools/fuzz/fuzz.py --start 0 --count 2000 --out /tmp/envlib-fuzz
  .venv/bin/python tools/fuzz/fuzz.py --seed 123 --keep /tmp/t   # write one tree
Each seed produces one deterministic tree (random.Random(seed)).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import traceback
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2]))
from envlib.errors import EnvlibError  # noqa: E402
from envlib.kustomize import build  # noqa: E402

KUBECTL = "/usr/lib/google-cloud-sdk/bin/kubectl.1.32"

NAMES = ["web", "api", "db", "worker", "web-api", "model-a"]
LONG = "this is a rather long string with many spaces that goes well beyond the eighty column limit of the emitter ok"
LONG_NOSPACE = "x" * 90 + "-end"
STRESS = [
    "yes", "no", "on", "off", "y", "n", "Y", "true", "False", "NULL", "~", "null", "",
    "0", "0755", "0o755", "0x1F", "1e3", "1_000", ".inf", "-.inf", ".nan", "12:30", "1:20:30",
    "2024-01-01", "2024-01-01T10:00:00Z", "3.0", "-1", "+1", "007", "1.10", "1.2.3", "a: b", "- x",
    "#x", "x #y", "@foo", "`x", "%x", "!tag", "*x", "&x", "'quoted'", '"dq"', "trailing ",
    " leading", "multi\nline\n", "multi\nline", "keep\n\n", "tab\there", "ünïcödé ☃", "日本語",
    "emoji 🎉", LONG, LONG_NOSPACE, "line1\n  indented\n", "key=value", "{a: 1}", "[1,2]", "=",
    "<<", "?", "-", ":", "|", ">", "a,b", "x: y: z", "http://x.y/z?a=b#c", "  ", "\\back",
    "0.0.0.0", "1.0", "1e", "0b101", "+.5", "-0", "NaN", "Off", "TRUE", "on\n", LONG + "\n" + LONG,
    "ends with colon:", "has 'single' and \"double\"", "\u00a0nbsp", "café", "x\u2028y",
]
RAW = [  # unquoted in the input file (parsed by the YAML loader)
    "yes", "on", "0755", "0o755", "0x1F", "1e3", "1_000", ".inf", "~", "null", "12:30",
    "2024-01-01", "3.0", "1.10", "007", "true", "NO", "+1", "1.5e+3", "0.", ".5", "''", '""',
    "!!str 12", "!!int '12'", "2001-12-14t21:59:43.10-05:00", "-0.0", "0b11", "|\n    block\n    text",
    ">-\n    folded\n    text", "|+\n    keep\n\n",
]
IMAGES = ["nginx", "nginx:1.25", "redis:7", "ghcr.io/acme/app:v1", "busybox", "nginx@sha256:" + "a" * 64,
          "localhost:5000/x/y:1"]


def _safe_for_v3(v: str) -> bool:
    from envlib.kustomize.yaml.scalars import resolve_v3
    out = yaml.safe_dump(v).strip()
    if out.startswith(("'", '"', "|", ">")):
        return True
    return isinstance(resolve_v3(v), str)


SAFE_STRESS = [v for v in STRESS if _safe_for_v3(v)]


class Raw:
    def __init__(self, text: str) -> None:
        self.text = text


def scalar(r: random.Random) -> Any:
    c = r.random()
    if c < 0.6:
        return r.choice(STRESS)
    if c < 0.8:
        return Raw(r.choice(RAW))
    if c < 0.87:
        return None
    if c < 0.95:
        return r.choice([0, 1, 42, -3, 1.5, True, False, 10**20, 0.1])
    return r.choice(["plain", "value", "debug", "x-y_z.w"])


def str_scalar(r: random.Random) -> Any:
    if os.environ.get("FOCUS") == "1":
        return r.choice(SAFE_STRESS)
    v = scalar(r)
    if FOCUS and v == "a,b":
        v = "a;b"
    if isinstance(v, str):
        return v
    if r.random() < 0.01:
        return v
    return r.choice(STRESS)


def label_value(r: random.Random) -> Any:
    return r.choice(["a", "prod", "1.0", "yes", "team-x", "v1", "true", "007", "on", Raw("yes"), Raw("1.0"), ""])


def klabel(r: random.Random) -> Any:
    v = label_value(r)
    if isinstance(v, Raw) and r.random() < 0.95:
        return v.text
    return v


ANN_NONSTR = float(os.environ.get("ANN_NONSTR", "0.02"))


def meta(r: random.Random, name: str, labels: bool = True) -> dict[str, Any]:
    m: dict[str, Any] = {"name": name}
    if r.random() < 0.2:
        m["namespace"] = r.choice(["default", "other", "team-a"])
    if labels:
        m["labels"] = {"app": name}
        if r.random() < 0.3:
            m["labels"][r.choice(["tier", "app.kubernetes.io/name", "version"])] = label_value(r)
    if r.random() < 0.4:
        m["annotations"] = {r.choice(["note", "description", "a.b/c", "cfg", "zz", "x-1"]): (scalar(r) if r.random() < ANN_NONSTR else str_scalar(r)) for _ in range(r.randint(1, 3))}
    return m


def container(r: random.Random, name: str = "app") -> dict[str, Any]:
    c: dict[str, Any] = {"name": name, "image": r.choice(IMAGES)}
    if r.random() < 0.5:
        c["ports"] = [{"containerPort": p, **({"protocol": r.choice(["TCP", "UDP"])} if r.random() < 0.4 else {}),
                       **({"name": r.choice(["http", "metrics"])} if r.random() < 0.3 else {})}
                      for p in r.sample([80, 8080, 9090, 53], r.randint(1, 2))]
    if r.random() < 0.6:
        c["env"] = [{"name": n, "value": scalar(r)} for n in r.sample(["A", "B", "LOG_LEVEL", "C_D"], r.randint(1, 3))]
    if r.random() < 0.4:
        c["envFrom"] = [{"configMapRef": {"name": r.choice(["settings", "extra"])}}]
        if r.random() < 0.5:
            c["envFrom"].append({"secretRef": {"name": "creds"}})
    if r.random() < 0.3:
        c["args"] = [r.choice(STRESS) for _ in range(r.randint(1, 3))]
    if r.random() < 0.3:
        c["resources"] = {"limits": {"cpu": r.choice(["100m", Raw("1"), "0.5", Raw("0.5")]), "memory": r.choice(["1Gi", "512Mi"])}}
    return c


def pod_spec(r: random.Random) -> dict[str, Any]:
    s: dict[str, Any] = {"containers": [container(r, n) for n in r.sample(["app", "sidecar"], r.randint(1, 2))]}
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
        spec = {"serviceName": name, "replicas": r.randint(1, 3), "selector": {"matchLabels": {"app": name}}, "template": tmpl}
        if r.random() < 0.5:
            spec["volumeClaimTemplates"] = [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]
        return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta(r, name), "spec": spec}
    # CronJob
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta(r, name),
            "spec": {"schedule": r.choice(["*/5 * * * *", "0 0 * * *", Raw("'@daily'")]),
                     "jobTemplate": {"spec": {"template": {"spec": {**pod_spec(r), "restartPolicy": "OnFailure"}}}}}}


def other(r: random.Random, kind: str, name: str) -> dict[str, Any]:
    if kind == "Service":
        ports = []
        for p in r.sample([80, 443, 8080, 53], r.randint(1, 3)):
            d: dict[str, Any] = {"port": p}
            if r.random() < 0.5:
                d["protocol"] = r.choice(["TCP", "UDP"])
            if r.random() < 0.6:
                d["name"] = r.choice(["http", "https", "dns", "p%d" % p])
            d["targetPort"] = r.choice([8080, "http", p])
            ports.append(d)
        return {"apiVersion": "v1", "kind": "Service", "metadata": meta(r, name),
                "spec": {"selector": {"app": name}, "ports": ports, **({"type": "ClusterIP"} if r.random() < 0.3 else {})}}
    if kind == "ConfigMap":
        return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(r, name, labels=r.random() < 0.5),
                "data": {k: scalar(r) for k in r.sample(["level", "url", "k1", "k10", "k2", "empty", "a.b", "Z", "_x"], r.randint(0, 4))}}
    if kind == "Secret":
        return {"apiVersion": "v1", "kind": "Secret", "metadata": meta(r, name, labels=False), "type": "Opaque",
                "stringData" if r.random() < 0.5 else "data": {"password": r.choice(["c2VjcmV0", "hunter2", Raw("yes")])}}
    if kind == "Ingress":
        return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta(r, name),
                "spec": {"rules": [{"host": r.choice(["a.example.com", "*.x.io"]), "http": {"paths": [
                    {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": r.choice(NAMES), "port": {"number": 80}}}}]}}],
                         **({"tls": [{"hosts": ["a.example.com"], "secretName": "creds"}]} if r.random() < 0.5 else {})}}
    if kind == "ServiceAccount":
        return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(r, "runner", labels=False)}
    if kind == "RoleBinding":
        return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": meta(r, name, labels=False),
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": r.choice(["ClusterRole", "Role"]), "name": "view"},
                "subjects": [{"kind": "ServiceAccount", "name": "runner", **({"namespace": "default"} if r.random() < 0.5 else {})}]}
    if kind == "HorizontalPodAutoscaler":
        return {"apiVersion": "autoscaling/v2", "kind": kind, "metadata": meta(r, name),
                "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": r.choice(NAMES)},
                         "minReplicas": 1, "maxReplicas": r.randint(2, 10),
                         "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]}}
    if kind == "PodDisruptionBudget":
        return {"apiVersion": "policy/v1", "kind": kind, "metadata": meta(r, name),
                "spec": {"minAvailable": r.choice([1, "50%"]), "selector": {"matchLabels": {"app": name}}}}
    if kind == "NetworkPolicy":
        return {"apiVersion": "networking.k8s.io/v1", "kind": kind, "metadata": meta(r, name),
                "spec": {"podSelector": {"matchLabels": {"app": name}}, "policyTypes": ["Ingress"],
                         "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": r.choice(NAMES)}}}],
                                      "ports": [{"port": 80, **({"protocol": "TCP"} if r.random() < 0.5 else {})}]}]}}
    if kind == "Model":
        return {"apiVersion": "mlops.seldon.io/v1alpha1", "kind": "Model", "metadata": meta(r, name),
                "spec": {"storageUri": "gs://bucket/" + name, "requirements": r.sample(["sklearn", "xgboost", "mlflow"], r.randint(1, 2)),
                         **({"replicas": r.randint(1, 3)} if r.random() < 0.5 else {}),
                         **({"memory": r.choice(["1Gi", Raw("100")])} if r.random() < 0.3 else {})}}
    if kind == "Experiment":
        return {"apiVersion": "mlops.seldon.io/v1alpha1", "kind": "Experiment", "metadata": meta(r, name),
                "spec": {"default": "model-a", "candidates": [{"name": n, "weight": w} for n, w in zip(r.sample(NAMES, 2), [50, 50])]}}
    if kind == "ClusterRole":
        return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": meta(r, "view", labels=r.random() < 0.5),
                "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]}
    if kind == "ClusterRoleBinding":
        return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta(r, name, labels=False),
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
                "subjects": [{"kind": "ServiceAccount", "name": "runner", "namespace": r.choice(["default", "team-a"])}]}
    if kind == "Namespace":
        return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": r.choice(["dev", "prod", "team-a"])}}
    raise ValueError(kind)


WORKLOADS = ["Deployment", "StatefulSet", "CronJob"]
OTHERS = ["Service", "ConfigMap", "Secret", "Ingress", "ServiceAccount", "RoleBinding", "HorizontalPodAutoscaler",
          "PodDisruptionBudget", "NetworkPolicy", "Model", "Experiment", "Namespace", "ClusterRole", "ClusterRoleBinding"]

_RAWS: dict[str, str] = {}


def _represent(dumper: yaml.SafeDumper, data: Any) -> Any:
    if isinstance(data, Raw):
        key = "RAWX%dX" % len(_RAWS)
        _RAWS[key] = data.text
        return dumper.represent_str(key)
    return dumper.represent_str(data)


class Dumper(yaml.SafeDumper):
    pass


Dumper.add_representer(Raw, _represent)


def dump(r: random.Random, obj: Any) -> str:
    text = yaml.dump(obj, Dumper=Dumper, sort_keys=False, allow_unicode=r.random() < 0.7,
                     width=r.choice([80, 4096]), default_flow_style=False, indent=2)
    for key, raw in _RAWS.items():
        if key in text:
            # block scalars need the proper indentation of the line they are on
            if raw.startswith(("|", ">")):
                m = re.search(r"^( *)(.*?)" + key, text, re.M)
                ind = len(m.group(1)) if m else 0
                head, *rest = raw.split("\n")
                rest_txt = textwrap.dedent("\n".join(rest))
                body = "\n".join((" " * (ind + 4) + ln) if ln.strip() else "" for ln in rest_txt.split("\n"))
                raw2 = head + "\n" + body.rstrip(" ")
                text = text.replace(key + "\n", raw2 + ("\n" if not raw2.endswith("\n") else ""), 1)
            else:
                text = text.replace(key, raw)
    _RAWS.clear()
    return text


def resources_for(r: random.Random, names: list[str]) -> list[dict[str, Any]]:
    out = []
    used: set[tuple[str, str]] = set()
    for n in names:
        k = r.choice(WORKLOADS)
        out.append(workload(r, k, n))
        used.add((k, n))
    for _ in range(r.randint(1, 6)):
        k = r.choice(OTHERS)
        n = r.choice(names + ["settings", "creds"])
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

def smp_patch(r: random.Random, res: dict[str, Any]) -> dict[str, Any]:
    kind, name = res["kind"], res["metadata"]["name"]
    p: dict[str, Any] = {"apiVersion": res["apiVersion"], "kind": kind, "metadata": {"name": name}}
    c = r.random()
    if c < 0.07:
        p["$patch"] = "delete"
        return p
    if r.random() < 0.3:
        p["metadata"]["labels"] = {"patched": label_value(r)}
    if r.random() < 0.3:
        p["metadata"]["annotations"] = {"patched-note" if FOCUS else "note": str_scalar(r) if FOCUS else scalar(r), **({"cfg": None} if r.random() < 0.3 and not FOCUS else {})}
    if kind in ("Deployment", "StatefulSet"):
        spec: dict[str, Any] = {}
        if r.random() < 0.4:
            spec["replicas"] = r.randint(1, 9)
        conts = []
        for cname in r.sample(["app", "sidecar", "new"], r.randint(1, 2)):
            cc: dict[str, Any] = {"name": cname}
            z = r.random()
            if z < 0.15:
                cc["$patch"] = "delete"
            else:
                if r.random() < 0.5 or cname == "new":
                    cc["image"] = r.choice(IMAGES)
                if r.random() < 0.6:
                    cc["env"] = [{"name": n, "value": scalar(r)} if r.random() < 0.85 else {"name": n, "$patch": "delete"}
                                 for n in r.sample(["A", "LOG_LEVEL", "NEW"], r.randint(1, 2))]
                if r.random() < 0.3:
                    cc["ports"] = [{"containerPort": r.choice([80, 9090]), **({"protocol": "UDP"} if r.random() < 0.3 else {})}]
                if r.random() < 0.15:
                    cc["args"] = [r.choice(STRESS)]
            conts.append(cc)
        podspec: dict[str, Any] = {"containers": conts}
        if r.random() < 0.2:
            podspec["$setElementOrder/containers"] = [{"name": c["name"]} for c in reversed(conts)]
        if r.random() < 0.2:
            podspec["volumes"] = [{"name": "extra", "emptyDir": {}}] if r.random() < 0.7 else [{"$patch": "replace"}, {"name": "only", "emptyDir": {}}]
        spec["template"] = {"spec": podspec}
        if r.random() < 0.15:
            spec["template"]["metadata"] = {"labels": {"extra": "x"}}
        p["spec"] = spec
    elif kind == "Service":
        p["spec"] = {"ports": [{"port": r.choice([80, 443, 53]), **({"protocol": r.choice(["TCP", "UDP"])} if r.random() < 0.5 else {}),
                                "targetPort": r.choice([9000, "web"])}]}
        if r.random() < 0.2:
            p["spec"]["type"] = "NodePort"
    elif kind == "ConfigMap":
        p["data"] = {r.choice(["level", "new", "k2"]): scalar(r)}
        if r.random() < 0.2:
            p["data"]["url"] = None
    elif kind in ("Model", "Experiment"):
        p["spec"] = {"requirements": ["onnx"]} if kind == "Model" else {"candidates": [{"name": "web", "weight": 100}]}
        if r.random() < 0.3:
            p["spec"]["extra"] = {"deep": scalar(r)}
    elif kind == "CronJob":
        p["spec"] = {"schedule": "1 1 * * *", "suspend": r.choice([True, False])}
    else:
        p["metadata"].setdefault("annotations", {})["patched-by"] = "smp"
    return p


PATHS = {
    "Deployment": ["/spec/replicas", "/spec/template/spec/containers/0/image", "/spec/template/spec/containers/-",
                   "/spec/template/spec/containers/0/env/0", "/spec/template/metadata/labels/extra", "/spec/paused",
                   "/spec/template/spec/containers/1", "/spec/strategy"],
    "Service": ["/spec/ports/0/port", "/spec/ports/-", "/spec/ports/0/protocol", "/spec/type", "/spec/ports/5"],
    "ConfigMap": ["/data/level", "/data/new", "/data", "/data/k1"],
    "Model": ["/spec/requirements/0", "/spec/requirements/-", "/spec/storageUri", "/spec/replicas"],
}
FOCUS = os.environ.get("FOCUS") == "1"  # suppress already-reported families to find new ones
COMMON_PATHS = ["/metadata/labels/app", "/metadata/annotations", "/metadata/annotations/note", "/metadata/labels/app.kubernetes.io~1name",
                "/metadata/labels/new", "/metadata/name", "/metadata/namespace", "/kind"]


def json_ops(r: random.Random, kind: str) -> list[dict[str, Any]]:
    common = COMMON_PATHS
    if FOCUS:
        common = [p for p in COMMON_PATHS if p not in ("/metadata/name", "/metadata/namespace", "/kind", "/metadata/annotations")]
    paths = PATHS.get(kind, PATHS.get("Deployment" if kind in ("StatefulSet",) else "", [])) + common
    ops = []
    if r.random() < 0.05:
        paths = paths + ["/spec/nonexistent/x"]
    for _ in range(r.randint(1, 3)):
        op = r.choices(["add", "replace", "remove", "copy", "move", "test"], [12, 2, 1, 0.5, 0.5, 0.3])[0]
        path = r.choice(paths)
        d: dict[str, Any] = {"op": op, "path": path}
        if op in ("add", "replace", "test"):
            if path.endswith("/-") and "containers" in path:
                d["value"] = {"name": "added", "image": "busybox"}
            elif "ports" in path and path.endswith(("-", "/5")):
                d["value"] = {"port": 9999, "targetPort": 9999}
            elif path.endswith("annotations"):
                d["value"] = {"a": scalar(r)}
            elif FOCUS and "/annotations/" in path:
                d["value"] = str_scalar(r)
            else:
                d["value"] = r.choice([scalar(r), 3, "x", {"k": "v"}, ["a"]])
        if op in ("copy", "move"):
            d["from"] = r.choice(paths)
        ops.append(d)
    return ops


def lkeys(level: str) -> list[str]:
    if not FOCUS:
        return ["env", "team", "app.kubernetes.io/part-of", "owner", "tier"]
    return {"base": ["env", "tier"], "component": ["team"], "overlay": ["owner", "app.kubernetes.io/part-of"]}[level]


def akeys(level: str) -> list[str]:
    if not FOCUS:
        return ["note", "owner", "a.b/c"]
    return {"base": ["owner"], "component": ["a.b/c"], "overlay": ["owner2", "x/y"]}[level]


def kustomization(r: random.Random, level: str, res_files: list[str], all_res: list[dict[str, Any]],
                  extra_res: list[str], has_comp: bool) -> dict[str, Any]:
    k: dict[str, Any] = {}
    if r.random() < 0.3:
        k["apiVersion"] = "kustomize.config.k8s.io/v1beta1"
        k["kind"] = "Kustomization" if level != "component" else "Component"
    if level == "component":
        k["apiVersion"] = "kustomize.config.k8s.io/v1alpha1"
        k["kind"] = "Component"
    if res_files or extra_res:
        k["resources"] = res_files + extra_res
    if has_comp:
        k["components"] = ["../components/c1"]
    if level != "component":
        if r.random() < 0.35:
            k["namespace"] = r.choice(["dev", "prod", "team-a", "default"])
        if r.random() < 0.3:
            k["namePrefix"] = r.choice(["dev-", "p-", "x1-", "b-"])
        if r.random() < 0.25:
            k["nameSuffix"] = r.choice(["-v2", "-s", "-prod"])
    if r.random() < 0.3:
        k["labels"] = [{"pairs": {r.choice(lkeys(level)): klabel(r)},
                        **({"includeSelectors": r.choice([True, False])} if r.random() < 0.7 else {}),
                        **({"includeTemplates": r.choice([True, False])} if r.random() < 0.5 else {})}]
    if r.random() < 0.2:
        k["commonLabels"] = {r.choice(lkeys(level)): klabel(r)}
    if r.random() < 0.3:
        k["commonAnnotations"] = {r.choice(akeys(level)): str_scalar(r) for _ in range(r.randint(1, 2))}
    if r.random() < 0.3:
        im: dict[str, Any] = {"name": r.choice(["nginx", "redis", "ghcr.io/acme/app", "busybox"])}
        for f in r.sample(["newName", "newTag", "digest"], r.randint(1, 2)):
            im[f] = {"newName": r.choice(["mirror.io/nginx", "nginx2"]), "newTag": r.choice(["1.27", "alpine", "2", "1.10"] * 10 + [Raw("2")]),
                     "digest": "sha256:" + "b" * 64}[f]
        k["images"] = [im]
    if r.random() < 0.2:
        k["replicas"] = [{"name": r.choice([x["metadata"]["name"] for x in all_res if x["kind"] in ("Deployment", "StatefulSet")] or NAMES), "count": r.randint(0, 7)}]
    if r.random() < 0.45:
        gens = []
        for gname in r.sample(["settings", "extra", "gen"], r.randint(1, 2)):
            g: dict[str, Any] = {"name": gname}
            if level != "base" and gname in EXISTING:
                g["behavior"] = r.choice(["merge", "replace", "merge"]) if r.random() < 0.95 else "create"
            elif level != "base" and r.random() < 0.05:
                g["behavior"] = r.choice(["merge", "replace"])
            g["literals"] = [f"{kk}={vv}" for kk, vv in zip(r.sample(["level", "url", "mode", "k2"], r.randint(1, 2)),
                                                              [r.choice(["debug", "1", "true", "a b", "x=y", "", "ü", "0755", "'q'"]) for _ in range(2)])]
            if r.random() < 0.2:
                g["options"] = {"disableNameSuffixHash": True}
            gens.append(g)
        k["configMapGenerator"] = gens
        EXISTING.update(g["name"] for g in gens)
    if r.random() < 0.25:
        g = {"name": "creds", "literals": [f"password={r.choice(['s3cr3t', 'yes', 'a b'])}"]}
        if level != "base" and "creds" in EXISTING:
            g["behavior"] = r.choice(["merge", "replace"])
        EXISTING.add("creds")
        if r.random() < 0.3:
            g["type"] = "kubernetes.io/basic-auth" if r.random() < 0.3 else "Opaque"
        k["secretGenerator"] = [g]
    if r.random() < 0.15:
        k["generatorOptions"] = {r.choice(["disableNameSuffixHash", "labels", "annotations"]): True}
        if "labels" in k["generatorOptions"]:
            k["generatorOptions"]["labels"] = {"gen": "yes"}
        if "annotations" in k["generatorOptions"]:
            k["generatorOptions"]["annotations"] = {"gen": str_scalar(r)}
    patches = []
    by_kind = [x for x in all_res]
    for _ in range(r.choices([0, 1, 2, 3], [5, 4, 1.5, 0.3])[0]):
        if not by_kind:
            break
        tgt = r.choice(by_kind)
        kind, name = tgt["kind"], tgt["metadata"]["name"]
        if r.random() < 0.5:
            p = smp_patch(r, tgt)
            entry: dict[str, Any] = {"patch": Raw("|-\n" + "\n".join("    " + ln for ln in dump(r, p).rstrip("\n").split("\n")))}
            if r.random() < 0.3:
                entry["target"] = {"kind": kind}
                if r.random() < 0.5:
                    entry["target"]["name"] = r.choice([name, ".*", name[:2] + ".*"])
            patches.append(entry)
        else:
            ops = json_ops(r, kind)
            tgt_d: dict[str, Any] = {"kind": kind}
            if r.random() < 0.8:
                tgt_d["name"] = name
            if r.random() < 0.2:
                tgt_d["labelSelector"] = "app=" + name
            if r.random() < 0.2:
                tgt_d["group"] = tgt["apiVersion"].split("/")[0] if "/" in tgt["apiVersion"] else ""
            txt = dump(r, ops).rstrip("\n")
            patches.append({"target": tgt_d, "patch": Raw("|-\n" + "\n".join("    " + ln for ln in txt.split("\n")))})
    if patches:
        if level == "overlay" and r.random() < 0.15:
            legacy = [p for p in patches if "target" not in p]
            if legacy:
                k["patchesStrategicMerge"] = [p["patch"] for p in legacy]
            patches = [p for p in patches if "target" in p]
            if patches and r.random() < 0.5:
                k["patchesJson6902"] = [{**p["target"], **({"version": "v1"} if "version" not in p["target"] else {}), "patch": p["patch"]} for p in patches if "name" in p["target"]]
                patches = [p for p in patches if "name" not in p["target"]]
        if patches:
            k["patches"] = patches
    if r.random() < 0.12 and all_res:
        src = r.choice(all_res)
        fp = r.choice(["metadata.name"] * 15 + ["spec.replicas", "metadata.labels.app", "data.level", "spec.template.spec.containers.0.image",
                       "spec.template.spec.containers.[name=app].image"])
        tgt = r.choice(all_res)
        tfp = r.choice(["metadata.annotations.copied"] * 3 + [ "spec.template.spec.containers.[name=app].env.[name=A].value",
                        "data.copied", "spec.replicas", "metadata.labels.app"])
        rep: dict[str, Any] = {"source": {"kind": src["kind"], "name": src["metadata"]["name"], "fieldPath": fp},
                               "targets": [{"select": {"kind": tgt["kind"]}, "fieldPaths": [tfp]}]}
        if r.random() < 0.5:
            rep["targets"][0]["options"] = {"create": True}
        if r.random() < 0.2:
            rep["targets"][0]["options"] = {"delimiter": "-", "index": r.choice([0, 1, -1, 5])}
        k["replacements"] = [rep]
    if level == "overlay" and r.random() < 0.2:
        so: dict[str, Any] = {"order": r.choice(["legacy", "fifo"])}
        if so["order"] == "legacy" and r.random() < 0.6:
            so["legacySortOptions"] = {"orderFirst": r.sample(["Service", "ConfigMap", "Deployment", "Namespace"], 2),
                                       "orderLast": r.sample(["Ingress", "StatefulSet"], 1)}
        k["sortOptions"] = so
    keys = list(k.keys())
    if r.random() < 0.5:
        r.shuffle(keys)
    return {kk: k[kk] for kk in keys}


EXISTING: set[str] = set()


def gen_tree(seed: int) -> dict[str, str]:
    r = random.Random(seed)
    EXISTING.clear()
    names = r.sample(NAMES, r.randint(1, 3))
    base_res = resources_for(r, names)
    EXISTING.update(x["metadata"]["name"] for x in base_res if x["kind"] in ("ConfigMap", "Secret"))
    files: dict[str, str] = {}
    if r.random() < 0.5:
        files["base/resources.yaml"] = ("---\n" if r.random() < 0.3 else "") + "---\n".join(dump(r, d) for d in base_res)
        res_files = ["resources.yaml"]
    else:
        res_files = []
        for i, d in enumerate(base_res):
            fn = f"{d['kind'].lower()}-{i}.yaml"
            files["base/" + fn] = dump(r, d)
            res_files.append(fn)
    files["base/kustomization.yaml"] = dump(r, kustomization(r, "base", res_files, base_res, [], False))
    overlay_res: list[dict[str, Any]] = []
    extra: list[str] = []
    if r.random() < 0.3:
        overlay_res = [other(r, r.choice(["ConfigMap", "Service", "Model"]), r.choice(["extra", "svc2"]))]
        files["overlay/more.yaml"] = dump(r, overlay_res[0])
        extra = ["more.yaml"]
    has_comp = r.random() < 0.3
    all_res = base_res + overlay_res
    if has_comp:
        files["components/c1/kustomization.yaml"] = dump(r, kustomization(r, "component", [], all_res, [], False))
    files["overlay/kustomization.yaml"] = dump(r, kustomization(r, "overlay", ["../base"] + extra, all_res, [], has_comp))
    return files


# ---------------- runner -----------------

def write_tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def oracle(d: Path) -> tuple[bytes, int, str]:
    p = subprocess.run([KUBECTL, "kustomize", str(d)], capture_output=True, timeout=60)
    return p.stdout, p.returncode, p.stderr.decode("utf-8", "replace")


def envlib(d: Path) -> tuple[bytes, int, str]:
    try:
        res = build(d, trace=False)
        return res.to_yaml().encode("utf-8"), 0, ""
    except EnvlibError as e:
        return b"", 1, e.kustomize_message or str(e)
    except Exception as e:  # crash
        tb = traceback.extract_tb(e.__traceback__)[-1]
        return b"", 99, f"CRASH {type(e).__name__}: {e} @ {os.path.basename(tb.filename)}:{tb.lineno}"


def first_diff(a: bytes, b: bytes) -> str:
    al, bl = a.decode(errors="replace").splitlines(), b.decode(errors="replace").splitlines()
    for i, (x, y) in enumerate(zip(al, bl)):
        if x != y:
            return f"L{i}: oracle={x.strip()[:60]!r} envlib={y.strip()[:60]!r}"
    return f"len oracle={len(al)} envlib={len(bl)}"


def signature(ob: bytes, orc: int, oerr: str, eb: bytes, erc: int, eerr: str) -> str:
    if erc == 99:
        return re.sub(r"\d+", "N", eerr.split("\n")[0])[:120]
    oerr = "\n".join(ln for ln in oerr.splitlines() if not ln.startswith("# Warning"))
    if orc != erc:
        msg = oerr if orc else eerr
        return f"rc o={orc} e={erc}: " + re.sub(r"/tmp/\S+|\d+", "_", msg.split("\n")[0])[:100]
    d = first_diff(ob, eb)
    return "stdout " + re.sub(r"L\d+", "", d)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--keep")
    ap.add_argument("--out", default="/tmp/envlib-fuzz")
    ap.add_argument("--deadline", type=float, default=0, help="unix time to stop at")
    a = ap.parse_args()
    if a.seed is not None:
        files = gen_tree(a.seed)
        root = Path(a.keep or tempfile.mkdtemp())
        write_tree(root, files)
        print(root)
        return
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    stats = {"run": 0, "ok_both": 0, "err_both": 0, "fail": 0}
    sigs: dict[str, int] = {}
    for seed in range(a.start, a.start + a.count):
        if a.deadline and time.time() > a.deadline:
            break
        if stats["run"] and stats["run"] % 100 == 0:
            print(json.dumps({**stats, "next_seed": seed}), flush=True)
        (out / "progress.json").write_text(json.dumps({**stats, "next_seed": seed}))
        files = gen_tree(seed)
        with tempfile.TemporaryDirectory(prefix="fz-") as tmp:
            root = Path(tmp)
            write_tree(root, files)
            ob, orc, oerr = oracle(root / "overlay")
            eb, erc, eerr = envlib(root / "overlay")
            stats["run"] += 1
            if orc and erc == 1:
                stats["err_both"] += 1
                continue
            if orc == erc == 0 and ob == eb:
                stats["ok_both"] += 1
                continue
            if orc == erc == 0:
                # nondeterministic oracle?
                again = {oracle(root / "overlay")[0] for _ in range(3)}
                if len(again) > 1:
                    stats.setdefault("nondet", 0)
                    stats["nondet"] += 1
                    continue
            stats["fail"] += 1
            sig = signature(ob, orc, oerr, eb, erc, eerr)
            h = hashlib.sha1(sig.encode()).hexdigest()[:10]
            sigs[sig] = sigs.get(sig, 0) + 1
            d = out / h
            if sigs[sig] <= 3 and not (d / f"seed-{seed}").exists():
                dd = d / f"seed-{seed}"
                shutil.copytree(root, dd)
                (dd / "oracle.out").write_bytes(ob)
                (dd / "envlib.out").write_bytes(eb)
                (dd / "info.txt").write_text(f"sig: {sig}\noracle rc={orc} err={oerr}\nenvlib rc={erc} err={eerr}\n")
            with open(out / "failures.jsonl", "a") as f:
                f.write(json.dumps({"seed": seed, "sig": sig, "hash": h}) + "\n")
    (out / "progress.json").write_text(json.dumps({**stats, "done": True}))
    print(json.dumps(stats))
    for s, n in sorted(sigs.items(), key=lambda x: -x[1]):
        print(n, s)


if __name__ == "__main__":
    main()
