"""Loading ``resources:`` entries: files, kustomization directories, and kustomize's errors.

kustomize tries every ``resources:`` entry first as a file and, when that fails, as a
directory, and when both fail it reports both (spec §3.1, §11)::

    accumulation err='<why it is not a file>': <why it is not a directory>

:func:`accumulate_entry` reproduces that: it fills :attr:`EnvlibError.kustomize_message` with
kustomize's exact text (so differential tests can compare it) while the envlib message names
the kustomization file, line and entry. Directories are built by a callback (the build
pipeline in :mod:`envlib.kustomize.pipeline.build`), so this module knows nothing about
transformers.

Parsed files are cached by path, size and mtime; callers get private copies (a marshal round
trip, far cheaper than re-parsing YAML), so a re-render after a notebook toggle costs no YAML.
Remote entries follow kustomize's loader (:mod:`envlib.kustomize.load.remote`): an
``http(s)://`` entry is first fetched as a file; an entry that is not a usable file and parses
as a git URL is fetched with ``git`` and built as a directory, restricted to itself; a remote
root may only name bases inside its own repository.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envlib.errors import (
    EnvlibError,
    LoadError,
    RemoteError,
    ResourceConflictError,
    ResourceError,
    SourceLocation,
    UnsupportedError,
    YamlSyntaxError,
)
from envlib.kustomize.core.resource import Origin, ResMap, Resource
from envlib.kustomize.core.trace import snapshot
from envlib.kustomize.load import fs
from envlib.kustomize.load.remote.repospec import RepoSpec, is_remote_file, repo_spec_or_none
from envlib.kustomize.load.remote.session import FetchError, RemoteLoader


def is_remote(entry: str) -> bool:
    """Whether kustomize would fetch ``entry``: a file URL or a git repository URL."""
    return is_remote_file(entry) or repo_spec_or_none(entry) is not None


def refuse_remote(entry: str, location: SourceLocation | None, entry_name: str) -> None:
    """Raise :class:`UnsupportedError` for a remote entry where envlib does not fetch."""
    if is_remote(entry):
        raise UnsupportedError(
            f"remote entry {entry!r} is not supported here (envlib fetches remote "
            "resources: and components: entries only); vendor it into the repository",
            location=location,
            entry=entry_name,
        )


def wrap_kustomize(exc: EnvlibError, prefix: str) -> EnvlibError:
    """Prefix kustomize's message the way Go's ``WrapPrefixf`` does (``prefix: inner``)."""
    exc.kustomize_message = f"{prefix}: {exc.kustomize_message or exc.message}"
    return exc


# -- Go formatting helpers (kustomize embeds Go values in some error texts) -----------------


def go_quote(text: str) -> str:
    """Go's ``%q`` for a string."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif not ch.isprintable() and code > 0x7F:
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _go_scalar(value: Any) -> str:
    if value is None:
        return "interface {}(nil)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    if isinstance(value, int):
        return str(value)
    return go_quote(str(value))


def go_dump(value: Any) -> str:
    """Go's ``%#v`` of a decoded YAML value (maps with non-string keys are interface-keyed)."""
    if isinstance(value, dict):
        string_keyed = all(isinstance(k, str) for k in value)
        head = "map[string]interface {}" if string_keyed else "map[interface {}]interface {}"

        def order(key: Any) -> tuple[int, str]:
            if key is None:
                return (0, "")
            return (1, key) if isinstance(key, str) else (2, _go_scalar(key))

        items = ", ".join(f"{_go_scalar(k)}:{go_dump(value[k])}" for k in sorted(value, key=order))
        return f"{head}{{{items}}}"
    if isinstance(value, list):
        return "[]interface {}{" + ", ".join(go_dump(v) for v in value) + "}"
    return _go_scalar(value)


