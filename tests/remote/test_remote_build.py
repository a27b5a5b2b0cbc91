"""Remote bases, byte for byte against ``kubectl kustomize`` fetching the same URLs.

The repositories are shaped like upstream ones (a ``config/default`` base with a sibling
``../rbac`` base, an application repository whose base is itself remote, a component, a
submodule), served by ``git daemon`` and reached through ``insteadOf`` rules as
``https://github.com/...``, ``git@github.com:...``, ``ssh://``, ``github.com/...`` without a
scheme, Azure ``_git`` URLs and ``file://``. Every case runs kubectl and envlib on the same
overlay with the same environment and compares exit status and stdout bytes; failures must
also name the URL in envlib's one-line error.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from remote_support import RepoMaker, Tripwire, World

pytestmark = pytest.mark.oracle


def _y(text: str) -> str:
    return textwrap.dedent(text).lstrip()


DEPLOYMENT = _y(
    """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: controller
    spec:
      selector:
        matchLabels: {app: controller}
      template:
        metadata:
          labels: {app: controller}
        spec:
          containers:
          - name: manager
            image: example/controller:{tag}
    """
)

BASE_V1 = {
    "config/default/kustomization.yaml": _y(
        """
        namePrefix: sys-
        labels:
        - pairs: {app.kubernetes.io/part-of: system}
        resources:
        - deployment.yaml
        - ../rbac
        """
    ),
    "config/default/deployment.yaml": DEPLOYMENT.replace("{tag}", "v1.0"),
    "config/rbac/kustomization.yaml": "resources:\n- service_account.yaml\n",
    "config/rbac/service_account.yaml": _y(
        """
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: controller
        """
    ),
    "components/tls/kustomization.yaml": _y(
        """
        apiVersion: kustomize.config.k8s.io/v1alpha1
        kind: Component
        commonAnnotations:
          tls: enabled
        """
    ),
    "escape/kustomization.yaml": "resources:\n- ../config/rbac/service_account.yaml\n",
    "leave/kustomization.yaml": "resources:\n- ../../..\n",
    "cycle/kustomization.yaml": "resources:\n- https://github.com/org/base//cycle?ref=v1\n",
    "file.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: f\n",
    "gen/kustomization.yaml": _y(
        """
        configMapGenerator:
        - name: settings
          literals: [mode=remote]
        resources:
        - ../config/rbac
        """
    ),
}

APP_V2 = {
    "deploy/kustomization.yaml": _y(
        """
        namespace: app
        resources:
        - https://github.com/org/base//config/default?ref=v1
        - service.yaml
        """
    ),
    "deploy/service.yaml": _y(
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: controller
        spec:
          selector: {app: controller}
          ports:
          - port: 443
        """
    ),
}

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  k: v\n"


@pytest.fixture(scope="module")
def world(servers: tuple, kubectl_binary: str) -> World:
    root, env, git_port, http_port, hang, proxy = servers
    made = RepoMaker(root / "srv", root / "work", env)
    shas: dict[str, str] = {}
    made.create("org/base")
    shas["base-v1"] = made.commit("org/base", BASE_V1, tag="v1")
    dev = {"config/default/deployment.yaml": DEPLOYMENT.replace("{tag}", "dev")}
    shas["base-dev"] = made.commit("org/base", dev, branch="dev")
    made.create("org/app")
    made.commit("org/app", APP_V2, tag="v2")
    made.create("org/lib")
    shas["lib"] = made.commit("org/lib", {"cm.yaml": CM.format(name="from-submodule")})
    made.create("org/withsub")
    made.commit(
        "org/withsub",
        {
            ".gitmodules": '[submodule "lib"]\n\tpath = lib\n\turl = https://github.com/org/lib\n',
            "kustomization.yaml": "resources:\n- lib/cm.yaml\n",
        },
        gitlinks={"lib": shas["lib"]},
        tag="v1",
    )
    made.create("org/brokensub")
    made.commit(
        "org/brokensub",
        {
            ".gitmodules": '[submodule "gone"]\n\tpath = gone\n\turl = https://github.com/org/gone\n',
            "kustomization.yaml": "resources:\n- cm.yaml\n",
            "cm.yaml": CM.format(name="no-submodule-needed"),
        },
        gitlinks={"gone": shas["lib"]},
        tag="v1",
    )
    made.create("azure/org/proj/_git/platform")
    made.commit(
        "azure/org/proj/_git/platform",
        {
            "deploy/cm.yaml": CM.format(name="azure"),
            "deploy/kustomization.yaml": "resources:\n- cm.yaml\n",
        },
        tag="v1",
    )
    web = root / "web" / "manifests"
    web.mkdir(parents=True, exist_ok=True)
    (web / "release.yaml").write_text(CM.format(name="release-asset"))
    (web / "broken.yaml").write_text("a: [\n")
    (web / "patch.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: local\ndata:\n  patched: from-url\n"
    )
    (web / "app.properties").write_text("mode=remote\n")
    world = World(root, env, git_port, http_port, kubectl_binary, shas)
    world.hang = hang  # type: ignore[attr-defined]
    world.proxy = proxy  # type: ignore[attr-defined]
    return world


