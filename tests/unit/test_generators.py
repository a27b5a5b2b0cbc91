"""configMapGenerator / secretGenerator: sources, objects, options, behavior, hash suffix."""

# ruff: noqa: E501  (case tables read best as one row per line)

from __future__ import annotations

import base64
import re
import textwrap
from pathlib import Path

import pytest
import yaml

from envlib.errors import EnvlibError, GeneratorError, LoadError
from envlib.kustomize.core.resource import GeneratorInfo, Origin, ResMap, Resource
from envlib.kustomize.generators.configmap_secret import (
    absorb_generated,
    encode_base64,
    generate,
    merge_generated,
    merge_options,
)
from envlib.kustomize.generators.name_hash import (
    apply_hash_suffix,
    content_hash,
    go_json_float,
    go_json_string,
    hash_input,
)
from envlib.kustomize.load.kustomization import GeneratorOptions, load_kustomization


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(textwrap.dedent(content))
    return root


def accumulate(directory: Path) -> ResMap:
    """A tiny test-only build: plain resource files, sub-kustomizations and generators."""
    kust = load_kustomization(directory)
    resmap = ResMap()
    for entry in kust.resources:
        path = directory / entry
        if path.is_dir():
            resmap.extend(accumulate(path))
            continue
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                resmap.append(Resource.from_obj(doc, Origin(str(path))))
    for gen in generate(kust):
        absorb_generated(resmap, gen)
    return resmap


def render(directory: Path) -> dict[tuple[str, str], dict]:
    """Root build: hash suffixes applied, objects keyed by (kind, name)."""
    resmap = accumulate(directory)
    for res in resmap:
        apply_hash_suffix(res)
    return {(o["kind"], o["metadata"]["name"]): o for o in resmap.objects()}


def oracle_objects(oracle, directory: Path) -> dict[tuple[str, str], dict]:
    result = oracle.build(directory)
    assert result.rc == 0, result.stderr
    docs = [d for d in yaml.safe_load_all(result.stdout) if d]
    return {(d["kind"], d["metadata"]["name"]): d for d in docs}


def oracle_error(result) -> str:
    assert result.rc == 1, result.stderr
    text = result.stderr[result.stderr.index("error: ") + len("error: ") :].rstrip("\n")
    return re.sub(r"&\{0x[0-9a-f]+ <nil>\}", "&{...}", text)


# -- unit tables -------------------------------------------------------------------------------
LITERALS = [
    ("plain", "a=1", "1"),
    ("double-quotes-stripped", 'c="double quoted"', "double quoted"),
    ("single-quotes-stripped", "d='single quoted'", "single quoted"),
    ("split-at-first-equals", "e=x=y", "x=y"),
    ("empty-value", "f=", ""),
    ("unbalanced-quote-kept", 'g="unbalanced', '"unbalanced'),
    ("mixed-quotes-kept", "h=\"x'", "\"x'"),
    ("lone-quote-kept", 'i="', '"'),
    ("empty-quotes", 'j=""', ""),
    ("inner-quotes-kept", 'k="a"b"', 'a"b'),
    ("multi-line", "script=#!/bin/sh\necho hi\n", "#!/bin/sh\necho hi\n"),
]


@pytest.mark.parametrize(
    ("source", "value"), [c[1:] for c in LITERALS], ids=[c[0] for c in LITERALS]
)
def test_literal_sources(tmp_path: Path, source: str, value: str) -> None:
    write(tmp_path, {"kustomization.yaml": yaml.safe_dump({"configMapGenerator": [{"name": "c", "literals": [source]}]})})  # fmt: skip
    (gen,) = generate(load_kustomization(tmp_path))
    key = source.split("=", 1)[0]
    assert gen.resource.obj["data"] == {key: value}


ENV_FILE = (
    b"\xef\xbb\xbfA=1\r\nB=two\n# comment\n\n   INDENTED=kept\n\x0bVT=1\n\xc2\xa0NBSP=1\n"
    b'\x1cFS=kept-prefix\nC="quoted stays"\nD=trailing spaces  \nexport E=x\nF\nG=a=b=c\n=skip\n'
)
ENV_EXPECTED = {
    "A": "1",
    "B": "two",
    "INDENTED": "kept",
    "VT": "1",
    "NBSP": "1",
    "\x1cFS": "kept-prefix",
    "C": '"quoted stays"',
    "D": "trailing spaces  ",
    "export E": "x",
    "F": "",
    "G": "a=b=c",
}


