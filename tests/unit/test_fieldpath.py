"""Field-path walking: kustomize field specs (slash paths) and replacement (dotted) paths."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from envlib.kustomize.transformers.fieldpath import (
    CREATED,
    FieldPathError,
    Slot,
    lookup_path,
    match_path,
    split_dotted_path,
    split_path,
    walk_field_spec,
)
from envlib.kustomize.transformers.fieldspecs import (
    COMMON_LABEL_SPECS,
    FieldSpec,
    merge_field_specs,
)


@pytest.mark.parametrize(
    ("path", "delimiter", "expected"),
    [
        pytest.param("spec/template/metadata", "/", ["spec", "template", "metadata"], id="plain"),
        pytest.param("/spec/selector", "/", ["spec", "selector"], id="leading-slash"),
        pytest.param(
            "metadata/annotations/a.io\\/b",
            "/",
            ["metadata", "annotations", "a.io/b"],
            id="escaped",
        ),
        pytest.param("a.b\\.c.d", ".", ["a", "b.c", "d"], id="escaped-dot"),
    ],
)
def test_split_path(path: str, delimiter: str, expected: list[str]) -> None:
    assert split_path(path, delimiter) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param(
            "spec.template.spec.containers.[name=app].image",
            ["spec", "template", "spec", "containers", "[name=app]", "image"],
            id="selector",
        ),
        pytest.param(
            "spec.containers.[name=com.foo.app].image",
            ["spec", "containers", "[name=com.foo.app]", "image"],
            id="selector-with-dots",
        ),
        pytest.param(
            "metadata.annotations.[a.b/c]", ["metadata", "annotations", "a.b/c"], id="bracket-key"
        ),
        pytest.param("spec.containers.0.image", ["spec", "containers", "0", "image"], id="index"),
    ],
)
def test_split_dotted_path(path: str, expected: list[str]) -> None:
    assert split_dotted_path(path) == expected


def _set_x(slot: Slot) -> None:
    if isinstance(slot.value, dict):
        slot.value["x"] = "1"


WALK_CASES = [
    pytest.param(
        {"metadata": {"name": "a"}},
        FieldSpec("metadata/labels", create=True),
        {"metadata": {"name": "a", "labels": {"x": "1"}}},
        id="create-leaf",
    ),
    pytest.param(
        {"metadata": {"name": "a"}},
        FieldSpec("spec/selector/matchLabels", create=True),
        {"metadata": {"name": "a"}, "spec": {"selector": {"matchLabels": {"x": "1"}}}},
        id="create-intermediate",
    ),
    pytest.param(
        {"spec": {}},
        FieldSpec("spec/podSelector/matchLabels"),
        {"spec": {}},
        id="no-create-missing",
    ),
    pytest.param(
        {"spec": {"podSelector": {"matchLabels": None}}},
        FieldSpec("spec/podSelector/matchLabels"),
        {"spec": {"podSelector": {"matchLabels": None}}},
        id="no-create-null-stays",
    ),
    pytest.param(
        {"spec": {"template": None}},
        FieldSpec("spec/template/metadata/labels", create=True),
        {"spec": {"template": {"metadata": {"labels": {"x": "1"}}}}},
        id="create-replaces-null",
    ),
    pytest.param(
        {"spec": {"volumeClaimTemplates": None}},
        FieldSpec("spec/volumeClaimTemplates[]/metadata/labels", create=True),
        {"spec": {"volumeClaimTemplates": []}},
        id="null-list-becomes-empty-list",
    ),
    pytest.param(
        {"spec": {"ingress": [{"from": [{"podSelector": {"matchLabels": {}}}, {"ipBlock": {}}]}]}},
        FieldSpec("spec/ingress/from/podSelector/matchLabels"),
        {
            "spec": {
                "ingress": [
                    {"from": [{"podSelector": {"matchLabels": {"x": "1"}}}, {"ipBlock": {}}]}
                ]
            }
        },
        id="lists-walked-without-brackets",
    ),
]


@pytest.mark.parametrize(("obj", "spec", "expected"), WALK_CASES)
def test_walk_field_spec(obj: dict[str, Any], spec: FieldSpec, expected: dict[str, Any]) -> None:
    walk_field_spec(obj, spec, _set_x, create_map=True)
    assert obj == expected


@pytest.mark.parametrize(
    ("obj", "path", "message"),
    [
        pytest.param(
            {"spec": 5}, "spec/template/metadata", "expected sequence or mapping node", id="scalar"
        ),
        pytest.param(
            {"spec": {"template": [{"metadata": {}}, 7]}},
            "spec/template/metadata",
            "visit traversal on path: [metadata]: expected sequence or mapping node",
            id="scalar-in-list",
        ),
        pytest.param(
            {"spec": {}}, "spec//x", "cannot set or create an empty field name", id="empty"
        ),
    ],
)
def test_walk_field_spec_errors(obj: dict[str, Any], path: str, message: str) -> None:
    with pytest.raises(FieldPathError) as info:
        walk_field_spec(obj, FieldSpec(path, create=True), _set_x, create_map=True)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("spec", "api_version", "kind", "expected"),
    [
        pytest.param(FieldSpec("p", kind="Service", version="v1"), "v1", "Service", True, id="svc"),
        pytest.param(
            FieldSpec("p", kind="Service", version="v1"),
            "serving.knative.dev/v1",
            "Service",
            True,
            id="any-group-same-version",
        ),
        pytest.param(
            FieldSpec("p", kind="StatefulSet", group="apps"),
            "v1",
            "StatefulSet",
            False,
            id="core-sts",
        ),
        pytest.param(FieldSpec("p"), "example.com/v1", "Foo", True, id="kindless"),
    ],
)
def test_field_spec_matches(spec: FieldSpec, api_version: str, kind: str, expected: bool) -> None:
    assert spec.matches(api_version, kind) is expected


def test_merge_field_specs_drops_repeats() -> None:
    merged = merge_field_specs([FieldSpec("metadata/labels", create=True)], COMMON_LABEL_SPECS)
    assert len(merged) == len(COMMON_LABEL_SPECS)
    assert merged[0] == FieldSpec("metadata/labels", create=True)


DEPLOY = {
    "spec": {
        "replicas": 1,
        "template": {
            "spec": {
                "containers": [
                    {"name": "app", "image": "a", "args": ["--a", "--b"]},
                    {"name": "myapp2", "image": "b"},
                ]
            }
        },
    }
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param("spec.replicas", 1, id="field"),
        pytest.param("spec.template.spec.containers.1.image", "b", id="index"),
        pytest.param("spec.template.spec.containers.-.name", "myapp2", id="last"),
        pytest.param("spec.template.spec.containers.[name=app].image", "a", id="exact-select"),
        pytest.param("spec.template.spec.containers.[name=ap].image", None, id="select-not-regex"),
        pytest.param("spec.template.spec.containers.[name=app].args.[=--b]", "--b", id="primitive"),
        pytest.param("spec.template.spec.containers.5.image", None, id="index-past-end"),
        pytest.param("spec.nothere.x", None, id="missing"),
    ],
)
def test_lookup_path(path: str, expected: Any) -> None:
    slot = lookup_path(DEPLOY, split_dotted_path(path))
    assert (None if slot is None else slot.value) == expected


def test_lookup_path_rejects_wildcard() -> None:
    with pytest.raises(FieldPathError, match="wildcard is not supported"):
        lookup_path(DEPLOY, ["spec", "*"])


@pytest.mark.parametrize(
    ("path", "create", "values", "after"),
    [
        pytest.param(
            "spec.template.spec.containers.[name=app].image",
            None,
            ["a", "b"],
            None,
            id="select-is-unanchored-regex",
        ),
        pytest.param(
            "spec.template.spec.containers.*.name", None, ["app", "myapp2"], None, id="wildcard"
        ),
        pytest.param("spec.nothere", None, [], None, id="missing-no-create"),
        pytest.param(
            "spec.x.0.y",
            "scalar",
            [CREATED],
            {"x": [{"y": CREATED}]},
            id="create-list-and-map",
        ),
        pytest.param(
            "spec.template.spec.containers.[name=new].image",
            "scalar",
            [CREATED],
            {"name": "new", "image": CREATED},
            id="create-element",
        ),
    ],
)
def test_match_path(path: str, create: Any, values: list[Any], after: Any) -> None:
    obj = copy.deepcopy(DEPLOY)
    slots = match_path(obj, split_dotted_path(path), create)
    assert [s.value for s in slots] == values
    if path.startswith("spec.x"):
        assert obj["spec"]["x"] == after["x"]
    elif after is not None:
        assert obj["spec"]["template"]["spec"]["containers"][-1] == after


def test_match_path_index_error() -> None:
    with pytest.raises(FieldPathError, match="index 3 specified but only 0 elements found"):
        match_path({"spec": {}}, split_dotted_path("spec.x.3.y"), "scalar")
