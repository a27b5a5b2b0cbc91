"""Strict decoding of a kustomization, reproducing Go ``encoding/json`` (Go 1.23) exactly.

kustomize turns the YAML into JSON (``sigs.k8s.io/yaml``: non-string keys become strings,
``json.Marshal`` sorts keys, NaN/Inf cannot be encoded) and decodes it into
``types.Kustomization`` with ``DisallowUnknownFields``. The schema below mirrors the Go structs
of kustomize v5.5 (api/types), with embedded structs flattened the way Go promotes their
fields. Decoding follows Go's rules, because they decide which error a user sees:

* keys are visited in sorted order; the first problem is reported, later ones are not;
* a field name matches exactly, else case-insensitively;
* a type mismatch leaves the value unchanged; ``null`` resets maps/slices/pointers and is
  ignored for strings/bools/numbers; a ``null`` map or slice *element* becomes its zero value;
* the message names the innermost struct type and the JSON field path without indices or
  map keys: ``json: cannot unmarshal number into Go struct field Image.images.newTag of type
  string``.
"""

from __future__ import annotations

import difflib
import math
import re
import struct
from typing import Any

from envlib.kustomize.load.gotypes import (
    BOOL,
    INT,
    INT64,
    STR,
    STRMAP,
    STRS,
    Any_,
    List,
    Map,
    Ptr,
    Scalar,
    Struct,
    Type,
)
from envlib.kustomize.load.gotypes import go_struct as _s

PathKey = tuple["str | int", ...]