def test_env_file_rules(tmp_path: Path) -> None:
    write(tmp_path, {"app.env": ENV_FILE, "kustomization.yaml": "configMapGenerator: [{name: env, envs: [app.env]}]\n"})  # fmt: skip
    (gen,) = generate(load_kustomization(tmp_path))
    assert gen.resource.obj["data"] == ENV_EXPECTED


@pytest.mark.parametrize(
    ("length", "kept"),
    [(65535, ["A", "B", "C"]), (65536, ["A"])],
    ids=["fits", "too-long-ends-file"],
)
def test_env_file_long_lines(tmp_path: Path, length: int, kept: list[str]) -> None:
    env = b"A=1\nB=" + b"x" * (length - 2) + b"\nC=3\n"
    write(
        tmp_path,
        {"a.env": env, "kustomization.yaml": "configMapGenerator: [{name: c, envs: [a.env]}]\n"},
    )
    (gen,) = generate(load_kustomization(tmp_path))
    assert sorted(gen.resource.obj["data"]) == kept


@pytest.mark.parametrize(
    ("length", "lines"),
    [(3, 0), (51, 0), (52, 2), (105, 2), (106, 3)],
    ids=["short", "68-chars-no-break", "72-chars-two-lines", "140-chars-two-lines", "three-lines"],
)
def test_base64_wrapping(length: int, lines: int) -> None:
    data = bytes(range(256))[:length]
    text = encode_base64(data)
    assert text.count("\n") == lines
    assert all(len(line) <= 70 for line in text.split("\n"))
    assert base64.b64decode(text.replace("\n", "")) == data
    if lines:
        assert text.endswith("\n") and all(len(x) == 70 for x in text.split("\n")[:-2])


HASHES = [
    ("spec-x-y", {"kind": "ConfigMap", "data": {"x": "y"}}, "6gc9d749f7"),
    ("spec-no-data", {"kind": "ConfigMap"}, "6ct58987ht"),
    ("spec-a-b", {"kind": "ConfigMap", "data": {"a": "b"}}, "4h2mbtbbt6"),
    ("name-is-ignored", {"kind": "ConfigMap", "metadata": {"name": "other"}, "data": {"x": "y"}}, "6gc9d749f7"),
    ("labels-are-ignored", {"kind": "ConfigMap", "metadata": {"labels": {"a": "b"}}, "immutable": True, "data": {"x": "y"}}, "6gc9d749f7"),
    ("case-02", {"kind": "ConfigMap", "data": {"k": "v"}}, "bdg947hgcc"),
    ("empty-secret", {"kind": "Secret", "type": "Opaque", "data": {}}, "46f8b28mk5"),
    ("secret-html-escaping", {"kind": "Secret", "type": "Opaque", "data": {"html": "PGI+JmFtcDs8L2I+", "token": "YWJj"}}, "8f2mcfb9b8"),
    ("go-escapes", {"kind": "ConfigMap", "data": {"x": "\b\f<>&\u2028é\U0001f600\x01"}}, "m2f667gfk2"),
]  # fmt: skip


@pytest.mark.parametrize(("obj", "suffix"), [c[1:] for c in HASHES], ids=[c[0] for c in HASHES])
def test_content_hash(obj: dict, suffix: str) -> None:
    assert content_hash(obj) == suffix


def test_hash_input_is_go_json() -> None:
    assert hash_input({"kind": "ConfigMap", "data": {"b": "<&>", "a": "1"}}) == (
        '{"data":{"a":"1","b":"\\u003c\\u0026\\u003e"},"kind":"ConfigMap","name":""}'
    )
    assert hash_input({"kind": "Secret", "data": [1]}) == (
        '{"data":null,"kind":"Secret","name":"","type":""}'
    )
    with pytest.raises(ValueError, match="only hashes ConfigMaps and Secrets"):
        hash_input({"kind": "Deployment"})


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        ('a"b\\c', '"a\\"b\\\\c"'),
        ("\n\r\t\b\f", '"\\n\\r\\t\\b\\f"'),
        ("\x00\x1f", '"\\u0000\\u001f"'),
        ("<>&", '"\\u003c\\u003e\\u0026"'),
        ("\u2028\u2029", '"\\u2028\\u2029"'),
        ("é😀", '"é😀"'),
    ],
    ids=["quote-backslash", "short-escapes", "controls", "html", "line-separators", "raw-utf8"],
)
def test_go_json_string(text: str, encoded: str) -> None:
    assert go_json_string(text) == encoded


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.0, "1"), (1.5, "1.5"), (1e21, "1e+21"), (1e20, "100000000000000000000"), (1e-7, "1e-7"), (0.000001, "0.000001"), (-0.0, "-0")],
    ids=["integral", "fraction", "exp-threshold", "below-threshold", "tiny", "tiny-threshold", "negative-zero"],
)  # fmt: skip
def test_go_json_float(value: float, text: str) -> None:
    assert go_json_float(value) == text


