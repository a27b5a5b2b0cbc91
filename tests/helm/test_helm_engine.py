"""envlib.helm on its own: request words, helm template's output assembly, errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helmsupport import chart_files, envlib_build, envlib_cli

from envlib.helm import HelmFailure, HelmSettings, TemplateRequest, engine_for
from envlib.helm.manifests import sort_manifests, split_manifests, template_output
from envlib.helm.request import PullRequest, parse_template_args
from envlib.helm.values import merge_maps


def test_template_args_are_kustomizes() -> None:
    request = TemplateRequest(
        chart_dir="/c/app",
        namespace="ns",
        name_template="x",
        values_files=("/t/v.yaml", "/r/extra.yaml"),
        api_versions=("a/v1", "b/v1"),
        kube_version="1.29",
        include_crds=True,
        skip_tests=True,
        no_hooks=True,
    )
    assert request.as_args() == [
        "template", "--generate-name", "/c/app", "--namespace", "ns", "--name-template", "x",
        "-f", "/t/v.yaml", "-f", "/r/extra.yaml", "--api-versions", "a/v1",
        "--api-versions", "b/v1", "--kube-version", "1.29", "--include-crds", "--skip-tests",
        "--no-hooks",
    ]  # fmt: skip
    parsed = parse_template_args(request.as_args()[1:])
    assert parsed.generate_name and parsed.request == request


def test_pull_args_are_kustomizes() -> None:
    http = PullRequest(name="podinfo", repo="https://charts.example", untar_dir="/h", version="6")
    assert http.as_args() == [
        "pull", "--untar", "--untardir", "/h", "--repo", "https://charts.example", "podinfo",
        "--version", "6",
    ]  # fmt: skip
    oci = PullRequest(name="podinfo", repo="oci://ghcr.io/x/", untar_dir="/h")
    assert oci.as_args() == ["pull", "--untar", "--untardir", "/h", "oci://ghcr.io/x/podinfo"]


def test_split_manifests_as_helm() -> None:
    # Go's Split: the blank lines after one separator belong to it, so a second "---" right
    # after them starts the next document (as in helm)
    text = "\n\n---\na: 1\n---   \n\n---\nb: 2\n--- # c\nc: 3\n"
    assert split_manifests(text) == ["a: 1", "---\nb: 2", "# c\nc: 3\n"]


def test_sort_in_install_order_hooks_apart() -> None:
    files = {
        "c/templates/z.yaml": "kind: Service\nmetadata: {name: s}\n---\nkind: Namespace\n",
        "c/templates/a.yaml": "kind: Widget\n---\nkind: Deployment\n",
        "c/templates/_h.tpl": "kind: ConfigMap\n",
        "c/templates/h.yaml": (
            "kind: Job\nmetadata:\n  annotations: {helm.sh/hook: pre-install}\n---\n"
            "kind: Pod\nmetadata:\n  annotations: {helm.sh/hook: nonsense}\n"
        ),
    }
    hooks, manifests = sort_manifests(files)
    assert [m.kind for m in manifests] == ["Namespace", "Service", "Deployment", "Widget"]
    assert [h.kind for h in hooks] == ["Job"]  # the unknown hook is skipped


def test_template_output_layout() -> None:
    files = {
        "c/templates/a.yaml": "kind: ConfigMap\n",
        "c/templates/t.yaml": "kind: Pod\nmetadata:\n  annotations: {helm.sh/hook: test}\n",
        "c/templates/NOTES.txt": "hello",
    }
    crds = [("c/crds/x.yaml", "kind: CustomResourceDefinition\n")]
    common = {"chart_name": "c", "include_crds": True, "no_hooks": False}
    out = template_output(files, crds, skip_tests=False, **common)
    assert out == (
        "---\n# Source: c/crds/x.yaml\nkind: CustomResourceDefinition\n\n"
        "---\n# Source: c/templates/a.yaml\nkind: ConfigMap\n"
        "---\n# Source: c/templates/t.yaml\nkind: Pod\nmetadata:\n"
        "  annotations: {helm.sh/hook: test}\n\n"
    )
    assert "Pod" not in template_output(files, crds, skip_tests=True, **common)


def test_merge_maps_is_helms() -> None:
    assert merge_maps({"a": {"b": 1, "c": 2}, "l": [1]}, {"a": {"b": 3}, "l": [2]}) == {
        "a": {"b": 3, "c": 2},
        "l": [2],
    }


def test_engine_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    assert engine_for(HelmSettings(command="/x/helm")).command == "/x/helm"
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.setattr("envlib.helm.engine.sdk_available", lambda: False)
    with pytest.raises(HelmFailure) as info:
        engine_for(HelmSettings())
    assert "envlib[helm]" in str(info.value) and info.value.missing


def test_missing_binary_is_kustomizes_error(tmp_path: Path, write_tree) -> None:
    write_tree({"kustomization.yaml": "helmCharts:\n- name: app\n", **chart_files()}, tmp_path)
    got = envlib_build(tmp_path, HelmSettings(enabled=True, command=str(tmp_path / "nohelm")))
    assert got.rc == 1
    assert "is '" in got.stderr and "installed?" in got.stderr


def test_failing_template_names_chart_file_line_and_values(
    tmp_path: Path, write_tree, helm_sdk: None
) -> None:
    kust = """\
        helmCharts:
        - name: app
          releaseName: shop
          valuesFile: values-prod.yaml
          valuesInline: {strict: true}
        """
    write_tree(
        {"kustomization.yaml": textwrap.dedent(kust), "values-prod.yaml": "replicas: 2\n"},
        tmp_path,
    )
    write_tree(chart_files(), tmp_path)
    got = envlib_cli("build", "--enable-helm", str(tmp_path), cwd=tmp_path)
    assert got.rc == 1
    line = got.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith("error: charts/app/templates/service.yaml:")
    for part in ("helmCharts[0]", "'app'", "values-prod.yaml", "valuesInline"):
        assert part in line
    assert "strict mode needs .Values.token" in line


def test_missing_chart_names_the_entry(tmp_path: Path, write_tree, helm_sdk: None) -> None:
    write_tree({"kustomization.yaml": "resources: []\nhelmCharts:\n- name: gone\n"}, tmp_path)
    got = envlib_build(tmp_path, HelmSettings(enabled=True, in_process=True))
    assert got.rc == 1
    assert "kustomization.yaml:3: helmCharts[0]" in got.stderr and "'gone'" in got.stderr


def test_offline_never_pulls(tmp_path: Path, write_tree, helm_sdk: None) -> None:
    kust = "helmCharts:\n- name: gone\n  repo: https://charts.invalid\n  version: 1.0.0\n"
    write_tree({"kustomization.yaml": kust}, tmp_path)
    got = envlib_build(tmp_path, HelmSettings(enabled=True, offline=True, in_process=True))
    assert got.rc == 1
    assert "--offline" in got.stderr and "https://charts.invalid" in got.stderr


def test_build_offline_flag_covers_helm_pull(tmp_path: Path, write_tree, helm_sdk: None) -> None:
    kust = "helmCharts:\n- name: gone\n  repo: https://charts.invalid\n"
    write_tree({"kustomization.yaml": kust}, tmp_path)
    got = envlib_cli("build", "--enable-helm", "--offline", str(tmp_path))
    assert got.rc == 1 and "--offline forbids pulling" in got.stderr
