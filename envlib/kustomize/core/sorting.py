"""Output order: kustomize's "legacy" sort (the kubectl default) and ``sortOptions`` (spec §5).

kubectl has no ``--reorder`` flag, so unless the *root* kustomization says
``sortOptions: {order: fifo}`` every build is sorted by kind rank, then by a
``group_version_kind`` string in which the core group sorts last, then by the joined
``namespace|name`` string with namespace-less objects last. The comparison mirrors
``SortOrderTransformer.go`` of Kustomize v5.5.0 including its one quirk (two ``Namespace``
kinds of which one is in the core group compare reversed).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from envlib.errors import KustomizationError, SourceLocation
from envlib.kustomize.core.resid import Gvk, ResId
from envlib.kustomize.core.resource import Resource

DEFAULT_ORDER_FIRST: tuple[str, ...] = (
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
)
DEFAULT_ORDER_LAST: tuple[str, ...] = (
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
)


@dataclass(frozen=True)
class SortOptions:
    """The root's ``sortOptions``: ``order`` is ``legacy`` or ``fifo``."""

    order: str = "legacy"
    order_first: tuple[str, ...] = DEFAULT_ORDER_FIRST
    order_last: tuple[str, ...] = DEFAULT_ORDER_LAST

    @classmethod
    def from_dict(cls, data: Any, location: SourceLocation | None = None) -> SortOptions:
        """Validate a ``sortOptions`` mapping with kustomize's error texts; None -> legacy."""
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise KustomizationError(
                "sortOptions must be a mapping", location=location, entry="sortOptions"
            )
        order = data.get("order", "")
        legacy = data.get("legacySortOptions")
        if order not in ("fifo", "legacy"):
            text = "the field 'sortOptions.order' must be one of [fifo, legacy]"
            raise KustomizationError(
                text, location=location, entry="sortOptions", kustomize_message=text
            )
        if order == "fifo":
            if legacy is not None:
                text = (
                    "the field 'sortOptions.legacySortOptions' is set but the selected sort "
                    "order is 'fifo', not 'legacy'"
                )
                raise KustomizationError(
                    text, location=location, entry="sortOptions", kustomize_message=text
                )
            return cls(order="fifo")
        if legacy is None:
            return cls()
        first = tuple(str(k) for k in (legacy.get("orderFirst") or ()))
        last = tuple(str(k) for k in (legacy.get("orderLast") or ()))
        return cls(order="legacy", order_first=first, order_last=last)


def _type_orders(first: Sequence[str], last: Sequence[str]) -> dict[str, int]:
    orders: dict[str, int] = {}
    for i, kind in enumerate(first):
        orders[kind] = -len(first) + i
    for i, kind in enumerate(last):
        orders[kind] = 1 + i
    return orders


def _gvk_string(gvk: Gvk) -> str:
    return f"{gvk.group or '~G'}_{gvk.version or '~V'}_{gvk.kind or '~K'}"


def _id_string(rid: ResId) -> str:
    return f"{rid.gvk}|{rid.namespace or '~X'}|{rid.name or '~N'}"


def legacy_sort(
    resources: Sequence[Resource], options: SortOptions | None = None
) -> list[Resource]:
    """Resources in kustomize's legacy order (a new list; input untouched)."""
    opts = options or SortOptions()
    orders = _type_orders(opts.order_first, opts.order_last)
    keyed = [(r.cur_id, r) for r in resources]
    namespace_gvks = {rid.gvk for rid, _ in keyed if rid.gvk.kind == "Namespace"}
    quirk = len(namespace_gvks) > 1 and any(g.group == "" for g in namespace_gvks)
    if not quirk:
        keyed.sort(
            key=lambda item: (
                orders.get(item[0].gvk.kind, 0),
                _gvk_string(item[0].gvk),
                _id_string(item[0]),
            )
        )
        return [r for _, r in keyed]

    def compare(a: tuple[ResId, Resource], b: tuple[ResId, Resource]) -> int:
        ga, gb = a[0].gvk, b[0].gvk
        if ga != gb:
            ra, rb = orders.get(ga.kind, 0), orders.get(gb.kind, 0)
            if ra != rb:
                return -1 if ra < rb else 1
            sa, sb = _gvk_string(ga), _gvk_string(gb)
            if ga.kind == "Namespace" and gb.kind == "Namespace" and "" in (ga.group, gb.group):
                sa, sb = sb, sa
            return -1 if sa < sb else (1 if sa > sb else 0)
        ia, ib = _id_string(a[0]), _id_string(b[0])
        return -1 if ia < ib else (1 if ia > ib else 0)

    keyed.sort(key=functools.cmp_to_key(compare))
    return [r for _, r in keyed]


def sort_resources(resources: Sequence[Resource], options: SortOptions | None) -> list[Resource]:
    """Apply the root's sort options (``None`` = kubectl's default, legacy)."""
    if options is not None and options.order == "fifo":
        return list(resources)
    return legacy_sort(resources, options)