_GVK: dict[str, Type] = dict.fromkeys(("group", "version", "kind"), STR)
_RESID: dict[str, Type] = {**_GVK, "name": STR, "namespace": STR}
SELECTOR = _s("Selector", _RESID, annotationSelector=STR, labelSelector=STR)
PATCH = _s("Patch", path=STR, patch=STR, target=Ptr(SELECTOR), options=Map(BOOL))
IMAGE = _s("Image", dict.fromkeys(("name", "newName", "tagSuffix", "newTag", "digest"), STR))
FIELD_SPEC = _s("FieldSpec", _GVK, path=STR, create=BOOL)
LABEL = _s(
    "Label", pairs=STRMAP, includeSelectors=BOOL, includeTemplates=BOOL, fields=List(FIELD_SPEC)
)
GENERATOR_OPTIONS = _s(
    "GeneratorOptions",
    labels=STRMAP,
    annotations=STRMAP,
    disableNameSuffixHash=BOOL,
    immutable=BOOL,
)
_GENERATOR_ARGS: dict[str, Type] = {
    **dict.fromkeys(("namespace", "name", "behavior", "env"), STR),
    **dict.fromkeys(("literals", "files", "envs"), STRS),
    "options": Ptr(GENERATOR_OPTIONS),
}
CONFIG_MAP_ARGS = _s("ConfigMapArgs", _GENERATOR_ARGS)
SECRET_ARGS = _s("SecretArgs", _GENERATOR_ARGS, type=STR)
FIELD_OPTIONS = _s("FieldOptions", delimiter=STR, index=INT, encoding=STR, create=BOOL)
SOURCE_SELECTOR = _s("SourceSelector", _RESID, fieldPath=STR, options=Ptr(FIELD_OPTIONS))
TARGET_SELECTOR = _s(
    "TargetSelector",
    select=Ptr(SELECTOR),
    reject=List(Ptr(SELECTOR)),
    fieldPaths=STRS,
    options=Ptr(FIELD_OPTIONS),
)
REPLACEMENT_FIELD = _s(
    "ReplacementField",
    source=Ptr(SOURCE_SELECTOR),
    targets=List(Ptr(TARGET_SELECTOR)),
    path=STR,
)
TARGET = _s("Target", _RESID, apiVersion=STR)
VAR = _s("Var", name=STR, objref=TARGET, fieldref=_s("FieldSelector", fieldPath=STR))
REPLICA = _s("Replica", name=STR, count=INT64)
SORT_OPTIONS = _s(
    "SortOptions",
    order=Scalar("types.SortOrder", "str"),
    legacySortOptions=Ptr(_s("LegacySortOptions", orderFirst=STRS, orderLast=STRS)),
)
HELM_GLOBALS = _s("HelmGlobals", chartHome=STR, configHome=STR)
_HELM_STRINGS = ("name", "version", "repo", "releaseName", "namespace", "valuesFile")
HELM_CHART = _s(
    "HelmChart",
    dict.fromkeys((*_HELM_STRINGS, "valuesMerge", "kubeVersion", "nameTemplate"), STR),
    dict.fromkeys(("includeCRDs", "skipHooks", "skipTests", "debug"), BOOL),
    additionalValuesFiles=STRS,
    valuesInline=Map(Any_()),
    apiVersions=STRS,
)
_HELM_ARGS_STRINGS = ("chartName", "chartVersion", "chartRepoUrl", "chartHome", "chartRepoName")
HELM_CHART_ARGS = _s(
    "HelmChartArgs",
    dict.fromkeys((*_HELM_ARGS_STRINGS, "helmBin", "helmHome", "values", "valuesMerge"), STR),
    dict.fromkeys(("releaseName", "releaseNamespace"), STR),
    valuesLocal=Map(Any_()),
    extraArgs=STRS,
)
OBJECT_META = _s("ObjectMeta", name=STR, namespace=STR, labels=STRMAP, annotations=STRMAP)
_PATH_LISTS = ("resources", "components", "crds", "bases", "configurations", "generators")
KUSTOMIZATION = _s(
    "Kustomization",
    dict.fromkeys(("kind", "apiVersion", "namePrefix", "nameSuffix", "namespace"), STR),
    dict.fromkeys((*_PATH_LISTS, "transformers", "validators", "buildMetadata"), STRS),
    dict.fromkeys(("openapi", "commonLabels", "commonAnnotations"), STRMAP),
    dict.fromkeys(("patchesJson6902", "patches"), List(PATCH)),
    dict.fromkeys(("images", "imageTags"), List(IMAGE)),
    metadata=Ptr(OBJECT_META),
    labels=List(LABEL),
    patchesStrategicMerge=List(Scalar("types.PatchStrategicMerge", "str")),
    replacements=List(REPLACEMENT_FIELD),
    replicas=List(REPLICA),
    vars=List(VAR),
    sortOptions=Ptr(SORT_OPTIONS),
    configMapGenerator=List(CONFIG_MAP_ARGS),
    secretGenerator=List(SECRET_ARGS),
    helmGlobals=Ptr(HELM_GLOBALS),
    helmCharts=List(HELM_CHART),
    helmChartInflationGenerator=List(HELM_CHART_ARGS),
    generatorOptions=Ptr(GENERATOR_OPTIONS),
)

_JSON_KIND = {str: "string", bool: "bool", int: "number", float: "number"}
_INT64 = (-(2**63), 2**63 - 1)


class DecodeProblem(Exception):
    """The first error Go's decoder would report, with where it is in the file."""

    def __init__(self, go_message: str, path: PathKey, hint: str) -> None:
        super().__init__(go_message)
        self.go_message = go_message
        self.path = path
        self.hint = hint

    def explain(self) -> str:
        """Our message: the hint plus kustomize's own words."""
        return f"{self.hint} (kustomize: invalid Kustomization: {self.go_message})"


def json_kind(value: Any) -> str:
    """How Go names a JSON value in ``cannot unmarshal X``."""
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return _JSON_KIND.get(type(value), "number")


def _float32_key(value: float) -> str:
    """Go ``strconv.FormatFloat(f, 'g', -1, 32)`` (how sigs.k8s.io/yaml stringifies keys)."""
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    if math.isnan(value):
        return ".nan"
    target = struct.unpack("f", struct.pack("f", value))[0]
    for digits in range(1, 10):
        text = f"{target:.{digits}e}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == target:
            break
    mantissa, exp_text = text.split("e")
    exponent = int(exp_text)
    mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
    if exponent < -4 or exponent >= 21:
        return f"{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent):02d}"
    return format(float(f"{mantissa}e{exponent}"), "f").rstrip("0").rstrip(".")


