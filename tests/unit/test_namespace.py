"""The ``namespace:`` transformer: unit table + differential tests against kubectl kustomize."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from envlib.errors import TransformerError
from envlib.kustomize.core.resid import Gvk, ResId
from envlib.kustomize.core.resource import Origin, ResMap, Resource
from envlib.kustomize.transformers import apply_namespace, fix_name_references


def load(text: str) -> ResMap:
    resmap = ResMap()
    for index, doc in enumerate(yaml.safe_load_all(text)):
        if doc:
            resmap.append(Resource.from_obj(doc, Origin("x.yaml", index)))
    return resmap


def one(text: str, namespace: str = "newns") -> dict[str, Any]:
    resmap = load(text)
    apply_namespace(resmap, namespace)
    return resmap[0].obj


def canonical(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def key(doc: dict[str, Any]) -> tuple[str, ...]:
        meta = doc.get("metadata") or {}
        return (doc["apiVersion"], doc["kind"], meta.get("namespace", ""), str(meta["name"]))

    return sorted(docs, key=key)


UNIT_CASES = [
    pytest.param(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n",
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "newns"}},
        id="namespaced-object-gets-namespace",
    ),
    pytest.param(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: old}\n",
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "newns"}},
        id="existing-namespace-overwritten",
    ),
    pytest.param(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: cr}\n",
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": "cr"},
        },
        id="cluster-scoped-untouched",
    ),
    pytest.param(
        "apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: ci}\n",
        {
            "apiVersion": "cert-manager.io/v1",
            "kind": "ClusterIssuer",
            "metadata": {"name": "ci", "namespace": "newns"},
        },
        id="crd-kind-assumed-namespaced",
    ),
    pytest.param(
        "apiVersion: flowcontrol.apiserver.k8s.io/v1\nkind: FlowSchema\nmetadata: {name: f}\n",
        {
            "apiVersion": "flowcontrol.apiserver.k8s.io/v1",
            "kind": "FlowSchema",
            "metadata": {"name": "f", "namespace": "newns"},
        },
        id="flowschema-v1-not-in-1.21-list",
    ),
    pytest.param(
        "apiVersion: flowcontrol.apiserver.k8s.io/v1beta1\nkind: FlowSchema\nmetadata: {name: f}\n",
        {
            "apiVersion": "flowcontrol.apiserver.k8s.io/v1beta1",
            "kind": "FlowSchema",
            "metadata": {"name": "f"},
        },
        id="flowschema-v1beta1-cluster-scoped",
    ),
    pytest.param(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: old}\n",
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "newns"}},
        id="namespace-object-renamed",
    ),
    pytest.param(
        "apiVersion: v2\nkind: Namespace\nmetadata: {name: old}\n",
        {
            "apiVersion": "v2",
            "kind": "Namespace",
            "metadata": {"name": "old", "namespace": "newns"},
        },
        id="non-v1-namespace-kind-treated-as-namespaced",
    ),
    pytest.param(
        "apiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata: {name: v1.x}\n"
        "spec: {service: {name: s, namespace: old}}\n",
        {
            "apiVersion": "apiregistration.k8s.io/v1",
            "kind": "APIService",
            "metadata": {"name": "v1.x"},
            "spec": {"service": {"name": "s", "namespace": "newns"}},
        },
        id="apiservice-service-namespace",
    ),
    pytest.param(
        "apiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata: {name: v1.x}\n"
        "spec: {service: null}\n",
        {
            "apiVersion": "apiregistration.k8s.io/v1",
            "kind": "APIService",
            "metadata": {"name": "v1.x"},
            "spec": {"service": {"namespace": "newns"}},
        },
        id="apiservice-service-namespace-created",
    ),
    pytest.param(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        "metadata: {name: a.b}\nspec: {group: b}\n",
        {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "a.b"},
            "spec": {"group": "b"},
        },
        id="crd-without-webhook-untouched",
    ),
    pytest.param(
        "apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\n"
        "metadata: {name: m}\n"
        "webhooks: [{name: w, clientConfig: {service: {name: s, namespace: old}}}]\n",
        {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "MutatingWebhookConfiguration",
            "metadata": {"name": "m"},
            "webhooks": [
                {"name": "w", "clientConfig": {"service": {"name": "s", "namespace": "old"}}}
            ],
        },
        id="webhook-service-namespace-untouched",
    ),
    pytest.param(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\n"
        "subjects: [{kind: User, name: default}, {kind: ServiceAccount, name: x, namespace: o}]\n",
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": "b"},
            "subjects": [
                {"kind": "User", "name": "default", "namespace": "newns"},
                {"kind": "ServiceAccount", "name": "x", "namespace": "o"},
            ],
        },
        id="subjects-named-default-only",
    ),
]


@pytest.mark.parametrize(("text", "expected"), UNIT_CASES)
def test_namespace_unit(text: str, expected: dict[str, Any]) -> None:
    assert one(text) == expected


def test_empty_namespace_is_a_no_op() -> None:
    resmap = load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n")
    apply_namespace(resmap, "")
    assert resmap[0].obj["metadata"] == {"name": "cm"}
    assert resmap[0].prev_ids == []


def test_history_keeps_the_old_id() -> None:
    resmap = load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n")
    apply_namespace(resmap, "newns")
    old = ResId(Gvk("", "v1", "ConfigMap"), "cm", "")
    assert resmap.find_by_id(old) == [resmap[0]]
    assert resmap[0].cur_id.namespace == "newns"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n"
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n",
            id="two-namespace-objects",
        ),
        pytest.param(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: a}\n---\n"
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: b}\n",
            id="same-name-in-two-namespaces",
        ),
    ],
)
def test_id_conflict(text: str) -> None:
    resmap = load(text)
    with pytest.raises(TransformerError) as info:
        apply_namespace(resmap, "x")
    assert info.value.kustomize_message is not None
    assert info.value.kustomize_message.startswith(
        "namespace transformation produces ID conflict: [{"
    )


def test_id_conflict_text_matches_kustomize_dump() -> None:
    resmap = load(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: a}\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: b}\n"
    )
    with pytest.raises(TransformerError) as info:
        apply_namespace(resmap, "x")
    assert info.value.kustomize_message == (
        'namespace transformation produces ID conflict: [{"apiVersion":"v1","kind":"ConfigMap",'
        '"metadata":{"annotations":{"internal.config.kubernetes.io/previousKinds":"ConfigMap",'
        '"internal.config.kubernetes.io/previousNames":"cm",'
        '"internal.config.kubernetes.io/previousNamespaces":"a"},"name":"cm","namespace":"x"}} '
        '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"annotations":'
        '{"internal.config.kubernetes.io/previousKinds":"ConfigMap",'
        '"internal.config.kubernetes.io/previousNames":"cm",'
        '"internal.config.kubernetes.io/previousNamespaces":"b"},"name":"cm","namespace":"x"}}]'
    )


# -- differential ---------------------------------------------------------------------


def test_shared_case_16(shared_dir: Path) -> None:
    case = shared_dir / "kustomize-cases" / "16-namespace-transformer"
    resmap = load((case / "base" / "x.yaml").read_text())
    apply_namespace(resmap, "newns")
    fix_name_references(resmap)
    expected = list(yaml.safe_load_all((case / "expected" / "stdout.yaml").read_text()))
    assert canonical(resmap.objects()) == canonical(expected)


ORACLE_INPUTS = {
    "rbac-and-services": """\
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa2, namespace: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb, namespace: somewhere}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cr}
subjects:
- {kind: ServiceAccount, name: sa}
- {kind: ServiceAccount, name: sa2, namespace: default}
- {kind: User, name: default}
- {kind: Group, name: sa, namespace: default}
---
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: old}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: vwc}
webhooks:
- name: w.example.com
  clientConfig:
    service: {name: svc, namespace: old}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1.example.com}
