"""The Python build API: pipeline order, trace, toggles, what-if patches, blame."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from envlib.errors import LoadError, PatchError, RemoteError
from envlib.kustomize import ExtraPatch, blame, build
from envlib.kustomize.pipeline.build import PIPELINE, ROOT_PIPELINE

DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: app
        image: nginx:1.25
        envFrom:
        - configMapRef:
            name: settings
"""

THING = """\
apiVersion: example.com/v1
kind: Thing
metadata:
  name: t
spec:
  items: [a, b]
"""

BASE = {
    "base/kustomization.yaml": "resources:\n- deploy.yaml\n- thing.yaml\n",
    "base/deploy.yaml": DEPLOY,
    "base/thing.yaml": THING,
}

OVERLAY = """\
resources:
- ../base
namespace: dev
namePrefix: dev-
labels:
- pairs:
    env: dev
commonAnnotations:
  team: ml
replicas:
- name: web
  count: 1
images:
- name: nginx
  newTag: "1.27"
configMapGenerator:
- name: settings
  literals:
  - LOG_LEVEL=debug
patches:
- target:
    kind: Deployment
  patch: |-
    - op: add
      path: /spec/template/spec/containers/0/env
      value: [{name: MODE, value: dev}]
- target:
    kind: Nothing
  patch: |-
    - op: add
      path: /x
      value: 1
- patch: |-
    apiVersion: example.com/v1
    kind: Thing
    metadata:
      name: t
    spec:
      items: [c]
"""

WriteTree = Callable[..., Path]


@pytest.fixture
def overlay(write_tree: WriteTree) -> Path:
    root: Path = write_tree({**BASE, "overlay/kustomization.yaml": OVERLAY})
    return root / "overlay"


def test_pipeline_order_is_kustomizes() -> None:
    assert PIPELINE == (
        "resources",
        "configurations",
        "configMapGenerator",
        "secretGenerator",
        "helmCharts",
        "generators",
        "components",
        "patchesStrategicMerge",
        "patches",
        "extraPatches",
        "namespace",
        "namePrefix",
        "nameSuffix",
        "labels",
        "commonLabels",
        "commonAnnotations",
        "patchesJson6902",
        "replicas",
        "images",
        "replacements",
        "transformers",
        "validators",
        "vars",
    )
    assert ROOT_PIPELINE == (
        "hashSuffix",
        "nameReferences",
        "resolveVars",
        "dropLocalConfig",
        "sort",
        "buildMetadata",
        "stripInternal",
    )


def test_trace_lists_steps_in_pipeline_order(overlay: Path) -> None:
    result = build(overlay)
    kinds = [s.kind for s in result.trace.steps]
    assert kinds == [
        "configMapGenerator",
        "patch",
        "patch",
        "patch",
        "namespace",
        "namePrefix",
        "labels",
        "commonAnnotations",
        "replicas",
        "images",
        "hashSuffix",
        "nameReferences",
    ]
    ids = result.trace.ids()
    # no .git above the tree: ids are relative to the build root
    assert ids[0] == "kustomization.yaml#configMapGenerator[0]"
    assert ids[1] == "kustomization.yaml#patches[0]"
    assert build(overlay).trace.ids() == ids  # stable across runs


def test_trace_records_changes_and_locations(overlay: Path) -> None:
    result = build(overlay)
    replicas = next(s for s in result.trace.steps if s.kind == "replicas")
    assert replicas.location is not None and replicas.location.line == 11
    assert replicas.matched == 1
    (change,) = replicas.changes
    assert change.resource == "Deployment.v1.apps/dev-web.dev"
    assert change.path_strings == ["spec.replicas"]
    assert change.origin.path.endswith("deploy.yaml")


def test_step_ids_relative_to_git_root(write_tree: WriteTree) -> None:
    root = write_tree({**BASE, "overlay/kustomization.yaml": OVERLAY, ".git/HEAD": "x"})
    ids = build(root / "overlay").trace.ids()
    assert ids[0] == "overlay/kustomization.yaml#configMapGenerator[0]"


def test_blame_names_the_step_or_the_origin(overlay: Path) -> None:
    result = build(overlay)
    steps = blame(result, "Deployment.v1.apps/dev-web.dev", "spec.replicas")
    assert [s.kind for s in steps] == ["replicas"]
    image = blame(result, "Deployment/dev-web", "spec.template.spec.containers[0].image")
    assert [s.kind for s in image] == ["images"]
    (origin,) = blame(result, "Deployment.v1.apps/web.[noNs]", "spec.selector")
    assert origin.kind == "origin" and origin.location is not None
    assert origin.location.path.endswith("deploy.yaml")


