"""Patch target selection (``target:``), as kustomize's ``resWrangler.Select`` does it (§6.2).

* ``group``/``version``/``kind``/``name``/``namespace`` are regular expressions anchored as
  ``^(?:re)$``; empty or absent matches anything.
* ``name`` matches the object's original name or its current name, ``namespace`` its
  original or current *effective* namespace (``""`` → ``default`` for namespaced kinds,
  ``_non_namespaceable_`` for cluster-scoped ones). Intermediate ids are not consulted
  (``Select`` only looks at ``OrgId()`` and ``CurId()``).
* ``labelSelector``/``annotationSelector`` use the Kubernetes label-selector language,
  parsed here the way apimachinery's ``labels.Parse`` does (no Python library is faithful:
  keys and values are validated, ``!=``/``notin`` match absent labels, ``>``/``<`` compare
  integers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from envlib.errors import PatchError
from envlib.kustomize.core import goregex
from envlib.kustomize.core.resid import Gvk
from envlib.kustomize.core.resource import Resource

NOT_A_NAMESPACE = "_non_namespaceable_"


@dataclass(frozen=True)
class Selector:
    """A ``target:`` selector; every field optional ("" = anything)."""

    group: str = ""
    version: str = ""
    kind: str = ""
    name: str = ""
    namespace: str = ""
    label_selector: str = ""
    annotation_selector: str = ""

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Selector:
        """Build from a kustomization ``target:`` mapping (YAML spelling of the fields)."""
        known = {
            "group": "group",
            "version": "version",
            "kind": "kind",
            "name": "name",
            "namespace": "namespace",
            "labelSelector": "label_selector",
            "annotationSelector": "annotation_selector",
        }
        values: dict[str, str] = {}
        for key, value in d.items():
            if key not in known:
                raise PatchError(
                    f"unknown field {key!r} in patch target",
                    kustomize_message=f'json: unknown field "{key}"',
                )
            if value is None:
                continue
            if not isinstance(value, str):
                raise PatchError(
                    f"patch target field {key!r} must be a string",
                    kustomize_message=(
                        f"json: cannot unmarshal {type(value).__name__} into Go struct field "
                        f"Selector.{key} of type string"
                    ),
                )
            values[known[key]] = value
        selector = cls(**values)
        selector.validate()
        return selector

    def validate(self) -> None:
        """Raise PatchError for an invalid regex or label/annotation selector."""
        for name in ("group", "version", "kind", "name", "namespace"):
            _regex(getattr(self, name))
        parse_label_selector(self.label_selector)
        parse_label_selector(self.annotation_selector)


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str] | None:
    """kustomize's ``regexp.Compile("^(?:" + pattern + ")$")`` in Go's dialect."""
    if not pattern:
        return None
    try:
        return goregex.compile(f"^(?:{pattern})$")
    except goregex.GoRegexError as exc:
        raise PatchError(
            f"invalid regular expression {pattern!r} in patch target: {exc}",
            kustomize_message=str(exc),
        ) from None


def _matches(pattern: str, value: str) -> bool:
    if not pattern:
        return True
    compiled = _regex(pattern)
    return compiled is None or compiled.search(value) is not None


def _effective_namespace(gvk: Gvk, namespace: str) -> str:
    if gvk.cluster_scoped:
        return NOT_A_NAMESPACE
    return namespace or "default"


def selector_matches(sel: Selector, res: Resource) -> bool:
    """Whether ``res`` is selected by ``sel`` (raises PatchError for a bad selector)."""
    # Checks run in kustomize's order (namespace, name, gvk, labels, annotations), so an
    # unvalidated selector reports the same bad field first. The current id's parts are read
    # straight from the object (a build calls this for every patch x every object, and the
    # object is mutated in place, so nothing here may be cached on the resource).
    gvk = res.gvk
    if sel.namespace or sel.name:
        org = res.org_id
        if sel.namespace and not (
            _matches(sel.namespace, _effective_namespace(org.gvk, org.namespace))
            or _matches(sel.namespace, _effective_namespace(gvk, res.namespace))
        ):
            return False
        if sel.name and not (_matches(sel.name, org.name) or _matches(sel.name, res.name)):
            return False
    if not (
        _matches(sel.group, gvk.group)
        and _matches(sel.version, gvk.version)
        and _matches(sel.kind, gvk.kind)
    ):
        return False
    if sel.label_selector and not label_selector_matches(sel.label_selector, res.labels()):
        return False
    return not sel.annotation_selector or label_selector_matches(
        sel.annotation_selector, res.annotations()
    )


# -- Kubernetes label selectors -------------------------------------------------------------------

Requirement = tuple[str, str, tuple[str, ...]]  # key, operator, values

_SPECIAL = "=!(),<>"
_TOKENS = {
    ")": ")",
    ",": ",",
    "!": "!",
    "==": "==",
    "=": "=",
    ">": ">",
    "in": "in",
    "<": "<",
    "!=": "!=",
    "notin": "notin",
    "(": "(",
}
_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\Z")
_DNS1123_SUBDOMAIN = re.compile(
    r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z"
)


def _lex(text: str) -> list[tuple[str, str]]:
    """Tokens as (type, literal); type is an operator, "id" or "end"."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
            continue
        if ch in _SPECIAL:
            j = i
            while j < len(text) and text[j] in _SPECIAL and text[i : j + 1] in _TOKENS:
                j += 1
            literal = text[i:j] or ch
            if literal not in _TOKENS:
                raise _selector_error(text, f"error: unexpected character {ch!r}")
            out.append((_TOKENS[literal], literal))
            i = j
            continue
        j = i
        while j < len(text) and text[j] not in _SPECIAL and text[j] not in " \t\r\n":
            j += 1
        word = text[i:j]
        out.append((_TOKENS[word] if word in ("in", "notin") else "id", word))
        i = j
    out.append(("end", ""))
    return out