@dataclass(frozen=True)
class Case:
    id: str
    kustomization: str
    ok: bool = True
    names: str = ""  # text the error must contain (default: the first remote entry)


def _k(*resources: str, extra: str = "") -> str:
    return "resources:\n" + "".join(f"- {r}\n" for r in resources) + extra


GH = "https://github.com/org"
ORIGINS = "buildMetadata: [originAnnotations]\n"
CASES = [
    # -- upstream layouts and URL forms ---------------------------------------------------
    Case("base-with-remote-base-no-git-suffix", _k(f"{GH}/app//deploy?ref=v2")),
    Case("tag-subdir-double-slash", _k(f"{GH}/base//config/default?ref=v1")),
    Case("branch", _k(f"{GH}/base//config/default?ref=dev")),
    Case("commit-sha", _k(f"{GH}/base//config/default?ref={{base-v1}}")),
    Case("version-query", _k(f"{GH}/base//config/rbac?version=v1")),
    Case("default-head", _k(f"{GH}/base//config/rbac")),
    Case("dot-git-suffix-path", _k(f"{GH}/base.git/config/rbac?ref=v1")),
    Case("github-no-scheme", _k("github.com/org/base/config/rbac?ref=v1")),
    Case("scp-style", _k("git@github.com:org/base.git/config/rbac?ref=v1")),
    Case("ssh-scheme-github", _k("ssh://git@github.com/org/base.git//config/rbac?ref=v1")),
    Case("git-prefix", _k(f"git::{GH}/base//config/rbac?ref=v1")),
    Case("azure-git", _k("https://dev.azure.com/org/proj/_git/platform/deploy?ref=v1")),
    Case("file-scheme", _k("file://{srv}/org/base.git//config/rbac?ref=v1")),
    Case("timeout-query", _k(f"{GH}/base//config/rbac?ref=v1&timeout=90s")),
    Case("submodule", _k(f"{GH}/withsub?ref=v1")),
    Case("submodules-false", _k(f"{GH}/brokensub?ref=v1&submodules=false")),
    Case(
        "component",
        _k(
            f"{GH}/base//config/rbac?ref=v1",
            extra=f"components:\n- {GH}/base//components/tls?ref=v1\n",
        ),
    ),
    Case("http-file", _k("http://127.0.0.1:{http}/manifests/release.yaml")),
    Case(
        "mixed-local-and-remote",
        _k("local.yaml", f"{GH}/base//config/rbac?ref=v1", extra="namePrefix: ov-\n"),
    ),
    # -- buildMetadata: kustomize's origin of remote files (repo, ref, path in the repo) ---
    Case("origins-subdir-and-generator", _k(f"{GH}/base//gen?ref=v1", "local.yaml", extra=ORIGINS)),
    Case("origins-repo-top", _k(f"{GH}/withsub?ref=v1", extra=ORIGINS)),
    Case("origins-nested-remote", _k(f"{GH}/app//deploy?ref=v2", extra=ORIGINS)),
    Case("origins-http-file", _k("http://127.0.0.1:{http}/manifests/release.yaml", extra=ORIGINS)),
    Case(
        "origins-component",
        _k("local.yaml", extra=ORIGINS + f"components:\n- {GH}/base//components/tls?ref=v1\n"),
    ),
    # -- file URLs where kustomize loads files: patches, generator files ------------------
    Case(
        "http-patch-path",
        _k("local.yaml", extra="patches:\n- path: http://127.0.0.1:{http}/manifests/patch.yaml\n"),
    ),
    Case(
        "http-generator-file",
        "configMapGenerator:\n- name: g\n  files:\n"
        "  - http://127.0.0.1:{http}/manifests/app.properties\n",
    ),
    Case(
        "http-psm",
        _k(
            "local.yaml",
            extra="patchesStrategicMerge:\n- http://127.0.0.1:{http}/manifests/patch.yaml\n",
        ),
    ),
    Case(
        "http-psm-no-target",
        _k(
            f"{GH}/base//config/rbac?ref=v1",
            extra="patchesStrategicMerge:\n- http://127.0.0.1:{http}/manifests/patch.yaml\n",
        ),
        ok=False,
        names="http://127.0.0.1:{http}/manifests/patch.yaml",
    ),
    # -- failures ---------------------------------------------------------------------------
    Case("unknown-ref", _k(f"{GH}/base//config/rbac?ref=v9"), ok=False),
    Case("missing-path", _k(f"{GH}/base//nowhere?ref=v1"), ok=False),
    Case("path-is-a-file", _k(f"{GH}/base//file.yaml?ref=v1"), ok=False),
    Case("unknown-repo", _k(f"{GH}/nothing//x?ref=v1"), ok=False),
    Case("restrictor-inside-remote", _k(f"{GH}/base//escape?ref=v1"), ok=False),
    Case("base-leaves-the-clone", _k(f"{GH}/base//leave?ref=v1"), ok=False),
    Case("repo-cycle", _k(f"{GH}/base//cycle?ref=v1"), ok=False),
    Case("broken-submodule", _k(f"{GH}/brokensub?ref=v1"), ok=False),
    Case("submodules-false-needs-it", _k(f"{GH}/withsub?ref=v1&submodules=false"), ok=False),
    Case("timeout", _k("https://hang.example/org/repo//x?timeout=1"), ok=False),
    Case("http-404", _k("http://127.0.0.1:{http}/missing.yaml"), ok=False),
    Case("http-404-git-shaped", _k("http://127.0.0.1:{http}/manifests/missing.yaml"), ok=False),
    Case("http-malformed", _k("http://127.0.0.1:{http}/manifests/broken.yaml"), ok=False),
    Case(
        "http-patch-404",
        _k("local.yaml", extra="patches:\n- path: http://127.0.0.1:{http}/nothing.yaml\n"),
        ok=False,
        names="http://127.0.0.1:{http}/nothing.yaml",
    ),
    Case(
        "component-is-kustomization",
        f"components:\n- {GH}/base//config/rbac?ref=v1\n",
        ok=False,
    ),
]


