"""``configMapGenerator`` / ``secretGenerator``: build the objects and merge them into a build.

Behaviour follows kustomize v5.5 (spec section 8) rather than the Kubernetes docs, e.g.:

* sources are read env files first, then literals, then files (this decides which duplicate
  key is reported); literal values lose one pair of *matching* outer quotes, env values keep
  theirs; a key without ``=`` in an env file gets ``""`` (the process environment is never read);
* non-UTF-8 file content goes to ``binaryData`` (ConfigMap); every Secret value is base64 in
  ``data``, wrapped into 70-character lines, each ending in a newline, once it reaches 70;
* ``generatorOptions`` merge into each entry's ``options`` (entry wins on label/annotation
  conflicts; ``immutable``/``disableNameSuffixHash`` if either says so);
* ``behavior: merge|replace`` rewrites the existing object in place (it keeps its position and
  id history); labels/annotations are merged even for ``replace``; the result only gets a hash
  suffix when both the old and the new object wanted one.

Files are read through :mod:`envlib.kustomize.load.fs`, so the default load restriction applies.
"""

from __future__ import annotations

import base64
import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

from envlib.errors import EnvlibError, GeneratorError, SourceLocation
from envlib.kustomize.core.resid import ResId
from envlib.kustomize.core.resource import GeneratorInfo, Origin, Resource
from envlib.kustomize.load import fs
from envlib.kustomize.yaml.scalars import source_text

if TYPE_CHECKING:
    from envlib.kustomize.core.resource import ResMap
    from envlib.kustomize.load.kustomization import GeneratorArgs, GeneratorOptions, Kustomization

_BASE64_LINE = 70
_BOM = b"\xef\xbb\xbf"
_MAX_LINE = 64 * 1024  # bufio.MaxScanTokenSize: longer env-file lines end the file silently
# Go's unicode.IsSpace (Python's str.isspace also accepts U+001C..U+001F).
_GO_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | frozenset(
    chr(c) for c in range(0x2000, 0x200B)
)
_BEHAVIORS = ("create", "merge", "replace")


@dataclass
class Generated:
    """One generated object, with the generator entry that made it."""

    resource: Resource
    field: str  # "configMapGenerator" or "secretGenerator"
    index: int
    location: SourceLocation

    @property
    def entry(self) -> str:
        """``configMapGenerator[0]``."""
        return f"{self.field}[{self.index}]"

    @property
    def behavior(self) -> str:
        """``create`` (also for unknown values), ``merge`` or ``replace``."""
        info = self.resource.generated
        return info.behavior if info is not None else "create"


def go_list(items: list[str]) -> str:
    """Go's ``%v`` of a ``[]string``: ``[a b c]``."""
    return "[" + " ".join(items) + "]"


def encode_base64(data: bytes) -> str:
    """kustomize's base64: 70-character lines each ending in ``\\n`` once the text reaches 70."""
    text = base64.b64encode(data).decode("ascii")
    if len(text) < _BASE64_LINE:
        return text
    return "".join(text[i : i + _BASE64_LINE] + "\n" for i in range(0, len(text), _BASE64_LINE))


def merge_options(
    local: GeneratorOptions | None, global_: GeneratorOptions | None
) -> tuple[dict[str, str], dict[str, str], bool, bool]:
    """(labels, annotations, disable_hash, immutable) after kustomize's options merge."""
    labels = dict(global_.labels) if global_ else {}
    annotations = dict(global_.annotations) if global_ else {}
    disable = bool(global_ and global_.disable_name_suffix_hash)
    immutable = bool(global_ and global_.immutable)
    if local is not None:
        labels.update(local.labels)
        annotations.update(local.annotations)
        disable = disable or local.disable_name_suffix_hash
        immutable = immutable or local.immutable
    return labels, annotations, disable, immutable


