"""Benchmark: ``envlib build`` vs ``kubectl kustomize`` vs the PyYAML parse+emit floor.

Generates trees of N Deployment+Service pairs (one file per pair) under a temporary
directory, with an overlay carrying two target-selector patches: a JSON6902 patch on every
Deployment and a strategic-merge patch on Deployments whose name matches a regex. For each
size it prints the median wall time of several runs, each in a separate process:

* ``kubectl kustomize overlay`` (stock kubectl 1.32, the oracle),
* ``python -m envlib build overlay`` (process start included),

plus, in this process, envlib's build+emit time and the time PyYAML's C loader and dumper
alone take to read every input document and write them back (the "floor" a Python
implementation cannot beat). It also checks that envlib's output equals kubectl's.

Usage::

    .venv/bin/python bench/bench_build.py [--sizes 1000 10000] [--runs 3] [--kubectl PATH]
        [--kubectl-up-to 1000]

(sizes are pairs: 1000 pairs = 2,000 resources, 10000 = 20,000). ``envlib MB`` is the peak
resident memory of the ``envlib build`` process. kubectl runs only up to ``--kubectl-up-to``
pairs (it needs minutes at 20,000 resources and no target is set there). After the table the
issue-13 targets are printed one per line with the measured value and ``met`` / ``NOT met``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from envlib.oracle import find_kubectl  # noqa: E402 - after the path set-up above

PAIR = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i:04d}
  labels:
    app: app-{i:04d}
    tier: {tier}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: app-{i:04d}
  template:
    metadata:
      labels:
        app: app-{i:04d}
    spec:
      containers:
      - name: main
        image: registry.example.com/app-{i:04d}:1.{i}
        ports:
        - containerPort: 8080
          name: http
        env:
        - name: INDEX
          value: "{i}"
        resources:
          requests:
            cpu: 100m
            memory: 128Mi
---
apiVersion: v1
kind: Service
metadata:
  name: app-{i:04d}
spec:
  selector:
    app: app-{i:04d}
  ports:
  - port: 80
    targetPort: http
"""

OVERLAY = """\
resources:
- ../base
patches:
- target:
    kind: Deployment
  patch: |-
    - op: replace
      path: /spec/replicas
      value: 3
    - op: add
      path: /metadata/labels/env
      value: prod
- target:
    kind: Deployment
    name: app-0[0-4].*
  patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: any
    spec:
      template:
        spec:
          containers:
          - name: main
            resources:
              limits:
                memory: 512Mi
"""


def make_tree(root: Path, pairs: int) -> Path:
    """Write base/ and overlay/ for ``pairs`` Deployment+Service pairs; returns overlay."""
    base = root / "base"
    base.mkdir(parents=True)
    names = []
    for i in range(pairs):
        name = f"app-{i:04d}.yaml"
        (base / name).write_text(PAIR.format(i=i, tier="web" if i % 2 else "api"))
        names.append(name)
    (base / "kustomization.yaml").write_text("resources:\n" + "".join(f"- {n}\n" for n in names))
    overlay = root / "overlay"
    overlay.mkdir()
    (overlay / "kustomization.yaml").write_text(OVERLAY)
    return overlay


def timed_process(argv: list[str], runs: int) -> tuple[float, bytes, float]:
    """Median wall seconds of ``runs`` separate runs, the last stdout, and the largest peak
    resident memory of one run in MB (``wait4``'s rusage of that very process)."""
    times: list[float] = []
    out = b""
    peak = 0.0
    for _ in range(runs):
        start = time.perf_counter()
        with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
            proc = subprocess.Popen(argv, stdout=stdout, stderr=stderr)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            times.append(time.perf_counter() - start)
            stdout.seek(0)
            stderr.seek(0)
            out, err = stdout.read(), stderr.read()
        if proc.returncode != 0:
            raise SystemExit(f"{argv[0]} failed: {err.decode()[:500]}")
        peak = max(peak, usage.ru_maxrss / 1024)  # Linux: kilobytes
    return statistics.median(times), out, peak


