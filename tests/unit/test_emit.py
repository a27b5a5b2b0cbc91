"""Byte-exact output: envlib.kustomize.yaml.emitter against kubectl's own bytes.

The golden tests re-emit what kubectl printed (read back with our YAML 1.2 loader) and
require identical bytes; the differential tests feed kubectl resources built from tricky
strings and compare.  Small table tests pin the pieces (Go float text, key order, styles).
"""

from __future__ import annotations

import csv
import hashlib
import random
from pathlib import Path
from typing import Any

import pytest

from envlib.errors import ResourceError
from envlib.kustomize.yaml.emitter import (
    dump_object,
    dump_objects,
    go_format_float,
    natural_key_cmp,
    scalar_style,
    sort_keys,
)
from envlib.kustomize.yaml.readers import load_documents

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CASES = SHARED / "kustomize-cases"
CORPORA = SHARED / "corpora"


def _ok_cases() -> list[str]:
    if not CASES.is_dir():
        return ["<missing kustomize-cases>"]
    return sorted(
        p.name
        for p in CASES.iterdir()
        if (p / "expected" / "rc").is_file() and (p / "expected" / "rc").read_text().strip() == "0"
    )


def _corpus_rows() -> list[dict[str, str]]:
    index = CORPORA / "INDEX.tsv"
    if not index.is_file():
        return [{"path": "<missing corpora>", "output_sha256": ""}]
    with index.open() as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def roundtrip(text: str) -> str:
    return dump_objects([d.obj for d in load_documents(text, "stdout.yaml")])


# --------------------------------------------------------------------------- golden


@pytest.mark.shared
@pytest.mark.parametrize("case", _ok_cases())
def test_roundtrip_kustomize_cases(shared_dir: Path, case: str) -> None:
    expected = (shared_dir / "kustomize-cases" / case / "expected" / "stdout.yaml").read_text()
    assert roundtrip(expected) == expected


@pytest.mark.shared
@pytest.mark.oracle
@pytest.mark.parametrize("row", _corpus_rows(), ids=lambda r: r["path"])
def test_roundtrip_corpora(shared_dir: Path, oracle: Any, row: dict[str, str]) -> None:
    result = oracle.build(row["path"], cwd=shared_dir / "corpora")
    assert result.rc == 0, result.stderr
    assert hashlib.sha256(result.stdout).hexdigest() == row["output_sha256"]
    text = result.stdout.decode()
    assert roundtrip(text) == text


# --------------------------------------------------------------------------- tables


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1234567.5, "1.2345675e+06"),
        (0.000001, "1e-06"),
        (1e21, "1e+21"),
        (1e20, "1e+20"),
        (1.5e300, "1.5e+300"),
        (-2.5e-07, "-2.5e-07"),
        (0.5, "0.5"),
        (123456.5, "123456.5"),
        (0.0001, "0.0001"),
        (3.14159265358979, "3.14159265358979"),
        (1.2, "1.2"),
        (123456789.123, "1.23456789123e+08"),
        (0.1, "0.1"),
    ],
    ids=str,
)
def test_go_format_float(value: float, text: str) -> None:
    assert go_format_float(value) == text


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (1.0, "1"),
        (1e3, "1000"),
        (-0.0, "0"),
        (1e16, "10000000000000000"),
        (1e20, "1e+20"),  # integral but beyond uint64: stays a float
        # Values verified with kubectl: JSON prints shortest digits padded with zeros, and
        # go-yaml reads them back as int64/uint64 when they fit, else as a float.
        (2.0**63, "9223372036854776000"),
        (1e19, "10000000000000000000"),
        (123456789012345678.0, "123456789012345680"),
        (18446744073709551615.0, "1.8446744073709552e+19"),
        (-9223372036854775809.0, "-9.223372036854776e+18"),
        (12345678901234567890, "12345678901234567890"),
        (0.5, "0.5"),
        (True, "true"),
        (None, "null"),
    ],
    ids=repr,
)
def test_numbers_after_json_round_trip(value: Any, printed: str) -> None:
    assert dump_object({"v": value}) == f"v: {printed}\n"


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")], ids=repr)
def test_unsupported_floats_fail_like_json(value: float) -> None:
    with pytest.raises(ValueError, match="json: unsupported value"):
        dump_object({"v": value})