class _Sources:
    """Reads one generator entry's key/value pairs, raising errors that name the entry."""

    def __init__(self, kust: Kustomization, field: str, index: int, args: GeneratorArgs) -> None:
        self.kust = kust
        self.path: tuple[str | int, ...] = (field, index)
        self.args = args

    def fail(self, message: str, sub: tuple[str | int, ...], kustomize_message: str) -> NoReturn:
        raise GeneratorError(
            message,
            location=self.kust.location(*self.path, *sub),
            entry=self.kust.entry_name(*self.path, *sub),
            kustomize_message=f"loading KV pairs: {kustomize_message}",
        )

    def read(self, entry: str, sub: tuple[str | int, ...], prefix: str) -> bytes:
        """Read a source file inside the kustomization root (file URLs: fetched, as kustomize)."""
        try:
            resolved = fs.resolve_in_root(self.kust.directory, entry)
            return fs.read_bytes(resolved)
        except EnvlibError as exc:
            self.fail(exc.message, sub, f"{prefix}: {exc.kustomize_message or exc.message}")
        except OSError as exc:
            self.fail(
                f"cannot read {fs.display_path(self.kust.directory / entry)}: {exc.strerror}",
                sub,
                f"{prefix}: read {self.kust.directory / entry}: {exc.strerror}",
            )

    def pairs(self) -> list[tuple[str, str | bytes, tuple[str | int, ...]]]:
        """All (key, value, entry path) pairs in kustomize's order: envs, literals, files."""
        out: list[tuple[str, str | bytes, tuple[str | int, ...]]] = []
        envs, literals, files = self.args.envs, self.args.literals, self.args.files
        for i, entry in enumerate(envs):
            prefix = f"env source files: {go_list(envs)}"
            content = self.read(entry, ("envs", i), prefix)
            shown = fs.display_path(self.kust.directory / entry)
            for key, value in self._env_lines(content, ("envs", i), prefix, shown):
                out.append((key, value, ("envs", i)))
        for i, source in enumerate(literals):
            key, sep, value = source.partition("=")
            if not sep or not key:
                self.fail(
                    f"invalid literal {source!r}: expected key=value",
                    ("literals", i),
                    f"literal sources {go_list(literals)}: "
                    f"invalid literal source {source}, expected key=value",
                )
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            out.append((key, value, ("literals", i)))
        for i, source in enumerate(files):
            key, file_path = self._file_source(source, ("files", i), go_list(files))
            out.append(
                (
                    key,
                    self.read(file_path, ("files", i), f"file sources: {go_list(files)}"),
                    ("files", i),
                )
            )
        return out

    def _file_source(self, source: str, sub: tuple[str | int, ...], listed: str) -> tuple[str, str]:
        """``path`` -> (basename, path); ``key=path`` -> (key, path); kustomize's errors."""
        count = source.count("=")
        prefix = f"file sources: {listed}: "
        if count == 0:
            return posixpath.basename(source.rstrip("/")) or ("/" if source else "."), source
        if count == 1 and source.startswith("="):
            msg = f'missing key name for file path "{source[1:]}" in source "{source}"'
        elif count == 1 and source.endswith("="):
            msg = f'missing file path for key name "{source[:-1]}" in source "{source}"'
        elif count > 1:
            msg = f"source \"{source}\" key name or file path contains '='"
        else:
            key, file_path = source.split("=")
            return key, file_path
        self.fail(msg, sub, prefix + msg)

    def _env_lines(
        self, content: bytes, sub: tuple[str | int, ...], prefix: str, shown: str
    ) -> list[tuple[str, str]]:
        """Parse an env file like kustomize (bufio.Scanner lines, CR dropped)."""
        out: list[tuple[str, str]] = []
        lines = content.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        for number, raw in enumerate(lines):
            if len(raw) >= _MAX_LINE:  # bufio.Scanner gives up; kustomize ignores the error
                break
            line = raw[:-1] if raw.endswith(b"\r") else raw
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                numbers = "[" + " ".join(str(b) for b in line) + "]"
                self.fail(
                    f"{shown}:{number + 1}: line is not valid UTF-8",
                    sub,
                    f"{prefix}: line {numbers} has invalid utf8 bytes : "
                    f"{line.decode('utf-8', 'replace')}",
                )
            if number == 0 and text.startswith(_BOM.decode()):
                text = text[1:]
            text = text.lstrip("".join(_GO_SPACE))
            if not text or text.startswith("#"):
                continue
            key, _, value = text.partition("=")
            if key:  # "=value" lines are skipped silently
                out.append((key, value))
        return out