def timed_inprocess(overlay: Path, runs: int) -> float:
    """Median seconds of envlib's build + emit in this process (caches cleared each run)."""
    from envlib.kustomize import build
    from envlib.kustomize.load import fs
    from envlib.kustomize.load import resource_entries as loader

    build(overlay, trace=False).to_yaml()  # warm-up: lazy imports and tables, as the floor has
    times: list[float] = []
    for _ in range(runs):
        fs.OS.clear()
        loader._PARSE_CACHE.clear()
        start = time.perf_counter()
        build(overlay, trace=False).to_yaml()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cli_start(runs: int) -> float:
    """Median wall seconds of ``envlib build`` on a one-pair tree: interpreter start, envlib's
    imports and the CLI, i.e. what every ``envlib build`` pays before reading the tree."""
    with tempfile.TemporaryDirectory(prefix="envlib-bench-start-") as tmp:
        overlay = make_tree(Path(tmp), 1)
        seconds, _, _ = timed_process([sys.executable, "-m", "envlib", "build", str(overlay)], runs)
    return seconds


def yaml_floor(base: Path, runs: int) -> float:
    """Median seconds for PyYAML's C loader + dumper over every input document."""
    texts = [p.read_text() for p in sorted(base.glob("app-*.yaml"))]
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        docs = [d for t in texts for d in yaml.load_all(t, Loader=yaml.CSafeLoader)]
        yaml.dump_all(docs, Dumper=yaml.CSafeDumper, default_flow_style=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kubectl", default=None)
    parser.add_argument("--kubectl-up-to", type=int, default=1000, metavar="PAIRS")
    args = parser.parse_args(argv)
    kubectl = find_kubectl(args.kubectl)
    header = (
        f"{'pairs':>6} {'resources':>9} {'kubectl s':>10} {'envlib s':>9} {'speedup':>8} "
        f"{'in-proc s':>10} {'yaml floor s':>13} {'in-proc/floor':>14} {'envlib MB':>10} "
        f"{'same':>5}"
    )
    print(
        "targets (issue 13): in-proc/floor <= 1.5x at 2,000 and 20,000 resources, speedup >= 20x"
        " at 2,000, envlib MB <= 400 at 20,000"
    )
    start_s = cli_start(args.runs)
    print(header)
    verdicts: list[str] = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"envlib-bench-{size}-") as tmp:
            overlay = make_tree(Path(tmp), size)
            envlib_s, ours, envlib_mb = timed_process(
                [sys.executable, "-m", "envlib", "build", str(overlay)], args.runs
            )
            inproc = timed_inprocess(overlay, args.runs)
            floor = yaml_floor(Path(tmp) / "base", args.runs)
            if kubectl and size <= args.kubectl_up_to:
                kubectl_s, theirs, _ = timed_process(
                    [kubectl, "kustomize", str(overlay)], args.runs
                )
                kubectl_speedup: float | None = kubectl_s / envlib_s
                speedup = f"{kubectl_speedup:7.1f}x"
                same = "yes" if ours == theirs else "NO"
                kubectl_text = f"{kubectl_s:10.2f}"
            else:
                kubectl_speedup = None
                speedup, same, kubectl_text = "    n/a", "n/a", f"{'n/a':>10}"
            print(
                f"{size:>6} {2 * size:>9} {kubectl_text} {envlib_s:9.2f} {speedup:>8} "
                f"{inproc:10.2f} {floor:13.2f} {inproc / floor:13.2f}x {envlib_mb:10.0f} "
                f"{same:>5}",
                flush=True,
            )
            verdicts += _verdicts(size, inproc / floor, kubectl_speedup, envlib_mb)
            if size == 1000 and kubectl_speedup is not None:
                bound = kubectl_s / (start_s + floor)
                verdicts.append(
                    f"  the floor's bound: kubectl / (CLI start {start_s:.2f} s + floor "
                    f"{floor:.2f} s) = {bound:.1f}x"
                )
    print()
    print("\n".join(verdicts) if verdicts else "no target applies to these sizes")
    return 0


def _verdicts(pairs: int, floor_ratio: float, speedup: float | None, megabytes: float) -> list[str]:
    """The issue-13 targets that apply at this size, each with its value and verdict."""

    def line(what: str, value: str, met: bool) -> str:
        return f"{what:<44} {value:>9}  {'met' if met else 'NOT met'}"

    out: list[str] = []
    if pairs in (1000, 10000):
        out.append(
            line(
                f"in-proc/floor <= 1.5x at {2 * pairs:,}", f"{floor_ratio:.2f}x", floor_ratio <= 1.5
            )
        )
    if pairs == 1000 and speedup is not None:
        out.append(line("speedup vs kubectl >= 20x at 2,000", f"{speedup:.1f}x", speedup >= 20))
    if pairs == 10000:
        out.append(line("envlib MB <= 400 at 20,000", f"{megabytes:.0f}", megabytes <= 400))
    return out


if __name__ == "__main__":
    sys.exit(main())
