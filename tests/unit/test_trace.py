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


def test_patch_steps_list_their_targets_changed_or_not(tmp_path) -> None:
    """A patch that writes the value already there changes nothing but still targets the
    object (the promotion preview names such an edited entry as a cause); a traced build
    limited by ``tracing_only`` records changes only for the steps it keeps."""
    from envlib.kustomize import build
    from envlib.kustomize.core.trace import tracing_only

    (tmp_path / "web.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n"
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
    )
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [web.yaml]\nnamePrefix: p-\npatches:\n"
        '- target: {kind: Deployment}\n  patch: \'[{"op": "replace", '
        '"path": "/spec/replicas", "value": 2}]\'\n'
        '- target: {kind: Service}\n  patch: \'[{"op": "add", '
        '"path": "/metadata/labels", "value": {"a": "b"}}]\'\n'
    )
    steps = {s.id.split("#")[1]: s for s in build(tmp_path, trace=True).trace.steps}
    same, labels = steps["patches[0]"], steps["patches[1]"]
    assert [r.kind for r in same.targets] == ["Deployment"] and same.changes == []
    assert [r.kind for r in labels.targets] == ["Service"] and len(labels.changes) == 1
    untraced = {s.id.split("#")[1]: s for s in build(tmp_path, trace=False).trace.steps}
    assert untraced["patches[1]"].targets == []
    with tracing_only(lambda step_id: step_id.endswith("#namePrefix")):
        kept = {s.id.split("#")[1]: s for s in build(tmp_path, trace=True).trace.steps}
    assert kept["patches[1]"].changes == []  # not kept: as in an untraced build
    assert len(kept["namePrefix"].changes) == 2
