"""A subset of Go's text/template (plus the sprig functions ApplicationSets use), for Argo CD.

Why: ApplicationSets with ``goTemplate: true`` render every string of their template with
Go templates and sprig; to know which Applications an ApplicationSet generates, envlib must
render the same strings. Supported: ``{{ .a.b }}``, ``$``/``$var`` and ``:=``/``=``,
pipelines ``x | f y``, parenthesised sub-pipelines, string/number/bool/nil literals,
``{{- -}}`` trimming, comments, ``if``/``else if``/``else``, ``range`` (lists and maps, with
``$i, $v :=``), ``with``, and the functions in :data:`FUNCTIONS`. ``missingkey=error`` makes
a missing map key an error (Argo CD's recommended option); the default prints
``<no value>`` as Go does. Anything else raises :class:`TemplateError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import yaml


class TemplateError(ValueError):
    """A template this subset cannot parse or execute (or Go would refuse)."""


_NO_VALUE = object()
_ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.S)
_TOKEN = re.compile(
    r"""\s*(?:
    (?P<str>"(?:[^"\\]|\\.)*")|(?P<raw>`[^`]*`)|(?P<char>'(?:[^'\\]|\\.)')|
    (?P<num>-?\d+(?:\.\d+)?)|(?P<lp>\()|(?P<rp>\))|(?P<pipe>\|)|(?P<decl>:=)|(?P<assign>=)|
    (?P<comma>,)|(?P<var>\$[A-Za-z0-9_]*)|(?P<field>(?:\.[A-Za-z0-9_]+)+|\.)|
    (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.X,
)


# -- values -----------------------------------------------------------------------------------
def _truth(value: Any) -> bool:
    if value is None or value is _NO_VALUE:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, (str, list, dict, tuple)):
        return len(value) > 0
    return True


def go_text(value: Any) -> str:
    """A value as Go's fmt prints it with %v (<nil>, map[k:v], [a b]); shared with the
    default ApplicationSet template syntax, which stringifies parameters the same way."""
    if value is _NO_VALUE:
        return "<no value>"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "[" + " ".join(go_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_text(value[k])}" for k in sorted(value)) + "]"
    return str(value)


def _to_yaml(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=False, sort_keys=True).rstrip("\n")


def _default(fallback: Any, *given: Any) -> Any:
    value = given[0] if given else None
    return value if _truth(value) else fallback


def _dig(*args: Any) -> Any:
    *keys, fallback, data = args
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return fallback
        data = data[key]
    return data


def _index(data: Any, *keys: Any) -> Any:
    for key in keys:
        if isinstance(data, dict):
            data = data.get(key, _NO_VALUE)
        elif isinstance(data, (list, tuple, str)):
            try:
                data = data[int(key)]
            except (IndexError, ValueError) as exc:
                raise TemplateError(f"index out of range: {key}") from exc
        else:
            raise TemplateError(f"can't index item of type {type(data).__name__}")
    return None if data is _NO_VALUE else data


def _printf(fmt: str, *args: Any) -> str:
    out = re.sub(
        r"%v|%s|%d|%q", lambda m: "{" + m.group(0) + "}", fmt.replace("{", "{{").replace("}", "}}")
    )
    values = iter(args)

    def one(match: re.Match[str]) -> str:
        value = next(values, "")
        return json.dumps(str(value)) if match.group(0) == "%q" else go_text(value)

    return re.sub(r"\{%[vsdq]\}", one, out)


def _sanitize(name: str) -> str:
    """Argo CD's ``normalize``: a DNS-1123 name (lower case, ``[-a-z0-9.]``, trimmed)."""
    name = re.sub(r"[^-a-z0-9.]", "-", name.lower())[:253]
    return name.strip("-.")


