"""ApplicationSet generator expansion, table-driven: generator + template -> generated apps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from envlib.analysis import appsets
from envlib.analysis.environments import discover
from envlib.analysis.gotemplate import TemplateError
from envlib.analysis.gotemplate import render as go_render

TREE = {
    "apps/dev/kustomization.yaml": "resources: []\n",
    "apps/prod/kustomization.yaml": "resources: []\n",
    "apps/Prod_EU/kustomization.yaml": "resources: []\n",
    "apps/skip/kustomization.yaml": "resources: []\n",
    "clusters/dev/config.yaml": "cluster: {name: dev-1, region: eu}\nreplicas: 1\n",
    "clusters/prod/config.json": '[{"cluster": {"name": "prod-1", "region": "us"}},'
    ' {"cluster": {"name": "prod-2", "region": "eu"}}]',
    "clusters/old/config.yaml": "cluster: {name: old}\n",
}


def _appset(generators: str, template: str, *, go: bool = False, extra: str = "") -> dict[str, Any]:
    text = (
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: set}\nspec:\n"
        + ("  goTemplate: true\n  goTemplateOptions: [missingkey=error]\n" if go else "")
        + "  generators:\n"
        + generators
        + "  template:\n    metadata: {name: '"
        + template
        + "'}\n    spec: {}\n"
        + extra
    )
    return yaml.safe_load(text)


CASES: list[tuple[str, str, str, bool, list[str]]] = [
    (
        "list",
        "  - list: {elements: [{env: dev}, {env: prod, values: {tier: gold}}]}\n",
        "web-{{env}}-{{values.tier}}",
        False,
        ["web-dev-{{values.tier}}", "web-prod-gold"],
    ),
    (
        "list-go",
        "  - list: {elements: [{env: dev, n: 1}, {env: prod, n: 2}]}\n",
        "web-{{ .env }}-{{ .n }}",
        True,
        ["web-dev-1", "web-prod-2"],
    ),
    (
        "list-elementsYaml",
        "  - list: {elementsYaml: '- {env: qa}\n\n        - {env: uat}'}\n",
        "{{ .env }}",
        True,
        ["qa", "uat"],
    ),
    (
        "git-directories-exclude",
        "  - git:\n      repoURL: https://x/r.git\n      revision: HEAD\n"
        "      directories: [{path: 'apps/*'}, {path: apps/skip, exclude: true}]\n",
        "{{path.basename}}/{{path.basenameNormalized}}/{{path[1]}}/{{path}}",
        False,
        [
            "Prod_EU/prod-eu/Prod_EU/apps/Prod_EU",
            "dev/dev/dev/apps/dev",
            "prod/prod/prod/apps/prod",
        ],
    ),
    (
        "git-directories-go",
        "  - git:\n      repoURL: https://x/r.git\n      directories: [{path: 'apps/*'}]\n"
        "      values: {who: 'team-{{ .path.basename }}'}\n",
        "{{ index .path.segments 0 }}-{{ .path.basenameNormalized }}-{{ .values.who }}",
        True,
        [
            "apps-prod-eu-team-Prod_EU",
            "apps-dev-team-dev",
            "apps-prod-team-prod",
            "apps-skip-team-skip",
        ],
    ),
    (
        "git-files",
        "  - git:\n      repoURL: https://x/r.git\n"
        "      files: [{path: 'clusters/**/config.*'}, {path: clusters/old/*, exclude: true}]\n",
        "{{cluster.name}}@{{path.basename}}:{{path.filename}}:{{path[0]}}",
        False,
        [
            "dev-1@dev:config.yaml:clusters",
            "prod-1@prod:config.json:clusters",
            "prod-2@prod:config.json:clusters",
        ],
    ),
    (
        "git-files-go",
        "  - git:\n      repoURL: https://x/r.git\n"
        "      files: [{path: clusters/dev/config.yaml}]\n",
        "{{ .cluster.name | upper }}-{{ .path.filenameNormalized }}-{{ .replicas }}",
        True,
        ["DEV-1-config.yaml-1"],
    ),
    (
        "matrix",
        "  - matrix:\n      generators:\n"
        "      - git: {repoURL: 'https://x/r.git',\n"
        "              directories: [{path: apps/dev}, {path: apps/prod}]}\n"
        "      - list: {elements: [{region: eu}, {region: us}]}\n",
        "{{path.basename}}-{{region}}",
        False,
        ["dev-eu", "dev-us", "prod-eu", "prod-us"],
    ),
    (
        "matrix-second-uses-first",
        "  - matrix:\n      generators:\n"
        "      - list: {elements: [{env: dev}, {env: prod}]}\n"
        "      - git: {repoURL: 'https://x/r.git',\n"
        "              files: [{path: 'clusters/{{ .env }}/config.*'}]}\n",
        "{{ .env }}-{{ .cluster.name }}",
        True,
        ["dev-dev-1", "prod-prod-1", "prod-prod-2"],
    ),
    (
        "merge",
        "  - merge:\n      mergeKeys: [env]\n      generators:\n"
        "      - list: {elements: [{env: dev, size: s}, {env: prod, size: s}]}\n"
        "      - list: {elements: [{env: prod, size: xl}, {env: other, size: m}]}\n",
        "{{env}}-{{size}}",
        False,
        ["dev-s", "prod-xl"],
    ),
    (
        "selector",
        "  - list: {elements: [{env: dev}, {env: prod}]}\n"
        "    selector: {matchLabels: {env: prod}}\n",
        "{{env}}",
        False,
        ["prod"],
    ),
]


@pytest.mark.parametrize(
    ("generators", "template", "go", "expected"),
    [pytest.param(*c[1:], id=c[0]) for c in CASES],
)
def test_generator_expansion(
    write_tree, tmp_path: Path, generators: str, template: str, go: bool, expected: list[str]
) -> None:
    root = write_tree(TREE, tmp_path / "repo")
    result = appsets.expand(_appset(generators, template, go=go), root)
    names = [a["metadata"]["name"] for a in result.applications]
    assert sorted(names) == sorted(expected)
    assert result.notes == []


def test_unsupported_generators_are_notes(write_tree, tmp_path: Path) -> None:
    root = write_tree(TREE, tmp_path / "repo")
    generators = "  - clusters: {}\n  - pullRequest: {github: {owner: o, repo: r}}\n"
    result = appsets.expand(_appset(generators, "x"), root)
    assert result.applications == []
    assert [n.split()[1] for n in result.notes] == ["'clusters'", "'pullRequest'"]


def test_template_patch_and_missing_key(write_tree, tmp_path: Path) -> None:
    root = write_tree(TREE, tmp_path / "repo")
    extra = (
        "  templatePatch: |\n    spec:\n      project: '{{ .env }}-proj'\n"
        "    {{- if .auto }}\n      syncPolicy: {automated: {}}\n    {{- end }}\n"
    )
    doc = _appset(
        "  - list: {elements: [{env: dev, auto: true}, {env: prod, auto: false}]}\n",
        "{{ .env }}",
        go=True,
        extra=extra,
    )
    apps = {a["metadata"]["name"]: a for a in appsets.expand(doc, root).applications}
    assert apps["dev"]["spec"] == {"project": "dev-proj", "syncPolicy": {"automated": {}}}
    assert apps["prod"]["spec"] == {"project": "prod-proj"}
    with pytest.raises(appsets.GeneratorError, match='no entry for key "nope"'):
        appsets.expand(
            _appset("  - list: {elements: [{env: dev}]}\n", "{{ .nope }}", go=True), root
        )


@pytest.mark.parametrize(
    ("template", "data", "expected"),
    [
        ("{{ .a }}", {"a": 1}, "1"),
        ('{{ .a.b | default "x" }}', {"a": {"b": ""}}, "x"),
        ('{{ printf "%s-%v" .a .b }}', {"a": "p", "b": 2}, "p-2"),
        ("{{ if and .a (not .b) }}y{{ else }}n{{ end }}", {"a": True, "b": False}, "y"),
        ("{{ range .l }}[{{ . }}]{{ end }}", {"l": ["a", "b"]}, "[a][b]"),
        ("{{ $x := .a }}{{ with .m }}{{ .k }}{{ $x }}{{ end }}", {"a": "1", "m": {"k": "v"}}, "v1"),
        ("{{ .name | trunc 3 | upper }}", {"name": "abcdef"}, "ABC"),
        ('{{ splitList "/" .p | last }}', {"p": "a/b/c"}, "c"),
        ("{{ .m | toJson }}", {"m": {"b": 1, "a": [True]}}, '{"a":[true],"b":1}'),
        ("{{ .x }}", {}, "<no value>"),
    ],
)
def test_go_template_subset(template: str, data: dict[str, Any], expected: str) -> None:
    assert go_render(template, data) == expected


def test_go_template_refuses_what_it_does_not_know() -> None:
    with pytest.raises(TemplateError, match="not defined"):
        go_render("{{ lookup .x }}", {"x": 1})


def test_generated_applications_are_environments(write_tree, tmp_path: Path) -> None:
    files = dict(TREE)
    files["argocd/set.yaml"] = yaml.safe_dump(
        _appset(
            "  - git:\n      repoURL: https://x/r.git\n      directories: [{path: 'apps/*'}]\n"
            "  - clusters: {}\n",
            "web-{{path.basename}}",
        )
        | {
            "spec": _appset(
                "  - git:\n      repoURL: https://x/r.git\n      directories: [{path: 'apps/*'}]\n"
                "  - clusters: {}\n",
                "web-{{path.basename}}",
            )["spec"]
            | {
                "template": {
                    "metadata": {"name": "web-{{path.basename}}"},
                    "spec": {"source": {"repoURL": "https://x/r.git", "path": "{{path}}"}},
                }
            }
        }
    )
    root = write_tree(files, tmp_path / "repo")
    (root / ".git").mkdir()
    envs = discover(root)
    names = [e.name for e in envs]
    assert {"web-dev", "web-prod", "web-Prod_EU", "web-skip"} <= set(names)
    (note,) = [e.note for e in envs if e.path is None]
    assert "'clusters' not expanded" in note
