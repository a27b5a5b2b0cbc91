"""The explorer driven headless: set widget values, assert on the tables it shows.

No kernel and no browser: ipywidgets fire observers synchronously when a value is set, and
the explorer keeps every frame it displays on the Python object (docs/notebook-testing.md §3).
The numbers are the sample repository's (k8s/, see docs/environments.md).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from envlib.errors import EnvlibError

widgets = pytest.importorskip("ipywidgets")

from envlib.widgets import Explorer, ExplorerState  # noqa: E402
from envlib.widgets.style import DIFF_CSS  # noqa: E402

MIRROR = "financial-ab-test-experiment: mirror %"
DEV_PATCH = "k8s/overlays/dev/kustomization.yaml#patches[0]"


@pytest.fixture
def explorer(repo_dir: Path) -> Explorer:
    return Explorer(repo_dir / "k8s")


def _figure(ex: Explorer, figure: str) -> dict[str, str]:
    return {str(k): str(v) for k, v in ex.summary.loc[figure].items()}


def _replicas(ex: Explorer, env: str, kind: str, key: str) -> float:
    inv = ex.views.inventory
    row = inv[(inv["env"] == env) & (inv["kind"] == kind) & (inv["key"] == key)]
    assert len(row) == 1, f"{env} {kind}/{key}: {len(row)} rows"
    return float(row["effective_replicas"].iloc[0])


def test_initial_state_matches_the_repository(explorer: Explorer) -> None:
    assert explorer.state.names == ["dev", "prod"]
    assert explorer.focus.value == "dev"
    assert _figure(explorer, MIRROR) == {"dev": "0", "prod": "100"}
    assert _figure(explorer, "pods (replicas)") == {"dev": "5", "prod": "13"}
    assert all(box.value for box in explorer.checkboxes.values())
    html = explorer.summary_out.outputs[-1]["data"]["text/html"]
    assert DIFF_CSS.split(";")[0].split(": ")[1] in html and ">100<" in html


# (step of the dev overlay, what to read, value before, value after unticking)
MIRRORED = "financial-ab-test-experiment: mirrored req/s"
DEV_TOGGLES = [
    pytest.param("patches[0]", ("figure", MIRROR, "dev"), "0", "100", id="mirror-off-mirrors-all"),
    pytest.param(
        "patches[0]", ("figure", MIRRORED, "dev"), "0", "200", id="mirror-off-adds-200-rps"
    ),
    pytest.param(
        "patches[0]", ("figure", "failed checks", "dev"), "0", "1", id="mirror-off-fails-check"
    ),
    pytest.param(
        "patches[1]", ("replicas", "Model", "baseline-predictor"), 1.0, 2.0, id="model-replicas"
    ),
    pytest.param("patches[2]", ("replicas", "Server", "mlserver"), 1.0, 2.0, id="server-replicas"),
    pytest.param(
        "replicas[0]", ("replicas", "Deployment", "feature-server"), 1.0, 2.0, id="replicas"
    ),
]


@pytest.mark.parametrize(("field", "read", "before", "after"), DEV_TOGGLES)
def test_unticking_a_dev_step_rerenders_dev_without_it(
    explorer: Explorer, field: str, read: tuple[str, str, str], before: object, after: object
) -> None:
    def value() -> object:
        if read[0] == "figure":
            return _figure(explorer, read[1])[read[2]]
        return _replicas(explorer, "dev", read[1], read[2])

    prod_before = _figure(explorer, "pods (replicas)")["prod"]
    assert value() == before
    explorer.checkbox(field).value = False
    assert value() == after
    assert _figure(explorer, "pods (replicas)")["prod"] == prod_before  # prod untouched
    assert "what-if: dev modified" in explorer.summary_out.outputs[-1]["data"]["text/html"]
    explorer.checkbox(field).value = True
    assert value() == before


def test_unticked_mirror_patch_removes_the_diff_row(explorer: Explorer) -> None:
    def mirror_rows() -> list[tuple[str, str]]:
        diff = explorer.diff
        rows = diff[(diff["kind"] == "Experiment") & (diff["field"] == "spec.mirror.percent")]
        return list(zip(rows["left"], rows["right"], strict=True))

    assert mirror_rows() == [("0", "100")]
    explorer.checkbox(DEV_PATCH).value = False
    assert mirror_rows() == []
    explorer.reset_button.click()
    assert mirror_rows() == [("0", "100")]
    assert explorer.checkbox(DEV_PATCH).value is True


@pytest.mark.parametrize(
    ("env", "field", "kind", "key", "before", "after"),
    [
        pytest.param(
            "prod", "patches[0]", "Server", "mlserver", 3.0, 2.0, id="prod-server-replicas"
        ),
        pytest.param(
            "prod", "replicas[0]", "Deployment", "feature-server", 3.0, 2.0, id="prod-replicas"
        ),
    ],
)
def test_switching_the_overlay_lists_its_steps(
    explorer: Explorer, env: str, field: str, kind: str, key: str, before: float, after: float
) -> None:
    explorer.focus.value = env
    assert all(t.startswith(("k8s/base/", f"k8s/overlays/{env}/")) for t in explorer.checkboxes)
    assert _replicas(explorer, env, kind, key) == before
    explorer.checkbox(field).value = False
    assert _replicas(explorer, env, kind, key) == after
    assert _replicas(explorer, "dev", kind, key) == 1.0


@pytest.mark.parametrize(
    ("rps", "override", "percent", "expected"),
    [
        pytest.param(200, False, 0, {"dev": 0.0, "prod": 200.0}, id="as-configured"),
        pytest.param(1000, False, 0, {"dev": 0.0, "prod": 1000.0}, id="more-traffic"),
        pytest.param(200, True, 50, {"dev": 100.0, "prod": 100.0}, id="what-if-50-percent"),
        pytest.param(400, True, 0, {"dev": 0.0, "prod": 0.0}, id="what-if-off"),
    ],
)
def test_experiment_sliders(
    explorer: Explorer, rps: int, override: bool, percent: int, expected: dict[str, float]
) -> None:
    explorer.rps.value = rps
    explorer.mirror_override.value = override
    explorer.mirror.value = percent
    preview = explorer.preview
    mirror = preview[preview["role"] == "mirror"].set_index("env")["rps"].to_dict()
    assert mirror == expected
    baseline = preview[preview["model"] == "baseline-predictor"].set_index("env")["rps"]
    assert baseline.to_dict() == {"dev": rps * 0.7, "prod": rps * 0.7}
    assert explorer.mirror.disabled is (not override)


def test_experiment_tab_draws_a_chart(explorer: Explorer) -> None:
    assert explorer.chart_out.outputs == ()  # hidden tabs are drawn when opened
    explorer.tabs.selected_index = 3
    (chart,) = explorer.chart_out.outputs
    assert chart["data"]["image/png"]
    tables = [o["data"]["text/html"] for o in explorer.experiment_out.outputs]
    assert "traffic-mirror" in tables[0] and "percent-zero" in tables[1]


def test_resource_picker_shows_yaml_and_diff(explorer: Explorer) -> None:
    explorer.resource.value = "Experiment/financial-ab-test-experiment.financial-inference"
    assert "    percent: 0\n" in explorer.resource_text
    assert "-    percent: 0\n" in explorer.resource_diff_text
    assert "+    percent: 100\n" in explorer.resource_diff_text
    explorer.checkbox("patches[0]").value = False
    assert "    percent: 100\n" in explorer.resource_text
    assert "percent" not in explorer.resource_diff_text
    html = explorer.resource_diff_out.outputs[-1]["data"]["text/html"]
    assert "environment: dev" in html


def test_picking_one_environment(explorer: Explorer) -> None:
    explorer.env_picker.value = ("prod",)
    assert list(explorer.summary.columns) == ["prod"]
    assert explorer.views.diff_pair is None and explorer.diff.empty
    explorer.tabs.selected_index = 1
    assert "select two environments" in explorer.diff_out.outputs[-1]["data"]["text/html"]


def test_checks_panel(explorer: Explorer) -> None:
    explorer.tabs.selected_index = 4
    assert "dev-mirror-off" not in set(explorer.findings["rule"])
    assert "dev-mirror-off" not in explorer.checks_out.outputs[-1]["data"]["text/html"]
    explorer.checkbox("patches[0]").value = False
    assert "dev-mirror-off" in set(explorer.findings["rule"])
    assert "dev-mirror-off" in explorer.checks_out.outputs[-1]["data"]["text/html"]


BROKEN_CHAIN = {
    "base/kustomization.yaml": "resources: [cm.yaml]\n",
    "base/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {a: '1'}\n",
    "overlays/dev/kustomization.yaml": textwrap.dedent(
        """\
        resources: [../../base]
        patches:
        - target: {kind: ConfigMap}
          patch: '[{"op": "add", "path": "/data/b", "value": "2"}]'
        - target: {kind: ConfigMap}
          patch: '[{"op": "remove", "path": "/data/b"}]'
        """
    ),
    "overlays/prod/kustomization.yaml": "resources: [../../base]\n",
}


def test_a_step_whose_removal_breaks_the_build_shows_the_error(write_tree, tmp_path: Path) -> None:
    repo = write_tree(BROKEN_CHAIN)
    ex = Explorer(repo)
    ex.checkbox("patches[0]").value = False
    assert list(ex.views.errors) == ["dev"]
    message = ex.error_out.outputs[-1]["data"]["text/html"]
    assert message.startswith("<p style=") and "dev:" in message
    assert list(ex.summary.columns) == ["base", "prod"]
    ex.checkbox("patches[0]").value = True
    assert ex.views.errors == {} and ex.error_out.outputs == ()


SECRET_TREE = {
    "base/kustomization.yaml": textwrap.dedent(
        """\
        secretGenerator:
        - name: creds
          literals: [password=hunter2-very-secret]
        """
    ),
    "overlays/dev/kustomization.yaml": "resources: [../../base]\n",
    "overlays/prod/kustomization.yaml": "resources: [../../base]\nnamePrefix: prod-\n",
}


def test_secret_values_never_shown(write_tree) -> None:
    ex = Explorer(write_tree(SECRET_TREE))
    (label,) = [o for o in ex.resource.options if o.startswith("Secret/")]
    ex.resource.value = label
    for index in range(5):
        ex.tabs.selected_index = index
    shown = [ex.resource_text, ex.resource_diff_text]
    for out in (
        ex.summary_out,
        ex.table_out,
        ex.diff_out,
        ex.yaml_out,
        ex.resource_diff_out,
        ex.checks_out,
    ):
        shown += [str(o.get("data")) for o in out.outputs]
    text = "\n".join(shown)
    assert "<redacted>" in ex.resource_text
    assert "hunter2" not in text and "aHVudGVyMi" not in text  # nor its base64


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(
            lambda s: s.set_focus("staging"), "unknown environment 'staging'", id="unknown-env"
        ),
        pytest.param(
            lambda s: s.set_step("nope#patches[9]", False),
            "not a switchable step",
            id="unknown-step",
        ),
    ],
)
def test_state_rejects_unknown_names(repo_dir: Path, call, message: str) -> None:
    state = ExplorerState(repo_dir / "k8s")
    with pytest.raises(EnvlibError, match=message):
        call(state)


def test_state_defaults_to_envlib_repo(monkeypatch: pytest.MonkeyPatch, write_tree) -> None:
    repo = write_tree(SECRET_TREE)
    monkeypatch.setenv("ENVLIB_REPO", str(repo))
    assert ExplorerState().repo == repo.resolve()


def test_importing_envlib_does_not_import_ipywidgets() -> None:
    code = (
        "import sys, envlib, envlib.kustomize, envlib.widgets, envlib.nbtools\n"
        "print(sorted(m for m in ('ipywidgets', 'jupyter_client', 'nbclient') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