def test_options_merge_entry_wins() -> None:
    local = GeneratorOptions(labels={"a": "local"}, annotations={"n": "local"})
    global_ = GeneratorOptions(labels={"a": "g", "b": "g"}, immutable=True)
    assert merge_options(local, global_) == (
        {"a": "local", "b": "g"},
        {"n": "local"},
        False,
        True,
    )
    assert merge_options(None, None) == ({}, {}, False, False)


def _resource(obj: dict, disable: bool | None) -> Resource:
    res = Resource.from_obj(obj, Origin("k.yaml"))
    if disable is not None:
        res.generated = GeneratorInfo(disable_hash=disable)
    return res


@pytest.mark.parametrize(
    ("old_disable", "new_disable", "hashed"),
    [(False, False, True), (True, False, False), (False, True, False), (None, False, False)],
    ids=["both-want-hash", "old-disabled", "new-disabled", "old-is-plain-resource"],
)
def test_merge_hash_needs_both(old_disable, new_disable, hashed: bool) -> None:
    old = _resource(
        {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "c"}}, old_disable
    )
    new = _resource(
        {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "c"}}, new_disable
    )
    merge_generated(old, new, "merge")
    assert apply_hash_suffix(old) is hashed


def test_merge_keeps_existing_identity_and_history() -> None:
    old = _resource({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "c", "namespace": "ns"}, "data": {"a": "1"}}, False)  # fmt: skip
    old.set_name("b-c")
    new = _resource({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "c"}, "data": {"b": "2"}}, False)  # fmt: skip
    merge_generated(old, new, "merge")
    assert old.obj["metadata"] == {"name": "b-c", "namespace": "ns"}
    assert old.obj["data"] == {"a": "1", "b": "2"}
    assert old.all_names() == ["c", "b-c"]


# -- differential tests against the oracle ---------------------------------------------------
TREES = {
    "literals": {
        "kustomization.yaml": """\
            configMapGenerator:
            - name: literals
              literals: [b=2, a=1, 'c="double quoted"', "d='single quoted'", e=x=y, f=, 'g="unbalanced', yes=no, 'h=<b>&amp;</b>']
            - name: same-a
              literals: [k=v]
            - name: same-b
              literals: [k=v]
            - name: empty
            - name: multiline
              literals:
              - |
                script=#!/bin/sh
                echo hi
            """,
    },
    "files": {
        "kustomization.yaml": """\
            configMapGenerator:
            - name: files
              files: [file.txt, renamed.yaml=conf.yaml, blob.bin, sub/dir/nested.txt, crlf.txt, empty.txt]
            - name: long-binary
              files: [big.bin]
            """,
        "file.txt": "hello\nworld\n",
        "conf.yaml": "k: v\n",
        "blob.bin": b"\x00\x01\xff\xfe",
        "big.bin": bytes(range(256)),
        "sub/dir/nested.txt": "nested",
        "crlf.txt": b"line1\r\nline2\n",
        "empty.txt": "",
    },
    "envs": {
        "kustomization.yaml": "configMapGenerator:\n- name: env\n  envs: [app.env]\n- name: legacy\n  env: app.env\n",
        "app.env": ENV_FILE,
    },
    "secrets": {
        "kustomization.yaml": """\
            secretGenerator:
            - name: tls
              type: kubernetes.io/tls
              files: [tls.crt, tls.key]
            - name: creds
              envs: [creds.env]
            - name: opaque
              literals: [token=abc, 'html=<b>&amp;</b>', len51=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, len52=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]
            - name: empty
            - name: binary
              files: [blob.bin]
            """,
        "tls.crt": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        "tls.key": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",
        "creds.env": "USER=admin\nPASSWORD=s3cr3t\n",
        "blob.bin": b"\x00\x01\xff\xfe" * 30,
    },
    "options": {
        "kustomization.yaml": """\
            generatorOptions:
              labels: {gen: "true", shared: global}
              annotations: {note: global}
              immutable: true
            configMapGenerator:
            - name: local-opts
              namespace: ns1
              literals: [z=1]
              options:
                labels: {local: l, shared: local}
                annotations: {note: local-wins}
                disableNameSuffixHash: true
            - name: plain
              literals: [a=b]
            secretGenerator:
            - name: s
              namespace: ns2
              literals: [k=v]
              options: {labels: {}, immutable: false}
            """,
    },
    "behavior": {
        "base/kustomization.yaml": """\
            resources: [plain.yaml]
            configMapGenerator:
            - name: cfg
              literals: [a=1, b=2]
              options: {labels: {l1: base, l2: base}, annotations: {an: base}, immutable: true}
            - name: replaced
              literals: [old=1]
              options: {labels: {kept: base}}
            secretGenerator:
            - name: sec
              type: kubernetes.io/tls
              literals: [p=x]
            - name: nohash
              literals: [p=x]
              options: {disableNameSuffixHash: true}
            """,
        "base/plain.yaml": """\
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: plain
              labels: {pl: x}
            data:
              k: v
            binaryData:
              bin: AAE=
            """,
        "overlay/kustomization.yaml": """\
            resources: [../base]
            configMapGenerator:
            - name: cfg
              behavior: merge
              literals: [b=20, c=3]
              options: {labels: {l2: ov}}
            - name: plain
              behavior: merge
              literals: [k2=v2]
            - name: replaced
              behavior: replace
              literals: [new=1]
            - name: unknown-behavior-creates
              behavior: upsert
              literals: [x=1]
            secretGenerator:
            - name: sec
              behavior: merge
              literals: [q=y]
            - name: nohash
              behavior: replace
              literals: [q=y]
            """,
    },
}
ROOTS = {"behavior": "overlay"}