@pytest.mark.parametrize(
    "ordered",
    [
        ["_u", "A", "Z", "a9", "a10", "b-2", "b-10"],
        ["9", "10", "empty_list"],
        ["key9", "key09", "key10"],
        ["apiVersion", "data", "kind", "metadata"],
        ["a", "a0", "a1", "ab"],
        ["-x", "a"],
        ["x1y", "x01y", "x2y"],
    ],
    ids=lambda keys: " < ".join(keys),
)
def test_natural_key_order(ordered: list[str]) -> None:
    assert sort_keys(reversed(ordered)) == ordered
    assert sort_keys(sorted(ordered)) == ordered
    for i in range(len(ordered) - 1):
        assert natural_key_cmp(ordered[i], ordered[i + 1]) == -1
        assert natural_key_cmp(ordered[i + 1], ordered[i]) == 1


@pytest.mark.parametrize(
    ("value", "style"),
    [
        ("plain words", None),
        ("line\n", "|"),
        ("y", '"'),
        ("Off", '"'),
        ("", '"'),
        ("~", '"'),
        ("1_0", '"'),
        ("0755", '"'),
        ("1e3", '"'),
        ("12:30", '"'),
        ("2024-1-2", '"'),
        ("<<", None),  # '<' has no resolver hint: plain (spec §4.4 lists it; kubectl disagrees)
        (".inf", '"'),
        ("1e400", None),  # overflows: go-yaml reads it back as a string
        ("2024-02-30", None),  # not a date
        ("0b102", None),
        ("tRue", None),
    ],
    ids=repr,
)
def test_requested_scalar_style(value: str, style: str | None) -> None:
    assert scalar_style(value) == style


# Observed in cases/03 and cases/05 (kubectl's bytes).
QUOTING = [
    ({"Y": "capital"}, '"Y": capital\n'),
    ({"k": "&amp"}, "k: '&amp'\n"),
    ({"k": "it's"}, "k: it's\n"),
    ({"k": "bell\a"}, 'k: "bell\\a"\n'),
    ({"k": "key:"}, "k: 'key:'\n"),
    ({"k": "a:b"}, "k: a:b\n"),
    ({"k": "-"}, "k: '-'\n"),
    ({"k": "-word"}, "k: -word\n"),
    ({"k": "smile \U0001f600"}, 'k: "smile \\U0001F600"\n'),
    ({"k": "a #b"}, "k: 'a #b'\n"),
    ({"k": "a\u00a0b"}, "k: a\u00a0b\n"),
    ({"k": "'single'"}, "k: '''single'''\n"),
    ({"k": "trail "}, "k: 'trail '\n"),
    ({"k": "a\tb"}, 'k: "a\\tb"\n'),
    ({"k": "héllo ✓ 日本"}, "k: héllo ✓ 日本\n"),
    ({"k": "* * * * *"}, "k: '* * * * *'\n"),
    ({"k": "0 * * * *"}, "k: 0 * * * *\n"),
    ({"k": "http://x:8080/p?x=1#frag"}, "k: http://x:8080/p?x=1#frag\n"),
    ({"k": "a\r\nb"}, 'k: "a\\r\\nb"\n'),
    ({"k": "line1\nline2"}, "k: |-\n  line1\n  line2\n"),
    ({"k": "line1\n"}, "k: |\n  line1\n"),
    ({"k": "line1\n\n"}, "k: |+\n  line1\n\n"),  # no '...' after a final |+ block
    ({"k": " indented\nnext\n"}, "k: |2\n   indented\n  next\n"),
    ({"k": "\n"}, "k: |2+\n\n"),
    ({"k": "line1 \nline2"}, 'k: "line1 \\nline2"\n'),
    ({"k": []}, "k: []\n"),
    ({"k": {}}, "k: {}\n"),
    ({"k": [["a", "b"], [], {}]}, "k:\n- - a\n  - b\n- []\n- {}\n"),
    ({"k": [{"b": 1, "a": 2}]}, "k:\n- a: 2\n  b: 1\n"),
]


@pytest.mark.parametrize(("obj", "text"), QUOTING, ids=lambda v: repr(v)[:40])
def test_quoting_and_layout(obj: Any, text: str) -> None:
    assert dump_object(obj) == text


def test_folding_at_80_columns() -> None:
    words = " ".join(c * 4 for c in "abcdefghijklmnopqrstu")
    assert dump_object({"data": {"long_plain": words}}) == (
        "data:\n  long_plain: aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm"
        " nnnn\n    oooo pppp qqqq rrrr ssss tttt uuuu\n"
    )
    assert dump_object(["x" * 100]) == "- " + "x" * 100 + "\n"  # no spaces: never folded
    double = "true " + " ".join(c * 4 for c in "abcdefghijklmnop") + "\tq"
    assert dump_object({"data": {"long_double": double}}) == (
        'data:\n  long_double: "true aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk'
        ' llll mmmm\n    nnnn oooo pppp\\tq"\n'
    )


