"""Benchmark: the cost of field-level provenance, against a build without it.

For the generated trees of ``bench_build.py`` (N Deployment+Service pairs, two target
patches) and the embedded ``k8s/`` overlays, prints the median in-process time of

* ``build(trace=True, provenance=False)`` - the traced build without provenance,
* ``build(trace=True)`` - provenance on (each change keeps its after-snapshot),
* the lazy part: computing every field's chain of every resource, and annotating the output,

and the ratios. The issue's budget: provenance on within 1.3x of the build without it.

Usage::

    .venv/bin/python bench/bench_provenance.py [--sizes 100 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_build import make_tree  # noqa: E402 - after the path set-up above

from envlib.kustomize import build  # noqa: E402
from envlib.provenance import Provenance, project_root  # noqa: E402
from envlib.provenance.annotate import annotate  # noqa: E402


def median(action: Callable[[], object], runs: int) -> float:
    """Median wall time of ``runs`` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def full_provenance(directory: Path) -> None:
    """Build, then every chain of every resource, then the annotated output."""
    result = build(directory)
    prov = Provenance(result.resources, result.trace, project_root(result.root))
    for res in result.resources:
        prov.chains(res)
    annotate(result.to_yaml(), result.resources, prov)


def report(label: str, directory: Path, runs: int) -> None:
    """One line of timings and ratios."""
    plain = median(lambda: build(directory, trace=False), runs)
    traced = median(lambda: build(directory, trace=True, provenance=False), runs)
    with_prov = median(lambda: build(directory, trace=True), runs)
    lazy = median(lambda: full_provenance(directory), runs)
    print(
        f"{label:<22} no-trace {plain * 1000:8.1f} ms  trace {traced * 1000:8.1f} ms  "
        f"trace+provenance {with_prov * 1000:8.1f} ms ({with_prov / traced:4.2f}x)  "
        f"+all chains+annotate {lazy * 1000:8.1f} ms ({lazy / traced:4.2f}x)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    for overlay in ("k8s/overlays/dev", "k8s/overlays/prod"):
        report(overlay, REPO / overlay, args.runs)
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            report(f"generated {size} pairs", make_tree(Path(tmp), size), args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
