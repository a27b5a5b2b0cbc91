"""``envlib preview``: a branch's effect on every environment, from real git repositories.

The repository is the analysis sample (base + dev/prod overlays) plus a staging overlay;
dev and staging follow ``main`` (``targetRevision: main`` / ``HEAD``), prod is pinned to the
``release-1.0`` branch. The branch changes the base (the api image) and the dev overlay
(mirror back on, a second replica of the api): dev and staging change - every field with
its old and new value and the file that caused it - and prod is not reached.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO

from envlib.analysis.preview import preview
from envlib.analysis.preview_report import to_json, to_markdown, to_text
from envlib.kustomize.load.gitfs import GitRevisionError

STAGING_APP = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: serving-staging
  namespace: argocd
spec:
  project: default
  source: {repoURL: "https://example.com/repo.git", targetRevision: HEAD, path: overlays/staging}
  destination: {name: staging-cluster, namespace: serving}
"""
STAGING = "resources:\n- ../../base\nnamePrefix: stg-\n"


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z"}
    env.update(GIT_COMMITTER_DATE="2026-01-01T00:00:00Z", GIT_CONFIG_NOSYSTEM="1")
    proc = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@e", *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return proc.stdout


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def edit(repo: Path, name: str, old: str, new: str) -> None:
    path = repo / name
    text = path.read_text()
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def promo_repo(tmp_path: Path, sample_files) -> Path:
    """main with three environments; prod's Application pinned to release-1.0."""
    return make_promo_repo(tmp_path, sample_files())


def make_promo_repo(tmp_path: Path, files: dict[str, str]) -> Path:
    """:func:`promo_repo` for other test modules: the branch ``feature`` with its edits."""
    repo = tmp_path / "repo"
    files["argocd/app-prod.yaml"] = files["argocd/app-prod.yaml"].replace(
        "targetRevision: main", "targetRevision: release-1.0"
    )
    files["argocd/app-staging.yaml"] = STAGING_APP
    files["overlays/staging/kustomization.yaml"] = STAGING
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, files)
    commit(repo, "three environments")
    git(repo, "branch", "release-1.0")
    git(repo, "checkout", "-q", "-b", "feature")
    edit(repo, "base/api.yaml", "example/api:1.0.0", "example/api:1.1.0")
    edit(repo, "overlays/dev/kustomization.yaml", "value: 0", "value: 25")
    edit(repo, "overlays/dev/api-dev.yaml", "replicas: 1", "replicas: 2")
    return repo


def snapshot(repo: Path) -> dict[str, bytes]:
    """Every byte of the work tree and of .git, and the index's mtime."""
    out: dict[str, bytes] = {}
    for current, _dirs, files in os.walk(repo):
        for name in files:
            path = Path(current, name)
            out[str(path.relative_to(repo))] = path.read_bytes()
    out["<index mtime>"] = str(os.stat(repo / ".git" / "index").st_mtime_ns).encode()
    return out


def field(result, env: str, name: str):
    rows = result.env(env).fields
    hit = rows[rows["field"] == name]
    assert len(hit) == 1, (env, name, rows[["resource", "field"]].to_string())
    return hit.iloc[0]


def test_branch_changing_base_and_dev_overlay(promo_repo: Path) -> None:
    before = snapshot(promo_repo)
    refs = git(promo_repo, "for-each-ref")
    result = preview(promo_repo)  # base: merge base with main; head: the working tree
    summary = result.summary().set_index("env")
    assert summary.loc["dev", "status"] == "changed"
    assert summary.loc["staging", "status"] == "changed"
    assert summary.loc["prod", "status"] == "not reached"
    assert summary.loc["prod", "reached"] == "no (release-1.0)"
    assert "not reached by this merge" in result.env("prod").note

    image = "spec.template.spec.containers[name=api].image"
    row = field(result, "dev", image)
    assert (row["old"], row["new"]) == ("example/api:1.0.0", "example/api:1.1.0")
    assert row["files"] == ["base/api.yaml"]
    row = field(result, "staging", image)
    assert (row["old"], row["new"]) == ("example/api:1.0.0", "example/api:1.1.0")
    assert row["files"] == ["base/api.yaml"]
    row = field(result, "dev", "spec.mirror.percent")
    assert (row["old"], row["new"]) == ("0", "25")
    assert row["files"] == ["overlays/dev/kustomization.yaml"]
    row = field(result, "dev", "spec.replicas")
    assert (row["old"], row["new"]) == ("1", "2")
    assert row["files"] == ["overlays/dev/api-dev.yaml"]
    assert result.env("staging").fields["field"].tolist() == [image]

    capacity = result.env("dev").capacity.set_index("metric")
    assert capacity.loc["pods", "delta"] == "+1"
    assert capacity.loc["cpu requests", "delta"] == "+250m"
    traffic = result.env("dev").traffic.set_index("role")
    assert traffic.loc["mirror", "old_share"] == 0.0
    assert traffic.loc["mirror", "new_share"] == 0.25
    checks = result.env("dev").checks
    assert set(checks["rule"]) >= {"dev-mirror-off", "dev-single-replica"}
    assert set(checks["change"]) == {"newly failing"}
    assert result.fails_checks

    assert snapshot(promo_repo) == before  # tree, index, refs, HEAD, objects: untouched
    assert git(promo_repo, "for-each-ref") == refs
    assert git(promo_repo, "symbolic-ref", "HEAD").strip() == "refs/heads/feature"


