"""Name-reference fixing: differential tests against kubectl kustomize, plus unit tables.

The differential tests build small trees, run the oracle, and run our transformers on the
same objects through a miniature pipeline (resources, namespace, namePrefix/nameSuffix per
level; name references at the root) so that a failure points at the naming code, not at
the rest of the engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from envlib.errors import TransformerError
from envlib.kustomize.core.resource import GeneratorInfo, Origin, ResMap, Resource
from envlib.kustomize.transformers import (
    apply_name_affix,
    apply_namespace,
    fix_name_references,
)
from envlib.kustomize.transformers.nameref_specs import (
    NAME_REFERENCES,
    GvkSelector,
    NameBackReference,
    RefField,
    merge_name_references,
    split_path,
)


def load(text: str, path: str = "x.yaml") -> list[Resource]:
    return [
        Resource.from_obj(doc, Origin(path, index))
        for index, doc in enumerate(yaml.safe_load_all(text))
        if doc
    ]


def level(directory: Path) -> ResMap:
    """resources + namespace + namePrefix/nameSuffix of one kustomization, recursively."""
    kust = yaml.safe_load((directory / "kustomization.yaml").read_text()) or {}
    resmap = ResMap()
    for entry in kust.get("resources", []):
        target = directory / entry
        if target.is_dir():
            resmap.extend(level(target))
        else:
            resmap.extend(load(target.read_text(), str(target)))
    apply_namespace(resmap, kust.get("namespace", ""))
    apply_name_affix(resmap, kust.get("namePrefix", ""), kust.get("nameSuffix", ""))
    return resmap


def canonical(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def key(doc: dict[str, Any]) -> tuple[str, ...]:
        meta = doc.get("metadata") or {}
        return (doc["apiVersion"], doc["kind"], meta.get("namespace", ""), str(meta["name"]))

    return sorted(docs, key=key)


# -- differential: whole trees --------------------------------------------------------------

WORKLOADS = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
---
apiVersion: v1
kind: Secret
metadata: {name: sec}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa}
imagePullSecrets: [{name: sec}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: pvc}
spec: {volumeName: pv, storageClassName: fast}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv}
spec:
  storageClassName: fast
  azureFile: {secretName: sec, shareName: s}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: x
parameters: {secretName: sec, adminSecretName: sec, userSecretName: other}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 10
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
---
apiVersion: v1
kind: Service
metadata: {name: svc}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          serviceAccountName: sa
          priorityClassName: high
          imagePullSecrets: [{name: sec}]
          initContainers:
          - name: i
            envFrom: [{configMapRef: {name: cfg}}, {secretRef: {name: sec}}]
          containers:
          - name: c
            env:
            - {name: A, valueFrom: {configMapKeyRef: {name: cfg, key: k}}}
            - {name: B, valueFrom: {secretKeyRef: {name: sec, key: k}}}
          volumes:
          - {name: a, configMap: {name: cfg}}
          - {name: b, secret: {secretName: sec}}
          - {name: c, persistentVolumeClaim: {claimName: pvc}}
          - name: d
            projected:
              sources: [{configMap: {name: cfg}}, {secret: {name: sec}}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds}
spec:
  template:
    spec:
      serviceAccountName: sa
      priorityClassName: high
      volumes:
      - {name: a, configMap: {name: cfg}}
      - {name: c, persistentVolumeClaim: {claimName: pvc}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ss}
spec:
  serviceName: svc
  template:
    spec:
      serviceAccountName: sa
      containers: [{name: c, envFrom: [{configMapRef: {name: cfg}}]}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {storageClassName: fast}
---
apiVersion: batch/v1
kind: Job
metadata: {name: job}
spec:
  template:
    spec:
      serviceAccountName: sa
      containers: [{name: c, envFrom: [{secretRef: {name: sec}}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: pod}
spec:
  serviceAccountName: sa
  priorityClassName: high
  imagePullSecrets: [{name: sec}]
  containers: [{name: c, env: [{name: A, valueFrom: {configMapKeyRef: {name: cfg, key: k}}}]}]
  volumes: [{name: c, persistentVolumeClaim: {claimName: pvc}}]
---
apiVersion: v1
kind: PodTemplate
metadata: {name: pt}
template:
  spec:
    containers: [{name: c, envFrom: [{configMapRef: {name: cfg}}]}]
---
apiVersion: v1
kind: ReplicationController
metadata: {name: rc}
spec:
  template:
    spec:
      serviceAccountName: sa
      volumes: [{name: c, persistentVolumeClaim: {claimName: pvc}}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: hpa}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: ss}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ing
  annotations:
    nginx.ingress.kubernetes.io/auth-secret: sec
    ingress.kubernetes.io/auth-secret: sec
    nginx.ingress.kubernetes.io/auth-tls-secret: sec
    nginx.ingress.kubernetes.io/fastcgi-params-configmap: cfg
spec:
  ingressClassName: nginx
  tls: [{secretName: sec, hosts: [a.example.com]}]
  rules:
  - http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: svc, port: {number: 80}}}}
---
apiVersion: v1
kind: Node
metadata: {name: node}
spec:
  configSource: {configMap: cfg}
"""

