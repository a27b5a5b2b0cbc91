"""Random kustomize trees for the differential fuzzer (one deterministic tree per seed).

:func:`gen_tree` returns ``{relative path: text}`` for base/ (+ an optional overlay resource
and components/c1) and overlay/. The generator aims at the corners where a port of
kustomize goes wrong: YAML 1.1 words and numbers as strings, unquoted raw scalars (tags,
block scalars), long and multi-line strings, names reused across levels, every transformer
kustomize has (namespace, prefix/suffix, labels, annotations, images, replicas, generators
with merge/replace, replacements, strategic-merge and JSON6902 patches, sort options,
components). Every feature is always on; the probabilities are tuned so that a run of a
few hundred trees touches each of them many times.
"""

from __future__ import annotations

import random
from typing import Any

from .objects import other, resources_for
from .scalars import IMAGES, NAMES, STRESS, Raw, dump, klabel, label_value, scalar, str_scalar


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
        p["metadata"]["annotations"] = {
            "note": scalar(r),
            **({"cfg": None} if r.random() < 0.3 else {}),
        }
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
                    cc["env"] = [
                        {"name": n, "value": scalar(r)}
                        if r.random() < 0.85
                        else {"name": n, "$patch": "delete"}
                        for n in r.sample(["A", "LOG_LEVEL", "NEW"], r.randint(1, 2))
                    ]
                if r.random() < 0.3:
                    cc["ports"] = [
                        {
                            "containerPort": r.choice([80, 9090]),
                            **({"protocol": "UDP"} if r.random() < 0.3 else {}),
                        }
                    ]
                if r.random() < 0.15:
                    cc["args"] = [r.choice(STRESS)]
            conts.append(cc)
        podspec: dict[str, Any] = {"containers": conts}
        if r.random() < 0.2:
            podspec["$setElementOrder/containers"] = [{"name": c["name"]} for c in reversed(conts)]
        if r.random() < 0.2:
            podspec["volumes"] = (
                [{"name": "extra", "emptyDir": {}}]
                if r.random() < 0.7
                else [{"$patch": "replace"}, {"name": "only", "emptyDir": {}}]
            )
        spec["template"] = {"spec": podspec}
        if r.random() < 0.15:
            spec["template"]["metadata"] = {"labels": {"extra": "x"}}
        p["spec"] = spec
    elif kind == "Service":
        p["spec"] = {
            "ports": [
                {
                    "port": r.choice([80, 443, 53]),
                    **({"protocol": r.choice(["TCP", "UDP"])} if r.random() < 0.5 else {}),
                    "targetPort": r.choice([9000, "web"]),
                }
            ]
        }
        if r.random() < 0.2:
            p["spec"]["type"] = "NodePort"
    elif kind == "ConfigMap":
        p["data"] = {r.choice(["level", "new", "k2"]): scalar(r)}
        if r.random() < 0.2:
            p["data"]["url"] = None
    elif kind in ("Model", "Experiment"):
        p["spec"] = (
            {"requirements": ["onnx"]}
            if kind == "Model"
            else {"candidates": [{"name": "web", "weight": 100}]}
        )
        if r.random() < 0.3:
            p["spec"]["extra"] = {"deep": scalar(r)}
    elif kind == "CronJob":
        p["spec"] = {"schedule": "1 1 * * *", "suspend": r.choice([True, False])}
    else:
        p["metadata"].setdefault("annotations", {})["patched-by"] = "smp"
    return p


PATHS = {
    "Deployment": [
        "/spec/replicas",
        "/spec/template/spec/containers/0/image",
        "/spec/template/spec/containers/-",
        "/spec/template/spec/containers/0/env/0",
        "/spec/template/metadata/labels/extra",
        "/spec/paused",
        "/spec/template/spec/containers/1",
        "/spec/strategy",
    ],
    "Service": [
        "/spec/ports/0/port",
        "/spec/ports/-",
        "/spec/ports/0/protocol",
        "/spec/type",
        "/spec/ports/5",
    ],
    "ConfigMap": ["/data/level", "/data/new", "/data", "/data/k1"],
    "Model": ["/spec/requirements/0", "/spec/requirements/-", "/spec/storageUri", "/spec/replicas"],
}
COMMON_PATHS = [
    "/metadata/labels/app",
    "/metadata/annotations",
    "/metadata/annotations/note",
    "/metadata/labels/app.kubernetes.io~1name",
    "/metadata/labels/new",
    "/metadata/name",
    "/metadata/namespace",
    "/kind",
]


