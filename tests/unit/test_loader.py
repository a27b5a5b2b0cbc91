"""Loading resources: files vs directories, Lists, required fields, caching, Go texts."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from envlib.errors import EnvlibError, ResourceError
from envlib.kustomize import build
from envlib.kustomize.core.resource import Origin, Resource
from envlib.kustomize.load.resource_entries import (
    check_cycle,
    check_json_compatible,
    go_dump,
    go_quote,
    is_remote,
    resources_from_file,
)

WriteTree = Callable[..., Path]


@pytest.mark.parametrize(
    ("entry", "remote"),
    [
        pytest.param("https://example.com/a.yaml", True, id="https"),
        pytest.param("http://example.com/a.yaml", True, id="http"),
        pytest.param("github.com/org/repo/deploy?ref=v1.0", True, id="github"),
        pytest.param("git@github.com:org/repo.git//x", True, id="ssh"),
        pytest.param("ssh://git@host/repo.git", True, id="ssh-url"),
        pytest.param("../base?ref=main", False, id="ref-query-is-local"),
        pytest.param("../base", False, id="relative-dir"),
        pytest.param("deploy.yaml", False, id="file"),
        pytest.param("github.yaml", False, id="file-named-github"),
    ],
)
def test_remote_detection(entry: str, remote: bool) -> None:
    assert is_remote(entry) is remote


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        pytest.param("plain", '"plain"', id="plain"),
        pytest.param('a "b"\n', '"a \\"b\\"\\n"', id="escapes"),
        pytest.param("tab\there", '"tab\\there"', id="tab"),
    ],
)
def test_go_quote(text: str, quoted: str) -> None:
    assert go_quote(text) == quoted


def test_go_dump_matches_kustomize_crash_text() -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {9000: "x"}}
    assert go_dump(obj) == (
        'map[string]interface {}{"apiVersion":"v1", "data":map[interface {}]interface {}'
        '{9000:"x"}, "kind":"ConfigMap", "metadata":map[string]interface {}{"name":"a"}}'
    )


@pytest.mark.parametrize(
    ("annotations", "crashes"),
    [
        pytest.param({"8080": "x"}, True, id="numeric"),
        pytest.param({"true": "x"}, True, id="bool"),
        pytest.param({"1.5": "x"}, True, id="float"),
        pytest.param({"null": "x"}, True, id="null"),
        pytest.param({"yes": "x", "a.b/c": "1"}, False, id="yaml11-only-words"),
    ],
)
def test_annotation_keys_that_crash_kustomize(annotations: dict[str, str], crashes: bool) -> None:
    res = Resource.from_obj(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "a", "annotations": annotations},
        },
        Origin("a.yaml", 0, 1),
    )
    if crashes:
        with pytest.raises(ResourceError) as info:
            check_json_compatible(res)
        assert (info.value.kustomize_message or "").endswith(
            "json: unsupported type: map[interface {}]interface {}"
        )
    else:
        check_json_compatible(res)


@pytest.mark.parametrize(
    ("candidate", "stack", "cycle"),
    [
        pytest.param("/r/a", ["/r/a"], True, id="same"),
        pytest.param("/r", ["/r/a/b"], True, id="ancestor"),
        pytest.param("/r/a/b", ["/r/a"], False, id="child"),
        pytest.param("/r/ab", ["/r/a"], False, id="prefix-not-ancestor"),
    ],
)
def test_cycle_rule(candidate: str, stack: list[str], cycle: bool) -> None:
    assert (check_cycle(candidate, stack) is not None) is cycle


def test_lists_and_lines(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "r.yaml": "# comment\n---\napiVersion: v1\nkind: List\nitems:\n"
            "- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n"
            "- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n"
            "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n"
        }
    )
    resources = resources_from_file(root / "r.yaml")
    assert [r.name for r in resources] == ["a", "b", "s"]
    assert [r.origin.line for r in resources] == [3, 3, 9]
    assert resources[2].origin.doc_index == 1


def test_parse_cache_returns_private_copies(write_tree: WriteTree) -> None:
    root = write_tree({"r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"})
    first = resources_from_file(root / "r.yaml")
    first[0].obj["metadata"]["name"] = "changed"
    assert resources_from_file(root / "r.yaml")[0].name == "a"
    (root / "r.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n")
    os.utime(root / "r.yaml", ns=(1, 1))
    assert resources_from_file(root / "r.yaml")[0].name == "b"


@pytest.mark.parametrize(
    ("doc", "kustomize_text"),
    [
        pytest.param(
            "apiVersion: v1\nmetadata:\n  name: c\n",
            "missing kind in object {{v1 } {{c } map[] map[]}}",
            id="no-kind",
        ),
        pytest.param(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: b}\n",
            "missing metadata.name in object {{v1 ConfigMap} {{ } map[a:b] map[]}}",
            id="no-name",
        ),
        pytest.param("- a\n- b\n", "missing Resource metadata", id="top-level-list"),
    ],
)
def test_invalid_documents(write_tree: WriteTree, doc: str, kustomize_text: str) -> None:
    root: Path = write_tree({"o/kustomization.yaml": "resources:\n- r.yaml\n", "o/r.yaml": doc})
    with pytest.raises(EnvlibError) as info:
        build(root / "o")
    exc = info.value
    assert f"accumulating resources from 'r.yaml': {kustomize_text}" in (
        exc.kustomize_message or ""
    )
    assert exc.location is not None and exc.location.path.endswith("r.yaml")
    assert exc.entry == "resources[0]"
