"""Strategic merge with kyaml semantics: unit tables (spec §6.4) and differential tests.

The differential rows write a throw-away kustomization (one base object + one ``patches:``
entry), run the kubectl oracle, and compare its output - parsed back to Python data - with
:func:`apply_strategic_merge` plus the kind/name/namespace restore the build does.
"""

# ruff: noqa: E501 - table rows (one case per line) read better unwrapped

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from envlib.errors import PatchError
from envlib.kustomize.patches import apply_strategic_merge, is_known_kind
from envlib.kustomize.patches.schema import merge_keys_at


def y(text: str) -> Any:
    return yaml.safe_load(textwrap.dedent(text))


DEPLOY = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
        env: [{name: A, value: "1"}, {name: B, value: "2"}]
        ports: [{containerPort: 80, name: http}, {containerPort: 443, name: https}]
      - name: sidecar
        image: busybox
      volumes: [{name: cfg, configMap: {name: cfg}}, {name: data, emptyDir: {}}]
"""


def deploy_text(spec_patch: str) -> str:
    """A Deployment patch (YAML text) whose pod spec is ``spec_patch``."""
    body = textwrap.indent(textwrap.dedent(spec_patch).strip(), " " * 6)
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
        f"spec:\n  template:\n    spec:\n{body}\n"
    )


def deploy(spec_patch: str) -> dict[str, Any]:
    """The same patch, parsed."""
    result: dict[str, Any] = y(deploy_text(spec_patch))
    return result


def pod_spec(obj: dict[str, Any] | None) -> Any:
    assert obj is not None
    return obj["spec"]["template"]["spec"]


# -- unit tables ------------------------------------------------------------------------------

UNIT_ROWS = [
    pytest.param(
        "containers: [{name: app, env: [{name: B, value: '22'}, {name: C, value: '3'}]}]",
        lambda s: [e["name"] for e in s["containers"][0]["env"]],
        ["B", "C", "A"],
        id="env-patch-first-then-untouched",
    ),
    pytest.param(
        "containers: [{name: app, image: v2}, {name: added, image: a}]",
        lambda s: [c["name"] for c in s["containers"]],
        ["app", "added", "sidecar"],
        id="containers-order",
    ),
    pytest.param(
        "containers: [{name: app, ports: [{containerPort: 8080, name: alt},"
        " {containerPort: 443, name: https2}]}]",
        lambda s: [(p["containerPort"], p["name"]) for p in s["containers"][0]["ports"]],
        [(8080, "alt"), (443, "https2"), (80, "http")],
        id="ports-single-effective-key",
    ),
    pytest.param(
        "volumes: [{name: data, $patch: delete}, {name: extra, emptyDir: {}}]",
        lambda s: [v["name"] for v in s["volumes"]],
        ["extra", "cfg"],
        id="element-delete-directive",
    ),
    pytest.param(
        "volumes: [{$patch: replace}, {name: fresh, emptyDir: {}}]",
        lambda s: s["volumes"],
        [{"name": "fresh", "emptyDir": {}}],
        id="list-replace-directive",
    ),
    pytest.param(
        "containers: [{name: app, args: [--c]}]",
        lambda s: s["containers"][0].get("args"),
        ["--c"],
        id="args-no-strategy-replaced",
    ),
    pytest.param(
        "$setElementOrder/containers: [{name: sidecar}, {name: app}]",
        lambda s: s["$setElementOrder/containers"],
        [{"name": "sidecar"}, {"name": "app"}],
        id="unsupported-directive-copied",
    ),
    pytest.param(
        "containers: [{name: app, image: null}]",
        lambda s: "image" in s["containers"][0],
        False,
        id="null-deletes-key",
    ),
    pytest.param(
        "containers: [{}, {name: app, image: v2}]",
        lambda s: [c.get("name") for c in s["containers"]],
        ["app"],  # kyaml: {} is a key-less element, untouched originals vanish [oracle]
        id="empty-patch-element-drops-untouched",
    ),
]


@pytest.mark.parametrize(("patch", "pick", "expected"), UNIT_ROWS)
def test_strategic_merge_rules(patch: str, pick: Any, expected: Any) -> None:
    assert pick(pod_spec(apply_strategic_merge(y(DEPLOY), deploy(patch)))) == expected


MAP_ROWS = [
    pytest.param(
        {"metadata": {"labels": {"a": "1", "b": "2"}}},
        {"metadata": {"labels": {"a": None, "c": "3"}}},
        {"metadata": {"labels": {"b": "2", "c": "3"}}},
        id="null-deletes-map-key",
    ),
    pytest.param(
        {"spec": {"selector": {"matchLabels": {"a": "1"}}}},
        {"spec": {"selector": {"$patch": "replace", "matchLabels": {"b": "2"}}}},
        {"spec": {"selector": {"matchLabels": {"b": "2"}}}},
        id="map-replace-directive",
    ),
    pytest.param(
        {"metadata": {"labels": {"a": "1"}}},
        {"metadata": {"labels": {"$patch": "delete"}}},
        {"metadata": {}},
        id="map-delete-directive",
    ),
    pytest.param(
        {"spec": {"x": None}},
        {"spec": {"y": 1}},
        {"spec": {"x": None, "y": 1}},
        id="untouched-null-kept",
    ),
    pytest.param(
        {"spec": {}},
        {"spec": {"new": {"a": None, "b": 1}}},
        {"spec": {"new": {"b": 1}}},
        id="nulls-inside-new-map-dropped",
    ),
    pytest.param(
        {"metadata": {"finalizers": ["a", "b"]}},
        {"metadata": {"finalizers": ["c", "a"]}},
        {"metadata": {"finalizers": ["c", "a", "b"]}},
        id="finalizers-merged-as-set",
    ),
]


@pytest.mark.parametrize(("base", "patch", "expected"), MAP_ROWS)
def test_map_rules(base: dict[str, Any], patch: dict[str, Any], expected: dict[str, Any]) -> None:
    head = {"apiVersion": "v1", "kind": "ConfigMap"}
    result = apply_strategic_merge({**head, **base}, {**head, **patch})
    assert result == {**head, **expected}


def test_top_level_delete_returns_none() -> None:
    obj = y("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n")
    patch = y("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n$patch: delete\n")
    assert apply_strategic_merge(obj, patch) is None


def test_inputs_not_modified() -> None:
    obj, patch = y(DEPLOY), deploy("containers: [{name: app, $patch: delete}]")
    before = (yaml.safe_dump(obj), yaml.safe_dump(patch))
    apply_strategic_merge(obj, patch)
    assert (yaml.safe_dump(obj), yaml.safe_dump(patch)) == before


def test_crd_lists_replaced_wholesale() -> None:
    head = {"apiVersion": "mlops.seldon.io/v1alpha1", "kind": "Experiment"}
    obj = {**head, "spec": {"candidates": [{"name": "a"}, {"name": "b"}], "m": {"x": 1}}}
    patch = {**head, "spec": {"candidates": [{"name": "b", "weight": 1}], "m": {"y": 2}}}
    result = apply_strategic_merge(obj, patch)
    assert result is not None
    assert result["spec"] == {"candidates": [{"name": "b", "weight": 1}], "m": {"x": 1, "y": 2}}


@pytest.mark.parametrize(
    ("base", "patch", "message"),
    [
        pytest.param({"spec": {"a": {"x": 1}}}, {"spec": {"a": 5}}, "wrong node kind", id="map-vs-scalar"),
        pytest.param({"spec": {"a": {"x": 1}}}, {"spec": {"a": {"$patch": "bogus"}}}, "unknown patch strategy", id="bad-directive"),
    ],
)  # fmt: skip
def test_errors(base: dict[str, Any], patch: dict[str, Any], message: str) -> None:
    head = {"apiVersion": "v1", "kind": "ConfigMap"}
    with pytest.raises(PatchError) as info:
        apply_strategic_merge({**head, **base}, {**head, **patch})
    assert message in (info.value.kustomize_message or "")


@pytest.mark.parametrize(
    ("api_version", "kind", "path", "keys"),
    [
        ("apps/v1", "Deployment", "spec.template.spec.containers", ["name"]),
        ("v1", "Pod", "spec.containers.[].ports", ["containerPort", "protocol"]),
        ("v1", "Service", "spec.ports", ["port", "protocol"]),
        ("v1", "Pod", "spec.containers.[].volumeMounts", ["mountPath"]),
        ("v1", "Pod", "spec.topologySpreadConstraints", ["topologyKey", "whenUnsatisfiable"]),
        ("v1", "ConfigMap", "metadata.finalizers", []),
        ("v1", "Pod", "spec.containers.[].args", None),
        ("v1", "Pod", "spec.schedulingGates", None),  # added in 1.26: unknown to kyaml
        ("v1", "Pod", "spec.containers.[].resources.claims", None),  # 1.26
        ("v1", "Pod", "spec.ephemeralContainers.[].ports", None),  # strategy added after 1.21
        ("batch/v1beta1", "CronJob", "spec.jobTemplate.spec.template.spec.volumes", ["name"]),
    ],
)
def test_schema_merge_keys(api_version: str, kind: str, path: str, keys: list[str] | None) -> None:
    assert merge_keys_at(api_version, kind, path.split(".")) == keys


@pytest.mark.parametrize(
    ("api_version", "kind", "known"),
    [
        ("apps/v1", "Deployment", True),
        ("policy/v1beta1", "PodDisruptionBudget", True),  # removed later, known to 1.21
        ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy", False),  # 1.26+
        ("autoscaling/v2", "HorizontalPodAutoscaler", False),  # GA in 1.23
        ("mlops.seldon.io/v1alpha1", "Experiment", False),
    ],
)
def test_known_kinds(api_version: str, kind: str, known: bool) -> None:
    assert is_known_kind(api_version, kind) is known


# -- differential tests against kubectl kustomize ---------------------------------------------


def run_smp(obj: dict[str, Any], patch: dict[str, Any]) -> list[dict[str, Any]]:
    """What the build does with an untargeted SMP: merge, then restore kind/name/namespace."""
    meta = obj.get("metadata") or {}
    merged = apply_strategic_merge(obj, patch)
    if merged is None:
        return []
    merged["kind"] = obj["kind"]
    merged.setdefault("metadata", {})["name"] = meta["name"]
    if meta.get("namespace"):
        merged["metadata"]["namespace"] = meta["namespace"]
    else:
        merged["metadata"].pop("namespace", None)
    return [merged]


def oracle_patch(oracle: Any, root: Path, base: str, patch: str) -> list[dict[str, Any]] | None:
    """Build base + patch with kubectl; the resulting objects, or None when it fails."""
    (root / "base.yaml").write_text(textwrap.dedent(base))
    (root / "patch.yaml").write_text(textwrap.dedent(patch))
    (root / "kustomization.yaml").write_text(
        "resources:\n- base.yaml\npatches:\n- path: patch.yaml\n"
    )
    result = oracle.build(root)
    if result.rc != 0:
        return None
    return [d for d in yaml.safe_load_all(result.stdout) if d is not None]


POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n"
SVC = "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"
CRD = "apiVersion: example.com/v1\nkind: Thing\nmetadata:\n  name: t\n"

DIFF_ROWS = [
    # (id, base, patch)
    ("deploy-env-containers", DEPLOY, deploy_text("""
        containers:
        - {name: app, env: [{name: B, value: x}, {name: C, value: y}], image: v2}
        - {name: new, image: n}
     """)),
    ("deploy-volume-delete", DEPLOY, deploy_text("volumes: [{name: cfg, $patch: delete}]")),
    ("deploy-volume-delete-absent", DEPLOY, deploy_text("volumes: [{name: nope, $patch: delete}]")),
    ("deploy-list-replace", DEPLOY, deploy_text("containers: [{$patch: replace}, {name: only, image: o}]")),
    ("deploy-container-delete", DEPLOY, deploy_text("containers: [{name: sidecar, $patch: delete}]")),
    ("deploy-element-replace-ignored", DEPLOY, deploy_text("containers: [{name: app, $patch: replace, image: z}]")),
    ("deploy-null-list", DEPLOY, deploy_text("volumes: null")),
    ("deploy-ports-protocol", DEPLOY, deploy_text("containers: [{name: app, ports: [{containerPort: 80, protocol: TCP, name: x}]}]")),
    ("deploy-ports-new", DEPLOY, deploy_text("containers: [{name: app, ports: [{containerPort: 9090, name: m}, {containerPort: 443, name: s2}]}]")),
    ("deploy-empty-element", DEPLOY, deploy_text("containers: [{}, {name: app, image: e}]")),
    ("deploy-unsupported-directives", DEPLOY, deploy_text("""
        $setElementOrder/containers: [{name: sidecar}, {name: app}]
        containers: [{name: app, $deleteFromPrimitiveList/args: [x]}]
     """)),
    ("deploy-map-replace", DEPLOY, deploy_text("containers: [{name: app, resources: {$patch: replace, limits: {cpu: 1}}}]")),
    ("deploy-new-map-with-null", DEPLOY, deploy_text("containers: [{name: app, securityContext: {runAsUser: 1, privileged: null}}]")),
    ("deploy-topology-two-keys", DEPLOY + """\
      topologySpreadConstraints:
      - {topologyKey: zone, whenUnsatisfiable: DoNotSchedule, maxSkew: 1}
      - {topologyKey: host, whenUnsatisfiable: DoNotSchedule, maxSkew: 1}
