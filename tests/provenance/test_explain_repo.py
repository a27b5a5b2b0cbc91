"""`envlib explain` and `envlib build --annotate` on the embedded repository (the issue's
"done when"), checked against the repository's own text rather than hard-coded lines."""

from __future__ import annotations

import json
import subprocess
import sys

import yaml
from support import REPO, Oracle

from envlib.analysis import environments, explain
from envlib.cli import main
from envlib.kustomize import build
from envlib.provenance import Provenance, project_root
from envlib.provenance.annotate import annotate
from envlib.provenance.audit import EXCEPTIONS, VERIFIED, audit_build


def _line(rel: str, text: str) -> int:
    lines = (REPO / rel).read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if line.strip() == text)


def _rendered(name: str) -> environments.RenderedEnv:
    envs = environments.discover(REPO)
    return environments.render(environments.select(envs, name), trace=True)


def test_prod_server_replicas_sentence() -> None:
    frame = explain.explain_field(_rendered("prod"), "Server/mlserver", "spec.replicas")
    base = _line("k8s/base/server-mlserver.yaml", "replicas: 2")
    patch = _line("k8s/overlays/prod/patches/server-replicas.yaml", "path: /spec/replicas")
    text = explain.sentence(frame)
    assert text.startswith(
        f"2 at k8s/base/server-mlserver.yaml:{base} → "
        f"3 at k8s/overlays/prod/patches/server-replicas.yaml:{patch} (patches[0]) — "
        "HA for the model server: 3 replicas"
    )


def test_dev_mirror_percent_reason_and_line() -> None:
    frame = explain.explain_field(
        _rendered("dev"), "Experiment/financial-ab-test-experiment", "spec.mirror.percent"
    )
    last = frame.iloc[-1]
    line = _line("k8s/overlays/dev/kustomization.yaml", "path: /spec/mirror/percent")
    assert last["location"] == f"k8s/overlays/dev/kustomization.yaml:{line}"
    assert last["value"] == "0" and last["step"] == "patches[0]"
    assert "switch the shadow traffic off" in last["why"]
    assert frame.iloc[0]["location"].startswith("k8s/base/experiment.yaml:")


def test_resource_table_and_cli_formats(capsys) -> None:
    frame = explain.explain_resource(_rendered("dev"), "Server/mlserver")
    row = frame[frame["field"] == "spec.replicas"].iloc[0]
    assert row["value"] == "1" and row["history"] == "2 → 1"
    assert main(["explain", "prod", "Server/mlserver", "spec.replicas", "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["value"] for r in doc["explain"]] == ["2", "3"]
    assert main(["explain", "dev", "Server/mlserver", "-o", "markdown"]) == 0
    assert "| spec.replicas | 1 |" in capsys.readouterr().out
    assert main(["explain", "dev", "Server/mlserver", "spec.nope"]) == 1
    assert "has no field" in capsys.readouterr().err


def test_secrets_are_redacted_in_explain() -> None:
    rendered = _rendered("prod")
    secrets = [r for r in rendered.resources if r.kind == "Secret"]
    for res in secrets:
        frame = explain.explain_resource(rendered, res)
        data = frame[frame["field"].str.startswith(("data", "stringData"))]
        assert set(data["value"]) <= {explain.REDACTED}


def test_embedded_repo_audit() -> None:
    for overlay in ("k8s/base", "k8s/overlays/dev", "k8s/overlays/prod", "k8s/argocd"):
        audit = audit_build(build(REPO / overlay))
        assert audit.share(*VERIFIED, *EXCEPTIONS) == 1.0, audit.failures
        assert audit.annotated / audit.lines >= 0.95


def test_annotate_cli_parses_as_kubectls_output(oracle: Oracle) -> None:
    for overlay in ("k8s/overlays/dev", "k8s/overlays/prod"):
        live = oracle.build(REPO / overlay)
        assert live.rc == 0
        proc = subprocess.run(
            [sys.executable, "-m", "envlib", "build", "--annotate", str(REPO / overlay)],
            capture_output=True,
            text=True,
            check=True,
        )
        assert list(yaml.safe_load_all(proc.stdout)) == list(yaml.safe_load_all(live.stdout))
        lines = proc.stdout.splitlines()
        assert sum("  # k8s/" in line for line in lines) / len(lines) >= 0.95


def test_annotation_share_is_reported() -> None:
    result = build(REPO / "k8s/overlays/prod")
    prov = Provenance(result.resources, result.trace, project_root(result.root))
    annotated = annotate(result.to_yaml(), result.resources, prov)
    assert annotated.share >= 0.95
