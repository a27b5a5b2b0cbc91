"""An Application's ``spec.source.kustomize`` overrides, applied as Argo CD's repo server does.

Why: Argo CD does not pass these options to ``kustomize build``; it edits the kustomization
file of its checkout first (``util/kustomize/kustomize.go``, ``Build``), one ``kustomize
edit`` command per option, in this order, and then builds the edited file:

==========================  ===============================================================
option                      edit (and what kustomize edit does to the file)
==========================  ===============================================================
namePrefix / nameSuffix     ``edit set nameprefix|namesuffix``: the field is replaced
images                      ``edit set image A=B:t ...`` (``$ARGOCD_*`` expanded): entries
                            are merged by ``name`` (an override replaces the whole entry,
                            ``*`` keeps the old part), then sorted by name
replicas                    ``edit set replicas name=N``: merged by name, sorted by name
commonLabels                ``edit add label k:v`` (values ``$ARGOCD_*``-expanded) into
                            ``commonLabels``; with ``labelWithoutSelector`` into a
                            ``labels`` entry (``includeSelectors: false``, plus
                            ``includeTemplates`` from ``labelIncludeTemplates``); an existing
                            key is an error unless ``forceCommonLabels``
commonAnnotations           ``edit add annotation k:v`` into ``commonAnnotations``; expanded
                            only with ``commonAnnotationsEnvsubst``; ``forceCommonAnnotations``
namespace                   ``edit set namespace``
patches                     appended to ``patches`` (Argo CD rewrites the file itself here)
components                  ``edit add component``: appended unless present; a missing
                            directory is an error, or skipped with ``ignoreMissingComponents``
kubeVersion / apiVersions   passed to kustomize only with ``--enable-helm`` (no effect here)
==========================  ===============================================================

The result is the kustomization text Argo CD would build, produced without writing
anything: the caller serves it from an in-memory overlay
(:class:`~envlib.kustomize.load.overlayfs.OverlayFileSystem`). Only the edited top-level
fields are rewritten (moved to the end of the document, as JSON); every other line keeps its
text and line number, so provenance still points at the user's lines. ``kustomize edit``
re-encodes the whole file (``FixKustomization``: ``bases`` into ``resources``, ``imageTags``
into ``images``), which the build does anyway, so the result is the same.
"""

from __future__ import annotations

import fnmatch
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envlib.errors import EnvlibError, KustomizationError, SourceLocation
from envlib.kustomize.load import fs
from envlib.kustomize.load.fs import display_path
from envlib.kustomize.load.kustomization import find_kustomization_file
from envlib.kustomize.load.kustomization_schema import KUSTOMIZATION, decode_strict
from envlib.kustomize.yaml.readers import load_kustomization_yaml

OPTION_ORDER = (
    "namePrefix",
    "nameSuffix",
    "images",
    "replicas",
    "commonLabels",
    "commonAnnotations",
    "namespace",
    "patches",
    "components",
)
"""The options Argo CD turns into edits, in the order it runs them."""

NO_EFFECT = {
    "kubeVersion": "used only for Helm charts inside kustomize (--enable-helm)",
    "apiVersions": "used only for Helm charts inside kustomize (--enable-helm)",
    "version": "selects Argo CD's kustomize binary; envlib is kustomize v5.5",
}


@dataclass(frozen=True)
class EditedKustomization:
    """The kustomization Argo CD builds: its file, the edited text, and what was applied."""

    path: Path
    text: str
    applied: tuple[str, ...]


# -- Go's os.Expand, as Argo CD's Env.Envsubst uses it ------------------------------------------
def _special(c: str) -> bool:
    return c in "*#$@!?-" or c.isdigit()


def _alnum(c: str) -> bool:
    return c == "_" or (c.isascii() and c.isalnum())


def _shell_name(s: str) -> tuple[str, int]:
    if s[0] == "{":
        if len(s) > 2 and _special(s[1]) and s[2] == "}":
            return s[1:2], 3
        for i in range(1, len(s)):
            if s[i] == "}":
                return ("", 2) if i == 1 else (s[1:i], i + 1)
        return "", 1
    if _special(s[0]):
        return s[0:1], 1
    i = 0
    while i < len(s) and _alnum(s[i]):
        i += 1
    return s[:i], i