CLUSTER_AND_RBAC = """\
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa-other, namespace: other}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
- resourceNames: [cm, pv, sec, not-in-build]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: to-role}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {kind: ServiceAccount, name: sa}
- {kind: ServiceAccount, name: sa-other, namespace: other}
- {kind: User, name: sa}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: to-clusterrole}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects:
- {kind: ServiceAccount, name: sa, namespace: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects:
- {kind: ServiceAccount, name: sa-other, namespace: other}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
---
apiVersion: v1
kind: Secret
metadata: {name: sec}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv}
---
apiVersion: v1
kind: Service
metadata: {name: hook}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: vwc}
webhooks:
- name: a.example.com
  clientConfig: {service: {name: hook, namespace: default}}
- name: b.example.com
  clientConfig: {service: {name: hook, namespace: elsewhere}}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1.example.com}
spec:
  service: {name: hook, namespace: default}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: policy}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: binding}
spec: {policyName: policy}
---
apiVersion: example.com/v1
kind: Foo
metadata: {name: foo}
spec: {configMapName: cm}
"""


def _single_base(text: str, overlay: str) -> dict[str, str]:
    return {
        "base/kustomization.yaml": "resources: [r.yaml]\n",
        "base/r.yaml": text,
        "overlay/kustomization.yaml": "resources: [../base]\n" + overlay,
    }


TREES: dict[str, dict[str, str]] = {
    "workloads-prefix-suffix": _single_base(WORKLOADS, "namePrefix: p-\nnameSuffix: -s\n"),
    "workloads-namespace-prefix": _single_base(WORKLOADS, "namespace: ns1\nnamePrefix: p-\n"),
    "rbac-prefix": _single_base(CLUSTER_AND_RBAC, "namePrefix: p-\n"),
    "rbac-namespace-prefix": _single_base(CLUSTER_AND_RBAC, "namespace: ns1\nnamePrefix: p-\n"),
    "two-prefixed-bases-same-names": {
        "a/kustomization.yaml": "namePrefix: a-\nresources: [r.yaml]\n",
        "a/r.yaml": WORKLOADS,
        "b/kustomization.yaml": "namePrefix: b-\nresources: [r.yaml]\n",
        "b/r.yaml": WORKLOADS,
        "overlay/kustomization.yaml": "resources: [../a, ../b]\nnamePrefix: ov-\n",
    },
    "prefixed-base-beside-plain-base": {
        # kustomize quirk: the plain base's reference to "cfg" follows the *other* base's
        # renamed cfg, because only renamed objects are referral candidates.
        "a/kustomization.yaml": "namePrefix: a-\nresources: [r.yaml]\n",
        "a/r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n",
        "b/kustomization.yaml": "resources: [r.yaml]\n",
        "b/r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg2}\n---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
        "spec: {template: {spec: {volumes: [{name: v, configMap: {name: cfg}}]}}}\n",
        "overlay/kustomization.yaml": "resources: [../a, ../b]\n",
    },
    "nested-namespaces": {
        "a/kustomization.yaml": "namespace: team-a\nnameSuffix: -a\nresources: [r.yaml]\n",
        "a/r.yaml": CLUSTER_AND_RBAC,
        "b/kustomization.yaml": "namespace: team-b\nnameSuffix: -b\nresources: [r.yaml]\n",
        "b/r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
        "spec: {template: {spec: {volumes: [{name: v, configMap: {name: cm}}]}}}\n",
        "overlay/kustomization.yaml": "resources: [../a, ../b]\nnamePrefix: x-\n",
    },
}


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(TREES))
def test_against_oracle(name: str, oracle: Any, write_tree: Any, tmp_path: Path) -> None:
    write_tree(TREES[name])
    result = oracle.build(tmp_path / "overlay")
    assert result.rc == 0, result.stderr
    resmap = level(tmp_path / "overlay")
    fix_name_references(resmap)
    assert canonical(resmap.objects()) == canonical(list(yaml.safe_load_all(result.stdout)))


