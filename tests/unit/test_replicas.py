"""The ``replicas:`` field: unit table + differential tests against kubectl kustomize."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from envlib.errors import EnvlibError, KustomizationError, SourceLocation, TransformerError
from envlib.kustomize.core.resource import Origin, ResMap, Resource
from envlib.kustomize.transformers import apply_name_affix, apply_replicas

WORKLOADS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec: {replicas: 1}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web}
spec: {replicas: 1}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker}
spec: {replicas: 3}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec: null
---
apiVersion: v1
kind: ReplicationController
metadata: {name: rc}
spec: {replicas: 2}
---
apiVersion: extensions/v1beta1
kind: Deployment
metadata: {name: legacy}
"""


def load(text: str) -> ResMap:
    return ResMap(
        [
            Resource.from_obj(doc, Origin("x.yaml", index))
            for index, doc in enumerate(yaml.safe_load_all(text))
            if doc
        ]
    )


def replicas_by_id(resmap: ResMap) -> dict[str, Any]:
    return {f"{r.kind}/{r.name}": (r.obj.get("spec") or {}).get("replicas") for r in resmap}


@pytest.mark.parametrize(
    ("entries", "changed"),
    [
        pytest.param(
            [{"name": "web", "count": 5}],
            {"Deployment/b-web": 5, "StatefulSet/b-web": 5},
            id="original-name-all-kinds-not-crd",
        ),
        pytest.param(
            [{"name": "b-worker", "count": 0}], {"Deployment/b-worker": 0}, id="current-name-zero"
        ),
        pytest.param([{"name": "rs", "count": 2}], {"ReplicaSet/b-rs": 2}, id="null-spec-created"),
        pytest.param([{"name": "rc", "count": 4}], {"ReplicationController/b-rc": 4}, id="rc"),
        pytest.param([{"name": "legacy", "count": 1}], {"Deployment/b-legacy": 1}, id="any-group"),
        pytest.param(
            [{"name": "web", "count": 1}, {"name": "web", "count": 7}],
            {"Deployment/b-web": 7, "StatefulSet/b-web": 7},
            id="entries-in-order",
        ),
    ],
)
def test_replicas_unit(entries: list[dict[str, Any]], changed: dict[str, int]) -> None:
    resmap = load(WORKLOADS)
    apply_name_affix(resmap, "b-", "")
    before = replicas_by_id(resmap)
    apply_replicas(resmap, entries)
    assert replicas_by_id(resmap) == {**before, **changed}


def test_no_match_error_text() -> None:
    resmap = load(WORKLOADS)
    location = SourceLocation("overlay/kustomization.yaml", 3)
    with pytest.raises(TransformerError) as info:
        apply_replicas(resmap, [{"name": "nothere", "count": 1}], location)
    assert info.value.kustomize_message == (
        "resource with name nothere does not match a config with the following GVK "
        "[Deployment.[noVer].[noGrp] StatefulSet.[noVer].[noGrp] ReplicaSet.[noVer].[noGrp] "
        "ReplicationController.[noVer].[noGrp]]"
    )
    assert info.value.location == location
    assert info.value.entry == "replicas[0]"
    with pytest.raises(TransformerError) as later:
        apply_replicas(resmap, [{"name": "nothere", "count": 1}], location, first_index=2)
    assert later.value.entry == "replicas[2]"


@pytest.mark.parametrize(
    "count",
    [pytest.param("3", id="string"), pytest.param(1.5, id="float"), pytest.param(True, id="bool")],
)
def test_count_must_be_an_integer(count: Any) -> None:
    with pytest.raises(KustomizationError):
        apply_replicas(load(WORKLOADS), [{"name": "web", "count": count}])


@pytest.mark.oracle
@pytest.mark.parametrize(
    "entries",
    [
        pytest.param("- {name: web, count: 5}\n- {name: b-worker, count: 0}\n", id="case-22-like"),
        pytest.param(
            "- {name: rs, count: 2}\n- {name: legacy, count: 9}\n", id="null-spec-and-group"
        ),
        pytest.param("- {name: nothere, count: 1}\n", id="no-match"),
    ],
)
def test_against_oracle(entries: str, oracle: Any, write_tree: Any, tmp_path: Path) -> None:
    from envlib.kustomize.pipeline.build import build

    write_tree(
        {
            "base/kustomization.yaml": "resources: [r.yaml]\nnamePrefix: b-\n",
            "base/r.yaml": WORKLOADS,
            "overlay/kustomization.yaml": "resources: [../base]\nreplicas:\n" + entries,
        }
    )
    result = oracle.build(tmp_path / "overlay")
    resmap = load(WORKLOADS)
    apply_name_affix(resmap, "b-", "")
    if result.rc != 0:
        with pytest.raises(EnvlibError) as info:
            apply_replicas(resmap, yaml.safe_load(entries))
        assert f"error: {info.value.kustomize_message}" == result.stderr.strip()
        with pytest.raises(EnvlibError) as whole:
            build(tmp_path / "overlay", trace=False)
        assert whole.value.kustomize_message == info.value.kustomize_message
        return
    apply_replicas(resmap, yaml.safe_load(entries))
    expected = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(result.stdout)}
    assert {(r.kind, r.name): r.obj for r in resmap} == expected
    assert build(tmp_path / "overlay", trace=False).to_yaml() == result.stdout.decode()


def test_shared_case_22(shared_dir: Path) -> None:
    case = shared_dir / "kustomize-cases" / "22-replicas-transformer"
    resmap = load((case / "base" / "x.yaml").read_text())
    apply_name_affix(resmap, "b-", "")
    overlay = yaml.safe_load((case / "overlay" / "kustomization.yaml").read_text())
    apply_replicas(resmap, overlay["replicas"])
    expected = {
        (d["kind"], d["metadata"]["name"]): d
        for d in yaml.safe_load_all((case / "expected" / "stdout.yaml").read_text())
    }
    assert {(r.kind, r.name): r.obj for r in resmap} == expected