def envsubst(text: str, env: Mapping[str, str]) -> str:
    """``$NAME`` / ``${NAME}`` from ``env`` (unknown: empty), ``$$`` -> ``$`` (Go os.Expand)."""
    out: list[str] = []
    i = 0
    j = 0
    while j < len(text):
        if text[j] == "$" and j + 1 < len(text):
            out.append(text[i:j])
            name, width = _shell_name(text[j + 1 :])
            if name == "" and width > 0:
                pass  # bad syntax: eaten
            elif name == "":
                out.append("$")
            else:
                out.append("$" if name == "$" else env.get(name, ""))
            j += width
            i = j + 1
        j += 1
    return "".join(out) + text[i:]


# -- the edits ------------------------------------------------------------------------------
def _split_image(image: str) -> tuple[str, str, str]:
    """kustomize's image.Split: (name, tag, digest); a registry port is not a tag."""
    slash = image.find("/")
    search, offset = (image[slash:], slash) if slash > 0 else (image, 0)
    at, colon = search.find("@"), search.find(":")
    if colon < 0 and at < 0:
        return image, "", ""
    if at >= 0 and (at < colon or colon < 0):
        return image[: at + offset], "", image[at + offset + 1 :]
    if at >= 0 and colon >= 0:
        return (
            image[: colon + offset],
            image[colon + offset + 1 : at + offset],
            image[at + offset + 1 :],
        )
    return image[: colon + offset], image[colon + offset + 1 :], ""


def _image_arg(arg: str) -> dict[str, str]:
    key, sep, value = arg.partition("=")  # strings.SplitN(arg, "=", 2)
    if not sep:
        key, value = "", arg
    name, tag, digest = _split_image(value)
    if name == arg:
        raise ValueError(f"image {arg!r} has no tag or digest to set (name=new:tag expected)")
    image = {"name": key or name, "newName": name if key else "", "newTag": tag, "digest": digest}
    return image


def _set_images(current: list[dict[str, Any]], args: list[str]) -> list[dict[str, Any]]:
    wanted: dict[str, dict[str, Any]] = {}
    for arg in args:
        image = _image_arg(arg)
        wanted[image["name"]] = image
    for old in current:
        name = str(old.get("name", ""))
        new = wanted.get(name)
        if new is None:
            wanted[name] = dict(old)
            continue
        for field in ("newName", "newTag", "digest"):
            if new[field] == "*":
                kept = {k: new[k] for k in ("name", "newName", "newTag", "digest")}
                kept[field] = str(old.get(field, ""))
                new = kept
        wanted[name] = new
    out = []
    for image in wanted.values():
        image = {k: ("" if v == "*" else v) for k, v in image.items()}
        out.append({k: v for k, v in image.items() if v not in ("", None)})
    return sorted(out, key=lambda i: str(i.get("name", "")))


def _count(replica: Any) -> int:
    count = replica.get("count") if isinstance(replica, dict) else None
    if isinstance(count, bool) or count is None:
        raise ValueError(f"replicas entry {replica!r} needs a count")
    if isinstance(count, int):
        return count
    if isinstance(count, float) and count.is_integer():
        return int(count)
    text = str(count)
    if text.lstrip("+-").isdigit():
        return int(text)
    raise ValueError(f"expected integer value for count. Received: {text}")


def _set_replicas(current: list[dict[str, Any]], overrides: list[Any]) -> list[dict[str, Any]]:
    wanted: dict[str, dict[str, Any]] = {}
    for replica in overrides:
        name = str(replica.get("name", "")) if isinstance(replica, dict) else ""
        wanted[name] = {"name": name, "count": _count(replica)}
    for old in current:
        wanted.setdefault(str(old.get("name", "")), dict(old))
    return sorted(wanted.values(), key=lambda r: str(r.get("name", "")))


def _pairs(values: Mapping[str, Any]) -> dict[str, str]:
    """``k:v`` arguments as ``kustomize edit add`` parses them back (quotes trimmed)."""
    out: dict[str, str] = {}
    for key, value in values.items():
        text = f"{key}:{value}"
        colon = text.find(":")
        if colon == 0:
            raise ValueError(f"invalid {text!r} (need k:v pair where v may be quoted)")
        k, v = text[:colon], text[colon + 1 :]
        if len(v) >= 2 and v[0] == '"' and v[-1] == '"':
            v = v[1:-1]
        out[k] = v
    return out