def test_untouched_environment_is_unchanged_without_a_rerender(promo_repo: Path) -> None:
    git(promo_repo, "checkout", "-q", ".")  # drop the base/dev edits
    edit(promo_repo, "overlays/staging/kustomization.yaml", "stg-", "staging-")
    result = preview(promo_repo)
    assert result.env("dev").status == "unchanged"
    assert result.env("dev").fields.empty  # not diffed field by field
    staging = result.env("staging")
    assert staging.status == "changed"
    assert staging.changed_files == ["overlays/staging/kustomization.yaml"]


def test_revisions_from_git_objects_and_added_application(promo_repo: Path) -> None:
    commit(promo_repo, "feature work")
    write(
        promo_repo,
        {
            "overlays/qa/kustomization.yaml": "resources:\n- ../../base\nnamePrefix: qa-\n",
            "argocd/app-qa.yaml": STAGING_APP.replace("staging", "qa"),
        },
    )
    commit(promo_repo, "qa environment")
    git(promo_repo, "checkout", "-q", "main")  # the working tree no longer holds the branch
    result = preview(promo_repo, base="main", head="feature")
    assert result.env("qa").status == "added"
    assert result.env("qa").resources["change"].eq("added").all()
    assert result.env("dev").status == "changed"
    gone = preview(promo_repo, base="feature", head="main")
    assert gone.env("qa").status == "removed"


def test_outputs_text_json_markdown(promo_repo: Path, planted: str) -> None:
    result = preview(promo_repo)
    text = to_text(result)
    assert "not reached" in text and "example/api:1.1.0" in text
    doc = json.loads(to_json(result))
    assert [e["name"] for e in doc["environments"]] == ["dev", "prod", "staging"]
    assert doc["fails_checks"] is True
    md = to_markdown(result)
    assert md.startswith("### Promotion preview")
    assert md.count("<details>") == 2 and md.count("</details>") == 2
    assert "```diff" in md and "+        image: example/api:1.1.0" in md
    edit(promo_repo, "base/secret.yaml", planted, planted + "-rotated")
    for out in (to_text(preview(promo_repo)), to_json(preview(promo_repo))):
        assert planted not in out


def test_markdown_fits_the_comment_limit_without_cutting_tables(promo_repo: Path) -> None:
    big = "".join(f"  key{i}: value-{i}-{'x' * 40}\n" for i in range(3000))
    write(
        promo_repo,
        {"base/big.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n{big}"},
    )
    edit(promo_repo, "base/kustomization.yaml", "- secret.yaml\n", "- secret.yaml\n- big.yaml\n")
    md = to_markdown(preview(promo_repo))
    assert len(md) <= 65_536
    assert "truncated" in md or "not shown" in md
    for block in md.split("\n\n"):
        lines = block.strip().splitlines()
        if lines and lines[0].startswith("| "):
            assert all(line.startswith("|") and line.endswith("|") for line in lines), block
    assert md.count("<details>") == md.count("</details>")
    assert md.count("```diff") * 2 == md.count("```")


def test_cli_fail_on_check_and_errors(promo_repo: Path, tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "envlib", "preview", *args],
            cwd=promo_repo,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            check=False,
        )

    proc = run("--fail-on", "check")
    assert proc.returncode == 2, proc.stderr
    assert run().returncode == 0
    assert run("-o", "markdown").stdout.startswith("### Promotion preview")
    proc = run("--base", "no-such-ref")
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: ") and "git fetch" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_preview_does_not_import_the_kubernetes_client(promo_repo: Path) -> None:
    """Quantities use ``parse_quantity`` without ``import kubernetes`` (its API client and
    kubeconfig loading cost a quarter of a second, more than the preview computes)."""
    code = (
        "import contextlib, io, sys\n"
        "from envlib.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    assert main(['preview', '--repo', {str(promo_repo)!r}]) == 0\n"
        "assert 'cpu requests' in out.getvalue() or 'pods +' in out.getvalue(), out.getvalue()\n"
        "bad = [m for m in sys.modules if m == 'kubernetes' or m.startswith('kubernetes.')]\n"
        "assert not bad, bad\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)


def test_shallow_clone_names_git_fetch(promo_repo: Path, tmp_path: Path) -> None:
    commit(promo_repo, "feature work")
    clone = tmp_path / "clone"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "--branch",
            "feature",
            f"file://{promo_repo}",
            str(clone),
        ],
        check=True,
    )
    with pytest.raises(GitRevisionError) as info:
        preview(clone)
    assert "shallow clone" in info.value.message and "git fetch" in info.value.message
    git(clone, "fetch", "-q", "--unshallow", "origin", "main:main")
    assert preview(clone).env("dev").status == "changed"


