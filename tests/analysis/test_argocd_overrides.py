"""Argo CD's ``spec.source.kustomize`` overrides, compared with kubectl on the edited copy.

For each override, the test writes a temporary copy of the overlay whose kustomization is
edited the way Argo CD's repo server edits it (``kustomize edit set/add ...``: the expected
file is written here by hand, from reading ``util/kustomize/kustomize.go`` and kustomize's
edit commands), runs ``kubectl kustomize`` on that copy, and compares the bytes with what
envlib renders for the Application (which edits nothing on disk).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from envlib.analysis.environments import discover
from envlib.analysis.kustomize_source import render_kustomize
from envlib.analysis.sources import SourceRequest
from envlib.errors import EnvlibError
from envlib.kustomize.yaml.emitter import dump_objects

DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: {app: api}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: example/api:0.1
      - name: sidecar
        image: registry.local:5000/tools/side:1
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
  ports: [{port: 80}]
"""
OVERLAY = """\
# the dev overlay: its comment and line numbers survive Argo CD's edits in envlib
resources:
- ../../base
commonLabels:
  team: serving
images:
- name: example/api
  newTag: "1.0"
  tagSuffix: -dev
- name: zeta/unused
  newTag: "7"
replicas:
- name: api
  count: 1
"""
COMPONENT = """\
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
commonAnnotations:
  component: "on"
"""

# option (as in the Application) -> the kustomization Argo CD builds after its edits
CASES: dict[str, tuple[str, str]] = {
    "namePrefix-nameSuffix": (
        "namePrefix: pre-\n      nameSuffix: -suf",
        OVERLAY + "namePrefix: pre-\nnameSuffix: -suf\n",
    ),
    "images": (
        "images: [example/api=mirror.io/api:2.0, 'registry.local:5000/tools/side@sha256:"
        + "a" * 64
        + "', new/one:3]",
        OVERLAY.split("images:")[0] + "replicas:\n- name: api\n  count: 1\nimages:\n"
        '- name: example/api\n  newName: mirror.io/api\n  newTag: "2.0"\n'
        '- name: new/one\n  newTag: "3"\n'
        "- name: registry.local:5000/tools/side\n  digest: sha256:" + "a" * 64 + "\n"
        '- name: zeta/unused\n  newTag: "7"\n',
    ),
    "images-preserve": (
        "images: ['example/api=*:5.0']",
        OVERLAY.split("images:")[0] + "replicas:\n- name: api\n  count: 1\nimages:\n"
        '- name: example/api\n  newTag: "5.0"\n- name: zeta/unused\n  newTag: "7"\n',
    ),
    "replicas": (
        "replicas: [{name: api, count: '4'}]",
        OVERLAY.split("replicas:")[0] + "replicas:\n- name: api\n  count: 4\n",
    ),
    "commonLabels": (
        "commonLabels: {env: dev, app-name: $ARGOCD_APP_NAME}",
        OVERLAY.replace("  team: serving\n", "  team: serving\n  env: dev\n  app-name: web-dev\n"),
    ),
    "commonLabels-force": (
        "commonLabels: {team: platform}\n      forceCommonLabels: true",
        OVERLAY.replace("team: serving", "team: platform"),
    ),
    "labelWithoutSelector": (
        "commonLabels: {tier: web}\n      labelWithoutSelector: true\n"
        "      labelIncludeTemplates: true",
        OVERLAY + "labels:\n- pairs:\n    tier: web\n  includeTemplates: true\n",
    ),
    "commonAnnotations": (
        "commonAnnotations: {note: '$ARGOCD_APP_NAME', raw: 'a$$b'}",
        OVERLAY + "commonAnnotations:\n  note: $ARGOCD_APP_NAME\n  raw: a$$b\n",
    ),
    "commonAnnotationsEnvsubst": (
        "commonAnnotations: {note: '${ARGOCD_APP_NAME}-x', raw: 'a$$b'}\n"
        "      commonAnnotationsEnvsubst: true",
        OVERLAY + "commonAnnotations:\n  note: web-dev-x\n  raw: a$b\n",
    ),
    "namespace": ("namespace: team-a", OVERLAY + "namespace: team-a\n"),
    "patches": (
        "patches:\n      - target: {kind: Deployment}\n"
        '        patch: \'[{"op": "replace", "path": "/spec/replicas", "value": 9}]\'',
        OVERLAY + "patches:\n- target:\n    kind: Deployment\n"
        '  patch: \'[{"op": "replace", "path": "/spec/replicas", "value": 9}]\'\n',
    ),
    "components": (
        "components: [../../components/extra, ../../components/missing]\n"
        "      ignoreMissingComponents: true",
        OVERLAY + "components:\n- ../../components/extra\n",
    ),
}