def _add_to_map(target: dict[str, str], pairs: Mapping[str, str], what: str, force: bool) -> None:
    for key, value in pairs.items():
        if key in target and not force:
            raise ValueError(
                f"{what} {key} already in kustomization file. Use --force to override."
            )
        target[key] = value


def _add_labels(state: dict[str, Any], pairs: dict[str, str], opts: Mapping[str, Any]) -> str:
    force = bool(opts.get("forceCommonLabels"))
    templates = bool(opts.get("labelIncludeTemplates"))
    if not opts.get("labelWithoutSelector"):
        if templates:
            raise ValueError(
                "--without-selector flag must be specified for --include-templates to work"
            )
        labels = dict(state.get("commonLabels") or {})
        _add_to_map(labels, pairs, "label", force)
        state["commonLabels"] = labels
        return "commonLabels"
    entries = [dict(e) for e in state.get("labels") or []]
    for entry in entries:
        entry["pairs"] = dict(entry.get("pairs") or {})

    def same(entry: dict[str, Any]) -> bool:
        return (
            not entry.get("includeSelectors") and bool(entry.get("includeTemplates")) == templates
        )

    for key, value in pairs.items():
        match = next((e for e in entries if same(e)), None)
        if match is None:
            match = {"pairs": {}, **({"includeTemplates": True} if templates else {})}
            entries.append(match)
        _add_to_map(match["pairs"], {key: value}, "label", force)
    state["labels"] = entries
    return "labels"


def _glob(directory: Path, pattern: str) -> list[str]:
    """``filepath.Glob`` relative to ``directory``, through the active file system."""
    if not any(c in pattern for c in "*?["):
        return [pattern] if fs.lexists(directory / pattern) else []
    head, _, tail = pattern.rpartition("/")
    parent = directory / head if head else directory
    try:
        names = fs.listdir(parent)
    except OSError:
        return []
    return sorted(f"{head}/{n}" if head else n for n in names if fnmatch.fnmatchcase(n, tail))


def _add_components(
    state: dict[str, Any], wanted: list[str], opts: Mapping[str, Any], directory: Path, repo: Path
) -> bool:
    if opts.get("ignoreMissingComponents"):
        inside = os.path.abspath(repo) + os.sep
        wanted = [
            c
            for c in wanted
            if os.path.abspath(directory / c).startswith(inside) and fs.exists(directory / c)
        ]
    found: list[str] = []
    for pattern in wanted:
        matches = _glob(directory, pattern)
        if not matches and "://" not in pattern and not pattern.startswith("github.com/"):
            raise ValueError(f"{pattern} has no match: component directory not found")
        found.extend(matches or [pattern])
    if not found:
        return False
    components = list(state.get("components") or [])
    for component in found:
        if component not in components:
            components.append(component)
    state["components"] = components
    return True


def _apply(
    state: dict[str, Any],
    opts: Mapping[str, Any],
    env: Mapping[str, str],
    directory: Path,
    repo: Path,
) -> tuple[list[str], list[str]]:
    """Run Argo CD's edits on the decoded kustomization; (fields written, options applied)."""
    written: list[str] = []
    applied: list[str] = []
    for option in ("namePrefix", "nameSuffix"):
        if opts.get(option):
            state[option] = str(opts[option])
            written.append(option)
            applied.append(option)
    if opts.get("images"):
        images = [envsubst(str(i), env) for i in opts["images"]]
        current = list(state.get("images") or []) + list(state.pop("imageTags", None) or [])
        state["images"] = _set_images(current, images)
        written += ["images", "imageTags"]
        applied.append("images")
    if opts.get("replicas"):
        state["replicas"] = _set_replicas(list(state.get("replicas") or []), opts["replicas"])
        written.append("replicas")
        applied.append("replicas")
    if opts.get("commonLabels"):
        values = {str(k): envsubst(str(v), env) for k, v in opts["commonLabels"].items()}
        written.append(_add_labels(state, _pairs(values), opts))
        applied.append("commonLabels")
    if opts.get("commonAnnotations"):
        raw = {str(k): str(v) for k, v in opts["commonAnnotations"].items()}
        if opts.get("commonAnnotationsEnvsubst"):
            raw = {k: envsubst(v, env) for k, v in raw.items()}
        annotations = dict(state.get("commonAnnotations") or {})
        _add_to_map(
            annotations, _pairs(raw), "annotation", bool(opts.get("forceCommonAnnotations"))
        )
        state["commonAnnotations"] = annotations
        written.append("commonAnnotations")
        applied.append("commonAnnotations")
    if opts.get("namespace"):
        state["namespace"] = str(opts["namespace"])
        written.append("namespace")
        applied.append("namespace")
    if opts.get("patches"):
        state["patches"] = list(state.get("patches") or []) + list(opts["patches"])
        written.append("patches")
        applied.append("patches")
    if opts.get("components") and _add_components(
        state, [str(c) for c in opts["components"]], opts, directory, repo
    ):
        written.append("components")
        applied.append("components")
    return written, applied