@pytest.mark.oracle
@pytest.mark.parametrize("name", list(TREES))
def test_generated_objects_match_oracle(tmp_path: Path, oracle, name: str) -> None:
    write(tmp_path, TREES[name])
    root = tmp_path / ROOTS.get(name, "")
    assert render(root) == oracle_objects(oracle, root)


@pytest.mark.shared
@pytest.mark.parametrize("case", ["23-configmap-generator-sources", "26-secret-generator"])
def test_shared_generator_cases(shared_dir: Path, case: str) -> None:
    directory = shared_dir / "kustomize-cases" / case
    expected = [d for d in yaml.safe_load_all((directory / "expected/stdout.yaml").read_text()) if d]  # fmt: skip
    assert render(directory / "overlay") == {
        (d["kind"], d["metadata"]["name"]): d for d in expected
    }


# (id, files, our error type, entry named in our message)
ERRORS = [
    ("duplicate-key", {"kustomization.yaml": "configMapGenerator: [{name: c, literals: [a=1, a=2]}]\n"}, GeneratorError, "configMapGenerator[0].literals[1]"),
    ("duplicate-key-secret-says-configmap", {"kustomization.yaml": "secretGenerator: [{name: s, literals: [a=1], envs: [e.env]}]\n", "e.env": "a=0\n"}, GeneratorError, "secretGenerator[0].literals[0]"),
    ("invalid-literal", {"kustomization.yaml": "configMapGenerator: [{name: c, literals: [ok=1, novalue]}]\n"}, GeneratorError, "configMapGenerator[0].literals[1]"),
    ("literal-without-key", {"kustomization.yaml": "configMapGenerator: [{name: c, literals: ['=a']}]\n"}, GeneratorError, "configMapGenerator[0].literals[0]"),
    ("file-source-missing-key", {"kustomization.yaml": "configMapGenerator: [{name: c, files: ['=x']}]\n"}, GeneratorError, "configMapGenerator[0].files[0]"),
    ("file-source-missing-path", {"kustomization.yaml": "configMapGenerator: [{name: c, files: ['k=']}]\n"}, GeneratorError, "configMapGenerator[0].files[0]"),
    ("file-source-two-equals", {"kustomization.yaml": "configMapGenerator: [{name: c, files: ['a=b=c']}]\n"}, GeneratorError, "configMapGenerator[0].files[0]"),
    ("missing-file", {"kustomization.yaml": "configMapGenerator: [{name: c, files: [missing.txt]}]\n"}, GeneratorError, "configMapGenerator[0].files[0]"),
    ("missing-env-file", {"kustomization.yaml": "configMapGenerator: [{name: c, envs: [ok.env, missing.env]}]\n", "ok.env": "A=1\n"}, GeneratorError, "configMapGenerator[0].envs[1]"),
    ("file-outside-root", {"base/kustomization.yaml": "configMapGenerator: [{name: c, files: [../secret.txt]}]\n", "secret.txt": "x"}, GeneratorError, "configMapGenerator[0].files[0]"),
    ("invalid-utf8-env-line", {"kustomization.yaml": "configMapGenerator: [{name: c, envs: [bad.env]}]\n", "bad.env": b"A=1\nB=\xff\n"}, GeneratorError, "configMapGenerator[0].envs[0]"),
    ("configmap-without-name", {"kustomization.yaml": "configMapGenerator: [{literals: [a=1]}]\n"}, GeneratorError, "configMapGenerator[0]"),
    ("secret-without-name", {"kustomization.yaml": "secretGenerator: [{literals: [a=1]}]\n"}, GeneratorError, "secretGenerator[0]"),
    ("create-existing", {"kustomization.yaml": "configMapGenerator: [{name: c, literals: [a=1]}, {name: c}]\n"}, GeneratorError, "configMapGenerator[1]"),
    ("merge-missing", {"kustomization.yaml": "configMapGenerator: [{name: c, behavior: merge, literals: [a=1]}]\n"}, GeneratorError, "configMapGenerator[0]"),
    ("replace-missing", {"kustomization.yaml": "secretGenerator: [{name: s, behavior: replace}]\n"}, GeneratorError, "secretGenerator[0]"),
]  # fmt: skip


