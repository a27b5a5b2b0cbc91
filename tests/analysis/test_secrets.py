"""Secret values never reach any output: Secret data/stringData and secretGenerator literals."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from envlib.analysis import blame, checks, diff, experiment, inventory
from envlib.analysis.environments import discover, environments_frame
from envlib.cli import main

ARGVS = [
    ["envs"],
    ["table"],
    ["table", "--long"],
    ["table", "--containers"],
    ["diff", "dev", "prod"],
    ["diff", "prod", "dev"],
    ["experiment"],
    ["check"],
    ["blame", "dev", "Secret/db-password", "stringData.password"],
    ["blame", "prod", "Secret/db-password", "stringData"],
]


def _forbidden(planted: str) -> list[str]:
    values = [planted, f"{planted}-dev"]
    return values + [base64.b64encode(v.encode()).decode() for v in values]


def _assert_clean(text: str, planted: str) -> None:
    for value in _forbidden(planted):
        assert value not in text


@pytest.fixture
def secret_diff_repo(sample_repo: Path, planted: str) -> Path:
    """dev's generated secret gets a different planted value so the diff must mention it."""
    kust = sample_repo / "overlays" / "dev" / "kustomization.yaml"
    kust.write_text(
        kust.read_text()
        + "secretGenerator:\n- name: generated-creds\n  behavior: replace\n  literals:\n"
        + f"  - token={planted}-dev\n"
    )
    return sample_repo


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
@pytest.mark.parametrize("argv", ARGVS, ids=[" ".join(a) for a in ARGVS])
def test_no_command_prints_a_secret(
    secret_diff_repo: Path, planted: str, capsys, argv: list[str], fmt: str
) -> None:
    main([*argv, "--repo", str(secret_diff_repo), "-o", fmt])
    captured = capsys.readouterr()
    assert captured.out  # the command produced output to check
    _assert_clean(captured.out + captured.err, planted)


def test_no_analysis_frame_holds_a_secret(secret_diff_repo: Path, planted: str) -> None:
    from envlib.analysis.environments import render_all

    envs = render_all(discover(secret_diff_repo))
    by_name = {e.name: e for e in envs}
    frames = [
        environments_frame(discover(secret_diff_repo)),
        inventory.inventory(envs),
        inventory.containers(envs),
        diff.diff_envs(by_name["dev"], by_name["prod"]),
        experiment.experiment_preview(envs),
        checks.run_checks(envs),
        blame.blame(by_name["dev"], "Secret/db-password", "stringData.password"),
    ]
    for frame in frames:
        _assert_clean(frame.to_csv(), planted)
    for env in envs:
        _assert_clean(repr([r.obj for r in env.resources]), planted)


def test_different_secrets_show_as_changed_but_redacted(secret_diff_repo: Path) -> None:
    from envlib.analysis.environments import render_all

    dev, prod = render_all(discover(secret_diff_repo))
    frame = diff.diff_envs(dev, prod)
    token = frame[frame["field"] == "data.token"]
    assert list(zip(token["status"], token["left"], token["right"], strict=True)) == [
        ("changed", "<redacted>", "<redacted>")
    ]