def test_untraced_head_build_gives_the_traced_result(promo_repo: Path, monkeypatch) -> None:
    """A branch editing only resource files builds the head without a trace (no step can
    name a cause then); the preview must equal the one with every head build traced."""
    import envlib.analysis.preview as module

    git(promo_repo, "checkout", "-q", ".")
    edit(promo_repo, "base/api.yaml", "example/api:1.0.0", "example/api:2.0.0")
    traces: list[bool] = []
    render = module._render

    def spy(env, side, *, trace, **options):
        if side.revision.commit is None:
            traces.append(trace)
        return render(env, side, trace=trace, **options)

    monkeypatch.setattr(module, "_render", spy)
    fast = to_json(preview(promo_repo))
    assert traces and not any(traces)
    monkeypatch.setattr(module, "_trace_needless", lambda *args: False)
    assert to_json(preview(promo_repo)) == fast
    edit(promo_repo, "overlays/dev/api-dev.yaml", "replicas: 1", "replicas: 3")
    traces.clear()
    monkeypatch.undo()
    monkeypatch.setattr(module, "_render", spy)
    preview(promo_repo)
    assert True in traces  # a changed patch file: its step may name the cause, so traced


@pytest.mark.parametrize(
    ("entry_before", "entry_after", "field_name", "old", "new"),
    [
        (
            "replicas: [{name: web, count: 1}]",
            "replicas: [{name: web, count: 2}]",
            "spec.replicas",
            "1",
            "2",
        ),
        (
            "images: [{name: web, newTag: '0.9'}]",
            "images: [{name: web, newTag: '1.0'}]",
            "spec.template.spec.containers[name=web].image",
            "web:0.9",
            "web:1.0",
        ),
        (
            "patches:\n- target: {kind: Deployment}\n"
            "  patch: |-\n    - {op: replace, path: /spec/replicas, value: 5}",
            "patches:\n- target: {kind: Deployment}\n"
            "  patch: |-\n    - {op: replace, path: /spec/replicas, value: 2}",
            "spec.replicas",
            "5",
            "2",
        ),
    ],
    ids=["replicas-count", "images-tag", "json6902-value"],
)
def test_cause_of_an_overlay_entry_set_back_to_the_base_value(
    tmp_path: Path, entry_before: str, entry_after: str, field_name: str, old: str, new: str
) -> None:
    """At the head the overlay's step changes nothing (it writes the base's own value), so
    only the base revision's trace shows that the edited entry made the difference."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    deployment = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n"
        "  template:\n    spec:\n      containers: [{name: web, image: 'web:1.0'}]\n"
    )
    write(
        repo,
        {
            "base/kustomization.yaml": "resources: [web.yaml]\n",
            "base/web.yaml": deployment,
            "envs/dev/kustomization.yaml": f"resources: [../../base]\n{entry_before}\n",
        },
    )
    commit(repo, "dev")
    git(repo, "checkout", "-q", "-b", "feature")
    edit(repo, "envs/dev/kustomization.yaml", entry_before, entry_after)
    edit(repo, "base/web.yaml", "name: web}", "name: web, labels: {tier: front}}")
    result = preview(repo)
    row = field(result, "envs/dev", field_name)
    assert (row["old"], row["new"], row["note"]) == (old, new, "")
    assert row["files"] == ["envs/dev/kustomization.yaml"]
    label = field(result, "envs/dev", "metadata.labels")
    assert label["files"] == ["base/web.yaml"]
    # no Application anywhere: the shared note is said once, not once per environment
    text = to_text(result)
    assert text.count("no Argo CD Application") == 1
    assert "all 2 environments: no Argo CD Application: assumed to follow main" in text
    assert "- **all 2 environments**: no Argo CD Application" in to_markdown(result)


def test_reused_workloads_and_shares_give_the_computed_result(
    promo_repo: Path, monkeypatch
) -> None:
    """Unchanged resources take their workloads and capacity shares from the base revision;
    the preview must equal the one that works every resource out again (prod, with its
    HPAs, is reached here: its Application follows main at the head)."""
    import envlib.analysis.preview_changes as changes
    import envlib.analysis.workloads as workloads

    edit(promo_repo, "base/api.yaml", "cpu: 250m", "cpu: 300m")
    edit(promo_repo, "argocd/app-prod.yaml", "targetRevision: release-1.0", "targetRevision: main")
    fast = preview(promo_repo)
    assert fast.env("prod").status == "changed"
    assert "cpu requests" in set(fast.env("prod").capacity["metric"])
    with monkeypatch.context() as patched:
        patched.setattr(workloads, "share_unchanged", lambda pairs: None)
        patched.setattr(changes, "_unchanged_shares", lambda *args: None)
        assert to_json(preview(promo_repo)) == to_json(fast)
