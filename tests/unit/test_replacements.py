"""replacements: path syntax, selection, typing, path: files, and rows vs the oracle."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml

from envlib.errors import LoadError, ResourceError, SourceLocation, TransformerError
from envlib.kustomize.core.resource import Origin, ResMap, Resource
from envlib.kustomize.pipeline.root_steps import check_encodable
from envlib.kustomize.transformers.name_affix import apply_name_affix
from envlib.kustomize.transformers.replacements import apply_replacements, resolve_plain


def _by_id(objs: Iterable[Any]) -> dict[tuple[str, str, str], Any]:
    return {
        (o.get("kind", ""), o["metadata"].get("namespace", ""), o["metadata"]["name"]): o
        for o in objs
        if o
    }


def run_both(
    oracle: Any, tmp_path: Path, kustomization: str, files: dict[str, str] | None = None
) -> None:
    """Build with kubectl and with apply_replacements on the same objects; compare."""
    kustomization = textwrap.dedent(kustomization)
    (tmp_path / "x.yaml").write_text(RESOURCES)
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    (tmp_path / "kustomization.yaml").write_text("resources:\n- x.yaml\n" + kustomization)
    result = oracle.build(tmp_path)
    objs = [o for o in yaml.safe_load_all(RESOURCES) if o]
    resmap = ResMap([Resource.from_obj(o, Origin("x.yaml")) for o in objs])
    config = yaml.safe_load(kustomization)

    def apply() -> None:
        if config.get("namePrefix"):
            apply_name_affix(resmap, config["namePrefix"], "")
        apply_replacements(
            resmap,
            config["replacements"],
            SourceLocation(str(tmp_path / "kustomization.yaml")),
            root=tmp_path,
        )
        # a value that does not fit its node's tag fails only when printed, as in kubectl
        for res in resmap:
            check_encodable(res)

    if result.rc == 0:
        apply()
        assert _by_id(resmap.objects()) == _by_id(yaml.safe_load_all(result.stdout))
        return
    with pytest.raises((TransformerError, LoadError, ResourceError)) as info:
        apply()
    expected = result.stderr[result.stderr.index("error: ") + 7 :].strip()
    got = info.value.kustomize_message or ""
    if expected.startswith("trouble configuring"):  # echoes the config YAML: compare the ends
        assert (
            got.startswith("trouble configuring")
            and got.split("`: ")[-1] == expected.split("`: ")[-1]
        )
    else:
        assert got == expected


RESOURCES = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  labels: {role: src}
  annotations: {a.b/c: ann}
data: {host: db.example.com, port: "5432", text: abc, flag: "true", list: "x,y,z"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg2, namespace: other}
data: {host: other}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 1
  paused: false
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: registry/app:1.0
        args: ["--a", "--b"]
        env:
        - {name: DB_HOST, value: placeholder}
        - {name: DB_PORT, value: "0"}
        - {name: DB_X, value: null}
      - name: myapp2
        image: other:1
        env: [{name: DB_HOST, value: p2}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, labels: {app: api}}
spec:
  template:
    spec:
      containers: [{name: app, image: x}]
"""


def _rep(source: str, targets: str) -> str:
    body = textwrap.indent(textwrap.dedent(targets), "  ")
    return f"replacements:\n- source: {source}\n  targets:\n{body}"


