"""Differential fuzzer command: random trees built by envlib and by kubectl kustomize.

From the repository root::

    .venv/bin/python -m tools.fuzz.fuzz run --seed 5000 --count 200 --jobs 2
    .venv/bin/python -m tools.fuzz.fuzz run --seed 5000 --count 200 --keep /tmp/fz
    .venv/bin/python -m tools.fuzz.fuzz tree --seed 5017 /tmp/t    # write one tree
    .venv/bin/python -m tools.fuzz.fuzz recheck tests/fuzz_known.json   # re-run listed seeds

``run`` builds trees ``seed .. seed+count-1`` (each seed is one deterministic tree with a
``base`` and an ``overlay`` root) and prints a summary: how many roots match, how many
differ, grouped by family (a signature of the first difference), with example roots. kubectl's
own panics and its non-deterministic key orders are counted apart. Exit status 1 when a root
differs. ``--keep DIR`` saves each differing tree with both outputs; ``--json FILE`` writes
every differing root. ``recheck FILE`` re-runs only the seeds such a file lists (after a
fix: which of them still differ). Use new seeds for a fresh sample; the CI test runs a fixed range
(tests/test_fuzz.py).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from envlib.oracle import find_kubectl

from .compare import DIFFER, NONDET, PANIC, SAME, RootResult, compare_seed, write_tree
from .trees import gen_tree


@dataclass
class Summary:
    """Counts of one run, and the differing roots by family."""

    trees: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    families: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    panics: list[str] = field(default_factory=list)
    differing: list[RootResult] = field(default_factory=list)

    def add(self, results: list[RootResult]) -> None:
        self.trees += 1
        for res in results:
            self.counts[res.status] += 1
            if res.status == DIFFER:
                self.families[res.family].append(res.key)
                self.differing.append(res)
            elif res.status == PANIC:
                self.panics.append(res.key)

    def differing_keys(self) -> set[str]:
        """``seed/root`` of every root whose stdout or exit status differs."""
        return {res.key for res in self.differing}

    def render(self) -> str:
        roots = sum(self.counts.values())
        lines = [
            f"{self.trees} trees, {roots} roots: {self.counts[SAME]} identical, "
            f"{self.counts[DIFFER]} differ; kubectl panics {self.counts[PANIC]}, "
            f"kubectl non-deterministic {self.counts[NONDET]}"
        ]
        ranked = sorted(self.families.items(), key=lambda item: (-len(item[1]), item[0]))
        for name, keys in ranked:
            lines.append(f"{len(keys):5d}  {name}")
            lines.append(f"       e.g. {' '.join(sorted(keys)[:4])}")
        if self.panics:
            lines.append(f"kubectl panics (its own bug, not compared): {' '.join(self.panics[:6])}")
        return "\n".join(lines)


def iter_results(
    seeds: Iterable[int], kubectl: str, jobs: int = 1, keep: Path | None = None
) -> Iterator[list[RootResult]]:
    """The comparison of each seed's tree, in seed order, using ``jobs`` processes."""
    work = partial(compare_seed, kubectl=kubectl, keep=keep)
    if jobs <= 1:
        yield from map(work, seeds)
        return
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        yield from pool.imap(work, seeds, chunksize=4)


def run(seeds: Iterable[int], kubectl: str, jobs: int = 1, keep: Path | None = None) -> Summary:
    """Compare every tree of ``seeds`` and summarise."""
    summary = Summary()
    for results in iter_results(seeds, kubectl, jobs, keep):
        summary.add(results)
    return summary


def _oracle() -> str:
    kubectl = find_kubectl()
    if kubectl is None:
        sys.exit("error: kubectl not found (set ENVLIB_KUBECTL)")
    return kubectl


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.fuzz.fuzz", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run_cmd = commands.add_parser("run", help="compare N fresh trees")
    run_cmd.add_argument("--seed", type=int, required=True, help="first seed")
    run_cmd.add_argument("--count", type=int, default=100, help="how many trees")
    run_cmd.add_argument("--jobs", type=int, default=1, help="processes (at most 2 here)")
    run_cmd.add_argument("--keep", type=Path, help="save differing trees here")
    run_cmd.add_argument("--json", type=Path, help="write the differing roots here")
    recheck_cmd = commands.add_parser("recheck", help="re-run the seeds a --json file lists")
    recheck_cmd.add_argument("file", type=Path)
    recheck_cmd.add_argument("--jobs", type=int, default=1, help="processes (at most 2 here)")
    recheck_cmd.add_argument("--keep", type=Path, help="save differing trees here")
    recheck_cmd.add_argument("--json", type=Path, help="write the still differing roots here")
    tree_cmd = commands.add_parser("tree", help="write the tree of one seed")
    tree_cmd.add_argument("--seed", type=int, required=True)
    tree_cmd.add_argument("directory", type=Path)
    args = parser.parse_args(argv)
    if args.command == "tree":
        write_tree(args.directory, gen_tree(args.seed))
        print(args.directory)
        return 0
    seeds: Iterable[int]
    if args.command == "recheck":
        listed = json.loads(args.file.read_text())
        seeds = sorted({int(row["root"].split("/")[0]) for row in listed})
    else:
        seeds = range(args.seed, args.seed + args.count)
    summary = run(seeds, _oracle(), args.jobs, args.keep)
    print(summary.render())
    if args.json is not None:
        rows = [{"root": r.key, "family": r.family} for r in summary.differing]
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    return 1 if summary.counts[DIFFER] else 0


if __name__ == "__main__":
    sys.exit(main())