def _go_value(value: Any) -> str:
    if value is None:
        return "<nil>"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value).lower() if isinstance(value, bool) else str(value)


def jsonable(value: Any, path: PathKey = ()) -> Any:
    """sigs.k8s.io/yaml's conversion: keys become strings, then ``json.Marshal`` (sorted keys)
    refuses NaN/Inf - so key problems are found first, then the first NaN/Inf in key order."""
    converted = _string_keys(value, path)
    _refuse_non_finite(converted, path)
    return converted


def _string_keys(value: Any, path: PathKey) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if isinstance(key, bool):
                name = "true" if key else "false"
            elif isinstance(key, int):
                name = str(key)
            elif isinstance(key, float):
                name = _float32_key(key)
            elif isinstance(key, str):
                name = key
            else:
                kind = "%!s(<nil>)" if key is None else type(key).__name__
                raise DecodeProblem(
                    f"unsupported map key of type: {kind}, key: {_go_value(key)}, "
                    f"value: {_go_value(item)}",
                    path,
                    f"unsupported map key {key!r}",
                )
            out[name] = _string_keys(item, (*path, name))
        return {k: out[k] for k in sorted(out)}
    if isinstance(value, list):
        return [_string_keys(item, (*path, i)) for i, item in enumerate(value)]
    return value


def _refuse_non_finite(value: Any, path: PathKey) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_non_finite(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _refuse_non_finite(item, (*path, i))
    elif isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        shown = "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")
        raise DecodeProblem(
            f"json: unsupported value: {shown}", path, f"{shown} cannot be written as JSON"
        )


class _Decoder:
    """One decoding run: keeps the first problem and the canonical -> written path aliases."""

    def __init__(self) -> None:
        self.problem: DecodeProblem | None = None
        self.aliases: dict[PathKey, PathKey] = {}

    def save(self, message: str, path: PathKey, hint: str) -> None:
        if self.problem is None:
            self.problem = DecodeProblem(message, path, hint)

    def type_error(
        self, value: Any, typ: Type, ctx: tuple[str, tuple[str, ...]], path: PathKey
    ) -> None:
        kind = json_kind(value)
        struct_name, fields = ctx
        where = (
            f"Go struct field {struct_name}.{'.'.join(fields)}"
            if fields or struct_name
            else "Go value"
        )
        self.save(
            f"json: cannot unmarshal {kind} into {where} of type {typ.go}",
            path,
            f"expected {_describe(typ)}, got {_describe_value(value)}",
        )

    def decode(
        self,
        value: Any,
        typ: Type,
        prev: Any,
        ctx: tuple[str, tuple[str, ...]],
        path: PathKey,
        canon: PathKey,
    ) -> Any:
        """Decode ``value`` into a Go value of ``typ`` whose current value is ``prev``."""
        if isinstance(typ, Any_):
            return value
        if value is None:
            return None if isinstance(typ, (Map, List, Ptr)) else prev
        if isinstance(typ, Scalar):
            return self._scalar(value, typ, prev, ctx, path)
        if isinstance(typ, Ptr):
            return self.decode(value, typ.elem, prev, ctx, path, canon)
        if isinstance(typ, List):
            if not isinstance(value, list):
                self.type_error(value, typ, ctx, path)
                return prev
            return [
                _zero(typ.elem)
                if item is None and not isinstance(typ.elem, Ptr)
                else self.decode(item, typ.elem, _zero(typ.elem), ctx, (*path, i), (*canon, i))
                for i, item in enumerate(value)
            ]
        if not isinstance(value, dict):
            self.type_error(value, typ, ctx, path)
            return prev
        if isinstance(typ, Map):
            out = dict(prev) if isinstance(prev, dict) else {}
            zero = _zero(typ.elem)
            for key, item in value.items():
                got = self.decode(item, typ.elem, zero, ctx, (*path, key), (*canon, key))
                out[key] = zero if item is None and isinstance(typ.elem, Scalar) else got
            return out
        result = dict(prev) if isinstance(prev, dict) else {}
        for key, item in value.items():
            found = typ.field(key)
            if found is None:
                names = [n for n, _ in typ.fields]
                close = difflib.get_close_matches(key, names, n=1, cutoff=0.75)
                hint = f'unknown field "{key}"' + (
                    f' (did you mean "{close[0]}"?)' if close else ""
                )
                self.save(f'json: unknown field "{key}"', (*path, key), hint)
                continue
            name, ftyp = found
            if name != key:
                alias_key: PathKey = (*canon, name)
                self.aliases[alias_key] = (*path, key)
            sub_ctx = (typ.name, (*ctx[1], name))
            got = self.decode(item, ftyp, result.get(name), sub_ctx, (*path, key), (*canon, name))
            if got is None:
                result.pop(name, None)
            else:
                result[name] = got
        return result

    def _scalar(
        self, value: Any, typ: Scalar, prev: Any, ctx: tuple[str, tuple[str, ...]], path: PathKey
    ) -> Any:
        if typ.kind == "str" and isinstance(value, str):
            return value
        if typ.kind == "bool" and isinstance(value, bool):
            return value
        if typ.kind == "int" and isinstance(value, (int, float)) and not isinstance(value, bool):
            text = _go_number(value)
            if re.fullmatch(r"-?\d+", text) and _INT64[0] <= int(text) <= _INT64[1]:
                return int(text)
            self.save(
                f"json: cannot unmarshal number {text} into Go struct field "
                f"{ctx[0]}.{'.'.join(ctx[1])} of type {typ.go}",
                path,
                f"expected a whole number, got {text}",
            )
            return prev
        self.type_error(value, typ, ctx, path)
        return prev


