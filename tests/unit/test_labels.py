"""labels / commonLabels: field-spec choice, selectors, and differential rows vs the oracle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from oracle_compare import run_both

from envlib.errors import TransformerError
from envlib.kustomize.core.resource import Origin, ResMap, Resource
from envlib.kustomize.transformers.fieldspecs import FieldSpec
from envlib.kustomize.transformers.labels import (
    apply_labels,
    check_label_conflicts,
    label_field_specs,
    matches_selector,
)


def apply_config(resmap: ResMap, config: dict[str, Any]) -> None:
    """What the build does with ``labels`` then ``commonLabels``."""
    for index, entry in enumerate(config.get("labels") or []):
        apply_labels(
            resmap,
            entry.get("pairs") or {},
            include_selectors=bool(entry.get("includeSelectors")),
            include_templates=bool(entry.get("includeTemplates")),
            fields=[FieldSpec.from_dict(f) for f in entry.get("fields") or []],
            entry=f"labels[{index}]",
        )
    if config.get("commonLabels"):
        apply_labels(
            resmap,
            config["commonLabels"],
            include_selectors=True,
            include_templates=False,
            entry="commonLabels",
        )


WORKLOADS = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      affinity:
        podAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 1
            podAffinityTerm: {labelSelector: {matchLabels: {app: web}}, topologyKey: k}
      topologySpreadConstraints:
      - labelSelector: {matchLabels: {app: web}}
      - maxSkew: 1
      containers: [{name: c, image: i}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ss}
spec:
  volumeClaimTemplates: [{metadata: {name: data}}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds}
spec: {}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: rc}
spec: {template: {spec: {containers: []}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj}
spec:
  schedule: "0 * * * *"
  jobTemplate: {spec: {template: {spec: {containers: []}}}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: job}
spec:
  selector: {matchLabels: {a: b}}
  template: {spec: {containers: []}}
"""

POLICIES = """
apiVersion: v1
kind: Service
metadata: {name: ext}
spec: {type: ExternalName, externalName: db.example.com}
---
apiVersion: v1
kind: Service
metadata: {name: svc, labels: null}
spec: {selector: {app: web}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np}
spec:
  podSelector: {}
  ingress:
  - from:
    - podSelector: {matchLabels: {x: y}}
    - podSelector: {}
    - namespaceSelector: {}
  egress:
  - to: [{podSelector: {matchLabels: {}}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np-null}
spec: {podSelector: {matchLabels: null}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: pdb}
spec: {selector: {matchLabels: {app: web}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: pdb-empty}
spec: {minAvailable: 1}
"""

CUSTOM = """
apiVersion: example.com/v1
kind: Foo
metadata: {name: foo}
spec:
  selector: {matchLabels: {}}
  template: {metadata: {labels: {}}}
---
apiVersion: example.com/v1
kind: StatefulSet
metadata: {name: not-apps}
spec: {template: {metadata: {}}}
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: ksvc}
spec: {template: {}}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: foos.example.com}
spec: {group: example.com}
"""

NULLS = """
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ss, labels: null}
spec:
  volumeClaimTemplates: null
  template: null
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  selector: null
  template: {metadata: null}
"""

ORACLE_ROWS = [
    pytest.param(WORKLOADS, "commonLabels: {team: a}\n", id="common-workloads"),
    pytest.param(POLICIES, "commonLabels: {team: a}\n", id="common-services-policies"),
    pytest.param(CUSTOM, "commonLabels: {team: a}\n", id="common-custom-kinds"),
    pytest.param(NULLS, "commonLabels: {team: a}\n", id="common-nulls"),
    pytest.param(WORKLOADS, "labels:\n- pairs: {only: meta}\n", id="labels-metadata-only"),
    pytest.param(
        WORKLOADS, "labels:\n- pairs: {t: x}\n  includeTemplates: true\n", id="labels-templates"
    ),
    pytest.param(
        POLICIES, "labels:\n- pairs: {t: x}\n  includeTemplates: true\n", id="labels-templates-svc"
    ),
    pytest.param(
        WORKLOADS + "---\n" + POLICIES,
        "labels:\n- pairs: {s: x}\n  includeSelectors: true\n  includeTemplates: true\n",
        id="labels-selectors",
    ),
    pytest.param(
        WORKLOADS,
        "labels:\n- pairs: {a: '1'}\ncommonLabels: {a: '2', b: '3'}\n",
        id="same-key-in-both-common-wins",
    ),
    pytest.param(
        CUSTOM,
        "labels:\n- pairs: {f: x}\n  fields:\n"
        "  - {path: spec/selector/matchLabels, kind: Foo, create: true}\n"
        "  - {path: spec/other/labels, kind: Foo}\n",
        id="labels-custom-fields",
    ),
    pytest.param(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: foo}\n",
        "labels:\n- pairs: {a: '1'}\n",
        id="error-scalar-labels",
    ),
    pytest.param(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: c}\nspec: 5\n",
        "commonLabels: {a: '1'}\n",
        id="error-scalar-spec",
    ),
    pytest.param(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: c}\n"
        "spec: {template: [{metadata: {}}, 7]}\n",
        "commonLabels: {a: '1'}\n",
        id="error-scalar-in-list",
    ),
    pytest.param(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: c}\n"
        "spec: {template: {metadata: {labels: [1]}}}\n",
        "labels:\n- pairs: {a: '1'}\n  includeTemplates: true\n",
        id="error-list-labels",
    ),
]