_YAML12_NON_STRING = re.compile(
    r"^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE"
    r"|[-+]?(?:0|[1-9][0-9_]*)|0[0-7_]+|0o[0-7_]+|[-+]?0x[0-9a-fA-F_]+|0b[01_]+"
    r"|[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


def _resolve_key(key: str) -> Any:
    """How go-yaml v3 reads an unquoted annotation key (only the type matters here)."""
    if not _YAML12_NON_STRING.match(key):
        return key
    if key in ("~", "null", "Null", "NULL"):
        return None
    if key.lower() in ("true", "false"):
        return key.lower() == "true"
    try:
        return int(key.replace("_", ""), 0) if not re.match(r"^0[0-7_]+$", key) else int(key, 8)
    except ValueError:
        try:
            return float(key.replace("_", ""))
        except ValueError:
            return key


def _has_non_string_key(value: Any) -> bool:
    """Whether any mapping in ``value`` has a key that is not text (checked once per
    object at the end of every build, hence a loop over a stack, not recursion)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key in item:
                if type(key) is not str and not isinstance(key, str):
                    return True
            stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, (dict, list)))
    return False


def check_json_compatible(res: Resource) -> None:
    """Fail like kustomize on a mapping key JSON cannot hold (spec §4.8, case 36).

    kustomize rewrites every object's annotations when it strips its build annotations, and
    re-reads their keys unquoted: ``"8080"`` becomes the number 8080 and the JSON conversion
    of the object crashes. Unquoted numeric keys anywhere crash the same way.
    """
    obj = res.obj
    meta = obj.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    rewritten = obj
    if isinstance(annotations, dict) and any(
        isinstance(k, str) and _resolve_key(k) != k for k in annotations
    ):
        assert isinstance(meta, dict)
        resolved = {
            (_resolve_key(k) if isinstance(k, str) else k): v for k, v in annotations.items()
        }
        rewritten = {**obj, "metadata": {**meta, "annotations": resolved}}
    elif not _has_non_string_key(obj):
        return
    bad = [k for k in (annotations or {}) if isinstance(k, str) and _resolve_key(k) != k]
    what = f"annotation key {bad[0]!r}" if bad else "a non-string mapping key"
    raise ResourceError(
        f"{what} cannot be converted to JSON; kustomize aborts the build "
        "(quote-sensitive keys are read as numbers/booleans)",
        location=res.origin.location,
        resource=str(res.cur_id),
        kustomize_message=(
            f"{go_dump(rewritten)}: json: unsupported type: map[interface {{}}]interface {{}}"
        ),
    )


# -- resource files -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ParsedDoc:
    obj: Any
    doc_index: int
    line: int | None
    empty: tuple[tuple[Any, ...], ...] = ()  # paths of ``key:`` values (yaml.readers.Document)


_PARSE_CACHE: dict[str, tuple[Hashable, list[_ParsedDoc]]] = {}


def _parse_file(path: Path) -> list[_ParsedDoc]:
    key = os.fspath(path)
    try:
        stamp = fs.stamp(key)
    except OSError:
        stamp = None  # let read_text report it in its words
    cached = _PARSE_CACHE.get(key)
    if cached is not None and stamp is not None and cached[0] == stamp:
        fs.note_read(key)
        return cached[1]
    docs = _parse_text(fs.read_text(path), fs.display_path(path))
    _PARSE_CACHE[key] = (stamp, docs)
    return docs


def _parse_text(text: str, display: str) -> list[_ParsedDoc]:
    from envlib.kustomize.yaml.readers import (
        load_documents,  # colleague's module; imported late to keep startup lean
    )

    return [
        _ParsedDoc(d.obj, d.doc_index, d.line, d.empty)
        for d in load_documents(text, display, resources=True)
    ]


def _go_struct(obj: dict[str, Any]) -> str:
    """kustomize's ``{{apiVersion kind} {{name namespace} labels annotations}}`` dump."""
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    assert isinstance(meta, dict)

    def s(value: Any) -> str:
        return value if isinstance(value, str) else ""

    def m(value: Any) -> str:
        if not isinstance(value, dict):
            return "map[]"
        return "map[" + " ".join(f"{k}:{value[k]}" for k in sorted(value, key=str)) + "]"

    return (
        f"{{{{{s(obj.get('apiVersion'))} {s(obj.get('kind'))}}} "
        f"{{{{{s(meta.get('name'))} {s(meta.get('namespace'))}}} "
        f"{m(meta.get('labels'))} {m(meta.get('annotations'))}}}}}"
    )


def _flatten(obj: Any, display: str, doc: _ParsedDoc, out: list[Resource]) -> None:
    """Append ``obj`` (or, for a ``*List`` with ``items``, its items) as resources."""
    if not isinstance(obj, dict):
        raise ResourceError(
            "document is not a mapping (a Kubernetes object)",
            location=SourceLocation(display, doc.line),
            kustomize_message="missing Resource metadata",
        )
    kind = obj.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and "items" in obj:
        items = obj["items"]
        if isinstance(items, dict):
            raise ResourceError(
                f"{kind}.items must be a list",
                location=SourceLocation(display, doc.line),
                kustomize_message=(
                    f"expected array in {kind}/items, but found map[string]interface {{}}"
                ),
            )
        for item in items if isinstance(items, list) else []:
            _flatten(item, display, doc, out)
        return
    if not isinstance(kind, str) or not kind:
        raise ResourceError(
            "object has no kind",
            location=SourceLocation(display, doc.line),
            kustomize_message=f"missing kind in object {_go_struct(obj)}",
        )
    meta = obj.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    if not isinstance(name, str) or not name:
        raise ResourceError(
            f"{kind} has no metadata.name",
            location=SourceLocation(display, doc.line),
            kustomize_message=f"missing metadata.name in object {_go_struct(obj)}",
        )
    out.append(Resource.from_obj(obj, Origin(display, doc.doc_index, doc.line)))


def flatten_document(
    obj: Any, display: str, doc_index: int, line: int | None, out: list[Resource]
) -> None:
    """Append one parsed document's resources (``*List`` items flattened), as files do."""
    _flatten(obj, display, _ParsedDoc(obj, doc_index, line), out)


def resources_from_file(path: Path) -> list[Resource]:
    """Load every object of a YAML stream (``*List`` kinds flattened) as fresh resources."""
    return _resources(_parse_file(path), fs.display_path(path))


def resources_from_text(text: str, display: str) -> list[Resource]:
    """The same for contents read elsewhere (a file URL), named ``display`` in origins."""
    return _resources(_parse_text(text, display), display)


def _resources(parsed: list[_ParsedDoc], display: str) -> list[Resource]:
    out: list[Resource] = []
    for doc in parsed:
        if doc.obj is None:
            continue
        first = len(out)
        _flatten(snapshot(doc.obj), display, doc, out)
        if doc.empty:
            _give_empty_paths(doc, out[first:])
    return out


def _give_empty_paths(doc: _ParsedDoc, made: list[Resource]) -> None:
    """Each resource of a document gets the ``key:`` paths inside it (List items too)."""
    items = doc.obj.get("items") if isinstance(doc.obj, dict) else None
    if len(made) == 1 and not isinstance(items, list):
        made[0].empty_nulls = list(doc.empty)
        return
    if not isinstance(items, list) or len(items) != len(made):
        return  # nested Lists: not tracked
    for index, res in enumerate(made):
        prefix = ("items", index)
        res.empty_nulls = [p[2:] for p in doc.empty if p[:2] == prefix]


# -- resources: entries ---------------------------------------------------------------------


@dataclass
class EntryContext:
    """Where an entry is configured: the kustomization directory, file location and name."""

    directory: Path
    location: SourceLocation | None
    entry_name: str  # e.g. "resources[2]"
    restrict: bool
    remote: RemoteLoader | None = None  # None: a default (online) loader
    # raw URLs of the remote roots being built, outermost first (kustomize's repo cycle check)
    remote_stack: list[str] = field(default_factory=list)


BuildDirectory = Callable[[Path], ResMap]


class Accumulator:
    """A ResMap plus a set of its id keys, so adding N resources costs O(N), not O(N^2)."""

    def __init__(self, resmap: ResMap) -> None:
        self.resmap = resmap
        self.keys: set[Any] = {r.cur_id.key for r in resmap}

    def add_all(self, resources: list[Resource] | ResMap, context: str = "") -> None:
        """Append, failing on an id already present (kustomize's AppendAll)."""
        batch_keys = [r.cur_id.key for r in resources]
        for res, key in zip(resources, batch_keys, strict=True):
            if key in self.keys:
                raise _conflict(res, context)
            self.keys.add(key)
            self.resmap.resources.append(res)


def _conflict(res: Resource, context: str = "") -> ResourceConflictError:
    text = f"may not add resource with an already registered id: {res.cur_id}"
    return ResourceConflictError(
        text,
        location=res.origin.location,
        resource=str(res.cur_id),
        kustomize_message=f"{context}{text}",
    )


def _abs(directory: Path, entry: str) -> str:
    return os.path.normpath(os.path.join(os.fspath(directory), entry))


def _missing(path: str) -> str:
    """Go's ``EvalSymlinks`` failure text: the first missing component, or a file in the way."""
    current = os.sep if path.startswith(os.sep) else ""
    parts = [p for p in path.split(os.sep) if p]
    for index, part in enumerate(parts):
        current = os.path.join(current, part)
        if not fs.lexists(current):
            return f"evalsymlink failure on '{path}' : lstat {current}: no such file or directory"
        if index < len(parts) - 1 and not fs.isdir(current):
            return f"evalsymlink failure on '{path}' : not a directory"
    return f"evalsymlink failure on '{path}' : lstat {path}: no such file or directory"


def missing_file_text(path: str) -> str:
    """kustomize's message for a missing file (public for patch and generator files)."""
    return _missing(path)


def _file_attempt(acc: Accumulator, ctx: EntryContext, entry: str) -> EnvlibError | None:
    """Try ``entry`` as a file; return the error (not raised) when it is not a usable file."""
    absolute = _abs(ctx.directory, entry)
    head = f"accumulating resources from '{entry}'"
    if not fs.lexists(absolute):
        return LoadError(
            f"{entry!r} does not exist",
            location=ctx.location,
            entry=ctx.entry_name,
            kustomize_message=f"{head}: {_missing(absolute)}",
        )
    if fs.isdir(absolute):
        return LoadError(
            f"{entry!r} is a directory",
            location=ctx.location,
            entry=ctx.entry_name,
            kustomize_message=f"{head}: '{absolute}' must resolve to a file",
        )
    try:
        real = fs.resolve_in_root(ctx.directory, entry, restrict=ctx.restrict)
        loaded = resources_from_file(real)
        Accumulator(ResMap()).add_all(loaded)  # duplicates inside one file
    except YamlSyntaxError as exc:
        # kustomize reports malformed YAML alone (no directory attempt), in its own wrapper
        exc.entry = exc.entry or ctx.entry_name
        inner = exc.kustomize_message or exc.message
        if not inner.startswith("MalformedYAMLError"):
            exc.kustomize_message = f"MalformedYAMLError: {inner} in File: {entry}"
        raise wrap_kustomize(exc, head) from None
    except EnvlibError as exc:
        exc.entry = exc.entry or ctx.entry_name
        if exc.location is None:
            exc.location = ctx.location
        return wrap_kustomize(exc, head)
    try:
        acc.add_all(loaded)
    except ResourceConflictError as exc:
        exc.entry = ctx.entry_name
        return wrap_kustomize(exc, f"merging resources from '{entry}'")
    return None


def check_cycle(candidate: str, stack: list[str]) -> str | None:
    """kustomize's cycle rule: the candidate may not contain any directory being built."""
    for visited in reversed(stack):
        if candidate == visited or visited.startswith(candidate.rstrip(os.sep) + os.sep):
            return f"cycle detected: candidate root '{candidate}' contains visited root '{visited}'"
    return None


def accumulate_entry(
    acc: Accumulator,
    ctx: EntryContext,
    entry: str,
    *,
    stack: list[str],
    build_directory: BuildDirectory,
) -> None:
    """Add the resources of one ``resources:`` entry (file, URL, directory or git repository).

    kustomize's order: load the entry as a file (an ``http(s)`` URL is fetched), and when
    that fails, as a directory - a git URL is cloned, anything else is a local directory.
    """
    if is_remote_file(entry):
        file_error = _http_attempt(acc, ctx, entry)
    else:
        file_error = _file_attempt(acc, ctx, entry)
    if file_error is None:
        return
    file_text = file_error.kustomize_message or file_error.message

    def fail(exc: EnvlibError, dir_text: str) -> EnvlibError:
        exc.kustomize_message = f"accumulation err='{file_text}': {dir_text}"
        return exc

    spec = repo_spec_or_none(entry)
    if spec is not None:
        try:
            root = remote_root(ctx, spec)
        except RemoteError as exc:
            if isinstance(file_error, YamlSyntaxError) and not getattr(exc, "timed_out", False):
                raise file_error from None  # kustomize: the malformed file alone
            raise fail(exc, exc.kustomize_message or exc.message) from None
        _add_directory(acc, ctx, entry, root, build_directory, fail, remote=spec)
        return
    if isinstance(file_error, YamlSyntaxError):
        raise file_error
    absolute = _abs(ctx.directory, entry)
    if not fs.exists(absolute):
        raise fail(
            file_error, f"must build at directory: not a valid directory: {_missing(absolute)}"
        )
    if not fs.isdir(absolute):
        raise fail(file_error, f"must build at directory: '{absolute}': file is not directory")
    real = fs.realpath(absolute)
    problem = containment_problem(ctx.directory, real) or check_cycle(real, stack)
    if problem is not None:
        raise fail(
            LoadError(
                f"{entry!r} would include a kustomization that is already being built (a cycle)"
                if problem.startswith("cycle")
                else f"{entry!r} leaves the remote repository it is in",
                location=ctx.location,
                entry=ctx.entry_name,
            ),
            problem,
        )
    _add_directory(acc, ctx, entry, Path(real), build_directory, fail)


def _add_directory(
    acc: Accumulator,
    ctx: EntryContext,
    entry: str,
    real: Path,
    build_directory: BuildDirectory,
    fail: Callable[[EnvlibError, str], EnvlibError],
    remote: RepoSpec | None = None,
) -> None:
    if remote is not None:
        ctx.remote_stack.append(remote.raw)
    try:
        sub = build_directory(real)
    except EnvlibError as exc:
        raise fail(exc, exc.kustomize_message or exc.message) from None
    finally:
        if remote is not None:
            ctx.remote_stack.pop()
    if remote is not None:
        mark_remote_origins(sub, remote)
    try:
        acc.add_all(sub)
    except ResourceConflictError as exc:
        exc.entry = ctx.entry_name
        exc.location = ctx.location
        inner = exc.kustomize_message or exc.message
        raise fail(exc, f"recursed merging from path '{real}': {inner}") from None


# -- remote entries ----------------------------------------------------------------------------
def _http_attempt(acc: Accumulator, ctx: EntryContext, entry: str) -> EnvlibError | None:
    """kustomize's file load of an ``http(s)`` entry: ``GET`` it, parse the body as resources.

    A status outside 2xx ends the build, unless the URL is also a git URL (then it is
    cloned next); a transport failure (no connection, or ``--offline`` without a cached
    body) lets the git attempt run too.
    """
    head = f"accumulating resources from '{entry}'"
    loader = ctx.remote or RemoteLoader()
    outcome = loader.get_file(entry)
    is_git = repo_spec_or_none(entry) is not None
    if outcome.body is None:
        if outcome.status is not None and not is_git:
            raise RemoteError(
                f"{entry}: {outcome.status_text}",
                location=ctx.location,
                entry=ctx.entry_name,
                kustomize_message=f"accumulating resources: {head}: {outcome.status_text}",
            )
        if outcome.error == "offline" and not is_git:
            raise RemoteError(
                f"{entry}: not in envlib's cache and --offline forbids fetching it; "
                "build once without --offline",
                location=ctx.location,
                entry=ctx.entry_name,
            )
        text = "URL is a git repository" if outcome.status is not None else outcome.error
        return RemoteError(
            f"{entry}: {text}",
            location=ctx.location,
            entry=ctx.entry_name,
            kustomize_message=f"{head}: {text}",
        )
    try:
        loaded = resources_from_text(outcome.body.decode("utf-8", errors="replace"), entry)
        Accumulator(ResMap()).add_all(loaded)
    except YamlSyntaxError as exc:
        exc.entry = exc.entry or ctx.entry_name
        inner = exc.kustomize_message or exc.message
        if not inner.startswith("MalformedYAMLError"):
            exc.kustomize_message = f"MalformedYAMLError: {inner} in File: {entry}"
        return wrap_kustomize(exc, head)
    except EnvlibError as exc:
        exc.entry = exc.entry or ctx.entry_name
        if exc.location is None:
            exc.location = ctx.location
        return wrap_kustomize(exc, head)
    _http_origins(loaded, entry)
    try:
        acc.add_all(loaded)
    except ResourceConflictError as exc:
        exc.entry = ctx.entry_name
        raise wrap_kustomize(exc, f"merging resources from '{entry}'") from None
    return None


_MAX_REMOTE_DEPTH = 32


def remote_root(ctx: EntryContext, spec: RepoSpec) -> Path:
    """Fetch ``spec`` (or find it in the cache) and return its kustomization directory.

    kustomize's checks, in its order: a repository cycle (this URL is a prefix of one being
    built), then after the clone: the path exists, is a directory, and stays inside the
    repository once symlinks are resolved. Raises :class:`RemoteError` naming the URL.
    """

    def error(message: str, kustomize: str, **extra: Any) -> RemoteError:
        exc = RemoteError(
            f"{spec.raw}: {message}",
            location=ctx.location,
            entry=ctx.entry_name,
            kustomize_message=kustomize,
        )
        for key, value in extra.items():
            setattr(exc, key, value)
        return exc

    for previous in reversed(ctx.remote_stack):
        if previous.startswith(spec.raw):
            text = f"cycle detected: URI '{spec.raw}' referenced by previous URI '{previous}'"
            raise error("includes a repository already being built (a cycle)", text)
    if len(ctx.remote_stack) >= _MAX_REMOTE_DEPTH:
        raise error(f"more than {_MAX_REMOTE_DEPTH} nested remote roots", "too deep")
    loader = ctx.remote or RemoteLoader()
    try:
        clone = loader.clone_dir(spec)
    except FetchError as exc:
        raise error(
            exc.message.removeprefix(f"{spec.raw}: "), exc.kustomize, timed_out=exc.timed_out
        ) from None
    absolute = os.path.normpath(os.path.join(clone, spec.kust_root))
    where = spec.kust_root or "."
    if not fs.exists(absolute):
        raise error(f"path {where!r} does not exist in the repository", _missing(absolute))
    real = fs.realpath(absolute)
    if not fs.isdir(real):
        raise error(
            f"path {where!r} is a file; a remote base must be a directory",
            f"'{absolute}' refers to file '{os.path.basename(real)}'; expecting directory",
        )
    if not _within(real, os.fspath(clone)):
        raise error(
            f"path {where!r} leaves the repository (a symlink)",
            f"{go_quote(absolute)} refers to directory outside of repo {go_quote(str(clone))}",
        )
    return Path(real)


def mark_remote_origins(resources: Iterable[Resource], spec: RepoSpec) -> None:
    """kustomize's ``Origin.Append`` of a git URL: the clone URL, ref and path in the repo.

    The path is the one inside the repository - except that kustomize, for a URL naming
    the repository's top (no path), computes it from a placeholder clone directory and
    prints ``notCloned/...``; that is reproduced. Inner remotes (marked first) keep theirs.
    """
    for res in resources:
        if res.origin.repo is not None:
            continue
        found = fs.unlabel(res.origin.path)
        if found is None or found[0].prefix != spec.clone_spec:
            continue
        rel = found[1]
        res.origin = dataclasses.replace(
            res.origin,
            repo=spec.clone_spec,
            ref=spec.ref,
            repo_path=rel if spec.kust_root else posixpath.join("notCloned", rel),
        )


def _http_origins(resources: Iterable[Resource], url: str) -> None:
    """The same for a file URL: kustomize parses it as a git URL too (when it is one)."""
    spec = repo_spec_or_none(url)
    if spec is None:
        return
    for res in resources:
        res.origin = dataclasses.replace(
            res.origin, repo=spec.clone_spec, ref=spec.ref, repo_path=spec.kust_root or "notCloned"
        )


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def containment_problem(directory: Path, candidate: str) -> str | None:
    """kustomize's rule for bases named inside a cloned repository: they stay inside it."""
    mount = fs.mount_of(directory)
    if mount is None or _within(candidate, mount.root):
        return None
    return (
        "security; bases in kustomizations found in cloned git repos must be within the repo, "
        f"but base '{candidate}' is outside '{mount.root}'"
    )