""", deploy_text("""
        topologySpreadConstraints:
        - {topologyKey: host, whenUnsatisfiable: DoNotSchedule, maxSkew: 5}
        - {topologyKey: rack, whenUnsatisfiable: ScheduleAnyway, maxSkew: 2}
     """)),
    ("deploy-host-aliases", DEPLOY + "      hostAliases: [{ip: 1.1.1.1, hostnames: [a]}]\n",
     deploy_text("hostAliases: [{ip: 2.2.2.2, hostnames: [b]}, {ip: 1.1.1.1, hostnames: [c]}]")),
    ("deploy-init-containers-new", DEPLOY, deploy_text("initContainers: [{name: init, image: i}]")),
    ("pod-keyless-collapse", POD + "spec:\n  containers: [{name: a, image: a}, {image: u}, {name: b, image: b}]\n",
     POD + "spec:\n  containers: [{name: b, image: b2}]\n"),
    ("pod-ports-udp-tcp", POD + """\
spec:
  containers:
  - name: c
    ports: [{containerPort: 53, protocol: UDP, name: dns}, {containerPort: 53, protocol: TCP, name: t}]
""", POD + "spec:\n  containers: [{name: c, ports: [{containerPort: 53, protocol: TCP, name: changed}]}]\n"),
    ("pod-ports-add-udp", POD + "spec:\n  containers: [{name: c, ports: [{containerPort: 53, protocol: TCP}]}]\n",
     POD + "spec:\n  containers: [{name: c, ports: [{containerPort: 53, protocol: UDP}]}]\n"),
    ("pod-scheduling-gates-post-121", POD + "spec:\n  schedulingGates: [{name: g1}, {name: g2}]\n",
     POD + "spec:\n  schedulingGates: [{name: g3}]\n"),
    ("pod-volume-mounts-mountpath", POD + "spec:\n  containers: [{name: c, volumeMounts: [{name: a, mountPath: /a}, {name: b, mountPath: /b}]}]\n",
     POD + "spec:\n  containers: [{name: c, volumeMounts: [{name: z, mountPath: /b, readOnly: true}]}]\n"),
    ("pod-finalizers", POD.replace("  name: p\n", "  name: p\n  finalizers: [a, b]\n"),
     POD.replace("  name: p\n", "  name: p\n  finalizers: [c, a]\n")),
    ("pod-image-pull-secrets", POD + "spec:\n  imagePullSecrets: [{name: a}]\n",
     POD + "spec:\n  imagePullSecrets: [{name: b}, {name: a}]\n"),
    ("svc-ports-no-protocol", SVC + "spec:\n  ports: [{port: 80, name: http}, {port: 443, name: https}]\n",
     SVC + "spec:\n  ports: [{port: 8080, name: alt}, {port: 443, targetPort: 8443}]\n"),
    ("svc-ports-protocol-quirk", SVC + "spec:\n  ports: [{port: 80, name: http}, {port: 443, name: https}]\n",
     SVC + "spec:\n  ports: [{port: 443, targetPort: 8443}, {port: 80, protocol: TCP, targetPort: 8080}]\n"),
    ("svc-ports-with-protocol", SVC + "spec:\n  ports: [{port: 80, protocol: TCP, name: http}]\n",
     SVC + "spec:\n  ports: [{port: 80, targetPort: 8080}]\n"),
    ("svc-delete-object", SVC + "spec:\n  ports: [{port: 80}]\n", SVC + "$patch: delete\n"),
    ("svc-selector-replace", SVC + "spec:\n  selector: {a: '1', b: '2'}\n",
     SVC + "spec:\n  selector: {$patch: replace, c: '3'}\n"),
    ("crd-lists-replaced", CRD + "spec:\n  items: [{name: a, v: 1}, {name: b, v: 2}]\n  m: {x: 1}\n",
     CRD + "spec:\n  items: [{name: b, v: 3}]\n  m: {y: 2, x: null}\n"),
    ("crd-containers-replaced", CRD + "spec:\n  template:\n    spec:\n      containers: [{name: a}, {name: b}]\n",
     CRD + "spec:\n  template:\n    spec:\n      containers: [{name: b, image: x}]\n"),
    ("crd-embedded-typed-object", CRD + """\
