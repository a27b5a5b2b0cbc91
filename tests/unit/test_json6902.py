"""JSON6902 with evanphx/json-patch v4 semantics: unit tables (spec §6.5) and differential tests."""

# ruff: noqa: E501 - table rows (one case per line) read better unwrapped

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from envlib.errors import PatchError
from envlib.kustomize.patches import apply_json6902

DOC = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "c", "annotations": {"a": "1"}},
    "data": {"k": "v"},
    "list": [1, 2, 3],
}

OK_ROWS = [
    pytest.param({"op": "add", "path": "/data/n", "value": "x"}, ("data", "n"), "x", id="add-key"),
    pytest.param({"op": "add", "path": "/list/-", "value": 4}, ("list",), [1, 2, 3, 4], id="add-dash-appends"),
    pytest.param({"op": "add", "path": "/list/-1", "value": 4}, ("list",), [1, 2, 3, 4], id="add-minus-one-appends"),
    pytest.param({"op": "add", "path": "/list/0", "value": 0}, ("list",), [0, 1, 2, 3], id="add-inserts"),
    pytest.param({"op": "add", "path": "/list/3", "value": 9}, ("list",), [1, 2, 3, 9], id="add-at-len"),
    pytest.param({"op": "add", "path": "/data/n"}, ("data", "n"), None, id="add-without-value-null"),
    pytest.param({"op": "replace", "path": "/data/missing", "value": 1}, ("data", "missing"), 1, id="replace-missing-key-adds"),
    pytest.param({"op": "replace", "path": "/list/-1", "value": 9}, ("list",), [1, 2, 9], id="replace-negative-index"),
    pytest.param({"op": "remove", "path": "/list/0"}, ("list",), [2, 3], id="remove-index"),
    pytest.param({"op": "add", "path": "/metadata/annotations/a~1b~0c", "value": "e"}, ("metadata", "annotations", "a/b~c"), "e", id="pointer-escapes"),
    pytest.param({"op": "add", "path": "/metadata/annotations/x~2y", "value": "e"}, ("metadata", "annotations", "x~2y"), "e", id="bad-escape-literal"),
    pytest.param({"op": "add", "path": "spec/replicas", "value": 2}, ("replicas",), 2, id="no-leading-slash-drops-segment"),
    pytest.param({"op": "copy", "from": "/data", "path": "/copied"}, ("copied",), {"k": "v"}, id="copy"),
    pytest.param({"op": "copy", "from": "/data/none", "path": "/copied"}, ("copied",), None, id="copy-missing-key-null"),
    pytest.param({"op": "move", "from": "/data/k", "path": "/moved"}, ("data",), {}, id="move"),
    pytest.param({"op": "test", "path": "/data/k", "value": "v"}, ("data", "k"), "v", id="test-ok"),
    pytest.param({"op": "test", "path": "/data/none", "value": None}, ("data",), {"k": "v"}, id="test-missing-equals-null"),
    pytest.param({"op": "test", "path": "/list", "value": [1, 2, 3]}, ("list",), [1, 2, 3], id="test-deep"),
]  # fmt: skip


@pytest.mark.parametrize(("op", "where", "expected"), OK_ROWS)
def test_operations(op: dict[str, Any], where: tuple[str, ...], expected: Any) -> None:
    result = apply_json6902(DOC, [op])
    for key in where:
        result = result[key]
    assert result == expected


ERROR_ROWS = [
    pytest.param({"op": "remove", "path": "/data/none"}, "error in remove for path: '/data/none': Unable to remove nonexistent key: none: missing value", id="remove-missing"),
    pytest.param({"op": "add", "path": "/list/5", "value": 1}, "error in add for path: '/list/5': Unable to access invalid index: 5: invalid index referenced", id="add-index-too-big"),
    pytest.param({"op": "add", "path": "/list/abc", "value": 1}, "error in add for path: '/list/abc': value was not a proper array index: 'abc': strconv.Atoi: parsing \"abc\": invalid syntax", id="add-bad-index"),
    pytest.param({"op": "add", "path": "/spec/a/b", "value": 1}, 'add operation does not apply: doc is missing path: "/spec/a/b": missing value', id="add-missing-parent"),
    pytest.param({"op": "replace", "path": "/list/5", "value": 1}, "replace operation does not apply: doc is missing key: /list/5: missing value", id="replace-missing-index"),
    pytest.param({"op": "test", "path": "/data/k", "value": "w"}, "testing value /data/k failed: test failed", id="test-fails"),
    pytest.param({"op": "move", "from": "/nothere", "path": "/x"}, "error in move for path: 'nothere': Unable to remove nonexistent key: nothere: missing value", id="move-missing"),
    pytest.param({"op": "bogus", "path": "/x"}, "Unexpected kind: bogus", id="unknown-op"),
    pytest.param({"op": "add", "value": 1}, "add operation failed to decode path: missing value", id="no-path"),
]  # fmt: skip


