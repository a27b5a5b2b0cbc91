"""Descriptors of Go types, enough to reproduce ``encoding/json`` decoding and its messages.

:mod:`envlib.kustomize.load.kustomization_schema` spells kustomize's ``types.Kustomization`` structs
with these; the decoder there walks them. A descriptor knows its Go name as messages print it
(``go``) and as a declaration (``decl``: ``*types.Selector``, ``map[string]string``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class Scalar:
    """A Go string/bool/integer type; ``go`` is its name in messages."""

    go: str
    kind: str  # "str" | "bool" | "int"

    @property
    def decl(self) -> str:
        return self.go


@dataclass(frozen=True)
class Any_:
    """``interface{}``: accepts anything."""

    go: str = "interface {}"

    @property
    def decl(self) -> str:
        return self.go


@dataclass(frozen=True)
class Map:
    """``map[string]T``."""

    elem: Type

    @property
    def go(self) -> str:
        return f"map[string]{self.elem.decl}"

    @property
    def decl(self) -> str:
        return self.go


@dataclass(frozen=True)
class List:
    """``[]T``."""

    elem: Type

    @property
    def go(self) -> str:
        return f"[]{self.elem.decl}"

    @property
    def decl(self) -> str:
        return self.go


@dataclass(frozen=True)
class Ptr:
    """``*T``: messages name ``T`` (Go dereferences before reporting); null resets it."""

    elem: Struct

    @property
    def go(self) -> str:
        return self.elem.go

    @property
    def decl(self) -> str:
        return f"*{self.elem.go}"


@dataclass(frozen=True)
class Struct:
    """A Go struct (``types.<name>``) with its JSON field names, embedded ones flattened."""

    name: str
    fields: tuple[tuple[str, Type], ...]

    @property
    def go(self) -> str:
        return f"types.{self.name}"

    @property
    def decl(self) -> str:
        return self.go

    def field(self, key: str) -> tuple[str, Type] | None:
        """Go's lookup: exact name first, then case-insensitive."""
        for name, typ in self.fields:
            if name == key:
                return name, typ
        folded = key.casefold()
        for name, typ in self.fields:
            if name.casefold() == folded:
                return name, typ
        return None


Type = Union[Scalar, Any_, Map, List, Ptr, Struct]  # noqa: UP007 (runtime alias, py3.10)

STR, BOOL, INT64, INT = (
    Scalar("string", "str"),
    Scalar("bool", "bool"),
    Scalar("int64", "int"),
    Scalar("int", "int"),
)
STRS, STRMAP = List(STR), Map(STR)


def go_struct(go_name: str, /, *embedded: dict[str, Type], **fields: Type) -> Struct:
    """A struct; ``embedded`` are the field sets of Go's embedded (promoted) structs."""
    merged: dict[str, Type] = {}
    for group in embedded:
        merged.update(group)
    merged.update(fields)
    return Struct(go_name, tuple(merged.items()))