ORACLE_ROWS = [
    pytest.param(
        """
        namePrefix: ov-
        replacements:
        - source: {kind: ConfigMap, name: cfg, fieldPath: data.host}
          targets:
          - select: {kind: Deployment, name: web}
            fieldPaths:
            - spec.template.spec.containers.[name=app].env.[name=DB_HOST].value
            - spec.template.spec.containers.0.image
            options: {delimiter: /, index: 0}
        - source: {kind: ConfigMap, name: cfg}
          targets:
          - select: {name: web}
            fieldPaths: [metadata.annotations.cfg-name]
            options: {create: true}
        """,
        id="case35-prefix-and-previous-names",
    ),
    pytest.param(
        _rep(
            "{kind: ConfigMap, name: cfg, fieldPath: data.host}",
            """\
            - select: {kind: Deployment, name: web}
              fieldPaths:
              - spec.template.spec.containers.[name=app].env.[name=DB_HOST].value
              - spec.template.spec.containers.*.image
              - spec.template.spec.containers.[name=app].args.[=--b]
              - metadata.annotations.[x.y/z]
              - metadata.labels.a\\.b
              options: {create: true}
            """,
        ),
        id="regex-wildcard-primitive-bracket-escaped",
    ),
    pytest.param(
        _rep(
            "{kind: ConfigMap, name: cfg, fieldPath: 'metadata.annotations.[a.b/c]'}",
            """\
            - select: {kind: Deployment}
              reject: [{name: api}]
              fieldPaths:
              - spec.template.spec.containers.[name=new].image
              - spec.template.spec.containers.[name=app].args.[=--c]
              - spec.template.spec.volumes.0.name
              - spec.x.0.y
              options: {create: true}
            """,
        ),
        id="create-elements-and-lists",
    ),
    pytest.param(
        _rep(
            "{kind: ConfigMap, name: cfg, fieldPath: data}",
            """\
            - select: {name: web}
              fieldPaths: [spec.template.metadata.labels, spec.newmap]
              options: {create: true}
            """,
        ),
        id="map-source",
    ),
    pytest.param(
        _rep(
            "{kind: ConfigMap, name: cfg2, fieldPath: data.host}",
            """\
            - select: {name: web}
              fieldPaths: [spec.template.spec.containers.0.image]
              options: {delimiter: ":", index: -1}
            - select: {name: web}
              fieldPaths: [spec.template.spec.containers.0.args.0]
              options: {delimiter: "-", index: 7}
            """,
        ),
        id="target-delimiter-prefix-suffix",
    ),
    pytest.param(
        _rep(
            "{kind: ConfigMap, name: cfg, fieldPath: data.list, "
            "options: {delimiter: ',', index: 2}}",
            "- select: {name: web}\n  fieldPaths: [spec.template.spec.containers.1.image]\n",
        ),
        id="source-delimiter",
    ),
    pytest.param(
        _rep(
            "{kind: ConfigMap, name: cfg, fieldPath: data.flag}",
            "- select: {name: web}\n"
            "  fieldPaths: [spec.paused, spec.template.spec.containers.1.image]\n",
        ),
        id="bool-target-keeps-type",
    ),
    pytest.param(
        _rep(
            "{kind: ConfigMap, name: cfg, fieldPath: data.port}",
            """\
            - select: {name: web}
              fieldPaths:
              - spec.replicas
              - spec.newport
              - metadata.labels.newl
              - metadata.annotations.newa
              options: {create: true}
            """,
        ),
        id="int-target-and-created-types",
    ),
    pytest.param(
        _rep(
            "{kind: Deployment, name: web, fieldPath: spec.replicas}",
            """\
            - select: {name: web}
              fieldPaths: [spec.newrep, metadata.labels.app]
              options: {create: true}
            """,
        ),
        id="int-source",
    ),
    pytest.param(
        _rep(
            "{kind: ConfigMap, name: cfg, fieldPath: data.host}",
            """\
            - select: {labelSelector: "app in (web,api)"}
              reject: [{labelSelector: app=api}]
              fieldPaths: [spec.template.spec.containers.0.image]
            """,
        ),
        id="label-selector-and-reject",
    ),
    pytest.param(
        _rep(
            "{kind: ConfigMap, name: cfg, fieldPath: data.host}",
            """\
            - select: {labelSelector: "app in (web,api)"}
              reject: [{kind: Deployment, labelSelector: app=api}]
              fieldPaths: [spec.template.spec.containers.0.image]
            """,
        ),
        id="reject-id-and-labels-independent",
    ),
    pytest.param(
        _rep(
            "{kind: ConfigMap, name: cfg2, namespace: other, fieldPath: data.host}",
            "- select: {name: nothere}\n",
        ),
        id="no-target-is-fine",
    ),
    pytest.param(
        _rep("{kind: ConfigMap, name: cfg2, fieldPath: data.host}", "- select: {name: web}\n"),
        id="source-selector-without-namespace-matches-any",
    ),
    pytest.param(
        _rep(
            "{kind: ConfigMap, name: cfg, namespace: default, fieldPath: data.host}",
            "- select: {name: web, namespace: default}\n"
            "  fieldPaths: [spec.template.spec.containers.0.image]\n",
        ),
        id="default-namespace-matches-unset",
    ),
    pytest.param(
        _rep("{kind: ConfigMap, name: cfg2, namespace: default}", "- select: {name: web}\n"),
        id="error-namespace-must-match",
    ),
    pytest.param(
        _rep("{kind: ConfigMap, name: nothere}", "- select: {kind: Deployment}\n"),
        id="error-nothing-selected",
    ),
    pytest.param(
        _rep(
            "{kind: ConfigMap, name: cfg, fieldPath: data.host}",
            "- select: {name: 'w.*'}\n  fieldPaths: [spec.template.spec.containers.0.image]\n",
        ),
        id="select-is-not-a-regex",
    ),
    pytest.param(
        _rep("{kind: ConfigMap, name: 'cf.*'}", "- select: {kind: Deployment}\n"),
        id="error-source-is-not-a-regex",
    ),
    pytest.param(
        _rep("{kind: ConfigMap}", "- select: {kind: Deployment}\n"), id="error-multiple-matches"
    ),
    pytest.param(
        _rep(
            "{kind: ConfigMap, fieldPath: data.host, options: {delimiter: '.', index: 1}}",
            "- select: {kind: Deployment}\n",
        ),
        id="error-multiple-matches-options",
    ),
    pytest.param(
        _rep("{kind: ConfigMap, name: cfg, fieldPath: data.nothere}", "- select: {name: web}\n"),
        id="error-missing-source-field",
    ),
    pytest.param(
        _rep(
            "{kind: ConfigMap, name: cfg, fieldPath: data.host, "
            "options: {delimiter: '.', index: 5}}",
            "- select: {name: web}\n",
        ),
        id="error-index-out-of-bounds",
    ),
    pytest.param(
        _rep(
            "{kind: ConfigMap, name: cfg, fieldPath: data.host}",
            "- select: {name: web}\n  fieldPaths: [spec.template.spec.nothere.value]\n",
        ),
        id="error-missing-target",
    ),
    pytest.param(
        _rep(
            "{kind: ConfigMap, name: cfg, fieldPath: data.host}",
            "- select: {name: web}\n  fieldPaths: [spec.x.3.y]\n  options: {create: true}\n",
        ),
        id="error-create-index",
    ),
    pytest.param(
        _rep("{kind: ConfigMap, name: cfg, fieldPath: data.host}", "- fieldPaths: [a]\n"),
        id="error-no-select",
    ),
    pytest.param("replacements:\n- source: {kind: ConfigMap, name: cfg}\n", id="error-no-targets"),
    pytest.param(
        _rep(
            "{kind: ConfigMap, name: cfg, fieldPath: data.text}",
            "- select: {name: web}\n  fieldPaths: [spec.replicas]\n",
        ),
        id="error-cannot-decode-int",
    ),
    pytest.param(
        _rep(
            "{kind: ConfigMap, name: cfg, fieldPath: data.port}",
            "- select: {name: web}\n  fieldPaths: [spec.paused]\n",
        ),
        id="error-cannot-decode-bool",
    ),
    pytest.param(
        _rep(
            "{kind: ConfigMap, name: cfg, fieldPath: data}",
            "- select: {name: web}\n  fieldPaths: [spec.template.metadata.labels]\n"
            "  options: {delimiter: '-'}\n",
        ),
        id="error-delimiter-on-map",
    ),
]