@pytest.mark.parametrize("case", ["17-prefix-suffix-name-references"])
def test_shared_case(case: str, shared_dir: Path) -> None:
    directory = shared_dir / "kustomize-cases" / case
    resmap = level(directory / "overlay")
    fix_name_references(resmap)
    expected = yaml.safe_load_all((directory / "expected" / "stdout.yaml").read_text())
    assert canonical(resmap.objects()) == canonical(list(expected))


def _rename_like_json_patch(resmap: ResMap, kind: str, namespace: str, new_name: str) -> None:
    """What a JSON6902 ``replace /metadata/name`` patch does to the id history."""
    for res in resmap:
        if res.kind == kind and res.namespace == namespace:
            res.store_previous_id()
            res.set_name(new_name)


def test_shared_case_18_namespace_aware(shared_dir: Path) -> None:
    directory = shared_dir / "kustomize-cases" / "18-name-references-namespace-aware"
    resmap = ResMap(load((directory / "base" / "x.yaml").read_text()))
    _rename_like_json_patch(resmap, "ConfigMap", "b", "cm-b")
    _rename_like_json_patch(resmap, "ConfigMap", "a", "cm-a")
    fix_name_references(resmap)
    expected = yaml.safe_load_all((directory / "expected" / "stdout.yaml").read_text())
    assert canonical(resmap.objects()) == canonical(list(expected))