def _eq(a: Any, *others: Any) -> bool:
    return any(a == b for b in others)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "and": lambda *a: next((v for v in a if not _truth(v)), a[-1]),
    "or": lambda *a: next((v for v in a if _truth(v)), a[-1]),
    "not": lambda a: not _truth(a),
    "eq": _eq,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "len": len,
    "index": _index,
    "print": lambda *a: "".join(go_text(v) for v in a),
    "printf": _printf,
    "default": _default,
    "empty": lambda v: not _truth(v),
    "coalesce": lambda *a: next((v for v in a if _truth(v)), None),
    "ternary": lambda t, f, c: t if _truth(c) else f,
    "dig": _dig,
    "hasKey": lambda d, k: isinstance(d, dict) and k in d,
    "get": lambda d, k: d.get(k, "") if isinstance(d, dict) else "",
    "lower": lambda s: str(s).lower(),
    "upper": lambda s: str(s).upper(),
    "title": lambda s: str(s).title(),
    "trim": lambda s: str(s).strip(),
    "trimPrefix": lambda p, s: str(s).removeprefix(p),
    "trimSuffix": lambda p, s: str(s).removesuffix(p),
    "trimAll": lambda c, s: str(s).strip(c),
    "hasPrefix": lambda p, s: str(s).startswith(p),
    "hasSuffix": lambda p, s: str(s).endswith(p),
    "contains": lambda sub, s: sub in str(s),
    "replace": lambda old, new, s: str(s).replace(old, new),
    "trunc": lambda n, s: str(s)[: int(n)] if int(n) >= 0 else str(s)[int(n) :],
    "quote": lambda *a: " ".join(json.dumps(go_text(v)) for v in a),
    "squote": lambda *a: " ".join(f"'{go_text(v)}'" for v in a),
    "toString": go_text,
    "toJson": lambda v: json.dumps(v, separators=(",", ":"), sort_keys=True),
    "toPrettyJson": lambda v: json.dumps(v, indent=2, sort_keys=True),
    "toYaml": _to_yaml,
    "fromYaml": lambda s: yaml.safe_load(s) or {},
    "fromJson": lambda s: json.loads(s),
    "split": lambda sep, s: {f"_{i}": p for i, p in enumerate(str(s).split(sep))},
    "splitList": lambda sep, s: str(s).split(sep),
    "join": lambda sep, items: sep.join(go_text(i) for i in items),
    "list": lambda *a: list(a),
    "dict": lambda *a: {str(a[i]): a[i + 1] for i in range(0, len(a) - 1, 2)},
    "first": lambda items: items[0] if items else None,
    "last": lambda items: items[-1] if items else None,
    "kebabcase": lambda s: re.sub(r"(?<!^)(?=[A-Z])", "-", str(s)).lower().replace("_", "-"),
    "snakecase": lambda s: re.sub(r"(?<!^)(?=[A-Z])", "_", str(s)).lower(),
    "normalize": _sanitize,
    "slugify": lambda s: _sanitize(str(s)),
    "int": lambda v: int(float(v)) if v not in (None, "") else 0,
    "atoi": lambda v: int(v) if str(v).lstrip("-").isdigit() else 0,
    "add": lambda *a: sum(int(v) for v in a),
    "sub": lambda a, b: int(a) - int(b),
    "b64enc": lambda s: __import__("base64").b64encode(str(s).encode()).decode(),
    "b64dec": lambda s: __import__("base64").b64decode(str(s)).decode(),
    "sha256sum": lambda s: __import__("hashlib").sha256(str(s).encode()).hexdigest(),
}


# -- parsing ----------------------------------------------------------------------------------
def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise TemplateError(f"unexpected {text[pos:]!r} in action")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


