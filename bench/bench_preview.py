"""Benchmark: ``envlib preview`` against building every environment once.

Two repositories, each a real git history written to a temporary directory:

* the embedded ``k8s/`` on ``main``, with a branch that raises prod capacity and turns the
  dev mirror back on (the notebook's story): the preview's wall time, in this process and
  as ``python -m envlib preview`` (process start included);
* a generated repository of N Deployment+Service pairs (default 1,000 pairs = 2,000
  resources) in a base, three overlays (dev, staging, prod) and their Argo CD Applications,
  prod pinned to a release branch. Scenarios: the branch edits the dev overlay only; the
  branch edits one base file; the same with prod following ``main`` too (every environment
  reached and changed - the worst case).

For each it prints the time of building every environment once (discovery + one engine
build each, caches cleared) and of the preview (caches cleared), and their ratio - the
target's measure, in one process - beside the same as a user times it on the command line
(one ``envlib preview`` process against one ``envlib build`` process per environment), then
issue 11's targets side by side with the measured values and ``met`` / ``NOT met``: the
embedded ``envlib preview`` process under one second, and on 2,000 resources a preview
under twice one build of its environments.

Times are process CPU seconds (the median of ``--runs``; the machine the benchmarks run on
is shared, and CPU time is what a busy neighbour disturbs least); the CLI's wall time is
printed beside its CPU time. The CLI runs with byte-compiled modules, as an installed
package has them: ``PYTHONDONTWRITEBYTECODE`` is dropped and ``PYTHONPYCACHEPREFIX``
points into the temporary directory (nothing is written into the source tree), after one
untimed warm-up run. Each in-process measurement follows one untimed warm-up too (lazy
imports and tables), as ``bench_build.py`` does.

Usage::

    .venv/bin/python bench/bench_preview.py [--pairs 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_build import PAIR  # noqa: E402 - after the path set-up above

OVERLAY = """\
resources:
- ../../base
namePrefix: {env}-
patches:
- target:
    kind: Deployment
  patch: |-
    - op: replace
      path: /spec/replicas
      value: {replicas}
"""
APP = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: bench-{env}
spec:
  project: default
  source: {{repoURL: "https://example.com/r.git", targetRevision: {rev}, path: k8s/overlays/{env}}}
  destination: {{name: {env}, namespace: bench}}
"""


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_CONFIG_NOSYSTEM": "1"}
    env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"]
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=b", "-c", "user.email=b@e", *args],
        check=True,
        capture_output=True,
        env=env,
    )


def make_repo(root: Path, pairs: int, *, prod_rev: str) -> Path:
    """The generated repository on ``main`` (committed), checked out on branch ``feature``."""
    base = root / "k8s" / "base"
    base.mkdir(parents=True)
    names = []
    for i in range(pairs):
        name = f"app-{i:04d}.yaml"
        (base / name).write_text(PAIR.format(i=i, tier="web" if i % 2 else "api"))
        names.append(name)
    (base / "kustomization.yaml").write_text("resources:\n" + "".join(f"- {n}\n" for n in names))
    for env, replicas, rev in (("dev", 1, "main"), ("staging", 2, "HEAD"), ("prod", 3, prod_rev)):
        overlay = root / "k8s" / "overlays" / env
        overlay.mkdir(parents=True)
        (overlay / "kustomization.yaml").write_text(OVERLAY.format(env=env, replicas=replicas))
        (root / "argocd").mkdir(exist_ok=True)
        (root / "argocd" / f"app-{env}.yaml").write_text(APP.format(env=env, rev=rev))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "generated")
    git(root, "branch", "release-1")
    git(root, "checkout", "-q", "-b", "feature")
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def cold() -> None:
    from envlib.kustomize.load import fs
    from envlib.kustomize.load import resource_entries as loader

    fs.OS.clear()
    loader._PARSE_CACHE.clear()


def median(action: Callable[[], object], runs: int) -> float:
    """Median CPU seconds of ``action`` over ``runs`` cold runs, after one warm-up."""
    cold()
    action()
    times = []
    for _ in range(runs):
        cold()
        start = time.process_time()
        action()
        times.append(time.process_time() - start)
    return statistics.median(times)