def _selector_error(text: str, detail: str) -> PatchError:
    return PatchError(
        f"invalid selector {text!r}: {detail}",
        kustomize_message=f"unable to parse requirement: {detail}",
    )


def _validate_key(text: str, key: str) -> None:
    prefix, slash, name = key.rpartition("/")
    ok = bool(_NAME.match(name)) and len(name) <= 63
    if slash:
        ok = ok and bool(prefix) and len(prefix) <= 253 and bool(_DNS1123_SUBDOMAIN.match(prefix))
    if not ok:
        raise _selector_error(text, f'key: Invalid value: "{key}": not a qualified name')


def _validate_value(text: str, key: str, value: str) -> None:
    if value and (len(value) > 63 or not _NAME.match(value)):
        raise _selector_error(
            text, f'values[0][{key}]: Invalid value: "{value}": not a valid label value'
        )


@lru_cache(maxsize=256)
def parse_label_selector(text: str) -> tuple[Requirement, ...]:
    """Parse like apimachinery ``labels.Parse``; "" selects everything."""
    tokens = _lex(text)
    pos = 0
    reqs: list[Requirement] = []

    def peek() -> tuple[str, str]:
        return tokens[pos]

    def take() -> tuple[str, str]:
        nonlocal pos
        tok = tokens[pos]
        pos = min(pos + 1, len(tokens) - 1)
        return tok

    while True:
        kind, literal = peek()
        if kind == "end" and not reqs:
            return ()
        if kind not in ("id", "!"):
            raise _selector_error(
                text, f"found '{literal}', expected: !, identifier, or 'end of string'"
            )
        reqs.append(_requirement(text, take, peek))
        kind, literal = take()
        if kind == "end":
            return tuple(reqs)
        if kind != ",":
            raise _selector_error(text, f"found '{literal}', expected: ',' or 'end of string'")
        if peek()[0] not in ("id", "!"):
            raise _selector_error(text, f"found '{peek()[1]}', expected: identifier after ','")


def _requirement(text: str, take: Any, peek: Any) -> Requirement:
    kind, literal = take()
    negated = kind == "!"
    if negated:
        kind, literal = take()
    if kind != "id":
        raise _selector_error(text, f"found '{literal}', expected: identifier")
    key = literal
    _validate_key(text, key)
    if negated:
        return (key, "!", ())
    if peek()[0] in (",", "end"):
        return (key, "exists", ())
    op, op_literal = take()
    if op not in ("in", "notin", "=", "==", "!=", ">", "<"):
        raise _selector_error(text, f"found '{op_literal}', expected: in, notin, =, ==, !=, gt, lt")
    values: list[str] = []
    if op in ("in", "notin"):
        tok, lit = take()
        if tok != "(":
            raise _selector_error(text, f"found '{lit}', expected: '('")
        expect_value = True
        while True:
            tok, lit = take()
            tok = "id" if tok in ("in", "notin") else tok
            if tok == "id" and expect_value:
                values.append(lit)
                expect_value = False
            elif tok == ",":
                if expect_value:
                    values.append("")
                expect_value = True
            elif tok == ")":
                if expect_value:
                    values.append("")
                break
            else:
                raise _selector_error(text, f"found '{lit}', expected: ',', or identifier")
    else:
        tok, lit = peek()
        tok = "id" if tok in ("in", "notin") else tok
        if tok in (",", "end"):
            values.append("")
        elif tok == "id":
            take()
            values.append(lit)
        else:
            raise _selector_error(text, f"found '{lit}', expected: identifier")
    for value in values:
        _validate_value(text, key, value)
    if op in (">", "<"):
        try:
            int(values[0])
        except ValueError:
            raise _selector_error(
                text, f"for 'Gt', 'Lt' operators, the value must be an integer: {values[0]}"
            ) from None
    return (key, "=" if op == "==" else op, tuple(values))


def _label_text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)


def label_selector_matches(text: str, labels: dict[str, Any]) -> bool:
    """Whether a label (or annotation) map satisfies the selector ``text``."""
    for key, op, values in parse_label_selector(text):
        present = key in labels
        value = _label_text(labels.get(key))
        if op == "exists":
            ok = present
        elif op == "!":
            ok = not present
        elif op in ("=", "in"):
            ok = present and value in values
        elif op in ("!=", "notin"):
            ok = not present or value not in values
        else:
            try:
                have = int(value) if present else None
            except ValueError:
                have = None
            want = int(values[0])
            ok = have is not None and (have > want if op == ">" else have < want)
        if not ok:
            return False
    return True