def json_ops(r: random.Random, kind: str) -> list[dict[str, Any]]:
    common = COMMON_PATHS
    paths = (
        PATHS.get(kind, PATHS.get("Deployment" if kind in ("StatefulSet",) else "", [])) + common
    )
    ops = []
    if r.random() < 0.05:
        paths = [*paths, "/spec/nonexistent/x"]
    for _ in range(r.randint(1, 3)):
        op = r.choices(
            ["add", "replace", "remove", "copy", "move", "test"], [12, 2, 1, 0.5, 0.5, 0.3]
        )[0]
        path = r.choice(paths)
        d: dict[str, Any] = {"op": op, "path": path}
        if op in ("add", "replace", "test"):
            if path.endswith("/-") and "containers" in path:
                d["value"] = {"name": "added", "image": "busybox"}
            elif "ports" in path and path.endswith(("-", "/5")):
                d["value"] = {"port": 9999, "targetPort": 9999}
            elif path.endswith("annotations"):
                d["value"] = {"a": scalar(r)}
            else:
                d["value"] = r.choice([scalar(r), 3, "x", {"k": "v"}, ["a"]])
        if op in ("copy", "move"):
            d["from"] = r.choice(paths)
        ops.append(d)
    return ops


def lkeys(level: str) -> list[str]:
    return ["env", "team", "app.kubernetes.io/part-of", "owner", "tier"]


def akeys(level: str) -> list[str]:
    return ["note", "owner", "a.b/c"]


