"""go-yaml's limits as kubectl applies them: nesting depth, text decoding, aliases, size.

Deep documents compare bytes with kubectl (when installed); decoding errors use go-yaml's
wording (``readerc.go``); the alias bomb must fail fast without growing memory.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest
from support import Oracle

from envlib.errors import EnvlibError, YamlSyntaxError
from envlib.kustomize import build
from envlib.kustomize.yaml import deepstack
from envlib.kustomize.yaml.decoding import decode_yaml_bytes, decode_yaml_text
from envlib.kustomize.yaml.readers import load_documents, load_kustomization_yaml

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\n"


def _deep_tree(tmp_path: Path, nested: str) -> Path:
    (tmp_path / "kustomization.yaml").write_text("resources:\n- deep.yaml\n")
    (tmp_path / "deep.yaml").write_text(CM + "spec:\n  nested: " + nested + "\n")
    return tmp_path


def _flow(depth: int) -> str:
    return "[" * depth + "]" * depth


def _block_maps(depth: int) -> str:
    """``depth`` nested block mappings under ``spec.nested``."""
    lines = [" " * (4 + 2 * i) + "a:" for i in range(depth - 1)]
    return "\n" + "\n".join(lines) + "\n" + " " * (4 + 2 * (depth - 1)) + "a: 1"


# -- depth -------------------------------------------------------------------------------------


def test_shallow_documents_stay_on_the_calling_thread() -> None:
    calls: list[bool] = []
    deepstack.call(lambda: calls.append(deepstack.active()))
    assert calls == [False]


def test_deep_document_loads_on_the_large_stack() -> None:
    text = CM + "spec:\n  nested: " + _flow(5000) + "\n"
    docs = deepstack.call(load_documents, text, "deep.yaml")
    value = docs[0].obj["spec"]["nested"]
    depth = 0
    while value:
        value, depth = value[0], depth + 1
    assert depth == 4999  # the innermost list is empty


@pytest.mark.parametrize(
    ("nested", "message"),
    [
        (_flow(10_001), "yaml: line 6: exceeded max depth of 10000"),
        (_flow(9_999), "yaml: exceeded max depth of 10000"),  # parses; re-encoding fails
    ],
    ids=["flow-over-parser-limit", "object-over-encoder-limit"],
)
def test_too_deep_fails_like_kubectl(tmp_path: Path, nested: str, message: str) -> None:
    root = _deep_tree(tmp_path, nested)
    with pytest.raises(YamlSyntaxError) as caught:
        build(root, trace=False)
    assert caught.value.kustomize_message is not None
    assert caught.value.kustomize_message.endswith(f"{message} in File: deep.yaml")
    assert caught.value.location is not None and caught.value.location.line == 6


@pytest.mark.oracle
@pytest.mark.parametrize(
    "nested",
    [_flow(5_000), _flow(9_998), _block_maps(3_000), "{a: " * 2_000 + "[1, {b: c}]" + "}" * 2_000],
    ids=["flow-5000", "flow-9998", "block-maps-3000", "flow-maps-2000"],
)
def test_deep_documents_print_kubectl_bytes(tmp_path: Path, nested: str, oracle: Oracle) -> None:
    root = _deep_tree(tmp_path, nested)
    live = oracle.build(root)
    assert live.rc == 0, live.stderr
    assert build(root, trace=False).to_yaml().encode() == live.stdout


@pytest.mark.oracle
def test_block_nesting_limit_matches_kubectl(tmp_path: Path, oracle: Oracle) -> None:
    root = _deep_tree(tmp_path, _block_maps(9_999))  # 10,001 block indents with the root
    live = oracle.build(root)
    assert live.rc == 1
    with pytest.raises(YamlSyntaxError) as caught:
        build(root, trace=False)
    assert str(caught.value.kustomize_message) in live.stderr


# -- decoding ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "problem", "line"),
    [
        (b"a: \x89PNG", "invalid leading UTF-8 octet", 1),
        (b"a: b\nc: \xc3\x28", "invalid trailing UTF-8 octet", 2),
        (b"a: caf\xe9\n", "incomplete UTF-8 octet sequence", 1),
        (b"a: caf\xe9 b\n", "invalid trailing UTF-8 octet", 1),
        (b"a: \xe2\x82", "incomplete UTF-8 octet sequence", 1),
        (b"a: \xc0\x80", "invalid length of a UTF-8 sequence", 1),
        (b"a: \xed\xa0\x80", "invalid Unicode character", 1),
        (b"\xff\xfea\x00:", "incomplete UTF-16 character", 1),
        (b"\xff\xfe\x00\xdc", "unexpected low surrogate area", 1),
    ],
)
def test_undecodable_text_uses_go_yaml_wording(data: bytes, problem: str, line: int) -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        decode_yaml_bytes(data, "f.yaml")
    assert caught.value.kustomize_message == f"yaml: {problem}"
    assert str(caught.value.location) == f"f.yaml:{line}"


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"\xef\xbb\xbfa: 1\n", "a: 1\n"),
        ("a: caf\u00e9\n".encode("utf-16"), "a: caf\u00e9\n"),
        (b"\xfe\xff" + "a: \U0001f600\n".encode("utf-16-be"), "a: \U0001f600\n"),
    ],
    ids=["utf8-bom", "utf16-le", "utf16-be-surrogates"],
)
def test_byte_order_marks_pick_the_encoding(data: bytes, text: str) -> None:
    assert decode_yaml_bytes(data, "f.yaml") == text


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1a", "\x7f", "\x9f", "\ufffe"])
def test_control_characters_are_refused_with_their_line(char: str) -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        decode_yaml_text(f"a: 1\nb: x{char}y\n".encode(), "f.yaml")
    assert caught.value.kustomize_message == "yaml: control characters are not allowed"
    assert str(caught.value.location) == "f.yaml:2"


def test_control_character_in_a_resource_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources:\n- cm.yaml\n")
    (tmp_path / "cm.yaml").write_bytes(CM.encode() + b"data:\n  k: a\x1ab\n")
    with pytest.raises(EnvlibError) as caught:
        build(tmp_path, trace=False)
    assert "cm.yaml:6" in str(caught.value)
    assert "control characters are not allowed" in str(caught.value.kustomize_message)


def test_deep_retry_is_bounded_in_time(tmp_path: Path) -> None:
    root = _deep_tree(tmp_path, _flow(20_000))
    started = time.monotonic()
    with pytest.raises(YamlSyntaxError):
        build(root, trace=False)
    assert time.monotonic() - started < 30


# -- aliases -----------------------------------------------------------------------------------


def _laughs(levels: int, indent: str = "") -> str:
    lines = [f'{indent}a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"{indent}a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_in_a_resource_fails_fast_and_small(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources:\n- cm.yaml\n")
    (tmp_path / "cm.yaml").write_text(CM + "bomb:\n" + _laughs(12, "  "))  # 9**12 nodes
    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(YamlSyntaxError) as caught:
        build(tmp_path, trace=False)
    assert time.monotonic() - started < 30
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 400_000  # KiB
    assert "aliases expand to more than 1,000,000 nodes" in str(caught.value)
    assert "cm.yaml:" in str(caught.value)


def test_modest_aliases_in_a_resource_expand() -> None:
    docs = load_documents(CM + "bomb:\n" + _laughs(4, "  "), "cm.yaml")
    assert len(docs[0].obj["bomb"]["a3"]) == 9


@pytest.mark.parametrize(("levels", "fails"), [(3, False), (5, True)])
def test_kustomization_aliases_follow_go_yaml_ratio(levels: int, fails: bool) -> None:
    text = "resources: []\nx:\n" + _laughs(levels, "  ")
    if fails:
        with pytest.raises(YamlSyntaxError) as caught:
            load_kustomization_yaml(text, "kustomization.yaml")
        assert caught.value.kustomize_message == "yaml: document contains excessive aliasing"
    else:
        assert load_kustomization_yaml(text, "kustomization.yaml")[0]["x"]["a2"]


@pytest.mark.oracle
def test_kustomization_alias_bomb_fails_like_kubectl(tmp_path: Path, oracle: Oracle) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources: []\nx:\n" + _laughs(9, "  "))
    live = oracle.build(tmp_path)
    assert live.rc == 1 and "document contains excessive aliasing" in live.stderr
    with pytest.raises(EnvlibError) as caught:
        build(tmp_path, trace=False)
    assert (
        caught.value.kustomize_message
        == "invalid Kustomization: yaml: document contains excessive aliasing"
    )
