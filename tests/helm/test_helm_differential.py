"""``envlib build --enable-helm`` against ``kubectl kustomize --enable-helm``: stdout bytes, status.

kubectl runs every chart through the ``helm`` front end (tools/helm_front.py over Helm's Go
SDK), envlib renders in-process with the same SDK: any difference is envlib's kustomize
side (values merging, flags, how the output is read back and transformed).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helmsupport import APP_CHART, PODINFO, chart_files, envlib_build, envlib_cli, kubectl_helm

from envlib.helm import HelmSettings

pytestmark = pytest.mark.oracle

ON = HelmSettings(enabled=True, in_process=True)  # the SDK, even if a helm binary is on PATH

PROD_VALUES = """\
replicas: 3
logLevel: WARN
labels:
  tier: prod
resources:
  limits:
    cpu: "1"
  requests:
    cpu: 500m
"""

CASES: dict[str, str] = {
    "release-and-namespace": """\
        helmCharts:
        - name: app
          releaseName: shop
          namespace: store
        """,
    "no-release-name": """\
        helmCharts:
        - name: app
        """,
    "values-inline-override": """\
        helmCharts:
        - name: app
          releaseName: shop
          valuesInline:
            replicas: 2
            image: {tag: "1.0"}
            extraEnv: [{name: INLINE, value: "yes"}]
        """,
    "values-inline-merge": """\
        helmCharts:
        - name: app
          releaseName: shop
          valuesMerge: merge
          valuesInline:
            replicas: 7
            greeting: hi
            newKey: x
        """,
    "values-inline-replace": """\
        helmCharts:
        - name: app
          releaseName: shop
          valuesMerge: replace
          valuesInline:
            replicas: 4
        """,
    "values-file-and-additional": """\
        helmCharts:
        - name: app
          releaseName: shop
          valuesFile: values-prod.yaml
          additionalValuesFiles:
          - extra/values-region.yaml
        """,
    "values-file-with-inline": """\
        helmCharts:
        - name: app
          releaseName: shop
          valuesFile: values-prod.yaml
          valuesInline:
            logLevel: ERROR
        """,
    "include-crds-skip-tests": """\
        helmCharts:
        - name: app
          releaseName: shop
          includeCRDs: true
          skipTests: true
        """,
    "skip-hooks": """\
        helmCharts:
        - name: app
          releaseName: shop
          skipHooks: true
        """,
    "capabilities": """\
        helmCharts:
        - name: app
          releaseName: shop
          kubeVersion: v1.29.3
          apiVersions:
          - monitoring.coreos.com/v1
        """,
    "name-template": """\
        helmCharts:
        - name: app
          nameTemplate: '{{ "tpl" | upper | lower }}-rel'
        """,
    "subchart-enabled": """\
        helmCharts:
        - name: app
          releaseName: shop
          valuesInline:
            cache: {enabled: true, size: 5Gi}
            global: {team: data}
        """,
    "chart-home-and-transformers": """\
        namespace: shop-ns
        namePrefix: eu-
        commonLabels:
          owner: web
        helmGlobals:
          chartHome: vendor
        helmCharts:
        - name: app
          releaseName: shop
        patches:
        - target: {kind: Deployment}
          patch: |-
            - op: replace
              path: /spec/replicas
              value: 9
        images:
        - name: example/app
          newTag: "2.0"
        """,
    "two-charts-and-resources": """\
        resources:
        - extra.yaml
        helmCharts:
        - name: app
          releaseName: one
        - name: app
          releaseName: two
          valuesInline: {replicas: 2}
        """,
    "fifo-order": """\
        sortOptions:
          order: fifo
        helmCharts:
        - name: app
          releaseName: shop
          includeCRDs: true
        """,
    "legacy-inflation-generator": """\
        helmChartInflationGenerator:
        - chartName: app
          releaseName: old
          valuesLocal: {replicas: 5}
        """,
    "origin-annotations": """\
        buildMetadata: [originAnnotations]
        helmCharts:
        - name: app
          releaseName: shop
        """,
    "values-inline-null-deletes": """\
        helmCharts:
        - name: app
          releaseName: shop
          valuesInline:
            resources: {requests: null}
            labels: {a: null}
        """,
    "empty-values-file": """\
        helmCharts:
        - name: app
          releaseName: shop
          valuesFile: extra/empty.yaml
        """,
    # errors: both sides must fail
    "error-name-template-and-release": """\
        helmCharts:
        - name: app
          releaseName: shop
          nameTemplate: other
        """,
    "error-required-value": """\
        helmCharts:
        - name: app
          releaseName: shop
          valuesInline: {strict: true}
        """,
    "error-missing-chart": """\
        helmCharts:
        - name: nochart
          releaseName: shop
        """,
    "error-bad-values-merge": """\
        helmCharts:
        - name: app
          valuesMerge: sideways
          valuesInline: {a: 1}
        """,
    "error-missing-values-file": """\
        helmCharts:
        - name: app
          valuesFile: nope.yaml
        """,
    "error-additional-outside-root": """\
        helmCharts:
        - name: app
          additionalValuesFiles: [../outside.yaml]
        """,
    "error-empty-name": """\
        helmCharts:
        - releaseName: x
        """,
    "error-duplicate-with-resources": """\
        resources:
        - dup.yaml
        helmCharts:
        - name: app
          releaseName: shop
        """,
}

EXTRA = {
    "values-prod.yaml": PROD_VALUES,
    "extra/values-region.yaml": "labels:\n  region: eu-west-1\nimage:\n  tag: region\n",
    "extra.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  a: b\n",
    "dup.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: shop-app\n",
    "extra/empty.yaml": "",
}


def _tree(write_tree, tmp_path: Path, kustomization: str) -> Path:
    root = tmp_path / "root"
    home = "vendor/app" if "chartHome: vendor" in kustomization else "charts/app"
    write_tree({"kustomization.yaml": textwrap.dedent(kustomization), **EXTRA}, root)
    write_tree(chart_files(home), root)
    write_tree({"outside.yaml": "a: 1\n"}, tmp_path)
    return root


@pytest.mark.parametrize("name", sorted(CASES))
def test_helm_charts_match_kubectl(
    name: str, tmp_path: Path, write_tree, oracle, front_end: str
) -> None:
    root = _tree(write_tree, tmp_path, CASES[name])
    expected = kubectl_helm(oracle, root, front_end, "--enable-helm")
    got = envlib_build(root, ON)
    assert (got.rc, got.stdout.decode()) == (expected.rc, expected.stdout.decode()), (
        expected.stderr,
        got.stderr,
    )
    assert (expected.rc == 1) == name.startswith("error-"), expected.stderr


def test_without_enable_helm_both_refuse(
    tmp_path: Path, write_tree, oracle, front_end: str
) -> None:
    root = _tree(write_tree, tmp_path, CASES["release-and-namespace"])
    expected = kubectl_helm(oracle, root, front_end)
    got = envlib_cli("build", "--kustomize-errors", str(root))
    assert expected.rc == got.rc == 1
    assert "must specify --enable-helm" in got.stderr
    assert got.stderr.strip().removeprefix("error: ") in expected.stderr.replace("\n\t", "\n")


def test_cli_with_helm_command_runs_the_binary_like_kubectl(
    tmp_path: Path, write_tree, oracle, front_end: str
) -> None:
    """``--helm-command`` makes envlib run the binary (version check, then template)."""
    root = _tree(write_tree, tmp_path, CASES["values-file-and-additional"])
    expected = kubectl_helm(oracle, root, front_end, "--enable-helm")
    got = envlib_cli("build", "--enable-helm", "--helm-command", front_end, str(root))
    assert (got.rc, got.stdout) == (0, expected.stdout), got.stderr


def test_cli_kube_version_flag(tmp_path: Path, write_tree, oracle, front_end: str) -> None:
    root = _tree(write_tree, tmp_path, CASES["release-and-namespace"])
    flags = ("--enable-helm", "--helm-kube-version", "1.28.0", "--helm-api-versions", "a/v1")
    expected = kubectl_helm(oracle, root, front_end, *flags)
    got = envlib_cli("build", *flags, str(root))
    assert (got.rc, got.stdout) == (0, expected.stdout), got.stderr
    assert b"kubeVersion: v1.28.0" in got.stdout


PODINFO_CASES = {
    "defaults": "helmCharts:\n- name: podinfo\n  releaseName: web\n  skipTests: true\n",
    "prod-values": (
        "namespace: prod\nhelmCharts:\n- name: podinfo\n  releaseName: web\n  skipTests: true\n"
        "  valuesFile: charts/podinfo/values-prod.yaml\n"
        "  valuesInline:\n    hpa: {enabled: true, maxReplicas: 6}\n    redis: {enabled: true}\n"
    ),
}


@pytest.mark.parametrize("name", sorted(PODINFO_CASES))
def test_podinfo_matches_kubectl(
    name: str, tmp_path: Path, write_tree, oracle, front_end: str
) -> None:
    """A real public chart (stefanprodan/podinfo, committed under tests/fixtures/helm)."""
    import shutil

    root = tmp_path / "root"
    shutil.copytree(PODINFO, root / "charts/podinfo")
    write_tree({"kustomization.yaml": PODINFO_CASES[name]}, root)
    expected = kubectl_helm(oracle, root, front_end, "--enable-helm")
    got = envlib_build(root, ON)
    assert expected.rc == 0, expected.stderr
    assert (got.rc, got.stdout.decode()) == (0, expected.stdout.decode()), got.stderr


@pytest.mark.parametrize("kube", ["1.25.0", "1.31.2", ""])
def test_chart_kube_version_constraint(
    kube: str, tmp_path: Path, write_tree, oracle, front_end: str
) -> None:
    """``Chart.yaml`` ``kubeVersion`` is checked against the Capabilities, as Helm does."""
    root = tmp_path / "root"
    chart = dict(APP_CHART)
    chart["Chart.yaml"] = chart["Chart.yaml"].replace(
        'appVersion: "9.9"', 'appVersion: "9.9"\nkubeVersion: ">=1.30.0-0"'
    )
    extra = f"  kubeVersion: {kube}\n" if kube else ""
    write_tree({"kustomization.yaml": "helmCharts:\n- name: app\n" + extra}, root)
    write_tree(chart_files("charts/app", chart), root)
    expected = kubectl_helm(oracle, root, front_end, "--enable-helm")
    got = envlib_build(root, ON)
    assert (got.rc, got.stdout) == (expected.rc, expected.stdout), (expected.stderr, got.stderr)
    assert expected.rc == (1 if kube == "1.25.0" else 0)
