"""The replica and resource inventory on the sample repository, the embedded one and the oracle."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from envlib.analysis.environments import (
    discover,
    render,
    rendered_from_resources,
    resources_from_yaml,
)
from envlib.analysis.inventory import containers, inventory, side_by_side, totals

GI = 2**30
MI = 2**20


def _row(inv, env: str, kind: str, name: str):
    rows = inv[(inv["env"] == env) & (inv["kind"] == kind) & (inv["name"] == name)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


@pytest.mark.parametrize(
    ("env", "kind", "name", "replicas", "effective", "cpu", "memory", "total_cpu"),
    [
        pytest.param("dev", "Deployment", "api", 1, 1, 0.25, 256 * MI, 0.25, id="dev-api"),
        pytest.param("prod", "Deployment", "api", 4, 4, 0.25, 256 * MI, 1.0, id="prod-api-hpa"),
        pytest.param("dev", "Server", "mlserver", 1, 1, 0.5, 1 * GI, 0.5, id="dev-server"),
        pytest.param("prod", "Server", "mlserver", 3, 3, 1.0, 2 * GI, 3.0, id="prod-server"),
    ],
)
def test_workload_rows(
    sample_envs, env, kind, name, replicas, effective, cpu, memory, total_cpu
) -> None:
    row = _row(inventory(list(sample_envs.values())), env, kind, name)
    assert (row["replicas"], row["effective_replicas"]) == (replicas, effective)
    assert (row["cpu_request"], row["memory_request"]) == (cpu, memory)
    assert row["total_cpu_request"] == pytest.approx(total_cpu)


def test_hpa_models_and_log_level(sample_envs) -> None:
    inv = inventory(list(sample_envs.values()))
    api = _row(inv, "prod", "Deployment", "api")
    assert (api["hpa"], api["hpa_min"], api["hpa_max"]) == ("api", 3, 8)
    assert _row(inv, "dev", "Deployment", "api")["log_level"] == "debug"
    assert _row(inv, "prod", "Deployment", "api")["log_level"] == "info"
    model = _row(inv, "prod", "Model", "baseline-predictor")
    assert (model["replicas"], model["model_memory"]) == (2, 256 * MI)
    assert pd.isna(model["total_cpu_request"])  # Models run inside Server pods
    assert _row(inv, "prod", "Server", "mlserver")["tags"] == "24.01"


def test_totals_prod_versus_dev(sample_envs) -> None:
    frame = totals(inventory(list(sample_envs.values()))).set_index("env")
    # dev: api 1 x 250m + server 1 x 500m; prod: api 4 x 250m + server 3 x 1
    assert frame.loc["dev", "total_cpu_request"] == pytest.approx(0.75)
    assert frame.loc["prod", "total_cpu_request"] == pytest.approx(4.0)
    assert frame.loc["dev", "total_memory_request_text"] == "1.25Gi"
    assert frame.loc["prod", "total_memory_request_text"] == "7Gi"
    assert frame.loc["prod", "replicas"] == 7  # Models run inside the Server pods


def test_side_by_side_marks_differences(sample_envs) -> None:
    view = side_by_side(inventory(list(sample_envs.values())))
    api = view.loc[("Deployment", "api")]
    assert api[("dev", "replicas")] == "1" and api[("prod", "replicas")] == "4"
    assert "replicas" in api[("", "differs")] and "log_level" in api[("", "differs")]
    assert view.loc[("Model", "traffic-mirror")][("", "differs")] == ""


def test_containers_view_has_raw_and_readable_amounts(sample_envs) -> None:
    frame = containers(sample_envs["prod"]).set_index(["kind", "container"])
    triton = frame.loc[("Server", "triton")]
    assert (triton["cpu_limit"], triton["memory_limit_text"]) == (2.0, "4Gi")


def test_server_config_defaults_are_counted(write_tree, tmp_path: Path) -> None:
    """An mlserver Server that only overrides its main container still runs agent and rclone."""
    text = """\
apiVersion: mlops.seldon.io/v1alpha1
kind: Server
metadata: {name: mlserver}
spec:
  serverConfig: mlserver
  replicas: 2
  podSpec:
    containers:
    - name: mlserver
      resources: {requests: {cpu: "2", memory: 4Gi}}
"""
    rendered = rendered_from_resources("x", resources_from_yaml(text))
    row = inventory(rendered).iloc[0]
    assert row["cpu_request"] == pytest.approx(2 + 0.5 + 0.2)  # + agent 500m + rclone 200m
    assert row["total_cpu_request"] == pytest.approx(5.4)
    agent = containers(rendered).set_index("container").loc["agent"]
    assert agent["from_server_config"] == "requests.cpu, requests.memory"


def test_engine_and_oracle_give_the_same_inventory(sample_repo: Path, oracle) -> None:
    """Differential: the inventory of the engine's render equals that of kubectl's output."""
    for env in discover(sample_repo):
        result = oracle.build(env.path)
        assert result.rc == 0, result.stderr
        expected = inventory(
            rendered_from_resources(env.name, resources_from_yaml(result.stdout.decode()))
        )
        actual = inventory(render(env))
        columns = [
            "kind",
            "name",
            "replicas",
            "effective_replicas",
            "cpu_request",
            "memory_limit",
            "tags",
            "log_level",
        ]
        pd.testing.assert_frame_equal(actual[columns], expected[columns])


def test_embedded_prod_needs_more_than_dev(repo_dir: Path) -> None:
    from envlib.analysis.environments import render_all

    envs = render_all(discover(repo_dir / "k8s"))
    frame = totals(inventory(envs)).set_index("env")
    assert frame.loc["prod", "total_cpu_request"] > frame.loc["dev", "total_cpu_request"] > 0
    assert frame.loc["prod", "replicas"] > frame.loc["dev", "replicas"]


def test_capacity_totals_equal_totals_of_the_inventory(sample_repo: Path) -> None:
    """The preview's shortcut gives the very row totals() gives (numbers, texts, None)."""
    from envlib.analysis.inventory import capacity_totals

    for env in discover(sample_repo):
        if env.path is None:
            continue
        rendered = render(env)
        frame = totals(inventory(rendered))
        expected = {
            k: (None if v is None or (isinstance(v, float) and v != v) else v)
            for k, v in frame.iloc[0].to_dict().items()
        }
        assert capacity_totals(rendered) == expected
    assert capacity_totals(rendered_from_resources("empty", [])) == {}
