"""`envlib lint`: each rule on a small repository built to trigger it, and the config file."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import SHARED

from envlib.analysis.discovery import discover
from envlib.analysis.lint import failed, lint
from envlib.analysis.lint_config import LintRules, load_rules
from envlib.cli import main
from envlib.errors import EnvlibError

TREE = {
    "base/kustomization.yaml": "resources:\n- deploy.yaml\n",
    "base/deploy.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  template:
    spec:
      serviceAccount: web
      containers:
      - name: app
        image: nginx:1.25
        imagePullPolicy: IfNotPresent
""",
    "overlays/dev/kustomization.yaml": """\
resources:
- ../../base
patches:
- target:
    kind: Service
  patch: |-
    - op: replace
      path: /spec/type
      value: NodePort
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 5
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 1
      template:
        spec:
          containers:
          - name: app
            imagePullPolicy: Always
""",
    "overlays/prod/kustomization.yaml": """\
resources:
- ../../base
patches:
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 2
      template:
        spec:
          containers:
          - name: app
            imagePullPolicy: Always
- target:
    kind: Deployment
  patch: |-
    - op: replace
      path: /spec/template/spec/affinity/nodeAffinity
      value: big
""",
}


@pytest.fixture
def repo(write_tree, tmp_path: Path) -> Path:
    root = write_tree(TREE, tmp_path / "repo")
    (root / ".git").mkdir()
    return root


def _findings(repo: Path, rules: LintRules | None = None):
    return lint(discover(repo), rules or LintRules())


def test_every_rule_fires_with_file_and_line(repo: Path) -> None:
    findings = _findings(repo)
    by_rule = {rule: frame for rule, frame in findings.groupby("rule")}
    assert "overlays/dev/kustomization.yaml:4" in set(by_rule["patch-matched-nothing"].location)
    shadowed = by_rule["shadowed-step"].iloc[0]
    assert "patches[1]" in shadowed.message and "by patches[2]" in shadowed.message
    equal = by_rule["override-equals-base"].iloc[0]
    assert (
        equal.field == "spec.replicas" and equal.location == "overlays/prod/kustomization.yaml:10"
    )
    base = by_rule["belongs-in-base"]
    row = base[base.field == "spec.template.spec.containers[0].imagePullPolicy"].iloc[0]
    assert "set it once in base/deploy.yaml:13" in row.message
    missing = by_rule["json6902-missing-path"].iloc[0]
    assert "base/deploy.yaml" in missing.message and missing.severity == "error"
    assert missing.location == "overlays/prod/kustomization.yaml:16"
    assert failed(findings)


def test_deprecated_fields_from_openapi(repo: Path) -> None:
    openapi = SHARED / "openapi" / "kubernetes-openapi-v2.json"
    if not openapi.is_file():
        pytest.skip(f"{openapi} is not present")
    findings = _findings(repo, LintRules(openapi=str(openapi)))
    deprecated = findings[findings.rule == "deprecated-field"]
    row = deprecated[deprecated.field == "spec.template.spec.serviceAccount"].iloc[0]
    assert "serviceAccountName" in row.message
    assert row.location.endswith("base/deploy.yaml:9")


def test_config_disables_and_changes_severity(repo: Path, tmp_path: Path) -> None:
    config = tmp_path / "lint.yaml"
    config.write_text(
        "disable: [json6902-missing-path]\n"
        "rules:\n- id: patch-matched-nothing\n  severity: warning\n  envs: [dev]\n"
    )
    rules = load_rules(config, repo)
    findings = _findings(repo, rules)
    assert "json6902-missing-path" not in set(findings.rule)
    assert set(findings[findings.rule == "patch-matched-nothing"].severity) == {"warning"}
    assert not failed(findings)
    config.write_text("rules:\n- id: no-such-rule\n")
    with pytest.raises(EnvlibError, match=r"rules\[0\].*unknown lint rule"):
        load_rules(config, repo)


def test_lint_cli_exit_status(repo: Path, capsys) -> None:
    assert main(["lint", "--repo", str(repo)]) == 1
    out = capsys.readouterr().out
    assert "json6902-missing-path" in out and "lint FAILED" in out
    assert main(["lint", "dev", "--repo", str(repo), "-o", "json"]) == 1
