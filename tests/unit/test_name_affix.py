"""namePrefix / nameSuffix: unit table + differential tests against kubectl kustomize."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from envlib.kustomize.core.resid import Gvk, ResId
from envlib.kustomize.core.resource import Origin, ResMap, Resource
from envlib.kustomize.transformers import apply_name_affix, fix_name_references


def load(text: str) -> ResMap:
    return ResMap(
        [
            Resource.from_obj(doc, Origin("x.yaml", index))
            for index, doc in enumerate(yaml.safe_load_all(text))
            if doc
        ]
    )


@pytest.mark.parametrize(
    ("api_version", "kind", "expected"),
    [
        pytest.param("v1", "ConfigMap", "p-x-s", id="namespaced"),
        pytest.param("rbac.authorization.k8s.io/v1", "ClusterRole", "p-x-s", id="cluster-scoped"),
        pytest.param("v1", "PersistentVolume", "p-x-s", id="pv"),
        pytest.param("apiextensions.k8s.io/v1", "CustomResourceDefinition", "x", id="crd"),
        pytest.param("v1", "Namespace", "x", id="namespace"),
        pytest.param("apiregistration.k8s.io/v1", "APIService", "x", id="apiservice"),
        pytest.param("example.com/v1", "APIService", "p-x-s", id="apiservice-other-group"),
        pytest.param("argoproj.io/v1alpha1", "Rollout", "p-x-s", id="custom-kind"),
    ],
)
def test_which_kinds_are_renamed(api_version: str, kind: str, expected: str) -> None:
    resmap = load(f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: x}}\n")
    apply_name_affix(resmap, "p-", "-s")
    assert resmap[0].name == expected


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        pytest.param([("p1-", "-s1"), ("p2-", "-s2")], "p2-p1-high-s1-s2", id="levels-wrap"),
        pytest.param([("p-", "")], "p-high", id="prefix-only"),
        pytest.param([("", "-s")], "high-s", id="suffix-only"),
        pytest.param([("", "")], "high", id="neither"),
    ],
)
def test_levels(levels: list[tuple[str, str]], expected: str) -> None:
    resmap = load("apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\n")
    for prefix, suffix in levels:
        apply_name_affix(resmap, prefix, suffix)
    res = resmap[0]
    assert res.name == expected
    assert res.name_prefixes == [p for p, _ in levels if p]
    assert res.name_suffixes == [s for _, s in levels if s]


def test_history_and_selectors() -> None:
    resmap = load(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, labels: {app: web}}\n"
        "spec: {selector: {app: web}}\n"
    )
    apply_name_affix(resmap, "dev-", "-v1")
    res = resmap[0]
    assert res.obj == {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "dev-web-v1", "labels": {"app": "web"}},
        "spec": {"selector": {"app": "web"}},
    }
    gvk = Gvk("", "v1", "Service")
    assert [rid.name for rid in res.all_ids()] == ["web", "dev-web", "dev-web-v1"]
    assert resmap.find_by_id(ResId(gvk, "dev-web")) == [res]


TREE_OBJECTS = """\
apiVersion: v1
kind: Namespace
metadata: {name: myns}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: foos.example.com}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1.example.com}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cr}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ing}
spec: {ingressClassName: nginx}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}}
"""


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("base", "overlay"),
    [
        pytest.param(
            "namePrefix: p1-\nnameSuffix: -s1\n",
            "namePrefix: p2-\nnameSuffix: -s2\n",
            id="two-levels",
        ),
        pytest.param("", "namePrefix: p-\n", id="prefix"),
        pytest.param("nameSuffix: -s\n", "", id="suffix-in-base"),
    ],
)
def test_against_oracle(
    base: str, overlay: str, oracle: Any, write_tree: Any, tmp_path: Path
) -> None:
    from envlib.kustomize.pipeline.build import build

    write_tree(
        {
            "base/kustomization.yaml": "resources: [r.yaml]\n" + base,
            "base/r.yaml": TREE_OBJECTS,
            "overlay/kustomization.yaml": "resources: [../base]\n" + overlay,
        }
    )
    result = oracle.build(tmp_path / "overlay")
    assert result.rc == 0, result.stderr
    resmap = load(TREE_OBJECTS)
    for text in (base, overlay):
        kust = yaml.safe_load(text) or {}
        apply_name_affix(resmap, kust.get("namePrefix", ""), kust.get("nameSuffix", ""))
    fix_name_references(resmap)
    expected = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(result.stdout)}
    assert {(r.kind, r.name): r.obj for r in resmap} == expected
    assert build(tmp_path / "overlay", trace=False).to_yaml() == result.stdout.decode()
