"""Shared differential helper for transformer unit tests: our function vs ``kubectl kustomize``.

The kustomization under test is built by the oracle; the same input objects go through the
transformer function alone; the results are compared as data (bytes are the emitter's job),
or, when kubectl fails, our ``kustomize_message`` is compared with its stderr.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml

from envlib.errors import TransformerError
from envlib.kustomize.core.resource import Origin, ResMap, Resource

Apply = Callable[[ResMap, dict[str, Any]], None]


def by_id(objs: Iterable[Any]) -> dict[tuple[str, str, str], Any]:
    """Index objects by (kind, namespace, name) so order does not matter."""
    return {
        (o.get("kind", ""), o["metadata"].get("namespace", ""), o["metadata"]["name"]): o
        for o in objs
        if o
    }


def run_both(oracle: Any, tmp_path: Path, resources: str, kustomization: str, apply: Apply) -> None:
    """Build with kubectl and with ``apply`` on the same objects; compare data or errors."""
    resources, kustomization = textwrap.dedent(resources), textwrap.dedent(kustomization)
    (tmp_path / "x.yaml").write_text(resources)
    (tmp_path / "kustomization.yaml").write_text("resources:\n- x.yaml\n" + kustomization)
    result = oracle.build(tmp_path)
    objs = [o for o in yaml.safe_load_all(resources) if o]
    resmap = ResMap([Resource.from_obj(o, Origin("x.yaml")) for o in objs])
    config = yaml.safe_load(kustomization)
    if result.rc == 0:
        apply(resmap, config)
        assert by_id(resmap.objects()) == by_id(yaml.safe_load_all(result.stdout))
        return
    with pytest.raises(TransformerError) as info:
        apply(resmap, config)
    expected = result.stderr[result.stderr.index("error: ") + 7 :].strip()
    got = info.value.kustomize_message or ""
    # kyaml's "node contents" echo keeps the source's flow/quote style; compare up to it.
    cut = "node contents:"
    assert got.split(cut)[0] == expected.split(cut)[0]
