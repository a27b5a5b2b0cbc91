"""Scalars and YAML text for the fuzzer's trees: the values kustomize ports get wrong.

``STRESS`` strings are written quoted where YAML needs it (PyYAML decides); ``RAW`` texts
are pasted unquoted into the file (tags, block scalars, YAML 1.1 words, number forms), so
the loader under test must type them itself. :func:`dump` writes an object with both.
"""

from __future__ import annotations

import random
import re
import textwrap
from typing import Any

import yaml

NAMES = ["web", "api", "db", "worker", "web-api", "model-a"]
LONG = (
    "this is a rather long string with many spaces that goes well beyond the eighty column "
    "limit of the emitter ok"
)
LONG_NOSPACE = "x" * 90 + "-end"
STRESS = [
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "Y",
    "true",
    "False",
    "NULL",
    "~",
    "null",
    "",
    "0",
    "0755",
    "0o755",
    "0x1F",
    "1e3",
    "1_000",
    ".inf",
    "-.inf",
    ".nan",
    "12:30",
    "1:20:30",
    "2024-01-01",
    "2024-01-01T10:00:00Z",
    "3.0",
    "-1",
    "+1",
    "007",
    "1.10",
    "1.2.3",
    "a: b",
    "- x",
    "#x",
    "x #y",
    "@foo",
    "`x",
    "%x",
    "!tag",
    "*x",
    "&x",
    "'quoted'",
    '"dq"',
    "trailing ",
    " leading",
    "multi\nline\n",
    "multi\nline",
    "keep\n\n",
    "tab\there",
    "ünïcödé ☃",
    "日本語",
    "emoji 🎉",
    LONG,
    LONG_NOSPACE,
    "line1\n  indented\n",
    "key=value",
    "{a: 1}",
    "[1,2]",
    "=",
    "<<",
    "?",
    "-",
    ":",
    "|",
    ">",
    "a,b",
    "x: y: z",
    "http://x.y/z?a=b#c",
    "  ",
    "\\back",
    "0.0.0.0",
    "1.0",
    "1e",
    "0b101",
    "+.5",
    "-0",
    "NaN",
    "Off",
    "TRUE",
    "on\n",
    LONG + "\n" + LONG,
    "ends with colon:",
    "has 'single' and \"double\"",
    "\u00a0nbsp",
    "café",
    "x\u2028y",
]
RAW = [  # unquoted in the input file (parsed by the YAML loader)
    "yes",
    "on",
    "0755",
    "0o755",
    "0x1F",
    "1e3",
    "1_000",
    ".inf",
    "~",
    "null",
    "12:30",
    "2024-01-01",
    "3.0",
    "1.10",
    "007",
    "true",
    "NO",
    "+1",
    "1.5e+3",
    "0.",
    ".5",
    "''",
    '""',
    "!!str 12",
    "!!int '12'",
    "2001-12-14t21:59:43.10-05:00",
    "-0.0",
    "0b11",
    "|\n    block\n    text",
    ">-\n    folded\n    text",
    "|+\n    keep\n\n",
]
IMAGES = [
    "nginx",
    "nginx:1.25",
    "redis:7",
    "ghcr.io/acme/app:v1",
    "busybox",
    "nginx@sha256:" + "a" * 64,
    "localhost:5000/x/y:1",
]


class Raw:
    def __init__(self, text: str) -> None:
        self.text = text


def scalar(r: random.Random) -> Any:
    c = r.random()
    if c < 0.6:
        return r.choice(STRESS)
    if c < 0.8:
        return Raw(r.choice(RAW))
    if c < 0.87:
        return None
    if c < 0.95:
        return r.choice([0, 1, 42, -3, 1.5, True, False, 10**20, 0.1])
    return r.choice(["plain", "value", "debug", "x-y_z.w"])


def str_scalar(r: random.Random) -> Any:
    v = scalar(r)
    if isinstance(v, str):
        return v
    if r.random() < 0.01:
        return v
    return r.choice(STRESS)


def label_value(r: random.Random) -> Any:
    return r.choice(
        ["a", "prod", "1.0", "yes", "team-x", "v1", "true", "007", "on", Raw("yes"), Raw("1.0"), ""]
    )


def klabel(r: random.Random) -> Any:
    v = label_value(r)
    if isinstance(v, Raw) and r.random() < 0.95:
        return v.text
    return v


ANN_NONSTR = 0.02  # probability of a non-string annotation value in a resource

_RAWS: dict[str, str] = {}


def _represent(dumper: yaml.SafeDumper, data: Any) -> Any:
    if isinstance(data, Raw):
        key = f"RAWX{len(_RAWS)}X"
        _RAWS[key] = data.text
        return dumper.represent_str(key)
    return dumper.represent_str(data)


class Dumper(yaml.SafeDumper):
    pass


Dumper.add_representer(Raw, _represent)


def dump(r: random.Random, obj: Any) -> str:
    text = yaml.dump(
        obj,
        Dumper=Dumper,
        sort_keys=False,
        allow_unicode=r.random() < 0.7,
        width=r.choice([80, 4096]),
        default_flow_style=False,
        indent=2,
    )
    for key, raw in _RAWS.items():
        if key in text:
            # block scalars need the proper indentation of the line they are on
            if raw.startswith(("|", ">")):
                m = re.search(r"^( *)(.*?)" + key, text, re.M)
                ind = len(m.group(1)) if m else 0
                head, *rest = raw.split("\n")
                rest_txt = textwrap.dedent("\n".join(rest))
                body = "\n".join(
                    (" " * (ind + 4) + ln) if ln.strip() else "" for ln in rest_txt.split("\n")
                )
                raw2 = head + "\n" + body.rstrip(" ")
                text = text.replace(key + "\n", raw2 + ("\n" if not raw2.endswith("\n") else ""), 1)
            else:
                text = text.replace(key, raw)
    _RAWS.clear()
    return text