def test_complex_keys() -> None:
    assert dump_object({"k" * 129: "v", "k" * 128: "w"}) == (
        f"{'k' * 128}: w\n? {'k' * 129}\n: v\n"
    )
    assert dump_object({"multi\nline key": "v"}) == "? |-\n  multi\n  line key\n: v\n"


def test_documents_are_joined_with_separator_lines() -> None:
    assert dump_objects([]) == ""
    assert dump_objects([{"a": 1}, {"b": 2}]) == "a: 1\n---\nb: 2\n"
    assert dump_objects([{"k": "x\n\n"}, {"b": 2}]) == "k: |+\n  x\n\n---\nb: 2\n"


# --------------------------------------------------------------------------- go-yaml v2 quirks

QUIRKS = [
    ("a\x85b", "a b"),  # NEL folds into a space
    ("a\x85\x85b", "|-\n    a\n    b"),  # two NELs: a newline
    ("a \x85 \x85 b\x85", '"a\\nb "'),
    ("\ufeffa b\u00a0c", '"\\uFEFF\\x61\\x20\\x62\\_\\x63"'),  # leading BOM: all escaped
    ("x\ufeffabc", '"x\\uFEFFabc"'),
    ("\u2029", "'\u2029'"),  # trailing PS: no indentation before the quote
    ("a\u2029b", "'a\u2029    b'"),
    ("a \u2028", '"a \\L"'),
]


@pytest.mark.parametrize(("value", "text"), QUIRKS, ids=repr)
def test_goyaml_v2_quirks(value: str, text: str) -> None:
    assert dump_object({"data": {"k": value}}) == f"data:\n  k: {text}\n"


@pytest.mark.parametrize(
    ("key", "value"),
    [("k", "a\x7fb"), ("k", "\x9f"), ("k", "\ufffe"), ("a\x85b", "v"), ("k", "a\x85--- b")],
    ids=repr,
)
def test_strings_kubectl_cannot_print(key: str, value: str) -> None:
    with pytest.raises(ResourceError):
        dump_object({key: value})


# --------------------------------------------------------------------------- differential


def _yaml_double_quoted(s: str) -> str:
    """A YAML double-quoted scalar that reads back as exactly ``s``."""
    out = ['"']
    for ch in s:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return "".join(out) + '"'


ALPHABET = [
    *"abc xyz  AB01-_.:#,[]{}&*!|>'\"%@`?~\t\n\r\\/=+",
    *("\u00a0", "\u2028", "\u2029", "\x85", "\ufeff", "\U0001f600", "é", "日", "\x07", "\x1b"),
]
WORDS = ["yes", "n", "0755", "1e3", "2024-01-01", "12:30", "- a", "a: b", "a #b", "x" * 90]


def _random_string(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.3:
        return rng.choice(WORDS) + rng.choice(["", " ", "\n", " x"])
    if roll < 0.6:
        parts = []
        while sum(map(len, parts)) < rng.choice([10, 90, 200]):
            parts.append("".join(rng.choice("abcdefgh") for _ in range(rng.randint(1, 12))))
            parts.append(rng.choice([" ", " ", "  ", "\n", " \n", "\n\n", "\t"]))
        return "".join(parts)
    return "".join(rng.choice(ALPHABET) for _ in range(rng.choice([1, 3, 10, 90, 150])))


@pytest.mark.oracle
@pytest.mark.parametrize("seed", range(4))
def test_random_strings_match_kubectl(oracle: Any, write_tree: Any, seed: int) -> None:
    rng = random.Random(seed)
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: fuzz", "data:"]
    for i in range(40):
        lines.append(f"  k{i:03d}: {_yaml_double_quoted(_random_string(rng))}")
    lines.append("list:")
    for _ in range(10):
        key = "".join(c for c in _random_string(rng) if c not in "0123456789\x85")
        lines.append(f"- {_yaml_double_quoted(_random_string(rng))}")
        lines.append(
            f"- {{{_yaml_double_quoted(key)}: {_yaml_double_quoted(_random_string(rng))}}}"
        )
    text = "\n".join(lines) + "\n"
    root = write_tree({"r.yaml": text, "kustomization.yaml": "resources:\n- r.yaml\n"})
    result = oracle.build(root)
    if result.rc != 0:
        with pytest.raises(ResourceError):
            dump_objects([d.obj for d in load_documents(text, "r.yaml")])
        return
    assert dump_objects([d.obj for d in load_documents(text, "r.yaml")]) == result.stdout.decode()
