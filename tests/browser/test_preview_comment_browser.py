"""The preview's pull-request comment, as GitHub shows it, in a real browser.

The markdown of a Done-when scenario (dev and staging follow main, prod is pinned to a
release branch; the branch edits the base and the dev overlay) is rendered to HTML as
GitHub-flavoured markdown (markdown-it-py with tables and raw HTML, as GitHub allows
``<details>``), opened in Debian's chromium through Playwright, and read back: the summary
table has one row per environment, the dev section expands to its field table and YAML
diff, and no markdown syntax leaks into the text. A screenshot is kept in
artifacts/preview-comment.png.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from servers import CHROMIUM_ARGS
from support import REPO, require

pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "artifacts"
PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>
body {{ font: 14px -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 980px;
        margin: 24px auto; color: #1f2328; }}
table {{ border-collapse: collapse; margin: 8px 0; }}
th, td {{ border: 1px solid #d0d7de; padding: 6px 13px; }}
tr:nth-child(2n) {{ background: #f6f8fa; }}
pre {{ background: #f6f8fa; padding: 16px; overflow: auto; font-size: 12px; }}
code {{ background: rgba(175,184,193,0.2); padding: 0.2em 0.4em; border-radius: 6px; }}
pre code {{ background: none; padding: 0; }}
details {{ margin: 8px 0; }}
</style></head><body class="comment">{body}</body></html>"""


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_CONFIG_NOSYSTEM": "1"}
    env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"]
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@e", *args],
        capture_output=True,
        env=env,
        check=True,
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


@pytest.fixture(scope="module")
def comment(tmp_path_factory: pytest.TempPathFactory) -> str:
    from envlib.analysis.preview import preview
    from envlib.analysis.preview_report import to_markdown

    repo = tmp_path_factory.mktemp("comment") / "platform"
    shutil.copytree(REPO / "k8s", repo / "k8s")
    argocd = repo / "k8s" / "argocd"
    staging = (argocd / "app-dev.yaml").read_text().replace("dev", "staging")
    (argocd / "app-staging.yaml").write_text(
        staging.replace("targetRevision: main", "targetRevision: HEAD")
    )
    edit(argocd / "kustomization.yaml", "- app-dev.yaml", "- app-dev.yaml\n- app-staging.yaml")
    shutil.copytree(repo / "k8s" / "overlays" / "dev", repo / "k8s" / "overlays" / "staging")
    edit(argocd / "app-prod.yaml", "targetRevision: main", "targetRevision: release-1.0")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "platform")
    git(repo, "branch", "release-1.0")
    git(repo, "checkout", "-q", "-b", "feature")
    edit(repo / "k8s/base/feature-server.yaml", "feature-server:0.40.1", "feature-server:0.41.0")
    dev = repo / "k8s/overlays/dev/kustomization.yaml"
    edit(
        dev,
        "path: /spec/mirror/percent\n      value: 0",
        "path: /spec/mirror/percent\n      value: 25",
    )
    return to_markdown(preview(repo / "k8s"))


@pytest.fixture(scope="module")
def page(comment: str) -> Iterator[Any]:
    chromium = shutil.which("chromium")
    require(chromium is not None, "Debian's chromium is not installed (apt-get install chromium)")
    try:
        from markdown_it import MarkdownIt
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "markdown-it-py and playwright are needed (the test extra)")
        raise
    html = (
        MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(comment)
    )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1100, "height": 900})
            tab.set_content(PAGE.format(body=html))
            yield tab
        finally:
            browser.close()


def test_summary_table_reads_as_a_table(page: Any) -> None:
    rows = page.locator("table").first.locator("tbody tr")
    assert rows.count() == 3
    text = {r.locator("td").first.inner_text(): r.inner_text() for r in rows.all()}
    assert set(text) == {"dev", "staging", "prod"}
    assert "no (release-1.0)" in text["prod"] and "not reached" in text["prod"]
    assert "changed" in text["dev"] and "changed" in text["staging"]
    body = page.locator("body").inner_text()
    assert "|---" not in body and "| dev |" not in body  # no markdown leaked as text


def test_sections_expand_to_field_changes_and_a_yaml_diff(page: Any) -> None:
    sections = page.locator("details")
    assert sections.count() == 2
    dev = page.locator("details", has=page.locator("summary", has_text="dev"))
    field_table = dev.locator("table").first
    assert not field_table.is_visible()  # collapsed until clicked, as on GitHub
    dev.locator("summary").click()
    assert field_table.is_visible()
    rows = field_table.inner_text()
    assert "spec.mirror.percent" in rows and "25" in rows
    assert "k8s/overlays/dev/kustomization.yaml" in rows
    assert "feastdev/feature-server:0.41.0" in rows and "k8s/base/feature-server.yaml" in rows
    assert "+  mirror" not in rows
    diff = dev.locator("pre code")
    assert diff.count() >= 1 and "+    percent: 25" in diff.first.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "preview-comment.png"), full_page=True)
