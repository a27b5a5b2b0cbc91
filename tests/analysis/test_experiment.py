"""Experiment preview: split, mirror, load per replica and warnings (ml-platform.md §2)."""

from __future__ import annotations

import pytest

from envlib.analysis.environments import rendered_from_resources, resources_from_yaml
from envlib.analysis.experiment import experiment_preview, experiment_warnings


def _rates(frame, env: str) -> dict[str, float]:
    rows = frame[frame["env"] == env]
    return {(r["model"] or "total"): r["rps"] for r in rows.to_dict("records")}


def test_prod_70_30_with_full_mirror_at_200_rps(sample_envs) -> None:
    frame = experiment_preview(list(sample_envs.values()), 200)
    assert _rates(frame, "prod") == {
        "baseline-predictor": 140,
        "enhanced-predictor": 60,
        "traffic-mirror": 200,
        "total": 400,
    }
    assert _rates(frame, "dev") == {
        "baseline-predictor": 140,
        "enhanced-predictor": 60,
        "traffic-mirror": 0,
        "total": 200,
    }
    prod = frame[frame["env"] == "prod"].set_index("model")
    assert prod.loc["baseline-predictor", "rps_per_replica"] == 70  # 2 replicas
    assert prod.loc["baseline-predictor", "share"] == pytest.approx(0.7)
    assert bool(prod.loc["baseline-predictor", "is_default"])


def test_what_if_mirror_percent(sample_envs) -> None:
    frame = experiment_preview(sample_envs["dev"], 200, mirror_percent=50)
    assert _rates(frame, "dev")["traffic-mirror"] == 100
    assert _rates(frame, "dev")["total"] == 300


EXPERIMENT = """\
apiVersion: mlops.seldon.io/v1alpha1
kind: Experiment
metadata: {name: e, namespace: ns}
spec:
%s
"""
MODEL = """\
---
apiVersion: mlops.seldon.io/v1alpha1
kind: Model
metadata: {name: %s, namespace: ns}
spec: {storageUri: "s3://x", replicas: %d, server: srv}
"""
SERVER = """\
---
apiVersion: mlops.seldon.io/v1alpha1
kind: Server
metadata: {name: srv, namespace: ns}
spec: {serverConfig: mlserver, replicas: 1}
"""


@pytest.mark.parametrize(
    ("spec", "models", "codes"),
    [
        pytest.param(
            "  default: a\n  candidates: [{name: a, weight: 1}]\n", {"a": 1}, set(), id="clean"
        ),
        pytest.param(
            "  candidates: [{name: a, weight: 0}, {name: b, weight: 0}]\n",
            {"a": 1, "b": 1},
            {"zero-weights"},
            id="weights-sum-to-zero",
        ),
        pytest.param(
            "  candidates: [{name: a, weight: 1}]\n  mirror: {name: m, percent: 150}\n",
            {"a": 1, "m": 1},
            {"percent-over-100"},
            id="percent-over-100",
        ),
        pytest.param(
            "  candidates: [{name: a, weight: 1}]\n  mirror: {name: m, percent: 0}\n",
            {"a": 1, "m": 1},
            {"percent-zero"},
            id="percent-zero",
        ),
        pytest.param(
            "  candidates: [{name: a, weight: 1}]\n  mirror: {name: a, percent: 10}\n",
            {"a": 1},
            {"mirror-is-candidate"},
            id="mirror-is-candidate",
        ),
        pytest.param(
            "  default: z\n  candidates: [{name: a, weight: 1}]\n",
            {"a": 1, "z": 1},
            {"default-not-candidate"},
            id="default-not-candidate",
        ),
        pytest.param(
            "  candidates: [{name: a, weight: 1}, {name: gone, weight: 1}]\n",
            {"a": 1},
            {"missing-model"},
            id="missing-model",
        ),
        pytest.param(
            "  candidates: [{name: a, weight: 1}]\n",
            {"a": 3},
            {"model-over-server"},
            id="model-over-server",
        ),
    ],
)
def test_warnings(spec: str, models: dict[str, int], codes: set[str]) -> None:
    text = EXPERIMENT % spec + "".join(MODEL % (n, r) for n, r in models.items()) + SERVER
    rendered = rendered_from_resources("env", resources_from_yaml(text))
    assert set(experiment_warnings(rendered)["code"]) == codes


def test_percent_over_100_is_clamped_in_the_preview() -> None:
    text = EXPERIMENT % "  candidates: [{name: a, weight: 1}]\n  mirror: {name: m, percent: 150}\n"
    frame = experiment_preview(rendered_from_resources("env", resources_from_yaml(text)), 10)
    assert _rates(frame, "env") == {"a": 10, "m": 10, "total": 20}


def test_embedded_repository_experiment(repo_dir) -> None:
    """The design's example on the embedded k8s/: prod 140/60/200 (400), dev 140/60/0 (200)."""
    from envlib.analysis.environments import discover, render_all

    envs = render_all(discover(repo_dir / "k8s"))
    frame = experiment_preview(envs, 200)
    prod = _rates(frame, "prod")
    dev = _rates(frame, "dev")
    assert (prod["baseline-predictor"], prod["enhanced-predictor"], prod["total"]) == (140, 60, 400)
    assert (dev["baseline-predictor"], dev["enhanced-predictor"], dev["total"]) == (140, 60, 200)
    warnings = experiment_warnings(envs)
    assert ("dev", "percent-zero") in set(zip(warnings["env"], warnings["code"], strict=True))
