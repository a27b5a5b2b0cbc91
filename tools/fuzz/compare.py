"""Build one random tree with envlib and with kubectl kustomize and say how they differ.

A tree has two roots (``base`` and ``overlay``); each is built by the oracle (a
``kubectl kustomize`` subprocess) and by ``envlib.kustomize.build`` in-process, and compared
on stdout bytes and exit status (kustomize's message text is not compared: envlib's errors
say more on purpose). A stdout difference is re-run on the oracle three times, because kubectl
itself randomises some key orders (kustomize-spec §4.3); a kubectl panic (exit status 2) is
its own bug. Both are reported separately and do not count as envlib differences.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from envlib.errors import EnvlibError
from envlib.kustomize import build

from .trees import gen_tree

ROOTS = ("base", "overlay")
SAME, DIFFER, PANIC, NONDET = "same", "differ", "kubectl-panic", "kubectl-nondeterministic"


@dataclass
class Built:
    """One renderer's result for one root."""

    stdout: bytes
    rc: int
    message: str


@dataclass
class RootResult:
    """The comparison of one root of one tree."""

    seed: int
    root: str
    status: str  # SAME, DIFFER, PANIC or NONDET
    family: str = ""  # for DIFFER: a short signature grouping similar differences
    oracle: Built = field(default_factory=lambda: Built(b"", 0, ""))
    envlib: Built = field(default_factory=lambda: Built(b"", 0, ""))

    @property
    def key(self) -> str:
        """``seed/root``, how the fuzzer names a root."""
        return f"{self.seed}/{self.root}"


def write_tree(root: Path, files: dict[str, str]) -> None:
    """Write a generated tree below ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def run_oracle(kubectl: str, directory: Path) -> Built:
    """``kubectl kustomize DIR``; the message is stderr without kustomize's warnings."""
    proc = subprocess.run(
        [kubectl, "kustomize", str(directory)], capture_output=True, timeout=120, check=False
    )
    err = proc.stderr.decode("utf-8", "replace")
    err = "\n".join(ln for ln in err.splitlines() if not ln.startswith("# Warning"))
    return Built(proc.stdout, proc.returncode, err)


def run_envlib(directory: Path) -> Built:
    """envlib's build of ``directory``; an unexpected exception is exit status 99."""
    try:
        result = build(directory, trace=False)
        return Built(result.to_yaml().encode("utf-8"), 0, "")
    except EnvlibError as exc:
        return Built(b"", 1, exc.kustomize_message or str(exc))
    except Exception as exc:  # a crash is a finding, not a fuzzer failure
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{os.path.basename(frame.filename)}:{frame.lineno}"
        return Built(b"", 99, f"CRASH {type(exc).__name__}: {exc} @ {where}")


def first_difference(a: bytes, b: bytes) -> str:
    """The first differing line of two outputs (stripped, shortened)."""
    left, right = a.decode(errors="replace").splitlines(), b.decode(errors="replace").splitlines()
    for x, y in zip(left, right, strict=False):
        if x != y:
            return f"oracle={x.strip()[:60]!r} envlib={y.strip()[:60]!r}"
    return f"lines oracle={len(left)} envlib={len(right)}"


def family(oracle: Built, envlib: Built) -> str:
    """A signature that groups differences with one cause: numbers and paths folded."""
    if envlib.rc == 99:
        return re.sub(r"\d+", "N", envlib.message.split("\n")[0])[:120]
    if oracle.rc != envlib.rc:
        message = oracle.message if oracle.rc else envlib.message
        first = message.split("\n")[0]
        return (
            f"rc kubectl={oracle.rc} envlib={envlib.rc}: "
            + re.sub(r"/tmp/\S+|\d+", "_", first)[:100]
        )
    return "stdout " + first_difference(oracle.stdout, envlib.stdout)


def compare_root(seed: int, root: str, directory: Path, kubectl: str) -> RootResult:
    """Build one root both ways and classify the outcome."""
    oracle = run_oracle(kubectl, directory)
    envlib = run_envlib(directory)
    if oracle.rc == 2 and "panic:" in oracle.message:
        return RootResult(seed, root, PANIC, oracle.message.split("\n")[0][:100], oracle, envlib)
    if oracle.rc == envlib.rc and oracle.stdout == envlib.stdout:
        return RootResult(seed, root, SAME, "", oracle, envlib)
    if oracle.rc == envlib.rc == 0:
        again = {run_oracle(kubectl, directory).stdout for _ in range(3)}
        if len(again | {oracle.stdout}) > 1:
            return RootResult(seed, root, NONDET, "", oracle, envlib)
    return RootResult(seed, root, DIFFER, family(oracle, envlib), oracle, envlib)


def compare_seed(seed: int, kubectl: str, keep: Path | None = None) -> list[RootResult]:
    """Generate the tree of ``seed`` and compare both roots; ``keep`` saves differing trees."""
    files = gen_tree(seed)
    with tempfile.TemporaryDirectory(prefix="envlib-fuzz-") as tmp:
        top = Path(tmp)
        write_tree(top, files)
        results = [compare_root(seed, root, top / root, kubectl) for root in ROOTS]
        if keep is not None and any(r.status == DIFFER for r in results):
            save_tree(keep / f"seed-{seed}", files, results)
    return results


def save_tree(directory: Path, files: dict[str, str], results: list[RootResult]) -> None:
    """A differing tree with both outputs, for minimising by hand."""
    write_tree(directory, files)
    for res in results:
        if res.status != DIFFER:
            continue
        (directory / f"{res.root}.oracle.out").write_bytes(res.oracle.stdout)
        (directory / f"{res.root}.envlib.out").write_bytes(res.envlib.stdout)
        info = (
            f"family: {res.family}\n"
            f"kubectl rc={res.oracle.rc}: {res.oracle.message}\n"
            f"envlib rc={res.envlib.rc}: {res.envlib.message}\n"
        )
        (directory / f"{res.root}.info.txt").write_text(info)