def _overlay(world: World, case: Case) -> Path:
    text = case.kustomization.replace("{srv}", str(world.root / "srv"))
    text = text.replace("{http}", str(world.http_port))
    for key, sha in world.shas.items():
        text = text.replace("{" + key + "}", sha)
    return world.write({"kustomization.yaml": text, "local.yaml": CM.format(name="local")}, case.id)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_remote_build_matches_kubectl(world: World, case: Case) -> None:
    overlay = _overlay(world, case)
    expected = world.run_kubectl(overlay)
    got = world.run_envlib("build", str(overlay))
    assert expected.rc == (0 if case.ok else 1), expected.stderr
    assert got.rc == expected.rc, got.stderr
    assert got.stdout == expected.stdout
    if not case.ok:
        entry = case.kustomization.split("- ", 1)[1].split("\n", 1)[0]
        entry = entry.replace("{http}", str(world.http_port))
        shown = case.names.replace("{http}", str(world.http_port)) or entry
        assert shown in got.stderr, got.stderr
        assert got.stderr.count("\nerror:") + got.stderr.startswith("error:") == 1, got.stderr
        assert "Traceback" not in got.stderr


def test_progress_line_while_fetching(world: World) -> None:
    overlay = world.write({"kustomization.yaml": _k(f"{GH}/base//config/rbac?ref=dev")}, "progress")
    env = dict(world.env, XDG_CACHE_HOME=str(world.root / "progress-cache"))
    got = world.run_envlib("build", str(overlay), env=env)
    assert got.rc == 0, got.stderr
    assert f"fetching {GH}/base//config/rbac?ref=dev ..." in got.stderr


def test_offline_builds_from_the_cache_and_touches_no_network(world: World) -> None:
    overlay = _overlay(world, CASES[0])
    expected = world.run_kubectl(overlay)
    assert world.run_envlib("build", str(overlay)).rc == 0  # fills the cache
    proxy: Tripwire = world.proxy  # type: ignore[attr-defined]
    before = proxy.accepted
    env = dict(
        world.env,
        PATH=str(world.root / "no-git-here"),  # any git command would fail the build
        HTTPS_PROXY=f"http://127.0.0.1:{proxy.port}",
        https_proxy=f"http://127.0.0.1:{proxy.port}",
    )
    got = world.run_envlib_process("build", "--offline", str(overlay), env=env)
    assert (got.rc, got.stdout) == (0, expected.stdout), got.stderr
    assert "fetching" not in got.stderr
    assert proxy.accepted == before