AMBIGUOUS = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: cm, namespace: a}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm, namespace: b}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cr}
rules:
- resourceNames: [cm]
"""


@pytest.mark.oracle
def test_ambiguous_referral_error_matches_oracle(
    oracle: Any, write_tree: Any, tmp_path: Path
) -> None:
    write_tree(
        {
            "kustomization.yaml": "namePrefix: p-\nresources: [r.yaml]\npatches:\n"
            "- target: {kind: ConfigMap, namespace: b}\n"
            '  patch: \'[{"op": "replace", "path": "/metadata/name", "value": "cm-b"}]\'\n',
            "r.yaml": AMBIGUOUS,
        }
    )
    result = oracle.build(tmp_path)
    assert result.rc == 1
    first_line = result.stderr.splitlines()[0].removeprefix("error: ")

    resmap = ResMap(load(AMBIGUOUS))
    _rename_like_json_patch(resmap, "ConfigMap", "b", "cm-b")
    apply_name_affix(resmap, "p-", "")
    with pytest.raises(TransformerError) as info:
        fix_name_references(resmap)
    assert info.value.kustomize_message == first_line
    assert "p-cm-b" in str(info.value)


ERROR_TREES: dict[str, str] = {
    "subject-without-name": "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n---\n"
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: crb}\n"
    "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cr}\n"
    "subjects: [{kind: Group, namespace: x}]\n",
    "scalar-where-map-expected": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n---\n"
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
    "spec: {template: {spec: {volumes: [{name: v, configMap: cfg}]}}}\n",
}


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(ERROR_TREES))
def test_errors_match_oracle(name: str, oracle: Any, write_tree: Any, tmp_path: Path) -> None:
    write_tree(
        {"kustomization.yaml": "namePrefix: p-\nresources: [r.yaml]\n", "r.yaml": ERROR_TREES[name]}
    )
    result = oracle.build(tmp_path)
    assert result.rc == 1
    resmap = level(tmp_path)
    with pytest.raises(TransformerError) as info:
        fix_name_references(resmap)
    assert f"error: {info.value.kustomize_message}" == result.stderr.strip()


# -- unit tables ----------------------------------------------------------------------------


def _deployment_using(cm_name: str, namespace: str | None = None) -> str:
    ns = f", namespace: {namespace}" if namespace else ""
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d{ns}}}\n"
        "spec: {template: {spec: {volumes: [{name: v, configMap: {name: "
        f"{cm_name}}}}}]}}}}}}\n"
    )


def _volume_name(resmap: ResMap) -> str:
    deployment = next(r for r in resmap if r.kind == "Deployment")
    return str(deployment.obj["spec"]["template"]["spec"]["volumes"][0]["configMap"]["name"])


def test_hash_suffixed_generated_name_is_followed() -> None:
    resmap = ResMap(
        load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: b}\n")
        + load(_deployment_using("cfg"))
    )
    resmap[0].generated = GeneratorInfo()
    apply_name_affix(resmap, "dev-", "")
    resmap[0].set_name(resmap[0].name + "-6kdc824h66")  # what the hash step does
    fix_name_references(resmap)
    assert _volume_name(resmap) == "dev-cfg-6kdc824h66"


@pytest.mark.parametrize(
    ("cm_namespace", "deployment_namespace", "expected"),
    [
        pytest.param(None, None, "p-cfg", id="same-default-namespace"),
        pytest.param("default", None, "p-cfg", id="explicit-default-equals-empty"),
        pytest.param("a", "a", "p-cfg", id="same-named-namespace"),
        pytest.param("a", "b", "cfg", id="other-namespace-not-followed"),
    ],
)
def test_namespace_awareness(
    cm_namespace: str | None, deployment_namespace: str | None, expected: str
) -> None:
    ns = f", namespace: {cm_namespace}" if cm_namespace else ""
    resmap = ResMap(
        load(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cfg{ns}}}\n")
        + load(_deployment_using("cfg", deployment_namespace))
    )
    apply_name_affix(resmap, "p-", "")
    fix_name_references(resmap)
    assert _volume_name(resmap) == expected


def test_untouched_objects_are_not_candidates() -> None:
    resmap = ResMap(
        load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n")
        + load(_deployment_using("cfg"))
    )
    fix_name_references(resmap)
    assert _volume_name(resmap) == "cfg"


def test_crd_fields_are_not_references() -> None:
    resmap = ResMap(
        load(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n---\n"
            "apiVersion: example.com/v1\nkind: Foo\nmetadata: {name: f}\n"
            "spec: {configMap: {name: cfg}}\n"
        )
    )
    apply_name_affix(resmap, "p-", "")
    fix_name_references(resmap)
    assert resmap[1].obj["spec"] == {"configMap": {"name": "cfg"}}


def test_scalar_in_the_middle_of_a_path_is_an_error() -> None:
    resmap = ResMap(
        load(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n---\n"
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
            "spec: {template: {spec: {volumes: [{name: v, configMap: cfg}]}}}\n"
        )
    )
    apply_name_affix(resmap, "p-", "")
    with pytest.raises(TransformerError) as info:
        fix_name_references(resmap)
    assert info.value.kustomize_message == (
        "updating name reference in 'spec/template/spec/volumes/configMap/name' field of "
        "'Deployment.v1.apps/p-d.[noNs]': considering field "
        "'spec/template/spec/volumes/configMap/name' of object Deployment.v1.apps/p-d.[noNs]: "
        "visit traversal on path: [configMap name]: expected sequence or mapping node"
    )


# -- the data table ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "segments"),
    [
        pytest.param(
            "spec/volumes/configMap/name", ("spec", "volumes", "configMap", "name"), id="plain"
        ),
        pytest.param(
            "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret",
            ("metadata", "annotations", "nginx.ingress.kubernetes.io/auth-secret"),
            id="escaped-slash",
        ),
        pytest.param("/spec/a", ("spec", "a"), id="leading-slash"),
    ],
)
def test_split_path(path: str, segments: tuple[str, ...]) -> None:
    assert split_path(path) == segments


def test_table_is_sorted_like_kustomize_config() -> None:
    kinds = [ref.target.kind for ref in NAME_REFERENCES]
    assert kinds == [
        "StorageClass",
        "ServiceAccount",
        "Role",
        "ClusterRole",
        "ConfigMap",
        "Secret",
        "Service",
        "PriorityClass",
        "PersistentVolume",
        "PersistentVolumeClaim",
        "Deployment",
        "StatefulSet",
        "ValidatingAdmissionPolicy",
        "IngressClass",
        "ReplicaSet",
        "ReplicationController",
    ]


def test_configurations_merge_into_existing_target() -> None:
    extra = NameBackReference(
        GvkSelector("ConfigMap", version="v1"),
        (RefField(GvkSelector("Foo"), "spec/configMapName"),),
    )
    merged = merge_name_references(NAME_REFERENCES, [extra])
    assert len(merged) == len(NAME_REFERENCES)
    configmap = next(ref for ref in merged if ref.target.kind == "ConfigMap")
    assert configmap.referrers[-1] == RefField(GvkSelector("Foo"), "spec/configMapName")

    resmap = ResMap(
        load(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n---\n"
            "apiVersion: example.com/v1\nkind: Foo\nmetadata: {name: f}\n"
            "spec: {configMapName: cfg}\n"
        )
    )
    apply_name_affix(resmap, "p-", "")
    fix_name_references(resmap, merged)
    assert resmap[1].obj["spec"] == {"configMapName": "p-cfg"}


# -- whole builds -------------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(TREES))
def test_whole_build_matches_oracle_bytes(
    name: str, oracle: Any, write_tree: Any, tmp_path: Path
) -> None:
    from envlib.kustomize.pipeline.build import build

    write_tree(TREES[name])
    result = oracle.build(tmp_path / "overlay")
    assert result.rc == 0, result.stderr
    assert build(tmp_path / "overlay", trace=False).to_yaml() == result.stdout.decode()
