"""images: name matching, splitting, rewriting, and differential rows vs the oracle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from oracle_compare import run_both

from envlib.errors import TransformerError
from envlib.kustomize.core.resource import ResMap
from envlib.kustomize.transformers.images import (
    apply_images,
    image_pattern,
    rewrite_image,
    split_image,
)


def apply_config(resmap: ResMap, config: dict[str, Any]) -> None:
    apply_images(resmap, config["images"])


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        pytest.param("nginx", ("nginx", "", ""), id="bare"),
        pytest.param("nginx:1.0", ("nginx", "1.0", ""), id="tag"),
        pytest.param("nginx@sha256:abc", ("nginx", "", "sha256:abc"), id="digest"),
        pytest.param(
            "localhost:5000/tools/busy:1.2@sha256:abc",
            ("localhost:5000/tools/busy", "1.2", "sha256:abc"),
            id="port-tag-digest",
        ),
        pytest.param("localhost:5000/busy", ("localhost:5000/busy", "", ""), id="port-only"),
        pytest.param("a/b@sha256:x:y", ("a/b", "", "sha256:x:y"), id="digest-before-colon"),
    ],
)
def test_split_image(image: str, expected: tuple[str, str, str]) -> None:
    assert split_image(image) == expected


@pytest.mark.parametrize(
    ("image", "entry", "expected"),
    [
        pytest.param("nginx:1.0@sha256:a", {"newTag": "2"}, "nginx:2", id="tag-drops-digest"),
        pytest.param("nginx:1.0", {"digest": "sha256:b"}, "nginx@sha256:b", id="digest-drops-tag"),
        pytest.param(
            "nginx:1", {"newTag": "2", "digest": "sha256:b"}, "nginx:2@sha256:b", id="both"
        ),
        pytest.param("nginx:1@sha256:a", {"tagSuffix": "-x"}, "nginx:1-x", id="suffix"),
        pytest.param("app", {"tagSuffix": "-x"}, "app:-x", id="suffix-untagged"),
        pytest.param("nginx:1", {"newName": "r/nginx"}, "r/nginx:1", id="rename-keeps-tag"),
    ],
)
def test_rewrite_image(image: str, entry: dict[str, str], expected: str) -> None:
    assert rewrite_image(image, entry) == expected


@pytest.mark.parametrize(
    ("name", "image", "expected"),
    [
        pytest.param("nginx", "nginx:1.0", True, id="tag"),
        pytest.param("nginx", "docker.io/library/nginx", False, id="anchored"),
        pytest.param("my.registry/app", "myXregistry/app", True, id="unescaped-dot"),
        pytest.param("nginx", "nginx:1\n", False, id="go-dollar-is-end-of-text"),
        pytest.param("nginx", "nginx:bad/tag", False, id="tag-charset"),
    ],
)
def test_image_pattern(name: str, image: str, expected: bool) -> None:
    assert (image_pattern(name).search(image) is not None) is expected


PODS = """
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: a, image: "nginx:1.0"}, {name: b}]
  initContainers: [{name: i, image: nginx}]
  ephemeralContainers: [{name: e, image: nginx}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers: [{name: a, image: "nginx@sha256:aaa"}, {name: b, image: "app:1"}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj}
spec:
  schedule: "* * * * *"
  jobTemplate: {spec: {template: {spec: {containers: [{name: a, image: "nginx:1.0"}]}}}}
---
apiVersion: example.com/v1
kind: Foo
metadata: {name: foo}
spec:
  deep: {containers: [{image: nginx}], image: nginx}
  list: [{initContainers: [{image: "nginx:3"}, {image: null}]}]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: foos.example.com}
spec: {containers: [{image: nginx}], template: {spec: {containers: [{image: nginx}]}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data: {containers: nginx}
"""

ORACLE_ROWS = [
    pytest.param(PODS, "images: [{name: nginx, newTag: '2.0'}]\n", id="new-tag"),
    pytest.param(PODS, "images: [{name: nginx, tagSuffix: -s}]\n", id="double-tag-suffix"),
    pytest.param(PODS, "images: [{name: nginx, digest: 'sha256:f00'}]\n", id="digest"),
    pytest.param(
        PODS,
        "images: [{name: nginx, newName: r.io/nginx, newTag: v, digest: 'sha256:1'}]\n",
        id="all-fields",
    ),
    pytest.param(
        PODS,
        "images:\n- {name: nginx, newName: a.io/nginx}\n- {name: a.io/nginx, newName: b.io/n}\n",
        id="chained-entries",
    ),
    pytest.param(
        PODS, "images: [{name: 'ng.*', newTag: '9'}, {name: app, tagSuffix: -x}]\n", id="regex-name"
    ),
    pytest.param(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: null\n"
        "  initContainers: [{name: i, image: nginx}]\n",
        "images: [{name: nginx, newTag: '1'}]\n",
        id="null-containers-become-empty",
    ),
    pytest.param(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{image: 5}]\n",
        "images: [{name: '5', newName: x}]\n",
        id="numeric-image",
    ),
    pytest.param(
        "apiVersion: example.com/v1\nkind: Foo\nmetadata: {name: foo}\nspec: {containers: 5}\n",
        "images: [{name: nginx, newTag: '2'}]\n",
        id="error-scalar-containers",
    ),
    pytest.param(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [nginx]}\n",
        "images: [{name: nginx, newTag: '2'}]\n",
        id="error-scalar-container",
    ),
    pytest.param(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{image: {a: b}}]}\n",
        "images: [{name: nginx, newTag: '2'}]\n",
        id="error-map-image",
    ),
]


@pytest.mark.oracle
@pytest.mark.parametrize(("resources", "kustomization"), ORACLE_ROWS)
def test_images_match_oracle(
    oracle: Any, tmp_path: Path, resources: str, kustomization: str
) -> None:
    run_both(oracle, tmp_path, resources, kustomization, apply_config)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        pytest.param({"name": "nginx", "newTag": 2}, "newTag must be a string", id="numeric-tag"),
        pytest.param({"name": "ngi(nx"}, "not a valid regular expression", id="bad-regex"),
    ],
)
def test_bad_entries(entry: dict[str, Any], message: str) -> None:
    with pytest.raises(TransformerError, match=message) as info:
        apply_images(ResMap(), [entry], first_index=3)
    assert info.value.entry == "images[3]"
