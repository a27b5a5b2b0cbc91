"""``repo:`` charts: pulled from a chart repository served on 127.0.0.1, as kustomize pulls.

kubectl (through the front end) untars into chartHome inside its copy of the tree; envlib
pulls into its cache and leaves the repository untouched; the output must be the same, and
``--offline`` must then build from the cache alone (and refuse when the cache is empty).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helmsupport import chart_files, envlib_build, kubectl_helm

from envlib.helm import HelmSettings

pytestmark = pytest.mark.oracle


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def chart_repo(tmp_path: Path, write_tree, helm_sdk: None) -> Iterator[str]:
    import helm_python

    write_tree(chart_files("src/app"), tmp_path)
    serve = tmp_path / "serve"
    serve.mkdir()
    helm_python.package(tmp_path / "src/app", destination=serve)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    helm_python.repo_index_generate(serve, base_url=url)
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=serve,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):  # bounded wait for the port
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_repo_chart_pulled_like_kubectl(
    chart_repo: str, tmp_path: Path, write_tree, oracle, front_end: str, monkeypatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    kust = (
        f"helmCharts:\n- name: app\n  repo: {chart_repo}\n  version: 1.2.3\n"
        "  releaseName: remote\n  valuesInline: {replicas: 2}\n"
    )
    mine = write_tree({"kustomization.yaml": kust}, tmp_path / "mine")
    theirs = tmp_path / "theirs"
    shutil.copytree(mine, theirs)
    expected = kubectl_helm(oracle, theirs, front_end, "--enable-helm")
    assert expected.rc == 0, expected.stderr
    got = envlib_build(mine, HelmSettings(enabled=True, in_process=True))
    assert (got.rc, got.stdout.decode()) == (0, expected.stdout.decode()), got.stderr
    assert sorted(p.name for p in mine.iterdir()) == ["kustomization.yaml"]  # nothing written
    offline = envlib_build(mine, HelmSettings(enabled=True, offline=True, in_process=True))
    assert offline.stdout == got.stdout  # from the cache, no network


def test_offline_with_an_empty_cache_refuses(
    chart_repo: str, tmp_path: Path, write_tree, monkeypatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    kust = f"helmCharts:\n- name: app\n  repo: {chart_repo}\n  version: 1.2.3\n"
    root = write_tree({"kustomization.yaml": kust}, tmp_path / "r")
    got = envlib_build(root, HelmSettings(enabled=True, offline=True, in_process=True))
    assert got.rc == 1 and "--offline" in got.stderr and "helmCharts[0]" in got.stderr
