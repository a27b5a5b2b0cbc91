"""Differential tests: envlib's engine against ``kubectl kustomize`` (the oracle).

Compared on stdout bytes and exit status over

* the 40 corner cases in ``../shared/kustomize-cases`` (recorded oracle output; for error
  cases also kustomize's message text, or its prefix where kustomize prints a Go pointer or
  ``%#v`` dump),
* every buildable root of ``../shared/corpora/INDEX.tsv`` (oracle run live, plus the recorded
  sha256),
* the project's own cases in ``tests/cases`` (recorded + live),
* the embedded repository ``k8s/`` (live),
* random small trees (hypothesis, live),

and end to end through ``python -m envlib build`` (stdout, stderr warnings, exit status).
Outside CI a missing oracle or shared folder skips with a reason; in CI it fails.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support import IN_CI, REPO, SHARED, Oracle, require

from envlib.errors import EnvlibError
from envlib.kustomize import build

CASES_DIR = SHARED / "kustomize-cases"
CORPORA_DIR = SHARED / "corpora"
OWN_CASES_DIR = REPO / "tests" / "cases"
# Texts kustomize prints that embed a Go pointer or a %#v dump: compare up to here.
_UNREPRODUCIBLE = re.compile(r"&\{0x[0-9a-f]+|map\[string\]interface \{\}\{|resid\.ResId\{")


def _case_dirs(base: Path) -> list[Path]:
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if (p / "expected").is_dir())


def _corpus_rows() -> list[tuple[str, str]]:
    index = CORPORA_DIR / "INDEX.tsv"
    if not index.is_file():
        return []
    rows = [line.split("\t") for line in index.read_text().splitlines()[1:] if line.strip()]
    return [(row[0], row[4]) for row in rows]


def _params(items: list[Path]) -> list[object]:
    if not items:  # keeps the test visible (skipped / failed in CI) when the data is missing
        return [pytest.param(None, id="missing-data")]
    return [pytest.param(p, id=p.name) for p in items]


def _render(directory: Path) -> tuple[bytes, int, str, str]:
    """(stdout, rc, stderr-like warnings, kustomize message) of envlib's build."""
    try:
        result = build(directory, trace=False)
    except EnvlibError as exc:
        return b"", 1, "", exc.kustomize_message or ""
    warnings = "".join(w + "\n" for w in result.warnings)
    return result.to_yaml().encode("utf-8"), 0, warnings, ""


def _expected_message(stderr: str) -> tuple[str, bool]:
    """kustomize's error text without ``error: `` and whether it must match exactly."""
    lines = stderr.split("error: ", 1)
    text = lines[1] if len(lines) == 2 else stderr
    text = text[:-1] if text.endswith("\n") else text
    cut = _UNREPRODUCIBLE.search(text)
    if cut is None:
        return text, True
    return text[: cut.start()], False


def _normalise(message: str, case: Path) -> str:
    for variant in {str(case), os.path.realpath(case)}:
        message = message.replace(variant, "<CASE>")
    return message


def _check_recorded_case(case: Path) -> None:
    expected_out = (case / "expected" / "stdout.yaml").read_bytes()
    expected_rc = int((case / "expected" / "rc").read_text().strip() or 0)
    expected_err = (case / "expected" / "stderr.txt").read_text()
    out, rc, warnings, message = _render(case / "overlay")
    assert rc == expected_rc, f"exit status {rc}, kubectl {expected_rc}: {message}"
    assert out == expected_out
    if rc == 0:
        assert warnings == expected_err
        return
    want, exact = _expected_message(expected_err)
    got = _normalise(message, case)
    if exact:
        assert got == want
    else:
        assert got.startswith(want)


@pytest.mark.shared
@pytest.mark.parametrize("case", _params(_case_dirs(CASES_DIR)))
def test_shared_case(case: Path | None, shared_dir: Path) -> None:
    require(case is not None, f"no cases under {CASES_DIR}")
    assert case is not None
    _check_recorded_case(case)


@pytest.mark.parametrize("case", _params(_case_dirs(OWN_CASES_DIR)))
def test_own_case_recorded(case: Path | None) -> None:
    assert case is not None, f"tests/cases has no cases (expected under {OWN_CASES_DIR})"
    _check_recorded_case(case)


