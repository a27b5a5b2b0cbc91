"""Classifying patch texts as strategic merge or JSON6902 (spec §6.1), with the oracle."""

# ruff: noqa: E501 - table rows (one case per line) read better unwrapped

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from envlib.errors import PatchError
from envlib.kustomize.patches import parse_patch

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"

ROWS = [
    # (id, text, outcome) outcome: strategic-merge | json6902 | neither | both | error
    ("smp", CM + "data:\n  k: v\n", "strategic-merge"),
    ("smp-no-apiversion", "kind: ConfigMap\nmetadata:\n  name: c\ndata: {k: v}\n", "strategic-merge"),
    ("smp-no-name", "apiVersion: v1\nkind: ConfigMap\ndata: {k: v}\n", "neither"),
    ("smp-no-kind", "metadata:\n  name: c\ndata: {k: v}\n", "neither"),
    ("spec-only", "spec:\n  replicas: 2\n", "neither"),
    ("json-text", '[{"op": "add", "path": "/data/x", "value": "1"}]', "json6902"),
    ("yaml-ops", "- op: add\n  path: /data/x\n  value: '1'\n", "json6902"),
    ("flow-yaml-ops", "- {op: add, path: /data/x, value: '1'}", "json6902"),
    ("empty-list", "[]", "both"),
    ("comment-only", "# nothing here\n", "both"),
    ("empty-map", "{}", "error"),
    ("json-like-yaml-in-brackets", "[{op: add, path: /data/x, value: '1'}]", "neither"),
    ("list-of-scalars", "- a\n- b\n", "neither"),
    ("scalar", "hello", "neither"),
    ("malformed-yaml", "a: [b\n", "neither"),
    ("leading-whitespace-json", '\n\n  [{"op": "add", "path": "/data/x", "value": "1"}]', "json6902"),
    ("smp-list-kind", "apiVersion: v1\nkind: ConfigMapList\nitems:\n- " + CM.replace("\n", "\n  ").rstrip() + "\n", "strategic-merge"),
]  # fmt: skip


def outcome(text: str) -> str:
    try:
        return parse_patch(text, "patch.yaml").kind
    except PatchError as exc:
        message = exc.kustomize_message or ""
        if "illegally qualifies" in message:
            return "both"
        return "neither" if "unable to parse" in message else "error"


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, o, id=i) for i, t, o in ROWS])
def test_classification(text: str, expected: str) -> None:
    assert outcome(text) == expected


def test_error_texts_name_source() -> None:
    with pytest.raises(PatchError) as info:
        parse_patch("spec: {}", "k.yaml:3", source='[patch: "spec: {}"]')
    assert (
        info.value.kustomize_message == 'unable to parse SM or JSON patch from [patch: "spec: {}"]'
    )
    with pytest.raises(PatchError) as info:
        parse_patch("[]", "p.yaml")
    assert info.value.kustomize_message == (
        'illegally qualifies as both an SM and JSON patch: [path: "p.yaml"]'
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("- {op: add, path: /x, value: y}", True, id="yaml11-y-is-true"),
        pytest.param("- {op: add, path: /x, value: 'on'}", "on", id="quoted-stays-string"),
        pytest.param("- {op: add, path: /x, value: 0755}", 493, id="yaml11-octal"),
    ],
)
def test_json_ops_use_yaml11_typing(text: str, expected: Any) -> None:
    ops = parse_patch(text, "p").ops
    assert ops is not None and ops[0]["value"] == expected


def test_smp_uses_yaml12_typing_and_keeps_documents() -> None:
    parsed = parse_patch(CM + "data: {a: y, b: yes}\n---\n" + CM.replace("name: c", "name: d"), "p")
    assert parsed.kind == "strategic-merge" and parsed.ops is None
    assert [d["metadata"]["name"] for d in parsed.documents] == ["c", "d"]
    assert parsed.documents[0]["data"] == {"a": "y", "b": "yes"}
    assert parsed.lines == [1, 7]


@pytest.mark.oracle
@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, o, id=i) for i, t, o in ROWS])
def test_classification_matches_kubectl(
    oracle: Any, tmp_path: Path, text: str, expected: str
) -> None:
    (tmp_path / "cm.yaml").write_text(CM + "data:\n  k: v\n")
    entry = {"target": {"kind": "ConfigMap"}, "patch": text}
    (tmp_path / "kustomization.yaml").write_text(
        yaml.safe_dump({"resources": ["cm.yaml"], "patches": [entry]})
    )
    result = oracle.build(tmp_path)
    if "illegally qualifies" in result.stderr:
        kubectl = "both"
    elif "unable to parse SM or JSON patch" in result.stderr:
        kubectl = "neither"
    else:
        kubectl = "parsed" if result.rc == 0 else "error"
    mine = outcome(text)
    assert (mine if mine in ("both", "neither", "error") else "parsed") == kubectl


def test_file_text_keeps_final_newline_of_block_scalar() -> None:
    # kustomize trims inline ``patch:`` texts (the caller does that) but not patch files
    parsed = parse_patch(CM + "data:\n  script: |\n    echo hi\n", "script.yaml")
    assert parsed.documents[0]["data"]["script"] == "echo hi\n"