@pytest.mark.parametrize(("op", "go_text"), ERROR_ROWS)
def test_errors(op: dict[str, Any], go_text: str) -> None:
    with pytest.raises(PatchError) as info:
        apply_json6902(DOC, [{"op": "test", "path": "/data/k", "value": "v"}, op])
    assert info.value.kustomize_message == go_text
    assert info.value.message.startswith(f"ops[1] {op['op']}")


def test_error_message_names_op_and_path() -> None:
    with pytest.raises(PatchError) as info:
        apply_json6902(DOC, [{"op": "replace", "path": "/spec/mirror/percent", "value": 0}])
    assert info.value.message.startswith("ops[0] replace /spec/mirror/percent: no such path")


def test_input_not_modified_and_big_ints_rounded() -> None:
    doc = {"spec": {"big": 12345678901234567890, "small": 9007199254740992}}
    result = apply_json6902(doc, [{"op": "add", "path": "/spec/x", "value": 1}])
    assert doc == {"spec": {"big": 12345678901234567890, "small": 9007199254740992}}
    assert result["spec"] == {"big": 12345678901234567000, "small": 9007199254740992, "x": 1}


# -- differential tests against kubectl kustomize ---------------------------------------------

INTERNAL = ("previousKinds", "previousNames", "previousNamespaces")


