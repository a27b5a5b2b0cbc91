"""The build trace: field paths, diffs, and the patch-effect report."""

from __future__ import annotations

import pytest

from envlib.kustomize.core.resource import Origin, Resource
from envlib.kustomize.core.trace import (
    BuildTrace,
    Change,
    Step,
    diff_paths,
    format_path,
    parse_path,
    snapshot,
)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        pytest.param(("spec", "replicas"), "spec.replicas", id="plain"),
        pytest.param(("spec", "ports", 0, "port"), "spec.ports[0].port", id="index"),
        pytest.param(
            ("metadata", "labels", "app.kubernetes.io/name"),
            'metadata.labels["app.kubernetes.io/name"]',
            id="dotted-key",
        ),
        pytest.param((), "", id="whole-object"),
    ],
)
def test_path_round_trip(path: tuple[str | int, ...], text: str) -> None:
    assert format_path(path) == text
    assert parse_path(text) == path


@pytest.mark.parametrize(
    ("before", "after", "paths"),
    [
        pytest.param({"a": 1}, {"a": 2}, [("a",)], id="scalar"),
        pytest.param({"a": {"b": 1}}, {"a": {"b": 1, "c": 2}}, [("a", "c")], id="added-key"),
        pytest.param({"a": 1, "b": 2}, {"a": 1}, [("b",)], id="removed-key"),
        pytest.param({"l": [1, 2]}, {"l": [1, 3]}, [("l", 1)], id="list-same-length"),
        pytest.param({"l": [1, 2]}, {"l": [1]}, [("l",)], id="list-length-changed"),
        pytest.param({"a": 1}, {"a": 1}, [], id="unchanged"),
    ],
)
def test_diff_paths(before: object, after: object, paths: list[tuple[str | int, ...]]) -> None:
    assert diff_paths(before, after) == paths


def test_snapshot_is_independent() -> None:
    obj = {"a": [{"b": 1}]}
    copy = snapshot(obj)
    obj["a"][0]["b"] = 2
    assert copy == {"a": [{"b": 1}]}


def _res() -> Resource:
    return Resource.from_obj(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}, Origin("c.yaml")
    )


def test_ineffective_patches_report() -> None:
    res = _res()
    nothing = Step("k#patches[0]", "patch", None, "", matched=0, patch_type="json6902")
    no_change = Step("k#patches[1]", "patch", None, "", matched=1, patch_type="strategic-merge")
    replaced = Step(
        "k#patches[2]",
        "patch",
        None,
        "",
        matched=1,
        patch_type="strategic-merge",
        changes=[Change("c", res.origin, [("spec", "list")], res=res)],
        replaced_lists=[("Thing.v1.x/t.[noNs]", ("spec", "list"))],
    )
    fine = Step(
        "k#patches[3]",
        "patch",
        None,
        "",
        matched=1,
        patch_type="json6902",
        changes=[Change("c", res.origin, [("data",)], res=res)],
    )
    namespace = Step("k#namespace", "namespace", None, "", matched=0)
    trace = BuildTrace([nothing, no_change, replaced, fine, namespace])
    reasons = [(i.step.id, i.reason) for i in trace.ineffective_patches()]
    assert reasons == [
        ("k#patches[0]", "matched-nothing"),
        ("k#patches[1]", "changed-nothing"),
        ("k#patches[2]", "replaced-list"),
    ]


def test_steps_touching_matches_parents_and_children() -> None:
    res = _res()
    whole = Step(
        "g", "configMapGenerator", None, "", changes=[Change("", res.origin, [()], res=res)]
    )
    leaf = Step("p", "patch", None, "", changes=[Change("", res.origin, [("data", "x")], res=res)])
    other = Step("q", "patch", None, "", changes=[Change("", res.origin, [("data", "y")], res=res)])
    trace = BuildTrace([whole, leaf, other])
    assert [s.id for s in trace.steps_touching(res, "data.x")] == ["g", "p"]
    assert [s.id for s in trace.steps_touching(res, "data")] == ["g", "p", "q"]
