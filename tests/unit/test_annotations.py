"""commonAnnotations: unit rows and differential rows vs the oracle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from oracle_compare import run_both

from envlib.errors import TransformerError
from envlib.kustomize.core.resource import Origin, ResMap, Resource
from envlib.kustomize.transformers.annotations import apply_annotations


def apply_config(resmap: ResMap, config: dict[str, Any]) -> None:
    apply_annotations(resmap, config["commonAnnotations"])


KINDS = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, annotations: {keep: me}}
spec: {template: {spec: {containers: []}}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ss}
spec: {volumeClaimTemplates: [{metadata: {name: data}}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: rc}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj}
spec: {schedule: "* * * * *", jobTemplate: {spec: {template: {}}}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: job}
---
apiVersion: example.com/v1
kind: Job
metadata: {name: other-job}
spec: {template: {metadata: {}}}
---
apiVersion: v1
kind: Service
metadata: {name: svc, annotations: null}
spec: {template: {}}
"""

ORACLE_ROWS = [
    pytest.param(KINDS, "commonAnnotations: {owner: team-a}\n", id="kinds"),
    pytest.param(
        KINDS, "commonAnnotations:\n  note: |\n    multi-line\n    annotation\n", id="multi-line"
    ),
    pytest.param(KINDS, "commonAnnotations: {keep: overridden, b: '1'}\n", id="override"),
    pytest.param(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, annotations: [a]}\n",
        "commonAnnotations: {a: b}\n",
        id="error-list-annotations",
    ),
    pytest.param(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: x}\n",
        "commonAnnotations: {a: b}\n",
        id="error-scalar-template",
    ),
]


@pytest.mark.oracle
@pytest.mark.parametrize(("resources", "kustomization"), ORACLE_ROWS)
def test_annotations_match_oracle(
    oracle: Any, tmp_path: Path, resources: str, kustomization: str
) -> None:
    run_both(oracle, tmp_path, resources, kustomization, apply_config)


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        pytest.param(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}},
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "c", "annotations": {"a": "b"}},
            },
            id="creates-map",
        ),
        pytest.param(
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}},
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "d", "annotations": {"a": "b"}},
                "spec": {"template": {"metadata": {"annotations": {"a": "b"}}}},
            },
            id="creates-template",
        ),
    ],
)
def test_apply_annotations(obj: dict[str, Any], expected: dict[str, Any]) -> None:
    apply_annotations(ResMap([Resource.from_obj(obj, Origin("x.yaml"))]), {"a": "b"})
    assert obj == expected


def test_empty_annotations_do_nothing() -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}
    apply_annotations(ResMap([Resource.from_obj(obj, Origin("x.yaml"))]), {})
    assert obj == {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}


def test_error_names_entry() -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": 5}}
    with pytest.raises(TransformerError) as info:
        apply_annotations(ResMap([Resource.from_obj(obj, Origin("x.yaml"))]), {"a": "b"})
    assert info.value.entry == "commonAnnotations"
    assert info.value.resource == "ConfigMap.v1.[noGrp]/c.[noNs]"