class _Parser:
    """Recursive descent over one action's tokens: pipelines of commands."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        token = self.peek()
        self.pos += 1
        return token

    def pipeline(self) -> tuple[Any, ...]:
        decl: tuple[str, ...] = ()
        mode = ""
        save = self.pos
        names = []
        while self.peek()[0] == "var":
            names.append(self.take()[1])
            if self.peek()[0] == "comma":
                self.take()
                continue
            break
        if names and self.peek()[0] in ("decl", "assign"):
            mode = self.take()[0]
            decl = tuple(names)
        else:
            self.pos = save
        commands = [self.command()]
        while self.peek()[0] == "pipe":
            self.take()
            commands.append(self.command())
        return ("pipe", mode, decl, commands)

    def command(self) -> list[Any]:
        args: list[Any] = []
        while self.peek()[0] not in ("pipe", "rp", "end"):
            args.append(self.operand())
        if not args:
            raise TemplateError("missing value for command")
        return args

    def operand(self) -> Any:
        kind, text = self.take()
        node: Any
        if kind == "lp":
            node = ("sub", self.pipeline())
            if self.take()[0] != "rp":
                raise TemplateError("unclosed left paren")
        elif kind == "str":
            node = ("lit", json.loads(text))
        elif kind == "raw":
            node = ("lit", text[1:-1])
        elif kind == "char":
            node = ("lit", ord(json.loads('"' + text[1:-1] + '"')))
        elif kind == "num":
            node = ("lit", float(text) if "." in text else int(text))
        elif kind == "var":
            node = ("var", text, ())
        elif kind == "field":
            node = ("field", tuple(p for p in text.split(".") if p))
        elif kind == "ident":
            if text in ("true", "false"):
                node = ("lit", text == "true")
            elif text == "nil":
                node = ("lit", None)
            else:
                node = ("fn", text)
        else:
            raise TemplateError(f"unexpected {text!r}")
        # a field chain right after a value: (.a).b or $x.b
        kind, text = self.peek()
        if kind == "field" and node[0] in ("var", "sub") and text != ".":
            self.take()
            node = ("chain", node, tuple(p for p in text.split(".") if p))
        return node


def _parse(template: str) -> list[Any]:
    """The template as a tree: text, {{pipeline}}, and if/range/with blocks."""
    pieces: list[Any] = []
    pos = 0
    for match in _ACTION.finditer(template):
        text = template[pos : match.start()]
        if match.group(1):
            text = text.rstrip()
        if pieces and pieces[-1][0] == "trim_next":
            pieces.pop()
            text = text.lstrip()
        pieces.append(("text", text))
        body = match.group(2).strip()
        if not body.startswith("/*"):
            pieces.append(("action", body))
        if match.group(3):
            pieces.append(("trim_next",))
        pos = match.end()
    tail = template[pos:]
    if pieces and pieces[-1][0] == "trim_next":
        pieces.pop()
        tail = tail.lstrip()
    pieces.append(("text", tail))
    tree, rest, ender = _block(pieces, 0)
    if ender is not None:
        raise TemplateError(f"unexpected {{{{{ender}}}}}")
    del rest
    return tree


def _block(pieces: list[Any], pos: int) -> tuple[list[Any], int, str | None]:
    out: list[Any] = []
    while pos < len(pieces):
        piece = pieces[pos]
        pos += 1
        if piece[0] == "text":
            if piece[1]:
                out.append(("text", piece[1]))
            continue
        body: str = piece[1]
        word = body.split(None, 1)[0] if body else ""
        rest = body[len(word) :].strip()
        if word in ("end", "else"):
            return out, pos, body
        if word in ("if", "range", "with"):
            node, pos = _control(word, rest, pieces, pos)
            out.append(node)
            continue
        if word in ("define", "template", "block", "break", "continue"):
            raise TemplateError(f"{{{{{word}}}}} is not supported")
        out.append(("emit", _Parser(_tokens(body)).pipeline()))
    return out, pos, None


def _control(word: str, rest: str, pieces: list[Any], pos: int) -> tuple[Any, int]:
    pipe = _Parser(_tokens(rest)).pipeline()
    body, pos, ender = _block(pieces, pos)
    otherwise: list[Any] = []
    if ender is None:
        raise TemplateError(f"unexpected EOF: {{{{{word}}}}} without {{{{end}}}}")
    if ender.startswith("else"):
        after = ender[4:].strip()
        if after.startswith("if ") or after.startswith("with "):
            nested_word, nested_rest = after.split(None, 1)
            node, pos = _control(nested_word, nested_rest, pieces, pos)
            otherwise = [node]
            return (word, pipe, body, otherwise), pos
        otherwise, pos, ender = _block(pieces, pos)
        if ender != "end":
            raise TemplateError(f"{{{{{word}}}}} without {{{{end}}}}")
    return (word, pipe, body, otherwise), pos


# -- execution --------------------------------------------------------------------------------
class _Exec:
    def __init__(self, data: Any, missing_error: bool) -> None:
        self.root = data
        self.missing_error = missing_error
        self.vars: list[dict[str, Any]] = [{"$": data}]

    def lookup(self, value: Any, names: tuple[str, ...]) -> Any:
        for name in names:
            if isinstance(value, dict):
                if name in value:
                    value = value[name]
                elif self.missing_error:
                    raise TemplateError(f'map has no entry for key "{name}"')
                else:
                    return _NO_VALUE
            elif value is None or value is _NO_VALUE:
                if self.missing_error:
                    raise TemplateError(f"nil pointer evaluating .{name}")
                return _NO_VALUE
            else:
                raise TemplateError(f"can't evaluate field {name} in type {type(value).__name__}")
        return value

    def var(self, name: str) -> Any:
        for scope in reversed(self.vars):
            if name in scope:
                return scope[name]
        raise TemplateError(f'undefined variable "{name}"')

    def value(self, node: Any, dot: Any) -> Any:
        kind = node[0]
        if kind == "lit":
            return node[1]
        if kind == "field":
            return self.lookup(dot, node[1])
        if kind == "var":
            return self.var(node[1])
        if kind == "sub":
            return self.pipeline(node[1], dot)
        if kind == "chain":
            return self.lookup(self.value(node[1], dot), node[2])
        if kind == "fn":
            return self.call(node[1], [], dot, _NO_VALUE)
        raise TemplateError(f"bad node {kind}")

    def call(self, name: str, args: list[Any], dot: Any, piped: Any) -> Any:
        function = FUNCTIONS.get(name)
        if function is None:
            raise TemplateError(f'function "{name}" not defined')
        values = [self.value(a, dot) for a in args]
        if piped is not _NO_VALUE:
            values.append(piped)
        values = [None if v is _NO_VALUE else v for v in values]
        try:
            return function(*values)
        except TemplateError:
            raise
        except Exception as exc:
            raise TemplateError(f"error calling {name}: {exc}") from None

    def command(self, command: list[Any], dot: Any, piped: Any) -> Any:
        head = command[0]
        if head[0] == "fn":
            return self.call(head[1], command[1:], dot, piped)
        if len(command) > 1 or piped is not _NO_VALUE:
            raise TemplateError("can't give argument to non-function")
        return self.value(head, dot)

    def pipeline(self, pipe: Any, dot: Any) -> Any:
        _kind, mode, decl, commands = pipe
        value: Any = _NO_VALUE
        for command in commands:
            value = self.command(command, dot, value)
        if decl:
            if mode == "decl":
                self.vars[-1][decl[-1]] = value
            else:
                for scope in reversed(self.vars):
                    if decl[-1] in scope:
                        scope[decl[-1]] = value
                        break
                else:
                    raise TemplateError(f'undefined variable "{decl[-1]}"')
        return value

    def run(self, nodes: list[Any], dot: Any, out: list[str]) -> None:
        for node in nodes:
            kind = node[0]
            if kind == "text":
                out.append(node[1])
            elif kind == "emit":
                value = self.pipeline(node[1], dot)
                if not node[1][2]:
                    out.append(go_text(value))
            elif kind in ("if", "with"):
                self.vars.append({})
                value = self.pipeline(node[1], dot)
                if _truth(value):
                    self.run(node[2], value if kind == "with" else dot, out)
                else:
                    self.run(node[3], dot, out)
                self.vars.pop()
            elif kind == "range":
                self.range(node, dot, out)

    def range(self, node: Any, dot: Any, out: list[str]) -> None:
        _kind, pipe, body, otherwise = node
        _k, _mode, decl, commands = pipe
        value: Any = _NO_VALUE
        for command in commands:
            value = self.command(command, dot, value)
        items: list[tuple[Any, Any]]
        if isinstance(value, dict):
            items = [(k, value[k]) for k in sorted(value)]
        elif isinstance(value, (list, tuple)):
            items = list(enumerate(value))
        elif isinstance(value, int) and not isinstance(value, bool):
            items = [(i, i) for i in range(value)]
        elif value is None or value is _NO_VALUE:
            items = []
        else:
            raise TemplateError(f"range can't iterate over {value!r}")
        if not items:
            self.run(otherwise, dot, out)
            return
        for key, item in items:
            scope: dict[str, Any] = {}
            if len(decl) == 2:
                scope[decl[0]], scope[decl[1]] = key, item
            elif len(decl) == 1:
                scope[decl[0]] = item
            self.vars.append(scope)
            self.run(body, item, out)
            self.vars.pop()


def render(template: str, data: Any, options: list[str] | tuple[str, ...] = ()) -> str:
    """``template`` executed on ``data`` (``options``: Go's, e.g. ``missingkey=error``)."""
    missing_error = any(o in ("missingkey=error", "missingkey=zero") for o in options)
    missing_error = missing_error and "missingkey=zero" not in options
    tree = _parse(template)
    out: list[str] = []
    _Exec(data, missing_error).run(tree, data, out)
    return "".join(out)


__all__ = ["FUNCTIONS", "TemplateError", "render"]
