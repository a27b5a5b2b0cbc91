"""Blame: the declaring file, then each trace step that changed the field."""

from __future__ import annotations

import pytest

from envlib.analysis.blame import BlameError, blame, parse_field


@pytest.mark.parametrize(
    ("env", "resource", "field", "value", "steps"),
    [
        pytest.param(
            "dev",
            "Deployment/api",
            "spec.replicas",
            "1",
            ["overlays/dev/kustomization.yaml#patches[2]"],
            id="smp",
        ),
        pytest.param(
            "dev",
            "Experiment/ab-test",
            "spec.mirror.percent",
            "0",
            ["overlays/dev/kustomization.yaml#patches[0]"],
            id="json6902",
        ),
        pytest.param(
            "prod", "Experiment/ab-test", "spec.mirror.percent", "100", [], id="untouched"
        ),
    ],
)
def test_blame_names_the_patch(sample_envs, env, resource, field, value, steps) -> None:
    frame = blame(sample_envs[env], resource, field)
    assert list(frame["value"].unique()) == [value]
    assert frame.iloc[0]["step"] == "(declared)" and "base/" in frame.iloc[0]["location"]
    assert [s for s in frame["step"][1:] if "patches" in s] == steps


def test_merge_key_paths_resolve_to_indexes() -> None:
    obj = {"spec": {"containers": [{"name": "a"}, {"name": "b", "image": "x"}]}}
    assert parse_field(obj, "spec.containers[name=b].image") == ("spec", "containers", 1, "image")
    with pytest.raises(BlameError, match="no item with name=c"):
        parse_field(obj, "spec.containers[name=c]")