@pytest.mark.oracle
@pytest.mark.parametrize("case", _params(_case_dirs(OWN_CASES_DIR)))
def test_own_case_live(case: Path | None, oracle: Oracle) -> None:
    assert case is not None
    live = oracle.build(case / "overlay")
    assert live.stdout == (case / "expected" / "stdout.yaml").read_bytes(), "re-record the case"
    out, rc, _, _ = _render(case / "overlay")
    assert (out, rc) == (live.stdout, live.rc)


@pytest.mark.shared
@pytest.mark.oracle
@pytest.mark.parametrize(
    ("root", "sha256"),
    [pytest.param(r, s, id=r) for r, s in _corpus_rows()]
    or [pytest.param(None, None, id="missing-data")],
)
def test_corpus_root(
    root: str | None, sha256: str | None, shared_dir: Path, oracle: Oracle
) -> None:
    require(root is not None, f"{CORPORA_DIR}/INDEX.tsv is missing")
    assert root is not None
    out, rc, _, message = _render(CORPORA_DIR / root)
    assert rc == 0, message
    assert hashlib.sha256(out).hexdigest() == sha256
    live = oracle.build(root, cwd=CORPORA_DIR)
    assert (out, rc) == (live.stdout, live.rc)


@pytest.mark.oracle
@pytest.mark.parametrize("env", ["base", "overlays/dev", "overlays/prod"])
def test_k8s_repo(env: str, oracle: Oracle) -> None:
    directory = REPO / "k8s" / env
    if not directory.is_dir():
        if IN_CI:
            pytest.fail(f"{directory} is missing: the embedded repository must exist in CI")
        pytest.skip(f"{directory} does not exist yet")
    live = oracle.build(directory)
    out, rc, warnings, message = _render(directory)
    assert (out, rc) == (live.stdout, live.rc), message
    assert warnings == live.stderr


# -- the CLI, end to end --------------------------------------------------------------------

CLI_CASES = [
    "02-sortoptions-fifo-and-bases-order",
    "19-commonlabels-selectors-and-templates",
    "27-components",
    "34-legacy-fields-and-transformer-order",
    "15-smp-no-match-error",
    "31-cycle-error",
]


@pytest.mark.shared
@pytest.mark.parametrize("name", CLI_CASES)
def test_cli_build(name: str, shared_dir: Path) -> None:
    case = CASES_DIR / name
    proc = subprocess.run(
        [sys.executable, "-m", "envlib", "build", str(case / "overlay")],
        capture_output=True,
        cwd=REPO,
        timeout=120,
    )
    expected_rc = int((case / "expected" / "rc").read_text())
    expected_err = (case / "expected" / "stderr.txt").read_text()
    assert proc.returncode == expected_rc
    assert proc.stdout == (case / "expected" / "stdout.yaml").read_bytes()
    stderr = proc.stderr.decode()
    if expected_rc == 0:
        assert stderr == expected_err
    else:
        assert stderr.startswith("error: ") and stderr.endswith("\n")
        assert stderr.count("\n") == 1, "the error must be one line"


@pytest.mark.shared
def test_cli_kustomize_errors_flag(shared_dir: Path) -> None:
    case = CASES_DIR / "15-smp-no-match-error"
    proc = subprocess.run(
        [sys.executable, "-m", "envlib", "build", "--kustomize-errors", str(case / "overlay")],
        capture_output=True,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stderr.decode() == (case / "expected" / "stderr.txt").read_text()


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        pytest.param(["build", "/nonexistent/dir"], "does not exist", id="missing-dir"),
        pytest.param(
            ["build", "--load-restrictor", "Bogus", "."], "load restrictor", id="bad-restrictor"
        ),
    ],
)
def test_cli_bad_arguments(argv: list[str], needle: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "envlib", *argv], capture_output=True, cwd=REPO, timeout=60
    )
    assert proc.returncode == 1
    assert proc.stdout == b""
    assert proc.stderr.decode().startswith("error: ") and needle in proc.stderr.decode()