def run_json(obj: dict[str, Any], ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the build does around a JSON6902 patch: internal annotations in, strings out."""
    meta = obj["metadata"]
    had = "annotations" in meta
    meta["annotations"] = {
        **(meta.get("annotations") or {}),
        "internal.config.kubernetes.io/previousKinds": obj["kind"],
        "internal.config.kubernetes.io/previousNames": meta["name"],
        "internal.config.kubernetes.io/previousNamespaces": meta.get("namespace") or "default",
    }
    result = apply_json6902(obj, ops)
    annotations = result.get("metadata", {}).get("annotations")
    if isinstance(annotations, dict):
        for key in INTERNAL:
            annotations.pop(f"internal.config.kubernetes.io/{key}", None)
        for key, value in annotations.items():
            annotations[key] = str(value).lower() if isinstance(value, bool) else str(value)
        if not annotations:
            del result["metadata"]["annotations"]
    del had
    return [result]


BASE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 1
  template:
    spec:
      containers:
      - {name: app, image: nginx, args: [--a, --b]}
      - {name: side, image: busybox}
  big: 12345678901234567890
  edge: 9007199254740993
  flt: 1.5
"""

DIFF_ROWS = [
    ("add-arg", "- {op: add, path: /spec/template/spec/containers/0/args/-, value: --z}"),
    ("add-minus-one", "- {op: add, path: /spec/template/spec/containers/-1, value: {name: n, image: i}}"),
    ("add-index-zero", "- {op: add, path: /spec/template/spec/containers/0, value: {name: n, image: i}}"),
    ("replace-missing-key", "- {op: replace, path: /spec/paused, value: true}"),
    ("replace-replicas", "- {op: replace, path: /spec/replicas, value: 3}"),
    ("yaml11-values", "- {op: add, path: /metadata/labels/x, value: y}\n- {op: add, path: /spec/n, value: n}"),
    ("json-text", '[{"op": "add", "path": "/metadata/labels/j", "value": "yes"}]'),
    ("test-then-replace", "- {op: test, path: /spec/replicas, value: 1}\n- {op: replace, path: /spec/replicas, value: 5}"),
    ("copy-labels", "- {op: copy, from: /metadata/labels, path: /spec/template/metadata}"),
    ("move-container", "- {op: move, from: /spec/template/spec/containers/1, path: /spec/template/spec/containers/0}"),
    ("remove-index", "- {op: remove, path: /spec/template/spec/containers/1}"),
    ("escapes", "- {op: add, path: /metadata/annotations/example.com~1owner, value: a~0b}"),
    ("annotations-exist-internally", "- {op: add, path: /metadata/annotations/new, value: 'true'}"),
    ("annotation-bool-stringified", "- {op: add, path: /metadata/annotations/flag, value: true}"),
    ("no-leading-slash", "- {op: add, path: spec/replicas, value: 7}"),
    ("add-null-value", "- {op: add, path: /spec/nothing}"),
    ("copy-missing", "- {op: copy, from: /spec/none, path: /spec/copied}"),
    ("negative-insert", "- {op: add, path: /spec/template/spec/containers/-2, value: {name: n}}"),
    ("err-remove-missing", "- {op: remove, path: /spec/nonexistent}"),
    ("err-index", "- {op: add, path: /spec/template/spec/containers/5, value: {}}"),
    ("err-bad-index", "- {op: add, path: /spec/template/spec/containers/abc, value: {}}"),
    ("err-missing-parent", "- {op: add, path: /spec/a/b, value: 1}"),
    ("err-replace-index", "- {op: replace, path: /spec/template/spec/containers/5, value: {}}"),
    ("err-test", "- {op: test, path: /spec/replicas, value: 2}"),
    ("err-move-missing", "- {op: move, from: /nothere, path: /spec/x}"),
    ("err-unknown-op", "- {op: bogus, path: /spec/x}"),
    ("err-no-path", "- {op: add, value: 1}"),
    ("err-labels-absent-add", "- {op: add, path: /spec/template/metadata/labels/x, value: '1'}"),
]  # fmt: skip


def oracle_json(oracle: Any, root: Path, ops_text: str) -> tuple[list[dict[str, Any]] | None, str]:
    (root / "base.yaml").write_text(BASE)
    (root / "kustomization.yaml").write_text(
        "resources:\n- base.yaml\npatches:\n- target: {kind: Deployment}\n  patch: |-\n"
        + textwrap.indent(ops_text, "    ")
        + "\n"
    )
    result = oracle.build(root)
    if result.rc != 0:
        return None, result.stderr.strip()
    return [d for d in yaml.safe_load_all(result.stdout) if d is not None], ""


@pytest.mark.oracle
@pytest.mark.parametrize("ops_text", [pytest.param(t, id=i) for i, t in DIFF_ROWS])
def test_json6902_matches_kubectl(oracle: Any, tmp_path: Path, ops_text: str) -> None:
    from envlib.kustomize.patches import parse_patch

    expected, stderr = oracle_json(oracle, tmp_path, ops_text)
    ops = parse_patch(ops_text, "patch").ops
    assert ops is not None
    try:
        got: list[dict[str, Any]] | None = run_json(yaml.safe_load(BASE), ops)
        message = ""
    except PatchError as exc:
        got, message = None, f"error: {exc.kustomize_message}"
    assert got == expected
    assert message == stderr


@pytest.mark.shared
@pytest.mark.parametrize(
    "case", ["11-json6902-ops", "12-json6902-remove-missing-error", "37-json6902-number-precision-and-internal-annotations"]
)  # fmt: skip
def test_shared_json_cases(shared_dir: Path, case: str) -> None:
    from envlib.kustomize.core.resource import Origin, Resource
    from envlib.kustomize.patches import Selector, parse_patch, selector_matches

    root = shared_dir / "kustomize-cases" / case
    objs = []
    for path in sorted((root / "base").glob("*.yaml")):
        if path.name != "kustomization.yaml":
            objs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    kustomization = yaml.safe_load((root / "overlay" / "kustomization.yaml").read_text())
    stderr = ""
    try:
        for entry in kustomization["patches"]:
            text = entry.get("patch") or (root / "overlay" / entry["path"]).read_text()
            ops = parse_patch(text, "inline").ops
            assert ops is not None
            sel = Selector.from_dict(entry["target"])
            for i, obj in enumerate(objs):
                if selector_matches(sel, Resource.from_obj(obj, Origin("x"))):
                    objs[i] = run_json(obj, ops)[0]
    except PatchError as exc:
        stderr, objs = f"error: {exc.kustomize_message}\n", []
    expected = [d for d in yaml.safe_load_all((root / "expected" / "stdout.yaml").read_text()) if d]

    def key(o: dict[str, Any]) -> tuple[str, str]:
        return (o["kind"], o["metadata"]["name"])

    assert sorted(objs, key=key) == sorted(expected, key=key)
    assert stderr == (root / "expected" / "stderr.txt").read_text()