spec:
  podTemplate:
    apiVersion: v1
    kind: Pod
    spec:
      containers: [{name: a, image: a}, {name: b, image: b}]
""", CRD + """\
spec:
  podTemplate:
    apiVersion: v1
    kind: Pod
    spec:
      containers: [{name: b, image: b2}]
"""),
    ("vap-post-121-kind", "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\n"
     "metadata:\n  name: v\n  finalizers: [a, b]\n",
     "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\n"
     "metadata:\n  name: v\n  finalizers: [c]\n"),
    ("cronjob-v1beta1-known", """\
apiVersion: batch/v1beta1
kind: CronJob
metadata: {name: c}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: a, image: a}, {name: b, image: b}]
""", """\
apiVersion: batch/v1beta1
kind: CronJob
metadata: {name: c}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: b, image: b2}]
"""),
    ("configmap-data-merge", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {a: '1'}}\ndata: {k: v, j: w}\n",
     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {a: null, b: '2'}}\ndata: {k: null, n: x}\n"),
    ("kind-mismatch-error", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: v}\n",
     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: scalar\n"),
    ("bad-directive-error", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: v}\n",
     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {$patch: bogus}\n"),
]  # fmt: skip


@pytest.mark.oracle
@pytest.mark.parametrize(("base", "patch"), [pytest.param(b, p, id=i) for i, b, p in DIFF_ROWS])
def test_strategic_merge_matches_kubectl(
    oracle: Any, tmp_path: Path, base: str, patch: str
) -> None:
    expected = oracle_patch(oracle, tmp_path, base, patch)
    obj, body = y(base), y(patch)
    try:
        got: list[dict[str, Any]] | None = run_smp(obj, body)
    except PatchError:
        got = None
    assert got == expected


# -- the shared corner cases (expected output recorded from kubectl) ------------------------

SHARED_CASES = [
    "07-smp-builtin-list-merge-order",
    "08-smp-directives",
    "09-smp-crd-unknown-kind",
    "10-smp-port-protocol-quirk",
    "40-smp-list-element-without-merge-key",
]


@pytest.mark.shared
@pytest.mark.parametrize("case", SHARED_CASES)
def test_shared_smp_cases(shared_dir: Path, case: str) -> None:
    from envlib.kustomize.patches import parse_patch

    root = shared_dir / "kustomize-cases" / case
    objs: list[dict[str, Any] | None] = []
    for path in sorted((root / "base").glob("*.yaml")):
        if path.name != "kustomization.yaml":
            objs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    kustomization = yaml.safe_load((root / "overlay" / "kustomization.yaml").read_text())
    for entry in kustomization["patches"]:
        for doc in parse_patch(entry["patch"], "inline").documents:
            for i, obj in enumerate(objs):
                if obj and (obj["kind"], obj["metadata"]["name"]) == (
                    doc["kind"],
                    doc["metadata"]["name"],
                ):
                    merged = run_smp(obj, doc)
                    objs[i] = merged[0] if merged else None
    expected = [d for d in yaml.safe_load_all((root / "expected" / "stdout.yaml").read_text()) if d]

    def key(o: dict[str, Any]) -> tuple[str, str]:
        return (o["kind"], o["metadata"]["name"])

    assert sorted((o for o in objs if o), key=key) == sorted(expected, key=key)


# -- the copy-on-write fast path agrees with the reference walk -----------------------------------
#
# apply_strategic_merge runs fastmerge (copy-on-write) and falls back to the reference port
# (strategic._walk on deep copies) for shapes it does not handle. Seeded random objects and
# patches - full of the quirky shapes (duplicate keys, null/{} elements, two-key ports with
# and without protocol, kind mismatches, odd keys) - must give the reference's exact result
# or error, and must leave both inputs untouched.


def _random_case(rng: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    def scalar() -> Any:
        return rng.choice(["a", "b", "", 80, "80", 443, True, None, 1.5])

    def elem(keys: list[str], pools: list[list[Any]], depth: int) -> Any:
        if rng.random() < 0.08:
            return rng.choice([None, {}, "scalar"])
        out: dict[Any, Any] = {
            k: rng.choice(pool) for k, pool in zip(keys, pools, strict=True) if rng.random() < 0.9
        }
        for _ in range(rng.randint(0, 2)):
            out[rng.choice(["value", "image", "protocol"])] = scalar()
        if depth < 2 and rng.random() < 0.4:
            out["env"] = seq(["name"], [["A", "B", "C", None]], depth + 1)
        if depth < 2 and rng.random() < 0.4:
            ports: list[list[Any]] = [[80, 443, 8080, 9090, "80"], ["TCP", "UDP", "TCP", ""]]
            out["ports"] = seq(["containerPort", "protocol"], ports, depth + 1)
        return out

    def seq(keys: list[str], pools: list[list[Any]], depth: int) -> Any:
        if rng.random() < 0.05:
            return rng.choice([None, "x", {"a": 1}])
        return [elem(keys, pools, depth) for _ in range(rng.randint(0, 4))]

    def obj() -> dict[str, Any]:
        pod: dict[Any, Any] = {"containers": seq(["name"], [["app", "side", "x", ""]], 0)}
        if rng.random() < 0.3:
            pod["volumes"] = seq(["name"], [["cfg", "data"]], 2)
        if rng.random() < 0.05:
            pod[rng.choice([1, None])] = "odd key"
        meta: dict[str, Any] = {"name": "web", "labels": {"app": scalar()}}
        if rng.random() < 0.3:
            meta["finalizers"] = [rng.choice(["a", "b", "", None, 1, "1"]) for _ in range(3)]
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": meta,
            "spec": {"replicas": scalar(), "template": {"spec": pod}},
        }

    def prune(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: prune(v) for k, v in value.items() if k == "name" or rng.random() < 0.7}
        if isinstance(value, list):
            return [prune(v) for v in value if rng.random() < 0.7]
        return value

    return obj(), prune(obj())


def _outcome(run: Any, obj: dict[str, Any], patch: dict[str, Any]) -> tuple[str, ...]:
    before = repr(obj), repr(patch)
    try:
        outcome: tuple[str, ...] = ("ok", repr(run(obj, patch)))
    except Exception as exc:  # the reference's crashes count as behaviour too
        outcome = (
            "error",
            type(exc).__name__,
            str(exc),
            str(getattr(exc, "kustomize_message", "")),
        )
    assert (repr(obj), repr(patch)) == before, "an input was modified"
    return outcome


def _reference(obj: dict[str, Any], patch: dict[str, Any]) -> Any:
    from envlib.kustomize.patches import fastmerge, strategic

    result = strategic._walk(fastmerge.clone(obj), fastmerge.clone(patch), None, [])
    return (
        None
        if result is strategic.MISSING or result is None or result is strategic.KEPT_NULL
        else result
    )


@pytest.mark.parametrize("seed", range(4), ids=[f"seed{s}" for s in range(4)])
def test_fast_path_matches_reference_walk(seed: int) -> None:
    import random

    rng = random.Random(seed)
    for _ in range(1500):
        obj, patch = _random_case(rng)
        assert _outcome(apply_strategic_merge, obj, patch) == _outcome(_reference, obj, patch), (
            obj,
            patch,
        )


@pytest.mark.parametrize(
    ("patch_spec", "shared", "copied"),
    [
        ("replicas: 5", ["template"], ["spec"]),
        ("template: {spec: {containers: [{name: app, image: v2}]}}", [], ["spec", "template"]),
    ],
    ids=["replicas", "one-container"],
)
def test_result_shares_only_untouched_subtrees(
    patch_spec: str, shared: list[str], copied: list[str]
) -> None:
    obj = y(DEPLOY)
    patch = y(
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec: {{{patch_spec}}}"
    )
    merged = apply_strategic_merge(obj, patch)
    assert merged is not None and merged is not obj
    assert merged["metadata"] is not patch["metadata"]  # nothing is shared with the patch
    assert all(merged["spec"][k] is obj["spec"][k] for k in shared)
    assert merged["spec"] is not obj["spec"]
    assert all(k == "spec" or merged["spec"][k] is not obj["spec"][k] for k in copied)


# Orders of the fast path's clean merges, as kubectl 1.32 prints them (checked with the oracle):
# one merge key - patch elements first, then the others; two keys (ports with protocol) -
# the patch's new elements first, then every original element in place, merged.
@pytest.mark.parametrize(
    ("containers", "patch", "expected"),
    [
        (
            "[{name: a, image: a}, {name: b, image: b}, {name: c, image: c}]",
            "[{name: c, image: c2}, {name: new, image: n}]",
            "[{name: c, image: c2}, {name: new, image: n}, {name: a, image: a}, {name: b, image: b}]",
        ),
        (
            "[{name: app, ports: [{containerPort: 80, protocol: TCP, name: http},"
            " {containerPort: 443, protocol: TCP, name: https}, {containerPort: 53, protocol: UDP}]}]",
            "[{name: app, ports: [{containerPort: 8080, protocol: TCP},"
            " {containerPort: 443, protocol: TCP, name: tls}]}]",
            "[{name: app, ports: [{containerPort: 8080, protocol: TCP},"
            " {containerPort: 80, protocol: TCP, name: http}, {containerPort: 443, protocol: TCP, name: tls},"
            " {containerPort: 53, protocol: UDP}]}]",
        ),
    ],
    ids=["one-key-patch-first", "two-keys-new-first-then-original-order"],
)
def test_clean_list_merge_order(containers: str, patch: str, expected: str) -> None:
    obj = deploy(f"containers: {containers}")
    merged = apply_strategic_merge(obj, deploy(f"containers: {patch}"))
    assert merged is not None
    assert merged["spec"]["template"]["spec"]["containers"] == y(expected)
