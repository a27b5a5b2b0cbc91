"""Go (RE2) regexps in Python: matching semantics and Go's error texts.

The error rows hold the exact texts kubectl 1.32 printed for a patch target ``name:`` (kustomize
anchors it as ``^(?:<name>)$``); :func:`test_error_texts_match_the_oracle` re-checks them
against kubectl, :func:`test_matches_agree_with_the_oracle` the match results.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from envlib.kustomize.core import goregex

# (name pattern, matches "web" once anchored as kustomize does)
MATCH_ROWS = [
    ("(?i)WEB", True),
    ("W(?i)EB", False),  # flags start where they are written
    ("w(?i:E)b", True),
    ("w(?i)E|B", False),  # ... and last to the end of the group, across "|"
    ("(?P<n>w)eb", True),
    ("(?<n>w)eb", True),  # Go 1.22 named group syntax
    ("(?P<n>w)(?P<n>e)b", True),  # Go accepts a repeated name
    ("(?)web", True),
    ("w{,5}eb", False),  # "{,5}" is a literal in Go, a repeat in Python
    ("w{x}", False),
    ("we{1,}b", True),
    ("web\\z", True),
    ("\\Aweb", True),
    ("w\\Qe\\Eb", True),
    ("[[:alpha:]]+", True),
    ("[[:^digit:]]+", True),
    ("[]web]+", True),
    ("\\pL+", True),
    ("\\p{L}+", True),
    ("\\p{Greek}+", False),
    ("\\PLweb", False),
    ("\\x77eb", True),
    ("\\x{77}eb", True),
    ("\\167eb", True),  # octal
    ("w[\\d\\w]b", True),
    ("w[\\d-z]b", False),  # a dash after a class is a literal
    ("w(?U)e*?b", True),
    ("w(e|)b", True),
    ("web\\b", True),
]

# (name pattern, Go's error text for ^(?:pattern)$)
ERROR_ROWS = [
    ("web-(", "missing closing ): `^(?:web-()$`"),
    ("web)", "unexpected ): `^(?:web))$`"),
    ("w(?=e)b", "invalid or unsupported Perl syntax: `(?=`"),
    ("w(?!x)eb", "invalid or unsupported Perl syntax: `(?!`"),
    ("(?<=w)eb", "invalid named capture: `(?<=w)eb)$`"),
    ("(?P=n)", "invalid or unsupported Perl syntax: `(?P`"),
    ("(?P<>web)", "invalid named capture: `(?P<>`"),
    ("(?P<nweb", "invalid named capture: `(?P<nweb)$`"),
    ("(?#c)web", "invalid or unsupported Perl syntax: `(?#`"),
    ("(?z)web", "invalid or unsupported Perl syntax: `(?z`"),
    ("(?i-)web", "invalid or unsupported Perl syntax: `(?i-)`"),
    ("w**", "invalid nested repetition operator: `**`"),
    ("w*+eb", "invalid nested repetition operator: `*+`"),
    ("w{2}{3}", "invalid nested repetition operator: `{2}{3}`"),
    ("*web", "missing argument to repetition operator: `*`"),
    ("w{1001}", "invalid repeat count: `{1001}`"),
    ("w{2,1}", "invalid repeat count: `{2,1}`"),
    ("w\\8eb", "invalid escape sequence: `\\8`"),
    ("w\\1", "invalid escape sequence: `\\1`"),
    ("\\Zweb", "invalid escape sequence: `\\Z`"),
    ("w\\eb", "invalid escape sequence: `\\e`"),
    ("\\x{zz}", "invalid escape sequence: `\\x{z`"),
    ("w\\Ceb", "invalid escape sequence: `\\C`"),
    ("[[:foo:]]+", "invalid character class range: `[:foo:]`"),
    ("[z-a]eb", "invalid character class range: `z-a`"),
    ("\\p{Foo}", "invalid character class range: `\\p{Foo}`"),
    ("[web", "missing closing ]: `[web)$`"),
    ("we\\", "missing closing ): `^(?:we\\)$`"),
    ("we|x*(", "missing closing ): `^(?:we|x*()$`"),
]


def _anchored(pattern: str) -> str:
    return f"^(?:{pattern})$"


@pytest.mark.parametrize(("pattern", "matches"), MATCH_ROWS, ids=[r[0] for r in MATCH_ROWS])
def test_matches_like_go(pattern: str, matches: bool) -> None:
    assert (goregex.compile(_anchored(pattern)).search("web") is not None) is matches


@pytest.mark.parametrize(("pattern", "text"), ERROR_ROWS, ids=[r[0] for r in ERROR_ROWS])
def test_go_error_texts(pattern: str, text: str) -> None:
    with pytest.raises(goregex.GoRegexError) as info:
        goregex.compile(_anchored(pattern))
    assert str(info.value) == f"error parsing regexp: {text}"


DIALECT_ROWS = [
    # (pattern, subject, Go's answer) - where Python's own re would answer differently
    ("a$", "a\n", False),  # Go's $ is the end of the text
    ("\\d", "\u0663", False),  # Arabic-Indic digit: \d is ASCII in Go
    ("\\w", "\u00e9", False),
    ("\\s", "\x0b", False),  # vertical tab is not \s in Go
    ("(?s)a.b", "a\nb", True),
    ("a.b", "a\nb", False),
    ("(?m)^b$", "a\nb\nc", True),
    ("^b", "a\nb", False),
]


@pytest.mark.parametrize(
    ("pattern", "subject", "found"), DIALECT_ROWS, ids=[repr(r[:2]) for r in DIALECT_ROWS]
)
def test_go_dialect_differences(pattern: str, subject: str, found: bool) -> None:
    assert (goregex.compile(pattern).search(subject) is not None) is found


def test_translation_is_valid_python() -> None:
    for pattern, _ in MATCH_ROWS:
        re.compile(goregex.translate(_anchored(pattern)))


def _target_tree(write_tree: Any, tmp_path: Path, pattern: str, index: int) -> Path:
    return (
        write_tree(
            {
                f"c{index}/r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n",
                f"c{index}/kustomization.yaml": (
                    "resources: [r.yaml]\npatches:\n- target:\n    name: "
                    + json.dumps(pattern)
                    + "\n  patch: |-\n    - {op: add, path: /data, value: {matched: x}}\n"
                ),
            }
        )
        / f"c{index}"
    )


def test_error_texts_match_the_oracle(oracle: Any, write_tree: Any, tmp_path: Path) -> None:
    """Every recorded Go error text is what kubectl prints for that target name."""
    for index, (pattern, text) in enumerate(ERROR_ROWS):
        result = oracle.build(_target_tree(write_tree, tmp_path, pattern, index))
        assert result.rc == 1, pattern
        assert result.stderr.strip() == f"error: error parsing regexp: {text}", pattern


def test_matches_agree_with_the_oracle(oracle: Any, write_tree: Any, tmp_path: Path) -> None:
    for index, (pattern, matches) in enumerate(MATCH_ROWS):
        result = oracle.build(_target_tree(write_tree, tmp_path, pattern, index))
        assert result.rc == 0, (pattern, result.stderr)
        assert (b"matched" in result.stdout) is matches, pattern