def kustomization(
    r: random.Random,
    level: str,
    res_files: list[str],
    all_res: list[dict[str, Any]],
    extra_res: list[str],
    has_comp: bool,
) -> dict[str, Any]:
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
        k["labels"] = [
            {
                "pairs": {r.choice(lkeys(level)): klabel(r)},
                **({"includeSelectors": r.choice([True, False])} if r.random() < 0.7 else {}),
                **({"includeTemplates": r.choice([True, False])} if r.random() < 0.5 else {}),
            }
        ]
    if r.random() < 0.2:
        k["commonLabels"] = {r.choice(lkeys(level)): klabel(r)}
    if r.random() < 0.3:
        k["commonAnnotations"] = {
            r.choice(akeys(level)): str_scalar(r) for _ in range(r.randint(1, 2))
        }
    if r.random() < 0.3:
        im: dict[str, Any] = {"name": r.choice(["nginx", "redis", "ghcr.io/acme/app", "busybox"])}
        for f in r.sample(["newName", "newTag", "digest"], r.randint(1, 2)):
            im[f] = {
                "newName": r.choice(["mirror.io/nginx", "nginx2"]),
                "newTag": r.choice(["1.27", "alpine", "2", "1.10"] * 10 + [Raw("2")]),
                "digest": "sha256:" + "b" * 64,
            }[f]
        k["images"] = [im]
    if r.random() < 0.2:
        k["replicas"] = [
            {
                "name": r.choice(
                    [
                        x["metadata"]["name"]
                        for x in all_res
                        if x["kind"] in ("Deployment", "StatefulSet")
                    ]
                    or NAMES
                ),
                "count": r.randint(0, 7),
            }
        ]
    if r.random() < 0.45:
        gens = []
        for gname in r.sample(["settings", "extra", "gen"], r.randint(1, 2)):
            g: dict[str, Any] = {"name": gname}
            if level != "base" and gname in EXISTING:
                g["behavior"] = (
                    r.choice(["merge", "replace", "merge"]) if r.random() < 0.95 else "create"
                )
            elif level != "base" and r.random() < 0.05:
                g["behavior"] = r.choice(["merge", "replace"])
            g["literals"] = [
                f"{kk}={vv}"
                for kk, vv in zip(
                    r.sample(["level", "url", "mode", "k2"], r.randint(1, 2)),
                    [
                        r.choice(["debug", "1", "true", "a b", "x=y", "", "ü", "0755", "'q'"])
                        for _ in range(2)
                    ],
                    strict=False,
                )
            ]
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
            entry: dict[str, Any] = {
                "patch": Raw(
                    "|-\n" + "\n".join("    " + ln for ln in dump(r, p).rstrip("\n").split("\n"))
                )
            }
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
            patches.append(
                {
                    "target": tgt_d,
                    "patch": Raw("|-\n" + "\n".join("    " + ln for ln in txt.split("\n"))),
                }
            )
    if patches:
        if level == "overlay" and r.random() < 0.15:
            legacy = [p for p in patches if "target" not in p]
            if legacy:
                k["patchesStrategicMerge"] = [p["patch"] for p in legacy]
            patches = [p for p in patches if "target" in p]
            if patches and r.random() < 0.5:
                k["patchesJson6902"] = [
                    {
                        **p["target"],
                        **({"version": "v1"} if "version" not in p["target"] else {}),
                        "patch": p["patch"],
                    }
                    for p in patches
                    if "name" in p["target"]
                ]
                patches = [p for p in patches if "name" not in p["target"]]
        if patches:
            k["patches"] = patches
    if r.random() < 0.12 and all_res:
        src = r.choice(all_res)
        fp = r.choice(
            ["metadata.name"] * 15
            + [
                "spec.replicas",
                "metadata.labels.app",
                "data.level",
                "spec.template.spec.containers.0.image",
                "spec.template.spec.containers.[name=app].image",
            ]
        )
        tgt = r.choice(all_res)
        tfp = r.choice(
            ["metadata.annotations.copied"] * 3
            + [
                "spec.template.spec.containers.[name=app].env.[name=A].value",
                "data.copied",
                "spec.replicas",
                "metadata.labels.app",
            ]
        )
        rep: dict[str, Any] = {
            "source": {"kind": src["kind"], "name": src["metadata"]["name"], "fieldPath": fp},
            "targets": [{"select": {"kind": tgt["kind"]}, "fieldPaths": [tfp]}],
        }
        if r.random() < 0.5:
            rep["targets"][0]["options"] = {"create": True}
        if r.random() < 0.2:
            rep["targets"][0]["options"] = {"delimiter": "-", "index": r.choice([0, 1, -1, 5])}
        k["replacements"] = [rep]
    if level == "overlay" and r.random() < 0.2:
        so: dict[str, Any] = {"order": r.choice(["legacy", "fifo"])}
        if so["order"] == "legacy" and r.random() < 0.6:
            so["legacySortOptions"] = {
                "orderFirst": r.sample(["Service", "ConfigMap", "Deployment", "Namespace"], 2),
                "orderLast": r.sample(["Ingress", "StatefulSet"], 1),
            }
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
        files["base/resources.yaml"] = ("---\n" if r.random() < 0.3 else "") + "---\n".join(
            dump(r, d) for d in base_res
        )
        res_files = ["resources.yaml"]
    else:
        res_files = []
        for i, d in enumerate(base_res):
            fn = f"{d['kind'].lower()}-{i}.yaml"
            files["base/" + fn] = dump(r, d)
            res_files.append(fn)
    files["base/kustomization.yaml"] = dump(
        r, kustomization(r, "base", res_files, base_res, [], False)
    )
    overlay_res: list[dict[str, Any]] = []
    extra: list[str] = []
    if r.random() < 0.3:
        overlay_res = [
            other(r, r.choice(["ConfigMap", "Service", "Model"]), r.choice(["extra", "svc2"]))
        ]
        files["overlay/more.yaml"] = dump(r, overlay_res[0])
        extra = ["more.yaml"]
    has_comp = r.random() < 0.3
    all_res = base_res + overlay_res
    if has_comp:
        files["components/c1/kustomization.yaml"] = dump(
            r, kustomization(r, "component", [], all_res, [], False)
        )
    files["overlay/kustomization.yaml"] = dump(
        r, kustomization(r, "overlay", ["../base", *extra], all_res, [], has_comp)
    )
    return files


# ---------------- runner -----------------