@pytest.mark.oracle
@pytest.mark.parametrize("kustomization", ORACLE_ROWS)
def test_replacements_match_oracle(oracle: Any, tmp_path: Path, kustomization: str) -> None:
    run_both(oracle, tmp_path, kustomization)


PATH_FILES = {
    "one.yaml": """\
        source: {kind: ConfigMap, name: cfg, fieldPath: data.host}
        targets:
        - select: {name: web}
          fieldPaths: [metadata.annotations.h]
          options: {create: yes}
        """,
    "list.yaml": """\
        - source: {kind: ConfigMap, name: cfg, fieldPath: data.port}
          targets:
          - select: {name: api}
            fieldPaths: [metadata.annotations.p]
            options: {create: true}
        """,
    "scalar.yaml": '"str"\n',
}


@pytest.mark.oracle
@pytest.mark.parametrize(
    "kustomization",
    [
        pytest.param("replacements:\n- path: one.yaml\n- path: list.yaml\n", id="files"),
        pytest.param(
            "replacements:\n- path: one.yaml\n  source: {kind: ConfigMap}\n",
            id="error-path-and-inline",
        ),
        pytest.param("replacements:\n- path: scalar.yaml\n", id="error-scalar-file"),
        pytest.param("replacements:\n- path: nothere.yaml\n", id="error-missing-file"),
    ],
)
def test_replacement_files_match_oracle(oracle: Any, tmp_path: Path, kustomization: str) -> None:
    run_both(oracle, tmp_path, kustomization, PATH_FILES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("5432", ("!!int", 5432), id="int"),
        pytest.param("0755", ("!!int", 493), id="legacy-octal"),
        pytest.param("0x1F", ("!!int", 31), id="hex"),
        pytest.param("1.5", ("!!float", 1.5), id="float"),
        pytest.param("true", ("!!bool", True), id="bool"),
        pytest.param("yes", ("!!str", "yes"), id="yes-is-string"),
        pytest.param("", ("!!null", None), id="empty-is-null"),
        pytest.param("db.example.com", ("!!str", "db.example.com"), id="str"),
    ],
)
def test_resolve_plain(text: str, expected: tuple[str, Any]) -> None:
    assert resolve_plain(text) == expected


def test_error_carries_entry_and_location() -> None:
    resmap = ResMap(
        [Resource.from_obj(o, Origin("x.yaml")) for o in yaml.safe_load_all(RESOURCES) if o]
    )
    with pytest.raises(TransformerError) as info:
        apply_replacements(
            resmap,
            [{"source": {"kind": "ConfigMap"}, "targets": [{"select": {"name": "web"}}]}],
            SourceLocation("overlay/kustomization.yaml", 7),
        )
    err = info.value
    assert err.entry == "replacements[0]"
    assert str(err.location) == "overlay/kustomization.yaml:7"
    assert "Source" not in err.message and "ConfigMap.v1.[noGrp]/cfg.[noNs]" in err.message
