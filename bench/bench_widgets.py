"""How long the explorer takes to re-render after a patch toggle, on the sample repository.

A toggle rebuilds the environment it belongs to (the engine, with its trace), recomputes the
tables whose inputs changed through envlib.analysis, and redraws the panels whose tables
changed. Three cases: *cold* forgets the environment's builds, so the toggle builds again
(frames of a build with the same content are found by content); *cached* ticks back and
again (builds cached); *first time* also forgets every computed frame, as on the first click
of a session. Prints the median and the spread in milliseconds, wall clock and CPU time of
this process (the machine may be shared: CPU time is what the explorer itself spent).

    .venv/bin/python bench/bench_widgets.py [--repeat 20] [--repo k8s]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from envlib.widgets import Explorer
from envlib.widgets.state import ExplorerState

ROOT = Path(__file__).resolve().parent.parent


def _time(action: Callable[[], None], repeat: int) -> tuple[list[float], list[float]]:
    samples, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        action()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    return samples, cpu


# Targets of issue 13 for the sample repository (median milliseconds).
TARGETS = {"cold": 40.0, "cached": 20.0}


def _report(name: str, timed: tuple[list[float], list[float]], target: float | None = None) -> None:
    samples, cpu = timed
    median = statistics.median(samples)
    verdict = ""
    if target is not None:
        verdict = f"   target <= {target:4.0f} ms: {'met' if median <= target else 'NOT met'}"
    print(
        f"{name:44} median {median:7.1f} ms"
        f"   min {min(samples):7.1f}   max {max(samples):7.1f}   (n={len(samples)})"
        f"   cpu median {statistics.median(cpu):6.1f}{verdict}"
    )


def main() -> None:
    """Time toggles of the focus overlay's first patch, cold and cached."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--repo", type=Path, default=ROOT / "k8s")
    args = parser.parse_args()

    explorer = Explorer(args.repo)
    step = next(t for t in explorer.state.toggles() if t.field.startswith("patches["))
    box = explorer.checkboxes[step.step_id]
    print(
        f"repository {args.repo.name}, environments {explorer.state.names}, toggling {step.step_id}"
    )

    def cold() -> None:  # forget the overlay's builds: the toggle has to build it again
        explorer.state.clear_cache(explorer.state.focus)
        box.value = not box.value

    def cached() -> None:
        box.value = not box.value

    _report("toggle, environment rebuilt (cold)", _time(cold, args.repeat), TARGETS["cold"])
    _report(
        "toggle, build cached (tick back / again)", _time(cached, args.repeat), TARGETS["cached"]
    )

    def first_time() -> None:  # also forget every frame: nothing computed before is reused
        explorer.state.clear_cache(explorer.state.focus)
        explorer.state.frames.clear()
        explorer.state.tokens.clear()
        box.value = not box.value

    _report("toggle, builds and frames forgotten (first)", _time(first_time, args.repeat))
    state = ExplorerState(args.repo)
    env = state.focus
    _report(
        f"engine build of {env} alone (with trace)", _time(lambda: _build(state, env), args.repeat)
    )
    print(f"last refresh inside the explorer: {explorer.last_refresh_seconds * 1000:.1f} ms")


def _build(state: ExplorerState, env: str) -> None:
    state.clear_cache(env)
    state.rendered(env)


if __name__ == "__main__":
    main()
