"""The explorer's provenance views: gutter, field chain, and the diff's explained_by column."""

from __future__ import annotations

from support import REPO

from envlib.analysis import environments
from envlib.analysis.diff import diff_envs
from envlib.widgets import provenance_view
from envlib.widgets.explorer import explore
from envlib.widgets.views import resource_label


def _envs() -> dict[str, environments.RenderedEnv]:
    return {r.name: r for r in environments.render_all(environments.discover(REPO))}


def test_gutter_names_the_line_behind_each_yaml_line() -> None:
    prod = _envs()["prod"]
    server = next(r for r in prod.resources if r.kind == "Server")
    rows = provenance_view.gutter_rows(prod, server)
    replicas = [e for line, e in rows if line.strip() == "replicas: 3"]
    assert replicas and replicas[0] is not None and replicas[0].site is not None
    assert replicas[0].site.path.endswith("overlays/prod/patches/server-replicas.yaml")
    assert sum(e is not None for _, e in rows) / len(rows) >= 0.95
    page = provenance_view.gutter_html(prod, server).data
    assert "server-replicas.yaml:5" in page and "HA for the model server" in page


def test_diff_rows_are_explained() -> None:
    envs = _envs()
    frame = diff_envs(envs["dev"], envs["prod"])
    row = frame[(frame["kind"] == "Server") & (frame["field"] == "spec.replicas")]
    (text,) = provenance_view.explained_by(row, envs["dev"], envs["prod"])
    assert "dev: k8s/overlays/dev/patches/server-mlserver.yaml" in text
    assert "prod: k8s/overlays/prod/patches/server-replicas.yaml:5 (patches[0])" in text


def test_explorer_resource_tab_shows_the_chain() -> None:
    explorer = explore(REPO)
    rendered = explorer.state.rendered(explorer.state.focus)
    server = next(r for r in rendered.resources if r.kind == "Server")
    explorer.resource.value = resource_label(server)
    explorer.field_chain.field.value = "spec.replicas"
    frame = explorer.field_chain.frame
    assert frame["step"].tolist() == ["declared", frame["step"].iloc[-1]] and len(frame) == 2
