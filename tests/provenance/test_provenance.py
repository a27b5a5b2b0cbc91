"""Field-level provenance on small trees: every kind of step points at the text it wrote."""

from __future__ import annotations

from pathlib import Path

import yaml

from envlib.kustomize import build
from envlib.provenance import Provenance, project_root
from envlib.provenance.annotate import annotate
from envlib.provenance.audit import VERIFIED, audit_build
from envlib.provenance.reasons import why

BASE = {
    "base/kustomization.yaml": """\
resources:
- deploy.yaml
configMapGenerator:
- name: settings
  literals:
  - LEVEL=info
  - MODE=fast
""",
    "base/deploy.yaml": """\
# The web tier.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2  # two for a rolling update
  template:
    spec:
      containers:
      - name: app
        image: nginx:1.25
        env:
        - name: A
          value: "1"
""",
    "prod/kustomization.yaml": """\
resources:
- ../base
namespace: shop
namePrefix: prod-
commonLabels:
  tier: web
# The replicas patch: prod needs HA.
patches:
- path: replicas.yaml
# Add a sidecar (strategic merge by name).
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      template:
        spec:
          containers:
          - name: sidecar
            image: envoy:1.0
- target:
    kind: Deployment
  patch: |-
    - op: replace
      path: /spec/template/spec/containers/0/image
      value: nginx:1.26
images:
- name: nginx
  newTag: "1.27"
configMapGenerator:
- name: settings
  behavior: merge
  literals:
  - LEVEL=warn
""",
    "prod/replicas.yaml": """\
# HA: three replicas across zones.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
""",
}


def _tree(write_tree, tmp_path: Path) -> tuple[Path, Provenance, object]:
    root = write_tree(BASE, tmp_path / "repo")
    (root / ".git").mkdir()
    result = build(root / "prod")
    return root, Provenance(result.resources, result.trace, project_root(root)), result


def _chain(prov: Provenance, res: object, path: tuple) -> list[tuple[object, str, str | None]]:
    found = prov.field(res, path)
    return [
        (e.value, f"{prov.display(e.site.path)}:{e.site.line}" if e.site else "-", e.step)
        for e in found.chain
    ]


def test_patch_file_line_and_old_to_new(write_tree, tmp_path) -> None:
    _, prov, result = _tree(write_tree, tmp_path)
    web = result.find("Deployment/prod-web")
    chain = _chain(prov, web, ("spec", "replicas"))
    assert chain == [
        (2, "base/deploy.yaml:7", None),
        (3, "prod/replicas.yaml:7", "prod/kustomization.yaml#patches[0]"),
    ]
    final = prov.field(web, ("spec", "replicas")).final
    assert final is not None
    assert why(final.site) == "HA: three replicas across zones."
    first = prov.field(web, ("spec", "replicas")).chain[0]
    assert why(first.site) == "two for a rolling update"


def test_inline_smp_json6902_and_images(write_tree, tmp_path) -> None:
    _, prov, result = _tree(write_tree, tmp_path)
    web = result.find("Deployment/prod-web")
    containers = ("spec", "template", "spec", "containers")
    # kustomize puts the patch's new container first; JSON6902 then images rewrite its image
    sidecar = _chain(prov, web, (*containers, 0, "image"))
    kust = "prod/kustomization.yaml"
    assert sidecar == [
        ("envoy:1.0", f"{kust}:21", f"{kust}#patches[1]"),  # inside the inline block
        ("nginx:1.26", f"{kust}:26", f"{kust}#patches[2]"),  # the op's `path:` line
        ("nginx:1.27", f"{kust}:30", f"{kust}#images[0]"),  # newTag
    ]
    app = _chain(prov, web, (*containers, 1, "image"))
    assert app == [
        ("nginx:1.25", "base/deploy.yaml:12", None),
        ("nginx:1.27", f"{kust}:30", f"{kust}#images[0]"),
    ]
    assert _chain(prov, web, (*containers, 1, "env", 0, "value")) == [
        ("1", "base/deploy.yaml:15", None)
    ]
    final = prov.field(web, (*containers, 0, "image")).chain[0]
    assert why(final.site) == "Add a sidecar (strategic merge by name)."


def test_transformers_and_generators(write_tree, tmp_path) -> None:
    _, prov, result = _tree(write_tree, tmp_path)
    web = result.find("Deployment/prod-web")
    assert _chain(prov, web, ("metadata", "namespace"))[-1][1] == "prod/kustomization.yaml:3"
    assert _chain(prov, web, ("metadata", "labels", "tier"))[-1][1] == "prod/kustomization.yaml:6"
    name = _chain(prov, web, ("metadata", "name"))
    assert [c[0] for c in name] == ["web", "prod-web"]
    settings = next(r for r in result.resources if r.kind == "ConfigMap")
    level = _chain(prov, settings, ("data", "LEVEL"))
    assert [(v, loc) for v, loc, _ in level] == [
        ("info", "base/kustomization.yaml:6"),
        ("warn", "prod/kustomization.yaml:35"),
    ]
    assert _chain(prov, settings, ("data", "MODE"))[-1][1] == "base/kustomization.yaml:7"


def test_stable_across_runs(write_tree, tmp_path) -> None:
    root = write_tree(BASE, tmp_path / "repo")
    (root / ".git").mkdir()
    texts = []
    for _ in range(2):
        result = build(root / "prod")
        prov = Provenance(result.resources, result.trace, project_root(root))
        texts.append(annotate(result.to_yaml(), result.resources, prov).text)
    assert texts[0] == texts[1]


def test_annotated_output_is_the_same_yaml(write_tree, tmp_path) -> None:
    _, prov, result = _tree(write_tree, tmp_path)
    plain = result.to_yaml()
    annotated = annotate(plain, result.resources, prov)
    assert list(yaml.safe_load_all(annotated.text)) == list(yaml.safe_load_all(plain))
    assert annotated.share >= 0.95
    assert "  # prod/replicas.yaml:7 (patches[0])" in annotated.text


def test_block_scalars_keep_their_text(write_tree, tmp_path) -> None:
    files = {
        "kustomization.yaml": "resources: [cm.yaml]\n",
        "cm.yaml": (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n"
            "  script: |\n    echo a # not a comment\n    echo b\n  other: x\n"
        ),
    }
    root = write_tree(files, tmp_path / "r")
    result = build(root)
    prov = Provenance(result.resources, result.trace, project_root(root))
    plain = result.to_yaml()
    annotated = annotate(plain, result.resources, prov)
    assert list(yaml.safe_load_all(annotated.text)) == list(yaml.safe_load_all(plain))
    assert "echo b\n" in annotated.text  # content lines carry no comment


def test_audit_verifies_every_field(write_tree, tmp_path) -> None:
    _, _, result = _tree(write_tree, tmp_path)
    audit = audit_build(result)
    assert audit.fields > 20
    assert audit.share(*VERIFIED, "computed", "engine") == 1.0, audit.failures