def _repo(write_tree, root: Path, options: str) -> Path:
    app = f"""\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {{name: web-dev}}
spec:
  project: default
  destination: {{name: in-cluster, namespace: web}}
  source:
    repoURL: https://example.com/repo.git
    targetRevision: main
    path: overlays/dev
    kustomize:
      {options}
"""
    return write_tree(
        {
            "base/kustomization.yaml": "resources:\n- deploy.yaml\n- service.yaml\n",
            "base/deploy.yaml": DEPLOY,
            "base/service.yaml": SERVICE,
            "overlays/dev/kustomization.yaml": OVERLAY,
            "components/extra/kustomization.yaml": COMPONENT,
            "apps/web-dev.yaml": app,
        },
        root,
    )


def _envlib_yaml(repo: Path) -> str:
    (env,) = discover(repo)
    (source,) = env.app.sources
    result = render_kustomize(SourceRequest(env, source, trace=False))
    return dump_objects([r.obj for r in result.resources])


@pytest.mark.parametrize("case", sorted(CASES))
def test_override_matches_kubectl_on_the_edited_copy(
    oracle, write_tree, tmp_path: Path, case: str
) -> None:
    options, edited = CASES[case]
    repo = _repo(write_tree, tmp_path / "repo", options)
    before = (repo / "overlays/dev/kustomization.yaml").read_bytes()
    copy = tmp_path / "copy"
    shutil.copytree(repo, copy)
    (copy / "overlays/dev/kustomization.yaml").write_text(edited)
    expected = oracle.build(copy / "overlays/dev")
    assert expected.rc == 0, expected.stderr
    assert _envlib_yaml(repo) == expected.stdout.decode()
    assert (repo / "overlays/dev/kustomization.yaml").read_bytes() == before  # nothing written


def test_parameter_files_merge_over_the_application(write_tree, tmp_path: Path) -> None:
    repo = _repo(write_tree, tmp_path / "repo", "images: [example/api:2.0]\n      namePrefix: a-")
    write_tree(
        {
            "overlays/dev/.argocd-source.yaml": "kustomize:\n  namePrefix: b-\n",
            "overlays/dev/.argocd-source-web-dev.yaml": "kustomize:\n  images: [example/api:3.0]\n",
            "overlays/dev/.argocd-source-other.yaml": "kustomize:\n  namePrefix: wrong-\n",
        },
        repo,
    )
    (env,) = discover(repo)
    (source,) = env.app.sources
    assert source.options["namePrefix"] == "b-"
    assert source.options["images"] == ["example/api:3.0"]
    assert [Path(f).name for f in source.parameter_files] == [
        ".argocd-source.yaml",
        ".argocd-source-web-dev.yaml",
    ]
    text = _envlib_yaml(repo)
    assert "name: b-api" in text and "image: example/api:3.0" in text


def test_existing_label_without_force_fails_like_kustomize_edit(write_tree, tmp_path) -> None:
    repo = _repo(write_tree, tmp_path / "repo", "commonLabels: {team: other}")
    with pytest.raises(EnvlibError, match="label team already in kustomization file"):
        _envlib_yaml(repo)