# -- random trees (hypothesis) --------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_NAMES = st.sampled_from(["web", "api", "db", "cache", "worker", "web-api"])
_IMAGES = st.sampled_from(["nginx", "nginx:1.25", "redis:7", "ghcr.io/acme/app:v1", "busybox"])
_LABEL_VALUES = st.sampled_from(["a", "prod", "1.0", "yes", "team-x"])


def _deployment(name: str, image: str, replicas: int) -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n"
        f"  labels:\n    app: {name}\nspec:\n  replicas: {replicas}\n"
        f"  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n"
        f"      labels:\n        app: {name}\n    spec:\n      containers:\n"
        f"      - name: app\n        image: {image}\n        env:\n        - name: A\n"
        f'          value: "1"\n        envFrom:\n        - configMapRef:\n'
        "            name: settings\n"
    )


def _service(name: str, port: int) -> str:
    return (
        f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n"
        f"  selector:\n    app: {name}\n  ports:\n  - port: {port}\n    targetPort: 8080\n"
    )


@st.composite
def _trees(draw: st.DrawFn) -> dict[str, str]:
    names = draw(st.lists(_NAMES, min_size=1, max_size=3, unique=True))
    docs = [_deployment(n, draw(_IMAGES), draw(st.integers(0, 5))) for n in names]
    docs += [
        _service(n, draw(st.sampled_from([80, 443, 8080]))) for n in names if draw(st.booleans())
    ]
    docs.append(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: info\n"
    )
    files = {
        "base/resources.yaml": "---\n".join(docs),
        "base/kustomization.yaml": "resources:\n- resources.yaml\n",
    }
    lines = ["resources:", "- ../base"]
    if draw(st.booleans()):
        lines.append(f"namePrefix: {draw(st.sampled_from(['dev-', 'p-', 'x1-']))}")
    if draw(st.booleans()):
        lines.append(f"namespace: {draw(st.sampled_from(['dev', 'prod', 'team-a']))}")
    if draw(st.booleans()):
        value = draw(_LABEL_VALUES)
        if draw(st.booleans()):
            lines += ["labels:", "- pairs:", f'    env: "{value}"', "  includeSelectors: false"]
        else:
            lines += ["commonLabels:", f'  env: "{value}"']
    patches: list[str] = []
    target = draw(st.sampled_from(names))
    if draw(st.booleans()):
        patches += [
            "- target:",
            "    kind: Deployment",
            f"    name: {target}",
            "  patch: |-",
            "    - op: replace",
            "      path: /spec/replicas",
            f"      value: {draw(st.integers(1, 9))}",
        ]
    if draw(st.booleans()):
        patches += [
            "- patch: |-",
            "    apiVersion: apps/v1",
            "    kind: Deployment",
            "    metadata:",
            f"      name: {target}",
            "    spec:",
            "      template:",
            "        spec:",
            "          containers:",
            "          - name: app",
            "            env:",
            "            - name: LOG_LEVEL",
            f"              value: {draw(st.sampled_from(['debug', 'info', 'y']))}",
        ]
    if patches:
        lines += ["patches:", *patches]
    if draw(st.booleans()):
        lines += [
            "replicas:",
            f"- name: {draw(st.sampled_from(names))}",
            f"  count: {draw(st.integers(0, 4))}",
        ]
    if draw(st.booleans()):
        lines += [
            "images:",
            "- name: nginx",
            f'  newTag: "{draw(st.sampled_from(["1.27", "alpine", "2"]))}"',
        ]
    if draw(st.booleans()):
        lines += [
            "configMapGenerator:",
            "- name: settings",
            f"  behavior: {draw(st.sampled_from(['merge', 'replace']))}",
            "  literals:",
            f"  - level={draw(st.sampled_from(['debug', 'warn']))}",
        ]
    files["overlay/kustomization.yaml"] = "\n".join(lines) + "\n"
    return files


@pytest.mark.oracle
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tree=_trees())
def test_random_trees_match_oracle(tree: dict[str, str], oracle: Oracle) -> None:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="envlib-prop-") as tmp:
        root = Path(tmp)
        for rel, text in tree.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        live = oracle.build(root / "overlay")
        out, rc, warnings, message = _render(root / "overlay")
        assert rc == live.rc, f"{message} / kubectl: {live.stderr}\n{tree}"
        assert out == live.stdout, tree
        if rc == 0:
            assert warnings == live.stderr
