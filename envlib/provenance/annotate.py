"""``envlib build --annotate``: kubectl's output, each line ending in ``# file:line (step)``.

Like ``git blame`` for rendered YAML. The text is exactly what ``kubectl kustomize`` prints,
with a trailing YAML comment added where a comment cannot change the document: never inside
a block scalar's content or a multi-line quoted/plain scalar. Parsed as YAML, the annotated
text is the same data as the plain output.

The output is composed again (libyaml) to map each line to its field path, and each path to
the entry that produced its final value (:class:`~.chain.Provenance`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .chain import Provenance
from .model import Entry
from .sources import Tree, parse_documents
from .walk import scalar_text


@dataclass(frozen=True)
class Annotated:
    """The annotated text and how many of its lines carry a comment."""

    text: str
    lines: int
    annotated: int
    annotatable: int = 0  # lines where a comment cannot change the data (not inside a scalar)

    @property
    def share(self) -> float:
        """Annotated lines / all lines (1.0 for empty output)."""
        return self.annotated / self.lines if self.lines else 1.0


def comment(prov: Provenance, entry: Entry | None) -> str:
    """``# k8s/base/x.yaml:17 (patches[0])`` for an entry with a site, else ""."""
    if entry is None or entry.site is None or not entry.site.path:
        return ""
    site = entry.site
    where = prov.display(site.path) + (f":{site.line}" if site.line else "")
    step = f" ({entry.step.rpartition('#')[2]})" if entry.step else ""
    return f"# {where}{step}"


def annotate(text: str, resources: list[Any], prov: Provenance) -> Annotated:
    """Annotate ``text`` (the build's YAML) whose documents are ``resources``, in order."""
    lines = text.split("\n")
    trailing = lines[-1] == ""
    if trailing:
        lines.pop()
    notes: dict[int, str] = {}
    blocked: set[int] = set()
    documents = [d for d in parse_documents(text) if d is not None]
    for tree, res in zip(documents, resources, strict=False):
        chains = prov.chains(res)
        for number, entry in line_entries(tree, res.obj, chains, blocked).items():
            text_note = comment(prov, entry)
            if text_note:
                notes[number] = text_note
        root = chains.get(())
        first = comment(prov, root[0] if root else None)
        if first and tree.line - 1 >= 1 and lines[tree.line - 2] == "---":
            notes.setdefault(tree.line - 1, first)
    out: list[str] = []
    done = 0
    for number, text_line in enumerate(lines, start=1):
        found_note = notes.get(number)
        if found_note and number not in blocked:
            out.append(f"{text_line}  {found_note}")
            done += 1
        else:
            out.append(text_line)
    body = "\n".join(out) + ("\n" if trailing else "")
    inside = sum(1 for n in blocked if 0 < n <= len(lines))
    return Annotated(body, len(lines), done, len(lines) - inside)


def line_entries(
    tree: Tree, obj: Any, chains: dict[Any, tuple[Entry, ...]], blocked: set[int]
) -> dict[int, Entry | None]:
    """For each line of one emitted document, the entry behind the field written there.

    ``blocked`` collects the lines inside multi-line scalars (where no comment may go).
    """
    found: dict[int, tuple[str | int, ...]] = {}
    _walk(tree, obj, (), found, blocked)
    out: dict[int, Entry | None] = {}
    for number, path in found.items():
        chain = chains.get(path)
        out[number] = chain[-1] if chain else None
    return out


def _key(obj: Any, text: str) -> Any:
    if isinstance(obj, dict):
        if text in obj:
            return text
        for key in obj:
            if scalar_text(key) == text:
                return key
    return text


def _block(tree: Tree, blocked: set[int]) -> None:
    """Lines where a trailing comment would become part of a scalar's text."""
    if tree.text is None or tree.end_line <= tree.line:
        return
    if tree.style in ("|", ">"):  # the header line may carry a comment, the text may not
        blocked.update(range(tree.line + 1, tree.end_line + 1))
    else:  # a multi-line quoted or plain scalar: only after its last line
        blocked.update(range(tree.line, tree.end_line))


def _walk(
    tree: Tree,
    obj: Any,
    path: tuple[str | int, ...],
    found: dict[int, tuple[str | int, ...]],
    blocked: set[int],
) -> None:
    found.setdefault(tree.line, path)
    if tree.keys is not None:
        for text, child in tree.keys.items():
            key = _key(obj, text)
            sub = (*path, key)
            found[tree.key_line[text]] = sub
            value = obj.get(key) if isinstance(obj, dict) else None
            _walk(child, value, sub, found, blocked)
    elif tree.items is not None:
        for index, child in enumerate(tree.items):
            value = obj[index] if isinstance(obj, list) and index < len(obj) else None
            found.setdefault(child.line, (*path, index))
            _walk(child, value, (*path, index), found, blocked)
    else:
        _block(tree, blocked)
