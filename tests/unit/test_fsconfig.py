"""``configurations:``, ``crds:``, builtin plugin field specs and ``openapi:``.

Unit rows pin kustomize's merge rules (``FsSlice.MergeAll``); the differential rows build
small trees with envlib and kubectl and compare stdout or the error text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from envlib.errors import EnvlibError
from envlib.kustomize.config.transformer_config import (
    DEFAULT_CONFIG,
    ConfigError,
    merge_specs,
    parse_config,
)
from envlib.kustomize.pipeline.build import build
from envlib.kustomize.transformers.fieldspecs import FieldSpec

MERGE_ROWS = [
    # (current, incoming, merged paths or error)
    ([FieldSpec("a", kind="X")], [FieldSpec("a", kind="X")], ["X:a"]),
    ([FieldSpec("a", kind="X")], [FieldSpec("a", kind="Y")], ["X:a", "Y:a"]),
    # an incoming kind-less spec *selects* the existing kind-specific one: a duplicate
    ([FieldSpec("a", kind="X")], [FieldSpec("a")], ["X:a"]),
    # ... but not the other way round
    ([FieldSpec("a")], [FieldSpec("a", kind="X")], [":a", "X:a"]),
    ([FieldSpec("a", create=True)], [FieldSpec("a")], "conflicting fieldspecs"),
]


@pytest.mark.parametrize(
    ("current", "incoming", "expected"), MERGE_ROWS, ids=[str(i) for i in range(len(MERGE_ROWS))]
)
def test_merge_specs(current: list[FieldSpec], incoming: list[FieldSpec], expected: Any) -> None:
    if isinstance(expected, str):
        with pytest.raises(ConfigError, match=expected):
            merge_specs(current, incoming)
    else:
        assert [f"{s.kind}:{s.path}" for s in merge_specs(current, incoming)] == expected


PARSE_ERRORS = [
    ({"foo": []}, 'error unmarshaling JSON: while decoding JSON: json: unknown field "foo"'),
    (
        {"namePrefix": "x"},
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go "
        "struct field TransformerConfig.namePrefix of type types.FsSlice",
    ),
    (
        {"images": [{"path": "a", "bogus": 1}]},
        'error unmarshaling JSON: while decoding JSON: json: unknown field "bogus"',
    ),
]


@pytest.mark.parametrize(("doc", "text"), PARSE_ERRORS, ids=["unknown", "not-a-list", "spec-key"])
def test_parse_errors(doc: dict[str, Any], text: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(doc)
    assert str(info.value) == text


def test_configurations_extend_the_defaults() -> None:
    config = DEFAULT_CONFIG.merge(
        parse_config(
            {
                "namespace": [{"kind": "Foo", "path": "spec/ns", "create": True}],
                "nameReference": [
                    {"kind": "Secret", "version": "v1", "fieldSpecs": [{"path": "spec/s"}]}
                ],
                "varReference": [{"kind": "Foo", "path": "spec/v"}],
            }
        )
    )
    assert FieldSpec("spec/ns", kind="Foo", create=True) in config.namespace
    assert set(DEFAULT_CONFIG.namespace) <= set(config.namespace)
    secret = [r for r in config.name_reference if r.target.kind == "Secret"]
    assert len(secret) == 1 and any(f.path == "spec/s" for f in secret[0].referrers)
    assert any(f.path == "spec/v" for f in config.var_fields)
    assert len(config.name_reference) == len(DEFAULT_CONFIG.name_reference)


# -- differential -------------------------------------------------------------------------
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"
FOO = (
    "apiVersion: example.com/v1\nkind: Foo\nmetadata:\n  name: f\n"
    "spec:\n  cm: cm\n  image: nginx:1\n  size: 1\n  ns: ''\n"
)
TREES: dict[str, dict[str, str]] = {
    "base-config-applies-in-overlay": {
        "base/kustomization.yaml": "resources: [r.yaml]\nconfigurations: [c.yaml]\n",
        "base/r.yaml": CM + "---\n" + FOO,
        "base/c.yaml": (
            "nameReference:\n- kind: ConfigMap\n  version: v1\n  fieldSpecs:\n"
            "  - {kind: Foo, path: spec/cm}\n"
            "images:\n- {kind: Foo, path: spec/image}\n"
            "replicas:\n- {kind: Foo, path: spec/size}\n"
            "namespace:\n- {kind: Foo, path: spec/ns}\n"
            "commonAnnotations:\n- {kind: Foo, path: spec/notes, create: true}\n"
        ),
        "overlay/kustomization.yaml": (
            "resources: [../base]\nnamePrefix: p-\nnamespace: prod\n"
            "commonAnnotations: {team: ml}\n"
            "images:\n- {name: nginx, newTag: '2'}\nreplicas:\n- {name: f, count: 3}\n"
        ),
    },
    "overlay-config-does-not-reach-base": {
        "base/kustomization.yaml": "resources: [r.yaml]\ncommonAnnotations: {a: b}\n",
        "base/r.yaml": FOO,
        "overlay/kustomization.yaml": "resources: [../base]\nconfigurations: [c.yaml]\n",
        "overlay/c.yaml": "commonAnnotations:\n- {kind: Foo, path: spec/notes, create: true}\n",
    },
    "conflicting-fieldspecs": {
        "overlay/kustomization.yaml": (
            "resources: [r.yaml]\nconfigurations: [c.yaml]\ncommonLabels: {a: b}\n"
        ),
        "overlay/r.yaml": CM,
        "overlay/c.yaml": "commonLabels:\n- path: metadata/labels\n",
    },
    "multi-doc-config-first-only": {
        "overlay/kustomization.yaml": (
            "resources: [r.yaml]\nnamePrefix: x-\nconfigurations:\n- c.yaml\n"
        ),
        "overlay/r.yaml": FOO,
        "overlay/c.yaml": (
            "namePrefix:\n- {kind: Foo, path: spec/image}\n---\n"
            "namePrefix:\n- {kind: Foo, path: spec/size}\n"
        ),
    },
    "crds-label-selector-and-refs": {
        "overlay/kustomization.yaml": (
            "resources: [r.yaml]\ncrds: [s.json]\nnamePrefix: x-\ncommonLabels: {env: qa}\n"
        ),
        "overlay/r.yaml": CM + "---\n" + FOO.replace("ns: ''", "sel: {app: f}"),
        "overlay/s.json": (
            '{"a.b.v1.Foo": {"Schema": {"properties": {"apiVersion": {}, "kind": {}, '
            '"metadata": {}, "spec": {"$ref": "a.b.v1.FooSpec"}}}},'
            ' "a.b.v1.FooSpec": {"Schema": {"properties": {'
            '"cm": {"x-kubernetes-object-ref-api-version": "v1", '
            '"x-kubernetes-object-ref-kind": "ConfigMap", '
            '"x-kubernetes-object-ref-name-key": "ignored"}, '
            '"sel": {"x-kubernetes-label-selector": ""}}}}}'
        ),
    },
    "plugin-label-without-fieldspecs": {
        "overlay/kustomization.yaml": "resources: [r.yaml]\ntransformers: [t.yaml]\n",
        "overlay/r.yaml": CM,
        "overlay/t.yaml": (
            "apiVersion: builtin\nkind: LabelTransformer\nmetadata: {name: l}\nlabels: {a: b}\n"
        ),
    },
    "plugin-prefix-without-fieldspecs": {
        "overlay/kustomization.yaml": "resources: [r.yaml]\ntransformers: [t.yaml]\n",
        "overlay/r.yaml": CM,
        "overlay/t.yaml": (
            "apiVersion: builtin\nkind: PrefixSuffixTransformer\nmetadata: {name: ps}\nprefix: p-\n"
        ),
    },
    "plugin-namespace-unset-only": {
        "overlay/kustomization.yaml": "resources: [r.yaml]\ntransformers: [t.yaml]\n",
        "overlay/r.yaml": (
            CM
            + "---\n"
            + CM.replace("cm\n", "cm2\n  namespace: keep\n")
            + "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
            "metadata: {name: rb}\nsubjects:\n- {kind: ServiceAccount, name: sa}\n"
            "- {kind: User, name: default}\n---\n" + FOO
        ),
        "overlay/t.yaml": (
            "apiVersion: builtin\nkind: NamespaceTransformer\n"
            "metadata: {name: n, namespace: new}\nunsetOnly: true\n"
            "setRoleBindingSubjects: allServiceAccounts\n"
            "fieldSpecs:\n- {kind: Foo, path: spec/ns}\n"
        ),
    },
    "plugin-namespace-bad-subject-mode": {
        "overlay/kustomization.yaml": "resources: [r.yaml]\ntransformers: [t.yaml]\n",
        "overlay/r.yaml": CM,
        "overlay/t.yaml": (
            "apiVersion: builtin\nkind: NamespaceTransformer\n"
            "metadata: {name: n, namespace: new}\nsetRoleBindingSubjects: some\n"
        ),
    },
    "plugin-replicas-without-fieldspecs": {
        "overlay/kustomization.yaml": "resources: [r.yaml]\ntransformers: [t.yaml]\n",
        "overlay/r.yaml": FOO,
        "overlay/t.yaml": (
            "apiVersion: builtin\nkind: ReplicaCountTransformer\nmetadata: {name: r}\n"
            "replica: {name: f, count: 2}\n"
        ),
    },
    "plugin-replacement-transformer": {
        "overlay/kustomization.yaml": "resources: [r.yaml]\ntransformers: [t.yaml]\n",
        "overlay/r.yaml": CM + "---\n" + FOO,
        "overlay/t.yaml": (
            "apiVersion: builtin\nkind: ReplacementTransformer\nmetadata: {name: r}\n"
            "replacements:\n- source: {kind: ConfigMap, name: cm}\n"
            "  targets:\n  - select: {kind: Foo}\n    fieldPaths: [spec.cm2]\n"
            "    options: {create: true}\n"
        ),
    },
    "missing-configuration-file": {
        "overlay/kustomization.yaml": "resources: [r.yaml]\nconfigurations: [nope.yaml]\n",
        "overlay/r.yaml": CM,
    },
    "openapi-unknown-version": {
        "overlay/kustomization.yaml": "resources: [r.yaml]\nopenapi: {version: v1.20.0}\n",
        "overlay/r.yaml": CM,
    },
    "openapi-builtin-version": {
        "overlay/kustomization.yaml": "resources: [r.yaml]\nopenapi: {version: v1.21.2}\n",
        "overlay/r.yaml": CM,
    },
}


def _envlib(directory: Path) -> tuple[int, str]:
    try:
        return 0, build(directory, trace=False).to_yaml()
    except EnvlibError as exc:
        return 1, f"error: {exc.kustomize_message or exc.message}"


@pytest.mark.parametrize("name", sorted(TREES))
def test_against_the_oracle(name: str, oracle: Any, write_tree: Any) -> None:
    root = write_tree(TREES[name])
    expected = oracle.build(root / "overlay")
    rc, got = _envlib(root / "overlay")
    assert rc == expected.rc, (got, expected.stderr)
    if rc == 0:
        assert got == expected.stdout.decode()
    else:
        assert got == expected.stderr.strip().splitlines()[-1]
