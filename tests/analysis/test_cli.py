"""The environment commands through ``envlib.cli.main``: every command, every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envlib.cli import main

COMMANDS = [
    pytest.param(["envs"], 0, ["serving-prod", "dev-cluster"], id="envs"),
    pytest.param(["table"], 0, ["mlserver", "7Gi"], id="table"),
    pytest.param(["table", "--long"], 0, ["mlserver", "7Gi"], id="table-long"),
    pytest.param(["table", "--containers", "prod"], 0, ["triton", "4Gi"], id="table-containers"),
    pytest.param(["diff", "dev", "prod"], 0, ["spec.mirror.percent", "only in prod"], id="diff"),
    pytest.param(
        ["experiment", "--rps", "200"],
        0,
        ["traffic-mirror", "400", "percent-zero"],
        id="experiment",
    ),
    pytest.param(
        ["experiment", "--rps", "200", "--mirror-percent", "50", "dev"],
        0,
        ["300"],
        id="experiment-what-if",
    ),
    pytest.param(["check"], 1, ["prod-min-replicas", "Model/traffic-mirror"], id="check-fails"),
    pytest.param(["check", "dev"], 0, ["dev-mirror-off"], id="check-dev-passes"),
    pytest.param(
        ["blame", "dev", "Deployment/api", "spec.replicas"],
        0,
        ["(declared)", "api.yaml"],
        id="blame",
    ),
]


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
@pytest.mark.parametrize(("argv", "rc", "needles"), COMMANDS)
def test_command_formats(
    sample_repo: Path, capsys, fmt: str, argv: list[str], rc: int, needles: list[str]
) -> None:
    assert main([*argv, "--repo", str(sample_repo), "-o", fmt]) == rc
    out = capsys.readouterr().out
    for needle in needles:
        assert needle in out
    if fmt == "json":
        doc = json.loads(out)
        assert doc["environments"]
    if fmt == "markdown":
        assert "\n| --- |" in out or "| ---" in out


def test_envs_takes_the_repository_as_argument(sample_repo: Path, capsys) -> None:
    assert main(["envs", str(sample_repo), "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [e["environment"] for e in doc["environments"]] == ["dev", "prod"]


def test_json_numbers_are_numbers(sample_repo: Path, capsys) -> None:
    assert (
        main(["experiment", "--repo", str(sample_repo), "--rps", "200", "-o", "json", "prod"]) == 0
    )
    traffic = json.loads(capsys.readouterr().out)["traffic"]
    assert [row["rps"] for row in traffic] == [140, 60, 200, 400]


def test_explicit_env_option(sample_repo: Path, capsys) -> None:
    args = [
        "diff",
        "a",
        "b",
        "--env",
        f"a={sample_repo / 'overlays/dev'}",
        "--env",
        f"b={sample_repo / 'base'}",
    ]
    assert main([*args, "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["left"], doc["right"]) == ("a", "b")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["diff", "dev", "staging"], "unknown environment 'staging'", id="unknown-env"),
        pytest.param(
            ["blame", "dev", "Deployment/nope", "spec.replicas"],
            "no resource 'Deployment/nope'",
            id="no-resource",
        ),
        pytest.param(["table", "--env", "=x"], "--env expects NAME=PATH", id="bad-env-option"),
    ],
)
def test_errors_are_one_line_and_exit_1(
    sample_repo: Path, capsys, argv: list[str], message: str
) -> None:
    assert main([*argv, "--repo", str(sample_repo)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_broken_overlay_names_file_and_entry(sample_repo: Path, capsys) -> None:
    kust = sample_repo / "overlays" / "dev" / "kustomization.yaml"
    kust.write_text(
        kust.read_text().replace("path: /spec/mirror/percent", "path: /spec/nothing/here")
    )
    assert main(["table", "--repo", str(sample_repo)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "kustomization.yaml" in err and err.count("\n") == 1


def test_default_repository_is_the_embedded_k8s(
    repo_dir: Path, capsys, monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # not a kustomization tree: falls back to the embedded k8s/
    assert main(["envs", "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["repo"] == str(repo_dir / "k8s")
    assert {"dev", "prod"} <= {e["environment"] for e in doc["environments"]}


CORPUS_ROOTS = [
    pytest.param("stefanprodan__podinfo/kustomize", id="podinfo-kustomize"),
    pytest.param("stefanprodan__podinfo/deploy", id="podinfo-deploy-overlays"),
    pytest.param("argoproj__argocd-example-apps", id="argocd-example-apps"),
]


@pytest.mark.shared
@pytest.mark.parametrize("root", CORPUS_ROOTS)
def test_every_command_on_a_corpus(shared_dir: Path, capsys, root: str) -> None:
    repo = shared_dir / "corpora" / root
    assert main(["envs", "--repo", str(repo), "-o", "json"]) == 0
    names = [e["environment"] for e in json.loads(capsys.readouterr().out)["environments"]]
    assert names
    for argv in (["table"], ["table", "--containers"]):
        assert main([*argv, "--repo", str(repo), "-o", "markdown"]) == 0, argv
        assert "\n| --- |" in capsys.readouterr().out, argv
    assert main(["diff", names[0], names[-1], "--repo", str(repo), "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["left"], doc["right"]) == (names[0], names[-1]) and "changes" in doc
    assert main(["experiment", "--repo", str(repo)]) == 0
    assert "No Seldon Experiment in these environments." in capsys.readouterr().out
    assert main(["check", "--repo", str(repo), "-o", "json"]) in (0, 1)
    assert "passed" in json.loads(capsys.readouterr().out)


@pytest.mark.shared
def test_podinfo_production_inventory(shared_dir: Path, capsys) -> None:
    repo = shared_dir / "corpora" / "stefanprodan__podinfo" / "deploy"
    assert main(["table", "--long", "production", "--repo", str(repo), "-o", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["workloads"]
    frontend = next(r for r in rows if r["kind"] == "Deployment" and r["name"] == "frontend")
    hpa = (frontend["HPA min"], frontend["HPA max"], frontend["effective replicas"])
    assert hpa == (2, 4, 2)


def test_repository_path_given_as_environment_says_use_repo(
    sample_repo: Path, capsys, monkeypatch, tmp_path: Path
) -> None:
    """A new user's first try, ``envlib table PATH``: the error names the command that works."""
    monkeypatch.chdir(tmp_path)  # no tree here: envlib's embedded k8s/ is analysed
    assert main(["table", str(sample_repo)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: unknown environment '{sample_repo}' (known: dev, prod")
    assert err.endswith(
        f"is a directory: to analyse it as the repository, pass --repo {sample_repo}\n"
    )
    assert main(["table", "--repo", str(sample_repo), "dev"]) == 0