spec: {}
""",
    "kinds": """\
apiVersion: v2
kind: Namespace
metadata: {name: other-api}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: sc}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: ic}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: pc}
---
apiVersion: batch/v1
kind: Job
metadata: {name: j, namespace: default}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: app, namespace: argocd}
""",
}


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(ORACLE_INPUTS))
def test_against_oracle(name: str, oracle: Any, write_tree: Any, tmp_path: Path) -> None:
    write_tree(
        {
            "base/kustomization.yaml": "resources: [r.yaml]\n",
            "base/r.yaml": ORACLE_INPUTS[name],
            "overlay/kustomization.yaml": "resources: [../base]\nnamespace: newns\n",
        }
    )
    result = oracle.build(tmp_path / "overlay")
    assert result.rc == 0, result.stderr
    resmap = load(ORACLE_INPUTS[name])
    apply_namespace(resmap, "newns")
    fix_name_references(resmap)
    assert canonical(resmap.objects()) == canonical(list(yaml.safe_load_all(result.stdout)))


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(ORACLE_INPUTS))
def test_whole_build_matches_oracle_bytes(
    name: str, oracle: Any, write_tree: Any, tmp_path: Path
) -> None:
    from envlib.kustomize.pipeline.build import build

    write_tree(
        {
            "base/kustomization.yaml": "resources: [r.yaml]\n",
            "base/r.yaml": ORACLE_INPUTS[name],
            "overlay/kustomization.yaml": "resources: [../base]\nnamespace: newns\n",
        }
    )
    result = oracle.build(tmp_path / "overlay")
    assert result.rc == 0, result.stderr
    assert build(tmp_path / "overlay", trace=False).to_yaml() == result.stdout.decode()
