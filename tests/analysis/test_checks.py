"""Checks: the default rule set, repository configuration, findings naming their source."""

from __future__ import annotations

from pathlib import Path

import pytest

from envlib.analysis.checks import ChecksConfigError, check_summary, failed, load_rules, run_checks


def test_default_rules_on_the_sample(sample_envs, sample_repo: Path) -> None:
    rules = load_rules(sample_repo)
    findings = run_checks(list(sample_envs.values()), rules)
    assert findings[["env", "rule", "resource", "value"]].to_dict("records") == [
        {
            "env": "prod",
            "rule": "prod-min-replicas",
            "resource": "Model/traffic-mirror",
            "value": "1",
        }
    ]
    assert findings.iloc[0]["file"].endswith("models.yaml") or "base" in findings.iloc[0]["file"]
    assert failed(findings)
    summary = check_summary(list(sample_envs.values()), rules, findings).set_index(["env", "rule"])
    assert summary.loc[("dev", "dev-mirror-off"), "status"] == "pass"
    assert summary.loc[("prod", "prod-alerting"), "status"] == "pass"


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param("disable: [prod-min-replicas]\n", [], id="disable"),
        pytest.param(
            "rules:\n- {id: prod-min-replicas, check: min-replicas, envs: [prod], min: 2,"
            " kinds: [Model], severity: warning}\n",
            [("prod", "prod-min-replicas", "warning")],
            id="replace-as-warning",
        ),
        pytest.param(
            "extends: none\nrules:\n- {id: dev-debug, check: no-debug-logging, envs: [dev]}\n",
            [("dev", "dev-debug", "error")],
            id="own-rules-only",
        ),
        pytest.param(
            "extends: none\nrules:\n- {id: api-image, check: field, kinds: [Deployment], "
            "path: 'spec.template.spec.containers[name=api].image', equals: 'example/api:2.0.0'}\n",
            [("dev", "api-image", "error"), ("prod", "api-image", "error")],
            id="generic-field",
        ),
    ],
)
def test_repository_config(sample_envs, sample_repo: Path, config: str, expected) -> None:
    (sample_repo / "envlib-checks.yaml").write_text(config)
    findings = run_checks(list(sample_envs.values()), load_rules(sample_repo))
    assert (
        list(zip(findings["env"], findings["rule"], findings["severity"], strict=True)) == expected
    )


@pytest.mark.parametrize(
    ("config", "message"),
    [
        pytest.param(
            "rules:\n- {id: x, check: nope}\n", "unknown check 'nope'", id="unknown-check"
        ),
        pytest.param("rules:\n- {check: min-replicas}\n", "needs `id` and `check`", id="no-id"),
        pytest.param("rules: [\n", "invalid YAML", id="bad-yaml"),
    ],
)
def test_bad_config_is_a_located_error(sample_repo: Path, config: str, message: str) -> None:
    (sample_repo / ".envlib").mkdir()
    (sample_repo / ".envlib" / "checks.yaml").write_text(config)
    with pytest.raises(ChecksConfigError, match=message) as info:
        load_rules(sample_repo)
    assert ".envlib/checks.yaml" in info.value.one_line()


def test_finding_names_the_patch_that_set_the_value(sample_envs) -> None:
    """With the build trace, set_by is the patch entry, not just the declaring file."""
    from envlib.analysis.checks import Rule

    rule = Rule(id="dev-no-debug", check="no-debug-logging")
    findings = run_checks(sample_envs["dev"], [rule])
    assert list(findings["value"]) == ["LOG_LEVEL=DEBUG"]
    assert findings.iloc[0]["set_by"].endswith("overlays/dev/kustomization.yaml#patches[2]")