def test_offline_cache_miss_names_the_url(world: World) -> None:
    url = f"{GH}/base//config/rbac?ref=v1"
    overlay = world.write({"kustomization.yaml": _k(url)}, "offline-miss")
    env = dict(world.env, XDG_CACHE_HOME=str(world.root / "empty-cache"), PATH="/nonexistent")
    got = world.run_envlib("build", "--offline", str(overlay), env=env)
    assert got.rc == 1
    assert url in got.stderr and "--offline" in got.stderr, got.stderr
    assert got.stderr.count("error:") == 1 and "Traceback" not in got.stderr
    assert not (world.root / "empty-cache" / "envlib").exists()  # nothing written either


def test_offline_http_file_from_the_cache(world: World) -> None:
    case = next(c for c in CASES if c.id == "http-file")
    overlay = _overlay(world, case)
    expected = world.run_kubectl(overlay)
    assert world.run_envlib("build", str(overlay)).rc == 0
    got = world.run_envlib("build", "--offline", str(overlay), env=dict(world.env, PATH="/x"))
    assert (got.rc, got.stdout) == (0, expected.stdout), got.stderr


def test_nothing_is_written_into_the_repository(world: World) -> None:
    overlay = _overlay(world, CASES[0])
    before = sorted(p.relative_to(overlay) for p in overlay.rglob("*"))
    assert world.run_envlib("build", str(overlay)).rc == 0
    assert sorted(p.relative_to(overlay) for p in overlay.rglob("*")) == before


def test_analysis_commands_take_offline(world: World) -> None:
    overlay = _overlay(world, CASES[0])
    assert world.run_envlib("build", str(overlay)).rc == 0  # fills the cache
    no_network = dict(world.env, PATH=str(world.root / "no-git-here"))
    args = ("--repo", str(overlay.parent), "--env", f"prod={overlay}", "--offline", "-o", "json")
    table = world.run_envlib("table", *args, env=no_network)
    assert table.rc == 0, table.stderr
    assert b"v1.0" in table.stdout and "fetching" not in table.stderr  # the remote base's tag
    missing = dict(no_network, XDG_CACHE_HOME=str(world.root / "never-filled"))
    failed = world.run_envlib("table", *args, env=missing)
    assert failed.rc == 1 and f"{GH}/app//deploy?ref=v2" in failed.stderr, failed.stderr


def test_inputs_name_remote_files_by_url(world: World) -> None:
    import os
    from unittest import mock

    from envlib.kustomize import build
    from envlib.kustomize.load.remote import session

    overlay = _overlay(world, CASES[0])
    session.forget()
    try:
        with mock.patch.dict(os.environ, world.env, clear=True):
            result = build(overlay, on_fetch=lambda _line: None)
    finally:
        session.forget()
    remote = result.inputs.remote
    assert f"{GH}/app//deploy/kustomization.yaml?ref=v2" in remote
    assert f"{GH}/base//config/rbac/service_account.yaml?ref=v1" in remote
    cache_dir = str(world.root / "cache")
    assert not any(p.startswith(cache_dir) for p in result.inputs.files | result.inputs.probed)
    assert str(overlay / "kustomization.yaml") in result.inputs.files
    deployment = result.find("Deployment/sys-controller")
    assert deployment.origin.path == f"{GH}/base//config/default/deployment.yaml?ref=v1"


@pytest.mark.parametrize(
    "target",
    [f"{GH}/base//config/default?ref=v1", f"{GH}/app//deploy?ref=v2", f"{GH}/base//nowhere?ref=v1"],
    ids=["base", "nested", "missing"],
)
def test_a_url_as_the_build_target(world: World, target: str) -> None:
    import subprocess

    proc = subprocess.run(
        [world.kubectl, "kustomize", target],
        capture_output=True,
        env=world.env,
        timeout=60,
        cwd=world.root,
    )
    got = world.run_envlib("build", target)
    assert (got.rc, got.stdout) == (proc.returncode, proc.stdout), got.stderr
    if proc.returncode:
        assert target in got.stderr and "Traceback" not in got.stderr
