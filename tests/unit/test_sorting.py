"""Legacy sort and sortOptions (spec §5), on ids the way kubectl orders them."""

from __future__ import annotations

import pytest

from envlib.errors import KustomizationError
from envlib.kustomize.core.resource import Origin, Resource
from envlib.kustomize.core.sorting import SortOptions, legacy_sort, sort_resources


def _res(api_version: str, kind: str, name: str, namespace: str = "") -> Resource:
    meta: dict[str, str] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return Resource.from_obj(
        {"apiVersion": api_version, "kind": kind, "metadata": meta}, Origin("x.yaml")
    )


def _ids(resources: list[Resource]) -> list[str]:
    return [f"{r.kind}/{r.namespace}/{r.name}" for r in resources]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param(
            [
                ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "v", ""),
                ("v1", "Pod", "p", ""),
                ("apps/v1", "Deployment", "d", ""),
                ("v1", "Namespace", "n", ""),
                ("v1", "Service", "s", ""),
            ],
            [
                "Namespace//n",
                "Service//s",
                "Deployment//d",
                "Pod//p",
                "ValidatingWebhookConfiguration//v",
            ],
            id="rank-first-middle-last",
        ),
        pytest.param(
            [
                ("v1", "Pod", "p", ""),
                ("networking.k8s.io/v1", "Ingress", "i", ""),
                ("batch/v1", "Job", "j", ""),
                ("apps/v1", "DaemonSet", "d", ""),
            ],
            ["DaemonSet//d", "Job//j", "Ingress//i", "Pod//p"],
            id="middle-by-group-core-last",
        ),
        pytest.param(
            [
                ("v1", "ConfigMap", "b", ""),
                ("v1", "ConfigMap", "a", ""),
                ("v1", "ConfigMap", "a", "zzz"),
                ("v1", "ConfigMap", "c", "aaa"),
            ],
            ["ConfigMap/aaa/c", "ConfigMap/zzz/a", "ConfigMap//a", "ConfigMap//b"],
            id="namespace-less-last",
        ),
        pytest.param(
            [("v1", "ConfigMap", "x", "a"), ("v1", "ConfigMap", "x", "a-b")],
            ["ConfigMap/a-b/x", "ConfigMap/a/x"],
            id="joined-string-compare",
        ),
        pytest.param(
            [("v1", "Namespace", "a", ""), ("example.com/v1", "Namespace", "b", "")],
            ["Namespace//a", "Namespace//b"],
            id="namespace-kind-quirk-reversed",
        ),
    ],
)
def test_legacy_order(given: list[tuple[str, str, str, str]], expected: list[str]) -> None:
    resources = [_res(*g) for g in given]
    assert _ids(legacy_sort(resources)) == expected


def test_fifo_keeps_order() -> None:
    resources = [_res("v1", "Service", "s"), _res("v1", "Namespace", "n")]
    assert _ids(sort_resources(resources, SortOptions.from_dict({"order": "fifo"}))) == [
        "Service//s",
        "Namespace//n",
    ]


def test_custom_legacy_lists() -> None:
    options = SortOptions.from_dict(
        {
            "order": "legacy",
            "legacySortOptions": {"orderFirst": ["Pod"], "orderLast": ["Namespace"]},
        }
    )
    resources = [_res("v1", "Namespace", "n"), _res("v1", "Service", "s"), _res("v1", "Pod", "p")]
    assert _ids(sort_resources(resources, options)) == ["Pod//p", "Service//s", "Namespace//n"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param({"order": "random"}, "must be one of [fifo, legacy]", id="bad-order"),
        pytest.param(
            {"order": "fifo", "legacySortOptions": {"orderFirst": []}},
            "is set but the selected sort order is 'fifo'",
            id="fifo-with-legacy-options",
        ),
    ],
)
def test_invalid_sort_options(data: dict[str, object], message: str) -> None:
    with pytest.raises(KustomizationError) as info:
        SortOptions.from_dict(data)
    assert message in (info.value.kustomize_message or "")