def _make_object(
    kust: Kustomization, field: str, index: int, args: GeneratorArgs
) -> tuple[dict[str, Any], bool]:
    """The generated object and whether its hash suffix is disabled."""
    kind = "ConfigMap" if field == "configMapGenerator" else "Secret"
    if not args.name:
        raise GeneratorError(
            f"{field} entry has no name",
            location=kust.location(field, index),
            entry=kust.entry_name(field, index),
            kustomize_message="a configmap must have a name",
        )
    metadata: dict[str, Any] = {"name": args.name}
    if args.namespace:
        metadata["namespace"] = args.namespace
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": kind, "metadata": metadata}
    if kind == "Secret":
        obj["type"] = args.type or "Opaque"
    seen: set[str] = set()
    data: dict[str, str] = {}
    binary: dict[str, str] = {}
    sources = _Sources(kust, field, index, args)
    for key, value, sub in sources.pairs():
        if key in seen:
            raise GeneratorError(
                f"key {key!r} appears twice in {field}[{index}] ({args.name})",
                location=kust.location(field, index, *sub),
                entry=kust.entry_name(field, index, *sub),
                kustomize_message=f"configmap {args.name} illegally repeats the key `{key}`",
            )
        seen.add(key)
        raw = value.encode("utf-8") if isinstance(value, str) else value
        if kind == "Secret":
            data[key] = encode_base64(raw)
            continue
        try:
            data[key] = raw.decode("utf-8") if isinstance(value, bytes) else value
        except UnicodeDecodeError:
            binary[key] = encode_base64(raw)
    if data or kind == "Secret":
        obj["data"] = {k: data[k] for k in sorted(data)}
    if binary:
        obj["binaryData"] = {k: binary[k] for k in sorted(binary)}
    labels, annotations, disable, immutable = merge_options(args.options, kust.generator_options)
    if labels:
        metadata["labels"] = {k: labels[k] for k in sorted(labels)}
    if annotations:
        metadata["annotations"] = {k: annotations[k] for k in sorted(annotations)}
    if immutable:
        obj["immutable"] = True
    return obj, disable


def generate(kust: Kustomization) -> list[Generated]:
    """Every configMapGenerator entry, then every secretGenerator entry, as new resources.

    (``helmCharts`` are configured before this runs: kustomize configures every generator,
    and without ``--enable-helm`` rejects the charts, before running any of them.)
    """
    out: list[Generated] = []
    for field, entries in (
        ("configMapGenerator", kust.config_map_generator),
        ("secretGenerator", kust.secret_generator),
    ):
        for index, args in enumerate(entries):
            obj, disable = _make_object(kust, field, index, args)
            location = kust.location(field, index)
            behavior = args.behavior if args.behavior in _BEHAVIORS else "create"
            origin = Origin(path=location.path, line=location.line, generator=f"{field}[{index}]")
            res = Resource.from_obj(obj, origin)
            text = args.behavior if args.behavior in _BEHAVIORS else "unspecified"
            res.generated = GeneratorInfo(behavior, disable, text)
            out.append(Generated(res, field, index, location))
    return out


def _string_map(value: Any) -> dict[str, str]:
    """kyaml's GetDataMap: every entry of a mapping as its node's text.

    A number's text is what was written (``0x1F``, ``1e3``, ``100000000000000000000``;
    kept by the loader) or, after a JSON6902 patch, Go's float64 text of it (``31``,
    ``1000``, ``1e+20``; kept by the patch), not Python's ``str`` of the value.
    """
    if not isinstance(value, dict):
        return {}
    out: dict[str, str] = {}
    for key, item in value.items():
        if isinstance(item, bool):
            out[str(key)] = "true" if item else "false"
        elif item is None or isinstance(item, (dict, list)):
            out[str(key)] = ""
        else:
            text = source_text(item)
            out[str(key)] = str(item) if text is None else text
    return out


def _set_map(obj: dict[str, Any], key: str, value: dict[str, Any]) -> None:
    if value:
        obj[key] = {k: value[k] for k in sorted(value)}
    else:
        obj.pop(key, None)