# -- the text -------------------------------------------------------------------------------
def _rewrite(text: str, line_map: Mapping[Any, int], fields: Mapping[str, Any]) -> str | None:
    """``text`` with the top-level ``fields`` replaced: old blocks removed, new ones appended.

    None when the top-level mapping is not in block style (then the caller writes it whole).
    """
    lines = text.splitlines(keepends=True)
    tops = sorted((line, key[0]) for key, line in line_map.items() if len(key) == 1)
    start = line_map.get((), 1)
    end = len(lines)
    for number in range(start, len(lines)):  # a second document: insert before it
        if lines[number].startswith(("---", "...")):
            end = number
            break
    lowered = {f.lower() for f in fields}
    drop: set[int] = set()
    if len({line for line, _ in tops}) != len(tops):  # several keys on one line: flow map
        return None
    for index, (line, key) in enumerate(tops):
        if str(key).lower() not in lowered:
            continue
        stop = tops[index + 1][0] - 1 if index + 1 < len(tops) else end
        drop.update(range(line - 1, stop))
    kept = [line for number, line in enumerate(lines[:end]) if number not in drop]
    if kept and not kept[-1].endswith("\n"):
        kept[-1] += "\n"
    added = [
        f"{key}: {json.dumps(value, ensure_ascii=False)}\n"
        for key, value in fields.items()
        if value not in (None, "", [], {})
    ]
    return "".join(kept + added + lines[end:])


def edit_kustomization(
    directory: Path,
    options: Mapping[str, Any],
    env: Mapping[str, str],
    repo: Path,
) -> EditedKustomization | None:
    """The kustomization of ``directory`` after Argo CD's edits for ``options``, or None.

    ``options`` is the source's ``kustomize:`` mapping, ``env`` the ``ARGOCD_APP_*``
    variables (``$VAR`` in images and labels), ``repo`` the repository root (components
    outside it count as missing). None when no option edits the file. Raises
    :class:`KustomizationError` naming the kustomization file for an edit Argo CD's
    ``kustomize edit`` would refuse.
    """
    if not any(options.get(o) for o in OPTION_ORDER):
        return None
    path = find_kustomization_file(directory)
    shown = display_path(path)
    text = fs.read_text(path)
    try:
        data, line_map = load_kustomization_yaml(text, shown)
        state, _aliases = decode_strict(data, KUSTOMIZATION)
    except EnvlibError:
        return None  # the build reports the file's own problem, with its line
    except Exception:
        return None
    try:
        written, applied = _apply(state, options, env, directory, repo)
        if not written:
            return None
        new_text = _rewrite(text, line_map, {f: state.get(f) for f in dict.fromkeys(written)})
        if new_text is None:
            new_text = json.dumps(state, ensure_ascii=False) + "\n"
    except ValueError as exc:
        raise KustomizationError(
            f"Argo CD's kustomize edit fails: {exc}",
            location=SourceLocation(shown),
            entry="spec.source.kustomize",
        ) from None
    return EditedKustomization(path=path, text=new_text, applied=tuple(applied))


__all__ = ["NO_EFFECT", "OPTION_ORDER", "EditedKustomization", "edit_kustomization", "envsubst"]
