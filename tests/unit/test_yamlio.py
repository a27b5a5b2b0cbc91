"""Reading YAML in kustomize's three dialects (envlib.kustomize.yaml.readers).

Every typing row comes from docs/kustomize-spec.md §2.2/§3.3/§4.4 or was checked against
``kubectl kustomize``; the differential test at the end re-checks the resource-file rows
against the oracle's output bytes.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from envlib.errors import EnvlibError, KustomizationError, YamlSyntaxError
from envlib.kustomize.yaml.emitter import dump_objects
from envlib.kustomize.yaml.readers import (
    Document,
    load_documents,
    load_kustomization_yaml,
    load_yaml11,
)

# ---------------------------------------------------------------------- YAML 1.2 (resources)

V3_TYPING = [
    ("true", True),
    ("True", True),
    ("TRUE", True),
    ("false", False),
    ("tRUE", "tRUE"),
    ("yes", "yes"),
    ("no", "no"),
    ("on", "on"),
    ("off", "off"),
    ("y", "y"),
    ("n", "n"),
    ("null", None),
    ("Null", None),
    ("~", None),
    ("", None),
    ("0755", 493),
    ("007", 7),
    ("0o17", 15),
    ("0O17", 15),
    ("0x1F", 31),
    ("0X1F", 31),
    ("-0x1F", -31),
    ("0b101", 5),
    ("-0b101", -5),
    ("08", 8.0),
    ("08.5", 8.5),
    ("0.5e1", 5.0),
    ("1_000", 1000),
    ("1__0", 10),
    ("1_", 1),
    ("_1", "_1"),
    ("+1", 1),
    ("-0", 0),
    ("1.0", 1.0),
    ("1e3", 1000.0),
    ("1.50", 1.5),
    ("1.20", 1.2),
    (".5", 0.5),
    ("-.5", -0.5),
    ("+.5e3", 500.0),
    (".5_0", 0.5),
    ("1.", 1.0),
    ("1234567.5", 1234567.5),
    ("0.000001", 1e-06),
    ("1e21", 1e21),
    ("1e+21", 1e21),
    ("1e400", "1e400"),  # overflows: stays a string
    ("12345678901234567890", 12345678901234567890),
    ("18446744073709551616", 1.8446744073709552e19),
    ("+18446744073709551615", 1.8446744073709552e19),  # ParseUint takes no sign
    ("0xFFFFFFFFFFFFFFFF", 18446744073709551615),
    ("0x1FFFFFFFFFFFFFFFF", "0x1FFFFFFFFFFFFFFFF"),
    ("-9223372036854775808", -9223372036854775808),
    ("-9223372036854775809", -9.223372036854776e18),
    ("0x", "0x"),
    ("0b102", "0b102"),
    ("0x1p3", "0x1p3"),
    ("2024-01-01", "2024-01-01T00:00:00Z"),
    ("2024-1-2", "2024-01-02T00:00:00Z"),
    ("2024-01-01 10:00:00", "2024-01-01T10:00:00Z"),
    ("2024-01-01 10:00:00.5", "2024-01-01T10:00:00.5Z"),
    ("2024-01-01T10:00:00Z", "2024-01-01T10:00:00Z"),
    ("2024-1-2T3:4:5Z", "2024-01-02T03:04:05Z"),
    ("2024-01-01t10:00:00Z", "2024-01-01T10:00:00Z"),
    ("2024-01-01T10:00:00+00:00", "2024-01-01T10:00:00Z"),
    ("2024-01-01T10:00:00.000Z", "2024-01-01T10:00:00Z"),
    ("2024-01-01T10:00:00-05:30", "2024-01-01T10:00:00-05:30"),
    ("2001-12-14t21:59:43.10-05:00", "2001-12-14T21:59:43.1-05:00"),
    ("2024-01-01T10:00:00.123456789123Z", "2024-01-01T10:00:00.123456789Z"),
    ("2024-01-01T10:00:00", "2024-01-01T10:00:00"),  # T layouts need a zone
    ("2024-01-01 10:00:00 +01:00", "2024-01-01 10:00:00 +01:00"),
    ("2024-02-30", "2024-02-30"),
    ("2024-13-01", "2024-13-01"),
    ("2024-01-01T24:00:00Z", "2024-01-01T24:00:00Z"),
    ("20240101", 20240101),
    ("12:30", "12:30"),
    ("<<x", "<<x"),
]


@pytest.mark.parametrize(("text", "value"), V3_TYPING, ids=[r[0] or "<empty>" for r in V3_TYPING])
def test_resource_scalar_typing(text: str, value: Any) -> None:
    (doc,) = load_documents(f"v: {text}\n", "r.yaml")
    assert doc.obj["v"] == value
    # numbers written in another form keep their text (TextInt/TextFloat subclasses)
    assert isinstance(doc.obj["v"], type(value))
    assert (type(doc.obj["v"]) is bool) == (type(value) is bool)
    if type(doc.obj["v"]) is not type(value):
        assert doc.obj["v"].text == text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('"123"', "123"),
        ("'true'", "true"),
        ("!!str 123", "123"),
        ("!!binary aGVsbG8=", "hello"),
        ("!!int '12'", 12),
        ("!!float 3", 3.0),
        ("!custom 12", "12"),
        ("|\n  a\n  b\n", "a\nb\n"),
    ],
    ids=str,
)
def test_resource_quoted_and_tagged_scalars(text: str, value: Any) -> None:
    (doc,) = load_documents(f"v: {text}\n", "r.yaml")
    assert doc.obj["v"] == value
    if text == "!!float 3":
        # kyaml's node text stays "3" (what a merge or replacement reads)
        assert isinstance(doc.obj["v"], float) and doc.obj["v"].text == "3"
        return
    assert type(doc.obj["v"]) is type(value)


def test_keys_keep_their_type() -> None:
    (doc,) = load_documents('data:\n  "8080": quoted\n  9000: plain\n  true: b\n', "r.yaml")
    assert doc.obj["data"] == {"8080": "quoted", 9000: "plain", True: "b"}


def test_stream_framing_indexes_and_lines() -> None:
    text = (
        "\ufeff# leading comment\r\n"
        "a: 1\r\n"
        "---\r\n"
        "# only a comment\r\n"
        "---\r\n"
        "null\r\n"
        "--- # trailing comment\r\n"
        "\r\n"
        "b: |\r\n"
        "  x\r\n"
        "  y\r\n"
        "...\r\n"
        "---\r\n"
    )
    assert load_documents(text, "r.yaml") == [
        Document({"a": 1}, 0, 2),
        Document({"b": "x\ny\n"}, 3, 9),
    ]
    assert load_documents("", "r.yaml") == []
    assert load_documents("# nothing\n", "r.yaml") == []


def test_anchors_merge_keys_and_independent_copies() -> None:
    text = (
        "labels: &lbl {app: web, tier: be}\n"
        "other: {tier: x}\n"
        "annotations:\n"
        "  extra: '1'\n"
        "  tier: own\n"
        "  <<: [*lbl, {app: second, z: 2}]\n"
        '  "<<": kept\n'
        "quoted:\n"
        '  "<<": dropped\n'
        "  a: 1\n"
        "copy: *lbl\n"
    )
    (doc,) = load_documents(text, "r.yaml")
    assert doc.obj["annotations"] == {
        "extra": "1",
        "tier": "own",
        "app": "web",
        "z": 2,
        "<<": "kept",
    }
    assert doc.obj["quoted"] == {"a": 1}  # kyaml drops a lone quoted "<<" key [V]
    doc.obj["copy"]["app"] = "changed"
    assert doc.obj["labels"]["app"] == "web"  # aliases are expanded, not shared


@pytest.mark.parametrize(
    ("text", "error", "line", "message"),
    [
        ("a: 1\na: 2\n", YamlSyntaxError, 2, 'mapping key "a" already defined at line 2'),
        ("<<: {a: 1}\n<<: {b: 2}\n", YamlSyntaxError, 2, "duplicate merge key"),
        ("k: [1, 2\n", YamlSyntaxError, 2, "did not find expected ',' or ']'"),
        ("a: b\n  c: d\n", YamlSyntaxError, 2, "mapping values are not allowed in this context"),
        ("x: &a\n  b: *a\n", YamlSyntaxError, 1, "recursive alias"),
        ("<<: abc\n", YamlSyntaxError, 1, "map merge requires map or sequence of maps"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_resource_errors_point_at_the_line(
    text: str, error: type[EnvlibError], line: int, message: str
) -> None:
    with pytest.raises(error) as caught:
        load_documents("kind: X\n" + text, "dir/r.yaml")
    assert caught.value.location is not None
    assert caught.value.location.path == "dir/r.yaml"
    assert caught.value.location.line == line + 1
    assert message in str(caught.value)


@pytest.mark.parametrize("text", ["v: .inf\n", "v: -.Inf\n", "v: .nan\n"])
def test_non_finite_numbers_load(text: str) -> None:
    """kustomize fails on them only when the object is serialised (root_steps, JSON6902)."""
    (doc,) = load_documents("kind: X\n" + text, "dir/r.yaml")
    assert isinstance(doc.obj["v"], float) and not math.isfinite(doc.obj["v"])


# ----------------------------------------------------------------- YAML 1.1 (kustomization)

V2_TYPING = [
    *[(w, True) for w in ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")],
    *[(w, False) for w in ("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "OFF")],
    ("yEs", "yEs"),
    ("~", None),
    ("null", None),
    ("NULL", None),
    ("", None),
    ("0x10", 16),
    ("0o17", 15),
    ("0b11", 3),
    ("0755", 493),
    ("1_000", 1000),
    ("+5", 5),
    ("1.10", 1.1),
    ("1e3", 1000.0),
    (".5", 0.5),
    ("2024-01-01", "2024-01-01"),  # go-yaml v2 keeps timestamps as text
    ("12:30", "12:30"),
    ("x-", "x-"),
]


@pytest.mark.parametrize(("text", "value"), V2_TYPING, ids=[r[0] or "<empty>" for r in V2_TYPING])
def test_kustomization_scalar_typing(text: str, value: Any) -> None:
    data, _ = load_kustomization_yaml(f"namePrefix: {text}\n", "kustomization.yaml")
    assert data["namePrefix"] == value
    assert type(data["namePrefix"]) is type(value)
    assert load_yaml11(f"- value: {text}\n") == [{"value": value}]


@pytest.mark.parametrize(
    ("key", "json_key"),
    [
        ("8080", "8080"),
        ('"8080"', "8080"),
        ("yes", "true"),
        ("off", "false"),
        ("0x10", "16"),
        ("1e3", "1000"),
        ("0.1", "0.1"),
        ("1234567.5", "1.2345675e+06"),
        ("123456789.123", "1.2345679e+08"),  # float32 formatting, as kubectl prints it
        ("2024-01-01", "2024-01-01"),
    ],
    ids=str,
)
def test_kustomization_keys_become_json_strings(key: str, json_key: str) -> None:
    data, _ = load_kustomization_yaml(f"commonAnnotations:\n  {key}: v\n", "k.yaml")
    assert data == {"commonAnnotations": {json_key: "v"}}


@pytest.mark.parametrize("key", ["18446744073709551615", "~"], ids=str)
def test_kustomization_unsupported_keys(key: str) -> None:
    with pytest.raises(KustomizationError) as caught:
        load_kustomization_yaml(f"commonAnnotations:\n  {key}: v\n", "k.yaml")
    assert caught.value.location is not None and caught.value.location.line == 2
    assert "unsupported map key" in (caught.value.kustomize_message or "")


def test_kustomization_line_map_and_duplicates() -> None:
    text = (
        "resources:\n"
        "- old.yaml\n"
        "patches:\n"
        "- target:\n"
        "    kind: Deployment\n"
        "  patch: |-\n"
        "    - op: add\n"
        "resources:\n"
        "- new.yaml\n"
    )
    data, lines = load_kustomization_yaml(text, "kustomization.yaml")
    assert data["resources"] == ["new.yaml"]  # last duplicate wins
    assert lines[()] == 1
    assert lines[("resources",)] == 8
    assert lines[("resources", 0)] == 9
    assert lines[("patches", 0)] == 4
    assert lines[("patches", 0, "target")] == 4
    assert lines[("patches", 0, "target", "kind")] == 5
    assert lines[("patches", 0, "patch")] == 6


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n"], ids=repr)
def test_empty_kustomization(text: str) -> None:
    assert load_kustomization_yaml(text, "kustomization.yaml") == (None, {})


# go-yaml v2's messages and (odd) line numbers, as kubectl printed them.
KUSTOMIZATION_SYNTAX = [
    (
        "resources:\n- a\n  b: c\n",
        3,
        "yaml: line 3: mapping values are not allowed in this context",
    ),
    ("a: b\n  c: d\n", 2, "yaml: line 2: mapping values are not allowed in this context"),
    ("resources: [\n", 2, "yaml: line 1: did not find expected node content"),
    ('resources:\n- "abc\n', 3, "yaml: line 3: found unexpected end of stream"),
    ("namePrefix: x\n\tnameSuffix: y\n", 2, "yaml: line 2: found a tab character that violates"),
    ("resources:\n-a\n b\n", 4, "yaml: line 4: could not find expected ':'"),
    ("resources:\n- a\nfoo: *x\n", 3, "yaml: unknown anchor 'x' referenced"),
]


@pytest.mark.parametrize(("text", "line", "message"), KUSTOMIZATION_SYNTAX, ids=repr)
def test_kustomization_syntax_errors(text: str, line: int, message: str) -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        load_kustomization_yaml(text, "kustomization.yaml")
    assert caught.value.location is not None and caught.value.location.line == line
    assert (caught.value.kustomize_message or "").startswith(message)


# --------------------------------------------------------------------------- differential


@pytest.mark.oracle
def test_resource_typing_matches_kubectl(oracle: Any, write_tree: Any) -> None:
    """All V3_TYPING rows in one resource: our load+dump equals kubectl's bytes."""
    body = "".join(f"  r{i:03d}: {text}\n" for i, (text, _) in enumerate(V3_TYPING))
    text = f"apiVersion: v1\nkind: Thing\nmetadata:\n  name: typing\nspec:\n{body}"
    root = write_tree({"r.yaml": text, "kustomization.yaml": "resources:\n- r.yaml\n"})
    result = oracle.build(root)
    assert result.rc == 0, result.stderr
    assert dump_objects([d.obj for d in load_documents(text, "r.yaml")]) == result.stdout.decode()