def merge_generated(existing: Resource, new: Resource, behavior: str) -> None:
    """Apply ``behavior: merge`` or ``replace`` of ``new`` onto ``existing``, in place.

    As kustomize's ``appendReplaceOrMerge``: the new object wins, except that it takes the
    existing name and namespace, labels/annotations are unioned (new wins), and for ``merge``
    ``data``/``binaryData`` are unioned too. ``existing`` keeps its position, origin and id
    history; it keeps needing a hash suffix only if both objects wanted one.
    """
    if behavior not in ("merge", "replace"):
        raise ValueError(f"behavior must be merge or replace, not {behavior!r}")
    old_obj = existing.obj
    obj = new.obj
    old_meta = old_obj.get("metadata") if isinstance(old_obj.get("metadata"), dict) else {}
    assert isinstance(old_meta, dict)
    meta = obj.setdefault("metadata", {})
    for key in ("labels", "annotations"):
        _set_map(meta, key, {**_string_map(old_meta.get(key)), **_string_map(meta.get(key))})
    for key in ("name", "namespace"):
        if old_meta.get(key):
            meta[key] = old_meta[key]
        else:
            meta.pop(key, None)
    if behavior == "merge":
        for key in ("data", "binaryData"):
            _set_map(obj, key, {**_string_map(old_obj.get(key)), **_string_map(obj.get(key))})
    existing.obj = obj
    if existing.generated is not None:
        new_disable = new.generated.disable_hash if new.generated is not None else True
        existing.generated = GeneratorInfo(
            behavior=existing.generated.behavior,
            disable_hash=existing.generated.disable_hash or new_disable,
            behavior_text=existing.generated.behavior_text,
        )


def go_resid(rid: ResId) -> str:
    """Go's ``%#v`` of a kustomize ``resid.ResId`` (appears in behavior errors)."""

    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    gvk = rid.gvk
    return (
        f"resid.ResId{{Gvk:resid.Gvk{{Group:{q(gvk.group)}, Version:{q(gvk.version)}, "
        f"Kind:{q(gvk.kind)}, isClusterScoped:{'true' if gvk.cluster_scoped else 'false'}}}, "
        f"Name:{q(rid.name)}, Namespace:{q(rid.namespace)}}}"
    )


def absorb_generated(resmap: ResMap, gen: Generated) -> None:
    """Add a generated object to the build, honouring its ``behavior`` (kustomize's AbsorbAll).

    ``create`` appends (an existing id is an error); ``merge``/``replace`` rewrite the one
    existing object with any matching id (none, or several, is an error). kustomize's own
    messages start with ``merging from generator &{0xc... <nil>}:`` (a Go pointer); the
    ``kustomize_message`` here writes ``&{...}`` in its place.
    """
    res = gen.resource
    rid = res.cur_id
    matches = resmap.find_by_id(rid)

    def fail(message: str, kustomize: str) -> GeneratorError:
        return GeneratorError(
            message,
            location=gen.location,
            entry=gen.entry,
            resource=str(rid),
            kustomize_message=f"merging from generator &{{...}}: {kustomize}",
        )

    if not matches:
        if gen.behavior in ("merge", "replace"):
            raise fail(
                f"behavior: {gen.behavior} needs an existing {rid} from a base "
                "or an earlier generator, and there is none",
                f"id {go_resid(rid)} does not exist; cannot merge or replace",
            )
        resmap.append(res)
        return
    if len(matches) > 1:
        ids = [str(m.cur_id) for m in matches]
        raise fail(
            f"several objects could accept behavior: {gen.behavior} of {rid}: " + ", ".join(ids),
            f"found multiple objects [{' '.join(ids)}] that could accept merge of {rid}",
        )
    if gen.behavior == "create":
        raise fail(
            f"{rid} already exists (from {matches[0].origin}); "
            "set behavior: merge or replace to change it",
            f"id {go_resid(rid)} exists; behavior must be merge or replace",
        )
    old = matches[0]
    # kustomize finds the old object by any of its ids but then replaces it by the merged
    # object's *current* id (new kind and version, old name and namespace): an object a
    # patch gave another kind is not found there
    merged_id = ResId(res.gvk, old.name, old.namespace)
    if not any(r.cur_id.key == merged_id.key for r in resmap):
        raise fail(
            f"behavior: {gen.behavior} matched {old.cur_id} by a former id, but it is no "
            f"longer a {res.gvk} (a patch changed its kind or apiVersion)",
            f"cannot find resource with id {merged_id} to replace",
        )
    merge_generated(old, res, gen.behavior)