def cli_times(argv: list[str], tmp: Path, runs: int) -> tuple[float, float]:
    """Median (CPU, wall) seconds of the command as separate processes, byte-compiled."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(REPO), PYTHONPYCACHEPREFIX=str(tmp / "pycache"))
    cpu, wall = [], []
    for index in range(runs + 1):
        start = time.perf_counter()
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
            _, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - start
            if os.waitstatus_to_exitcode(status) != 0:
                err.seek(0)
                raise SystemExit(f"{argv} failed: {err.read().decode()[:500]}")
        if index:  # the first run writes the byte code
            cpu.append(usage.ru_utime + usage.ru_stime)
            wall.append(elapsed)
    return statistics.median(cpu), statistics.median(wall)


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def build_once(repo: Path) -> None:
    from envlib.analysis.environments import discover, render

    for env in discover(repo):
        render(env, trace=False)


def run_preview(repo: Path) -> object:
    from envlib.analysis.preview import preview

    return preview(repo)


def embedded(tmp: Path, runs: int) -> list[tuple[str, str, str, str]]:
    repo = tmp / "embedded"
    repo.mkdir()
    shutil.copytree(REPO / "k8s", repo / "k8s")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "embedded")
    git(repo, "checkout", "-q", "-b", "feature")
    prod = repo / "k8s" / "overlays" / "prod" / "kustomization.yaml"
    edit(prod, "count: 3", "count: 4")
    edit(repo / "k8s" / "overlays" / "dev" / "kustomization.yaml", "value: 0", "value: 25")
    once = median(lambda: build_once(repo / "k8s"), runs)
    took = median(lambda: run_preview(repo / "k8s"), runs)
    argv = [sys.executable, "-m", "envlib", "preview", "--repo", str(repo / "k8s")]
    cpu, wall = cli_times(argv, tmp, max(runs, 3))
    print(
        f"{'embedded k8s/':<34} {once:9.3f} {took:10.3f} {took / once:6.2f}x"
        f"   (CLI process: {cpu:.2f} s CPU, {wall:.2f} s wall)",
        flush=True,
    )
    label = "embedded k8s/: `envlib preview` process"
    return [(label, f"{cpu:.2f} s CPU ({wall:.2f} s wall)", "< 1 s", verdict(cpu < 1.0))]


def generated(tmp: Path, pairs: int, runs: int) -> list[tuple[str, str, str, str]]:
    scenarios = (
        ("dev overlay edited", "release-1", "overlay"),
        ("one base file edited", "release-1", "base"),
        ("base edited, all 3 reached", "main", "base"),
    )
    targets: list[tuple[str, str, str, str]] = []
    for index, (label, prod_rev, what) in enumerate(scenarios):
        repo = make_repo(tmp / f"gen{index}", pairs, prod_rev=prod_rev)
        if what == "overlay":
            edit(repo / "k8s/overlays/dev/kustomization.yaml", "value: 1", "value: 2")
        else:
            edit(repo / "k8s/base/app-0007.yaml", ":1.7", ":1.8")
        once = median(lambda repo=repo: build_once(repo), runs)
        took = median(lambda repo=repo: run_preview(repo), runs)
        name = f"{2 * pairs} resources: {label}"
        # as a user would time it: one `envlib preview` process against one `envlib build`
        # process per environment (process start and imports included on both sides)
        preview_cpu, _ = cli_times(
            [sys.executable, "-m", "envlib", "preview", "--repo", str(repo)], tmp, runs
        )
        build_cpu = sum(
            cli_times(
                [sys.executable, "-m", "envlib", "build", str(repo / "k8s/overlays" / env)],
                tmp,
                runs,
            )[0]
            for env in ("dev", "staging", "prod")
        )
        print(
            f"{name:<34} {once:9.3f} {took:10.3f} {took / once:6.2f}x"
            f"   (CLI: preview {preview_cpu:.2f} s / 3 builds {build_cpu:.2f} s CPU"
            f" = {preview_cpu / build_cpu:.2f}x)",
            flush=True,
        )
        ratio = took / once
        met = verdict(ratio < 2.0) if pairs == 1000 else "n/a (target at 2000 resources)"
        targets.append((f"{name}: preview / build", f"{ratio:.2f}x", "< 2x", met))
        cli_met = verdict(preview_cpu < 2 * build_cpu) if pairs == 1000 else "n/a"
        targets.append(
            (f"{name}: as processes", f"{preview_cpu / build_cpu:.2f}x", "< 2x", cli_met)
        )
    return targets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{'repository / scenario':<34} {'build s':>9} {'preview s':>10} {'ratio':>7}")
    with tempfile.TemporaryDirectory(prefix="envlib-bench-preview-") as tmp:
        targets = embedded(Path(tmp), args.runs)
        targets += generated(Path(tmp), args.pairs, args.runs)
    print(f"\ntargets (issue 11), CPU medians of {args.runs} run(s):")
    width = max(len(t[0]) for t in targets)
    print(f"{'target':<{width}} {'measured':>24} {'goal':>6}  verdict")
    for name, measured, goal, met in targets:
        print(f"{name:<{width}} {measured:>24} {goal:>6}  {met}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
