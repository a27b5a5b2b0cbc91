"""Reasons: what the repository's comments say about the text behind a value.

A :class:`~.model.Site` lists the places whose comments may explain it, most specific first
(the value's own line, a patch file's header, the kustomization entry, the field holding the
entry); the first that has a comment is the reason. Nothing is typed by hand: if the
repository does not say why, the reason is empty.
"""

from __future__ import annotations

from .model import BLOCK, HEADER, Site
from .sources import source_file


def why(site: Site | None) -> str:
    """The first comment found at the site's reason places ("" when none)."""
    for text in reasons(site):
        return text
    return ""


def reasons(site: Site | None) -> list[str]:
    """Every distinct comment at the site's reason places, most specific first."""
    if site is None:
        return []
    out: list[str] = []
    for path, line, how in site.why_from:
        source = source_file(path)
        if source is None:
            continue
        if how == HEADER:
            text = source.header()
        elif line is None:
            continue
        elif how == BLOCK:
            text = source.block_above(line)
        else:
            text = source.reason_at(line)
        if text and text not in out:
            out.append(text)
    return out