def _go_number(value: int | float) -> str:
    """A YAML number as JSON text after Go's ``json.Marshal`` (int as is, float64 formatted)."""
    if isinstance(value, int) and -(2**63) <= value <= 2**64 - 1:
        return str(value)  # go-yaml v2 keeps int64/uint64; bigger integers become float64
    from envlib.kustomize.yaml.scalars import go_json_float

    return go_json_float(float(value))


def _zero(typ: Type) -> Any:
    if isinstance(typ, Scalar):
        return {"str": "", "bool": False, "int": 0}[typ.kind]
    if isinstance(typ, Struct):
        return {}
    return None


def _describe(typ: Type) -> str:
    if isinstance(typ, Scalar):
        return {"str": "a string", "bool": "true or false", "int": "a whole number"}[typ.kind]
    if isinstance(typ, Map):
        return f"a mapping of {_describe(typ.elem).removeprefix('a ')}s"
    if isinstance(typ, List):
        return "a list"
    return "a mapping"


def _describe_value(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()} (quote it to keep it as text)"
    if isinstance(value, (int, float)):
        return f"the number {value} (quote it to keep it as text)"
    if isinstance(value, str):
        return f"the string {value!r}"
    return "a list" if isinstance(value, list) else "a mapping"


def decode_strict(data: Any, typ: Struct) -> tuple[dict[str, Any], dict[PathKey, PathKey]]:
    """Decode YAML-loaded ``data`` against ``typ`` like kustomize; raise the first problem.

    Returns the decoded value (canonical field names; fields that stayed Go-zero are absent,
    except empty lists/maps which Go keeps non-nil) and aliases from canonical paths to the
    paths as written (for ``NamePrefix:``-style spellings).
    """
    converted = jsonable(data)
    decoder = _Decoder()
    decoded = decoder.decode(converted, typ, {}, ("", ()), (), ())
    if decoder.problem is not None:
        raise decoder.problem
    return (decoded if isinstance(decoded, dict) else {}), decoder.aliases