def test_ineffective_patches(overlay: Path) -> None:
    issues = build(overlay).trace.ineffective_patches()
    found = {(i.step.id.rsplit("#", 1)[1], i.reason) for i in issues}
    assert found == {("patches[1]", "matched-nothing"), ("patches[2]", "replaced-list")}


def test_disabled_step_is_skipped(overlay: Path) -> None:
    full = build(overlay)
    step_id = next(s.id for s in full.trace.steps if s.kind == "replicas")
    toggled = build(overlay, disabled_steps=[step_id])
    deploy = toggled.find("Deployment/dev-web")
    assert deploy.obj["spec"]["replicas"] == 3
    assert toggled.trace.step(step_id).enabled is False
    assert toggled.to_yaml() != full.to_yaml()


def test_extra_patch_applies_after_root_patches(overlay: Path) -> None:
    extra = ExtraPatch(
        "- op: replace\n  path: /spec/template/spec/containers/0/env/0/value\n  value: what-if\n",
        target={"kind": "Deployment", "name": "web"},
    )
    result = build(overlay, extra_patches=[extra])
    container = result.find("Deployment/dev-web").obj["spec"]["template"]["spec"]["containers"][0]
    assert container["env"] == [{"name": "MODE", "value": "what-if"}]
    step = result.trace.step(result.trace.ids()[4])
    assert step.id.endswith("#extraPatches[0]") and step.matched == 1


def test_trace_false_gives_same_output(overlay: Path) -> None:
    traced = build(overlay)
    fast = build(overlay, trace=False)
    assert fast.to_yaml() == traced.to_yaml()
    assert all(not s.changes for s in fast.trace.steps)


@pytest.mark.parametrize(
    ("files", "error", "needle"),
    [
        pytest.param(  # a git URL that cannot be fetched (file://: no network involved)
            {"o/kustomization.yaml": "resources:\n- file:///nonexistent/repo//path?ref=v1\n"},
            RemoteError,
            "file:///nonexistent/repo//path?ref=v1",
            id="remote-git",
        ),
        pytest.param(
            {"o/kustomization.yaml": "components:\n- file:///nonexistent/repo.git\n"},
            RemoteError,
            "file:///nonexistent/repo.git",
            id="remote-component",
        ),
        pytest.param(
            {
                "o/kustomization.yaml": "resources:\n- cm.yaml\npatches:\n- patch: |-\n"
                "    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: nope\n",
                "o/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
            },
            PatchError,
            "no resource matches",
            id="smp-no-match",
        ),
    ],
)
def test_errors_carry_location_and_entry(
    write_tree: WriteTree,
    files: dict[str, str],
    error: type[Exception],
    needle: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = write_tree(files)
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / "cache"))  # remote cases: not ~/.cache
    with pytest.raises(error) as info:
        build(root / "o")
    exc = info.value
    assert needle in str(exc)
    assert exc.location is not None and exc.location.path.endswith("kustomization.yaml")  # type: ignore[attr-defined]
    assert exc.location.line is not None  # type: ignore[attr-defined]
    assert exc.entry  # type: ignore[attr-defined]


def test_not_a_directory(write_tree: WriteTree) -> None:
    root = write_tree({"cm.yaml": "a: b\n"})
    with pytest.raises(LoadError) as info:
        build(root / "cm.yaml")
    assert "file is not directory" in (info.value.kustomize_message or "")


def test_warnings_are_collected(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "b/kustomization.yaml": "commonLabels:\n  a: b\nresources:\n- cm.yaml\n",
            "b/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
            "o/kustomization.yaml": "bases:\n- ../b\n",
        }
    )
    seen: list[str] = []
    result = build(root / "o", on_warning=seen.append)
    assert result.warnings == seen
    assert [w.split("'")[1] for w in seen] == ["bases", "commonLabels"]


def test_import_stays_light() -> None:
    code = (
        "import sys, envlib.kustomize, envlib.kustomize.pipeline.build, envlib.commands.build_cmd\n"
        "bad = [m for m in ('pandas', 'ipywidgets', 'jupyter', 'IPython') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