@pytest.mark.oracle
@pytest.mark.parametrize(("resources", "kustomization"), ORACLE_ROWS)
def test_labels_match_oracle(
    oracle: Any, tmp_path: Path, resources: str, kustomization: str
) -> None:
    run_both(oracle, tmp_path, resources, kustomization, apply_config)


@pytest.mark.parametrize(
    ("selectors", "templates", "paths"),
    [
        pytest.param(False, False, {"metadata/labels"}, id="default"),
        pytest.param(
            False,
            True,
            {
                "metadata/labels",
                "spec/template/metadata/labels",
                "spec/volumeClaimTemplates[]/metadata/labels",
                "spec/jobTemplate/metadata/labels",
                "spec/jobTemplate/spec/template/metadata/labels",
            },
            id="templates",
        ),
    ],
)
def test_label_field_specs(selectors: bool, templates: bool, paths: set[str]) -> None:
    specs = label_field_specs(include_selectors=selectors, include_templates=templates)
    assert {s.path for s in specs} == paths


def test_selectors_include_everything() -> None:
    specs = label_field_specs(include_selectors=True, include_templates=False)
    paths = {s.path for s in specs}
    assert {"spec/selector", "spec/podSelector/matchLabels", "metadata/labels"} <= paths


def test_error_names_entry_and_resource() -> None:
    res = Resource.from_obj(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": "x"}},
        Origin("base/cm.yaml", line=3),
    )
    with pytest.raises(TransformerError) as info:
        apply_labels(
            ResMap([res]),
            {"a": "1"},
            include_selectors=False,
            include_templates=False,
            entry="labels[2]",
        )
    err = info.value
    assert err.entry == "labels[2]"
    assert err.resource == "ConfigMap.v1.[noGrp]/c.[noNs]"
    assert str(err.location) == "base/cm.yaml:3"
    assert "metadata/labels" in err.message


@pytest.mark.parametrize(
    ("common", "entries", "expected"),
    [
        pytest.param({"a": "1"}, [{"pairs": {"a": "2"}}, {"pairs": {"b": "2"}}], ["a"], id="one"),
        pytest.param({"a": "1"}, [{"pairs": {"b": "2"}}], [], id="none"),
        pytest.param(
            {"b": "1", "a": "1"},
            [{"pairs": {"b": "2"}}, {"pairs": {"a": "2"}}],
            ["a", "b"],
            id="sorted",
        ),
    ],
)
def test_check_label_conflicts(
    common: dict[str, str], entries: list[Any], expected: list[str]
) -> None:
    assert check_label_conflicts(common, entries) == expected


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        pytest.param("", {}, True, id="empty-selects-all"),
        pytest.param("app=web", {"app": "web"}, True, id="eq"),
        pytest.param("app==web", {"app": "api"}, False, id="eqeq-miss"),
        pytest.param("app!=web", {}, True, id="neq-missing"),
        pytest.param("app in (web, api)", {"app": "api"}, True, id="in"),
        pytest.param("app notin (web)", {"app": "api"}, True, id="notin"),
        pytest.param("app,tier=db", {"app": "x", "tier": "db"}, True, id="exists-and-eq"),
        pytest.param("!app", {"app": "x"}, False, id="not-exists"),
        pytest.param("n>3", {"n": "5"}, True, id="gt"),
    ],
)
def test_matches_selector(selector: str, labels: dict[str, str], expected: bool) -> None:
    assert matches_selector(selector, labels) is expected


def test_matches_selector_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        matches_selector("app in web", {"app": "web"})
