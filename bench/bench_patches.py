"""Micro-benchmark of the patch primitives: strategic merge, JSON6902, target selection.

The build benchmark (``bench/bench_build.py``) applies two target-selector patches to 1,000
Deployments; this script isolates the per-object cost of each primitive on realistic objects
so a regression shows up as microseconds, not as a slower build. For every case it prints the
best-of-``--repeat`` mean time of one call in microseconds.

Usage::

    .venv/bin/python bench/bench_patches.py [--number 2000] [--repeat 5] [--profile CASE]

``--profile CASE`` runs one case (a name as printed) under cProfile instead.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from envlib.kustomize.core.resource import Origin, Resource  # noqa: E402
from envlib.kustomize.patches import (  # noqa: E402
    Selector,
    apply_json6902,
    apply_strategic_merge,
    selector_matches,
)


def small_deployment(i: int = 7) -> dict[str, Any]:
    """The Deployment of ``bench_build.py``: one container, one port, one env var."""
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"app-{i:04d}", "labels": {"app": f"app-{i:04d}", "tier": "web"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": f"app-{i:04d}"}},
            "template": {
                "metadata": {"labels": {"app": f"app-{i:04d}"}},
                "spec": {
                    "containers": [
                        {
                            "name": "main",
                            "image": f"registry.example.com/app-{i:04d}:1.{i}",
                            "ports": [{"containerPort": 8080, "name": "http"}],
                            "env": [{"name": "INDEX", "value": str(i)}],
                            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
                        }
                    ]
                },
            },
        },
    }


def _container(name: str, port: int) -> dict[str, Any]:
    return {
        "name": name,
        "image": f"registry.example.com/{name}:2.3.4",
        "args": ["--port", str(port), "--verbose"],
        "ports": [
            {"containerPort": port, "name": "http", "protocol": "TCP"},
            {"containerPort": port + 1, "name": "metrics", "protocol": "TCP"},
        ],
        "env": [
            {"name": "LOG_LEVEL", "value": "info"},
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
            {"name": "DB_URL", "valueFrom": {"secretKeyRef": {"name": "db", "key": "url"}}},
            {"name": "WORKERS", "value": "4"},
        ],
        "resources": {
            "requests": {"cpu": "250m", "memory": "256Mi"},
            "limits": {"cpu": "1", "memory": "1Gi"},
        },
        "volumeMounts": [
            {"name": "config", "mountPath": "/etc/app"},
            {"name": "data", "mountPath": "/var/lib/app"},
        ],
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}},
    }


def rich_deployment() -> dict[str, Any]:
    """A production-looking Deployment: two containers, probes, volumes, tolerations."""
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "api",
            "namespace": "prod",
            "labels": {"app": "api", "team": "platform", "tier": "backend"},
            "annotations": {"owner": "platform@example.com"},
        },
        "spec": {
            "replicas": 3,
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": {"app": "api"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
            "template": {
                "metadata": {
                    "labels": {"app": "api", "tier": "backend"},
                    "annotations": {"prometheus.io/scrape": "true"},
                },
                "spec": {
                    "serviceAccountName": "api",
                    "containers": [_container("api", 8080), _container("sidecar", 9090)],
                    "initContainers": [
                        {"name": "migrate", "image": "registry.example.com/migrate:1"}
                    ],
                    "volumes": [
                        {"name": "config", "configMap": {"name": "api-config"}},
                        {"name": "data", "emptyDir": {}},
                    ],
                    "tolerations": [{"key": "dedicated", "operator": "Exists"}],
                    "nodeSelector": {"pool": "general"},
                },
            },
        },
    }


def _smp(spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}, **spec}


PATCH_REPLICAS = _smp({"spec": {"replicas": 5}})
PATCH_RESOURCES = _smp(
    {
        "spec": {
            "template": {
                "spec": {
                    "containers": [{"name": "main", "resources": {"limits": {"memory": "512Mi"}}}]
                }
            }
        }
    }
)
PATCH_RICH_ENV = _smp(
    {
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {"name": "api", "env": [{"name": "LOG_LEVEL", "value": "debug"}]}
                    ]
                }
            }
        }
    }
)
PATCH_RICH_RESOURCES = _smp(
    {
        "spec": {
            "template": {
                "spec": {
                    "containers": [{"name": "api", "resources": {"limits": {"memory": "2Gi"}}}]
                }
            }
        }
    }
)
OPS: list[dict[str, Any]] = [
    {"op": "replace", "path": "/spec/replicas", "value": 3},
    {"op": "add", "path": "/metadata/labels/env", "value": "prod"},
]


def _resource(obj: dict[str, Any]) -> Resource:
    return Resource.from_obj(obj, Origin("bench.yaml"))


def cases() -> dict[str, Callable[[], object]]:
    small, rich = small_deployment(), rich_deployment()
    res_small = _resource(small_deployment(3))
    by_kind = Selector(kind="Deployment")
    by_name = Selector(kind="Deployment", name="app-0[0-4].*")
    by_labels = Selector(kind="Deployment", label_selector="app in (app-0003,x),tier!=db")
    return {
        "smp replicas / small": lambda: apply_strategic_merge(small, PATCH_REPLICAS),
        "smp container resources / small": lambda: apply_strategic_merge(small, PATCH_RESOURCES),
        "smp replicas / rich": lambda: apply_strategic_merge(rich, PATCH_REPLICAS),
        "smp container env / rich": lambda: apply_strategic_merge(rich, PATCH_RICH_ENV),
        "smp container resources / rich": lambda: apply_strategic_merge(rich, PATCH_RICH_RESOURCES),
        "json6902 2 ops / small": lambda: apply_json6902(small, OPS),
        "json6902 2 ops / rich": lambda: apply_json6902(rich, OPS),
        "selector kind": lambda: selector_matches(by_kind, res_small),
        "selector kind+name regex": lambda: selector_matches(by_name, res_small),
        "selector kind+labels": lambda: selector_matches(by_labels, res_small),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--number", type=int, default=2000, help="calls per timing")
    parser.add_argument("--repeat", type=int, default=5, help="timings per case (best kept)")
    parser.add_argument("--profile", metavar="CASE", help="profile one case with cProfile")
    args = parser.parse_args(argv)
    table = cases()
    if args.profile:
        func = table[args.profile]
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.number):
            func()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
        return 0
    width = max(len(name) for name in table)
    for name, func in table.items():
        func()  # warm caches (schema file, compiled regexes)
        best = min(timeit.repeat(func, number=args.number, repeat=args.repeat))
        print(f"{name:<{width}}  {best / args.number * 1e6:9.1f} µs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