def _error_root(tmp_path: Path, files: dict) -> Path:
    write(tmp_path, files)
    return tmp_path / "base" if "base/kustomization.yaml" in files else tmp_path


@pytest.mark.parametrize(
    ("files", "error", "entry"), [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS]
)
def test_generator_errors_name_the_entry(tmp_path: Path, files: dict, error: type, entry: str) -> None:  # fmt: skip
    root = _error_root(tmp_path, files)
    with pytest.raises(error) as info:
        render(root)
    err = info.value
    assert err.entry == entry
    assert err.location is not None and err.location.line == 1
    assert str(err).startswith(f"{err.location.path}:1: {entry}: ")


@pytest.mark.oracle
@pytest.mark.parametrize("files", [c[1] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_generator_errors_match_oracle(tmp_path: Path, oracle, files: dict) -> None:
    root = _error_root(tmp_path, files)
    with pytest.raises(EnvlibError) as info:
        render(root)
    assert info.value.kustomize_message == oracle_error(oracle.build(root))


def test_remote_sources_outside_a_build_are_not_fetched(tmp_path: Path) -> None:
    # only build() installs the URL loader (tests/remote/ covers fetched generator files)
    write(tmp_path, {"kustomization.yaml": "configMapGenerator: [{name: c, files: ['https://example.invalid/x']}]\n"})  # fmt: skip
    with pytest.raises(EnvlibError, match=r"example\.invalid"):
        generate(load_kustomization(tmp_path))


def test_origin_and_generator_info(tmp_path: Path) -> None:
    write(tmp_path, {"kustomization.yaml": "secretGenerator:\n- name: s\n  literals: [a=b]\n- name: t\n  behavior: merge\n  options: {disableNameSuffixHash: true}\n"})  # fmt: skip
    first, second = generate(load_kustomization(tmp_path))
    assert first.resource.origin.generator == "secretGenerator[0]"
    assert first.resource.origin.line == 2 and second.location.line == 4
    assert first.resource.origin.path.endswith("kustomization.yaml")
    # kustomize's generatorBehavior annotation: "unspecified" unless the entry says
    assert first.resource.generated == GeneratorInfo("create", False, "unspecified")
    assert second.resource.generated == GeneratorInfo("merge", True, "merge")
    assert second.entry == "secretGenerator[1]" and second.behavior == "merge"
    assert first.resource.obj == {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s"},
        "type": "Opaque",
        "data": {"a": "Yg=="},
    }


def test_missing_file_is_a_load_restriction_message(tmp_path: Path) -> None:
    write(tmp_path, {"kustomization.yaml": "configMapGenerator: [{name: c, files: [/etc/hostname]}]\n"})  # fmt: skip
    with pytest.raises(GeneratorError) as info:
        generate(load_kustomization(tmp_path))
    assert "security; file '/etc/hostname' is not in or below" in str(info.value.kustomize_message)
    assert not isinstance(info.value, LoadError)
