"""Deprecated ``vars:``: expansion rules, errors, and differential tests against kubectl."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from envlib.errors import EnvlibError, KustomizationError, TransformerError
from envlib.kustomize.core.resource import Origin, ResMap, Resource
from envlib.kustomize.transformers import apply_name_affix, fix_name_references, resolve_vars
from envlib.kustomize.transformers.vars import expand, go_value_text


def load(text: str) -> ResMap:
    return ResMap(
        [
            Resource.from_obj(doc, Origin("x.yaml", index))
            for index, doc in enumerate(yaml.safe_load_all(text))
            if doc
        ]
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("--db=$(DB)", "--db=p-db", id="in-the-middle"),
        pytest.param("$(PORT)", 5432, id="whole-keeps-type"),
        pytest.param("x$(PORT)", "x5432", id="number-in-string"),
        pytest.param("$(FLAG)", True, id="bool"),
        pytest.param("$(F)-$(F)", "1.5-1.5", id="float-in-string"),
        pytest.param("$$(DB)", "$(DB)", id="escaped"),
        pytest.param("$$$(DB)", "$p-db", id="escaped-then-var"),
        pytest.param("$(UNDEFINED)", "$(UNDEFINED)", id="undefined-kept"),
        pytest.param("$(MAP)", "$(MAP)", id="non-scalar-kept"),
        pytest.param("$(DB", "$(DB", id="unterminated"),
        pytest.param("a$b", "a$b", id="lone-dollar"),
        pytest.param("end$", "end$", id="trailing-dollar"),
        pytest.param("$()", "$()", id="empty-name"),
    ],
)
def test_expand(text: str, expected: Any) -> None:
    values = {"DB": "p-db", "PORT": 5432, "FLAG": True, "F": 1.5, "MAP": {"a": "b"}}
    assert expand(text, values) == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [
        pytest.param(1e6, "1e+06", id="exp"),
        pytest.param(123456.5, "123456.5", id="fixed"),
        pytest.param(1234567.5, "1.2345675e+06", id="exp-digits"),
        pytest.param(0.0001, "0.0001", id="small-fixed"),
        pytest.param(-2.5e-07, "-2.5e-07", id="small-exp"),
        pytest.param(100.0, "100", id="integral"),
        pytest.param(False, "false", id="bool"),
    ],
)
def test_go_value_text(value: Any, text: str) -> None:
    assert go_value_text(value) == text


RESOURCES = """\
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  selector: {app: db}
  ports: [{port: 5432, name: http}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {a: "$(DB_SVC)", b: "x$(PORT)"}
  annotations: {c: "$(PORTNAME)"}
spec:
  template:
    metadata:
      annotations: {d: "$(DB_SVC)"}
    spec:
      initContainers:
      - name: i
        command: ["sh", "-c", "wait-for $(DB_SVC):$(PORT)"]
      containers:
      - name: c
        args: ["--db=$(DB_SVC)", "$(PORT)", "$$(DB_SVC)", "$(UNDEF)", "$(SEL)", "$(DB_SVC"]
        env:
        - {name: P, value: "$(PORT)"}
        - {name: Q, value: "$(CM_KEY)"}
        - {name: L, value: "$(LEAD)"}
        volumeMounts: [{name: v, mountPath: "/data/$(DB_SVC)"}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm, namespace: other}
data: {key: "from-cm", "dotted.key": "dotted"}
---
apiVersion: example.com/v1
kind: Foo
metadata: {name: foo}
spec: {text: "$(DB_SVC)"}
"""

VARS = """\
- name: DB_SVC
  objref: {kind: Service, name: db, apiVersion: v1}
- name: PORT
  objref: {kind: Service, name: db, apiVersion: v1}
  fieldref: {fieldPath: "spec.ports[0].port"}
- name: PORTNAME
  objref: {kind: Service, name: db, apiVersion: v1}
  fieldref: {fieldPath: "spec.ports.[name=http].name"}
- name: SEL
  objref: {kind: Service, name: db, apiVersion: v1}
  fieldref: {fieldPath: spec.selector}
- name: CM_KEY
  objref: {kind: ConfigMap, name: cm, version: v1, namespace: other}
  fieldref: {fieldPath: "data.[dotted.key]"}
- name: LEAD
  objref: {kind: Service, name: db, apiVersion: v1}
  fieldref: {fieldPath: .metadata.name}
"""

ERROR_VARS = {
    "no-apiversion-never-matches": "- {name: X, objref: {kind: Service, name: db}}\n",
    "missing-object": "- {name: X, objref: {kind: Service, name: nope, apiVersion: v1}}\n",
    "missing-field": "- name: X\n  objref: {kind: Service, name: db, apiVersion: v1}\n"
    "  fieldref: {fieldPath: spec.nothere}\n",
    "duplicate-name": "- {name: X, objref: {kind: Service, name: db, apiVersion: v1}}\n"
    "- {name: X, objref: {kind: Service, name: db, apiVersion: v1}}\n",
}


def simulate(resources: str, vars_text: str) -> tuple[ResMap, list[str]]:
    resmap = load(resources)
    apply_name_affix(resmap, "p-", "")
    fix_name_references(resmap)
    unused = resolve_vars(resmap, yaml.safe_load(vars_text))
    return resmap, unused


def build_with_oracle(oracle: Any, write_tree: Any, tmp_path: Path, vars_text: str) -> Any:
    write_tree(
        {
            "kustomization.yaml": "namePrefix: p-\nresources: [r.yaml]\nvars:\n" + vars_text,
            "r.yaml": RESOURCES,
        }
    )
    return oracle.build(tmp_path)


@pytest.mark.oracle
def test_against_oracle(oracle: Any, write_tree: Any, tmp_path: Path) -> None:
    result = build_with_oracle(oracle, write_tree, tmp_path, VARS)
    assert result.rc == 0, result.stderr
    resmap, unused = simulate(RESOURCES, VARS)
    expected = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(result.stdout)}
    assert {(r.kind, r.name): r.obj for r in resmap} == expected
    assert unused == ["SEL"]
    assert "well-defined vars that were never replaced: SEL" in result.stderr


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(ERROR_VARS))
def test_errors_against_oracle(name: str, oracle: Any, write_tree: Any, tmp_path: Path) -> None:
    result = build_with_oracle(oracle, write_tree, tmp_path, ERROR_VARS[name])
    assert result.rc == 1
    error_line = next(line for line in result.stderr.splitlines() if line.startswith("error: "))
    with pytest.raises(EnvlibError) as info:
        simulate(RESOURCES, ERROR_VARS[name])
    assert f"error: {info.value.kustomize_message}" == error_line


@pytest.mark.oracle
def test_ambiguous_object_against_oracle(oracle: Any, write_tree: Any, tmp_path: Path) -> None:
    resources = (
        "apiVersion: v1\nkind: Service\nmetadata: {name: db, namespace: a}\n---\n"
        "apiVersion: v1\nkind: Service\nmetadata: {name: db, namespace: b}\n"
    )
    vars_text = "- {name: X, objref: {kind: Service, name: db, apiVersion: v1}}\n"
    write_tree(
        {"kustomization.yaml": "resources: [r.yaml]\nvars:\n" + vars_text, "r.yaml": resources}
    )
    result = oracle.build(tmp_path)
    error_line = next(line for line in result.stderr.splitlines() if line.startswith("error: "))
    with pytest.raises(TransformerError) as info:
        resolve_vars(load(resources), yaml.safe_load(vars_text))
    assert f"error: {info.value.kustomize_message}" == error_line


def test_duplicate_is_a_kustomization_error() -> None:
    with pytest.raises(KustomizationError):
        simulate(RESOURCES, ERROR_VARS["duplicate-name"])


def test_no_vars_changes_nothing() -> None:
    resmap = load(RESOURCES)
    before = [dict(r.obj) for r in resmap]
    assert resolve_vars(resmap, []) == []
    assert [r.obj for r in resmap] == before


def test_list_items_must_be_strings() -> None:
    resmap = load(
        "apiVersion: v1\nkind: Service\nmetadata: {name: db}\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
        "spec: {containers: [{name: c, args: ['$(X)', 5]}]}\n"
    )
    with pytest.raises(TransformerError) as info:
        resolve_vars(
            resmap, [{"name": "X", "objref": {"kind": "Service", "name": "db", "apiVersion": "v1"}}]
        )
    assert info.value.kustomize_message == (
        "considering field 'spec/containers/args' of object Pod.v1.[noGrp]/p.[noNs]: "
        "visit traversal on path: [args]: invalid value type expect a string"
    )


@pytest.mark.oracle
def test_whole_build_matches_oracle_bytes(oracle: Any, write_tree: Any, tmp_path: Path) -> None:
    from envlib.kustomize.pipeline.build import build

    result = build_with_oracle(oracle, write_tree, tmp_path, VARS)
    assert result.rc == 0, result.stderr
    assert build(tmp_path, trace=False).to_yaml() == result.stdout.decode()
