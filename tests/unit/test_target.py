"""Patch target selection (spec §6.2): label-selector parser, Selector, differential tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from envlib.errors import PatchError
from envlib.kustomize.core.resource import Origin, Resource
from envlib.kustomize.core.selector import label_selector_matches, parse_label_selector
from envlib.kustomize.patches import Selector, selector_matches

LABELS = {"tier": "front", "env": "prod", "n": "7"}

LABEL_ROWS = [
    ("", True),
    ("tier=front", True),
    ("tier==front", True),
    ("tier=back", False),
    ("tier!=back", True),
    ("missing!=x", True),
    ("tier in (front,back)", True),
    ("tier in (back)", False),
    ("tier notin (back)", True),
    ("missing notin (x)", True),
    ("missing in (x)", False),
    ("tier", True),
    ("!tier", False),
    ("!missing", True),
    ("tier=front,env=prod", True),
    ("tier=front, env!=prod", False),
    ("n>5", True),
    ("n<5", False),
    ("tier>5", False),
    ("  tier  =  front  ", True),
]


@pytest.mark.parametrize(
    ("selector", "expected"), LABEL_ROWS, ids=[r[0] or "empty" for r in LABEL_ROWS]
)
def test_label_selector(selector: str, expected: bool) -> None:
    assert label_selector_matches(selector, LABELS) is expected


@pytest.mark.parametrize(
    "selector",
    ["tier in (front", "tier=front extra", "=x", "tier in front", "a b", "bad key!/x=1",
     "tier=has space", "n>x", "tier,", "tier=-bad-"],
)  # fmt: skip
def test_invalid_label_selector(selector: str) -> None:
    with pytest.raises(PatchError):
        parse_label_selector(selector)


def res(obj: dict[str, Any], name: str | None = None, namespace: str | None = None) -> Resource:
    r = Resource.from_obj(obj, Origin("x.yaml"))
    if name is not None:
        r.set_name(name)
    if namespace is not None:
        r.set_namespace(namespace)
    return r


def test_selector_from_dict_and_errors() -> None:
    sel = Selector.from_dict({"kind": "Deployment", "labelSelector": "a=b"})
    assert (sel.kind, sel.label_selector) == ("Deployment", "a=b")
    with pytest.raises(PatchError):
        Selector.from_dict({"kindd": "x"})
    with pytest.raises(PatchError):
        Selector.from_dict({"name": "("})
    with pytest.raises(PatchError):
        Selector.from_dict({"labelSelector": "a in (b"})


def test_intermediate_ids_not_used() -> None:
    # original "web", renamed "mid-web" then "top-mid-web": Select only sees org and cur
    r = res({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web"}}, "mid-web")
    r.set_name("top-mid-web")
    assert selector_matches(Selector(name="web"), r)
    assert selector_matches(Selector(name="top-mid-web"), r)
    assert not selector_matches(Selector(name="mid-web"), r)


# -- differential: one kubectl build, many selectors ------------------------------------------

OBJECTS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod, labels: {tier: front, env: prod}, annotations: {team: a}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-api, labels: {tier: back}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: myweb, labels: {tier: back, n: "7"}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
---
apiVersion: example.com/v1
kind: Thing
metadata: {name: thing, namespace: other}
"""

SELECTORS: list[dict[str, str]] = [
    {"name": "web"},
    {"name": "web.*"},
    {"name": "eb"},
    {"name": "base-web"},  # current name only
    {"name": "base-web.*"},
    {"kind": "Deployment|StatefulSet"},
    {"kind": "Deploy"},
    {"group": "apps", "version": "v1"},
    {"group": ""},
    {"version": "v1"},
    {"namespace": "default"},
    {"namespace": "prod"},
    {"namespace": "other|prod"},
    {"namespace": ".*"},
    {"namespace": "_non_namespaceable_"},
    {"labelSelector": "tier in (front,back),env!=prod"},
    {"labelSelector": "!tier"},
    {"labelSelector": "tier"},
    {"labelSelector": "n>5"},
    {"annotationSelector": "team=a"},
    {"kind": "ClusterRole", "name": "base-reader"},
    {"kind": "Thing", "namespace": "other"},
    {"name": "nomatch"},
]


@pytest.fixture(scope="module")
def oracle_hits(oracle: Any, tmp_path_factory: pytest.TempPathFactory) -> list[set[str]]:
    """For each selector, the (kind/original name) of objects kubectl patched."""
    root = tmp_path_factory.mktemp("targets")
    (root / "base").mkdir()
    (root / "base" / "x.yaml").write_text(OBJECTS)
    (root / "base" / "kustomization.yaml").write_text("resources: [x.yaml]\nnamePrefix: base-\n")
    entries = []
    for i, sel in enumerate(SELECTORS):
        op = [{"op": "add", "path": f"/metadata/labels/sel{i}", "value": "hit"}]
        entries.append({"target": sel, "patch": json.dumps(op)})
    # every object needs a labels map for the JSON patch to add to
    entries.insert(0, {"target": {}, "patch": json.dumps(
        [{"op": "add", "path": "/metadata/labels/zz", "value": "x"}])})  # fmt: skip
    (root / "kustomization.yaml").write_text(
        yaml.safe_dump({"resources": ["base"], "patches": entries})
    )
    # objects without labels: give them some in the base so "add" works
    text = OBJECTS.replace("metadata: {name: web}", "metadata: {name: web, labels: {}}")
    text = text.replace("{name: reader}", "{name: reader, labels: {}}")
    text = text.replace("namespace: other}", "namespace: other, labels: {}}")
    (root / "base" / "x.yaml").write_text(text)
    result = oracle.build(root)
    assert result.rc == 0, result.stderr
    hits: list[set[str]] = [set() for _ in SELECTORS]
    for doc in yaml.safe_load_all(result.stdout):
        for key in doc["metadata"].get("labels", {}):
            if key.startswith("sel"):
                name = doc["metadata"]["name"].removeprefix("base-")
                hits[int(key[3:])].add(f"{doc['kind']}/{name}")
    return hits


def resources() -> list[Resource]:
    out = []
    for obj in yaml.safe_load_all(OBJECTS):
        r = res(obj)
        r.set_name("base-" + obj["metadata"]["name"])
        out.append(r)
    return out


@pytest.mark.oracle
@pytest.mark.parametrize("index", range(len(SELECTORS)), ids=[json.dumps(s) for s in SELECTORS])
def test_selector_matches_kubectl(oracle_hits: list[set[str]], index: int) -> None:
    sel = Selector.from_dict(SELECTORS[index])
    mine = {f"{r.kind}/{r.org_id.name}" for r in resources() if selector_matches(sel, r)}
    assert mine == oracle_hits[index]


@pytest.mark.oracle
@pytest.mark.parametrize("selector", ["tier in (front", "a b", "tier=has space"])
def test_invalid_selector_fails_in_kubectl_too(oracle: Any, tmp_path: Path, selector: str) -> None:
    (tmp_path / "x.yaml").write_text(OBJECTS)
    patch = json.dumps([{"op": "add", "path": "/metadata/labels/x", "value": "y"}])
    (tmp_path / "kustomization.yaml").write_text(
        yaml.safe_dump(
            {
                "resources": ["x.yaml"],
                "patches": [{"target": {"labelSelector": selector}, "patch": patch}],
            }
        )
    )
    assert oracle.build(tmp_path).rc != 0
    with pytest.raises(PatchError):
        Selector.from_dict({"labelSelector": selector})
