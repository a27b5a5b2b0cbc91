"""Kustomization files: finding, strict decoding (Go's messages), normalisation, warnings."""

# ruff: noqa: E501  (case tables read best as one row per line)

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from envlib.errors import (
    GeneratorError,
    KustomizationError,
    LoadError,
    YamlSyntaxError,
)
from envlib.helm import HelmSettings
from envlib.kustomize.generators.configmap_secret import generate
from envlib.kustomize.generators.helm_chart import configure as configure_charts
from envlib.kustomize.load.kustomization import (
    Kustomization,
    Selector,
    find_kustomization_file,
    load_kustomization,
)
from envlib.kustomize.load.kustomization_schema import KUSTOMIZATION, DecodeProblem, decode_strict

WARN = "# Warning: '{}' is deprecated. Please use '{}' instead. {}Run 'kustomize edit fix' to update your Kustomization automatically."


def write_kust(root: Path, text: str, name: str = "kustomization.yaml") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(textwrap.dedent(text))
    return root


def oracle_error(result) -> str:
    """The oracle's message after ``error: `` (warnings before it dropped)."""
    assert result.rc == 1, result.stderr
    return result.stderr[result.stderr.index("error: ") + len("error: ") :].rstrip("\n")


# -- finding the file ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["kustomization.yaml", "kustomization.yml", "Kustomization"])
def test_each_recognised_name_is_found(tmp_path: Path, name: str) -> None:
    write_kust(tmp_path, "namePrefix: x-\n", name)
    assert find_kustomization_file(tmp_path).name == name
    assert load_kustomization(tmp_path).name_prefix == "x-"


def test_missing_kustomization_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as info:
        find_kustomization_file(tmp_path)
    assert info.value.kustomize_message == (
        "unable to find one of 'kustomization.yaml', 'kustomization.yml' or "
        f"'Kustomization' in directory '{tmp_path.resolve()}'"
    )


def test_directory_named_like_a_kustomization_is_not_one(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").mkdir()
    with pytest.raises(LoadError):
        find_kustomization_file(tmp_path)


def test_several_kustomization_files(tmp_path: Path) -> None:
    write_kust(tmp_path, "namePrefix: a\n")
    write_kust(tmp_path, "namePrefix: b\n", "Kustomization")
    with pytest.raises(LoadError) as info:
        find_kustomization_file(tmp_path)
    assert info.value.kustomize_message == (
        f"Found multiple kustomization files under: {tmp_path.resolve()}"
    )
    assert "kustomization.yaml, Kustomization" in str(info.value)


@pytest.mark.oracle
@pytest.mark.parametrize(
    "files", [(), ("kustomization.yaml", "kustomization.yml")], ids=["none", "two"]
)
def test_find_errors_match_oracle(tmp_path: Path, oracle, files: tuple[str, ...]) -> None:
    for name in files:
        write_kust(tmp_path, "namePrefix: x\n", name)
    with pytest.raises(LoadError) as info:
        load_kustomization(tmp_path)
    assert info.value.kustomize_message == oracle_error(oracle.build(tmp_path))


# -- strict decoding errors ------------------------------------------------------------------
GO = "json: cannot unmarshal {} into Go struct field {} of type {}"
# (id, kustomization text, kustomize's message after "invalid Kustomization: ", entry, line)
DECODE_ERRORS = [
    ("unknown-top", "resources: []\nbogusField: 1\n", 'json: unknown field "bogusField"', "bogusField", 2),
    ("unknown-typo", "patchesStrategicMerges:\n- typo.yaml\n", 'json: unknown field "patchesStrategicMerges"', "patchesStrategicMerges", 1),
    ("first-in-sorted-order", "zzz: 1\naaa: 2\n", 'json: unknown field "aaa"', "aaa", 2),
    ("unknown-in-patch-target", "patches:\n- path: p.yaml\n  target:\n    kind: Deployment\n    nmae: web\n", 'json: unknown field "nmae"', "patches[0].target.nmae", 5),
    ("unknown-in-images", "images:\n- name: a\n  newTg: v1\n", 'json: unknown field "newTg"', "images[0].newTg", 3),
    ("unknown-in-generator", "configMapGenerator:\n- name: c\n  literal: [a=1]\n", 'json: unknown field "literal"', "configMapGenerator[0].literal", 3),
    ("unknown-in-generator-options", "generatorOptions:\n  disableHash: true\n", 'json: unknown field "disableHash"', "generatorOptions.disableHash", 2),
    ("unknown-in-metadata", "metadata: {name: x, bogus: 1}\n", 'json: unknown field "bogus"', "metadata.bogus", 1),
    ("unknown-in-helm-chart", "helmCharts:\n- name: c\n  valuesInline: {any: [1, {b: c}]}\n  bogus: 1\n", 'json: unknown field "bogus"', "helmCharts[0].bogus", 4),
    ("unknown-in-var-objref", "vars:\n- name: v\n  objref: {kind: Service, name: s, apiVersion: v1, x: 1}\n", 'json: unknown field "x"', "vars[0].objref.x", 3),
    ("int-key-becomes-string", "1: a\n", 'json: unknown field "1"', "1", 1),
    ("yes-key-becomes-true", "yes: a\n", 'json: unknown field "true"', "true", 1),
    ("annotation-bool", "commonAnnotations: {a: true}\n", GO.format("bool", "Kustomization.commonAnnotations", "string"), "commonAnnotations.a", 1),
    ("annotation-yes", "commonAnnotations: {a: yes}\n", GO.format("bool", "Kustomization.commonAnnotations", "string"), "commonAnnotations.a", 1),
    ("annotation-on", "commonAnnotations: {a: on}\n", GO.format("bool", "Kustomization.commonAnnotations", "string"), "commonAnnotations.a", 1),
    ("annotation-int", "commonAnnotations: {a: 1}\n", GO.format("number", "Kustomization.commonAnnotations", "string"), "commonAnnotations.a", 1),
    ("annotation-float", "commonAnnotations: {a: 1.0}\n", GO.format("number", "Kustomization.commonAnnotations", "string"), "commonAnnotations.a", 1),
    ("common-labels-yes", "commonLabels: {v: yes}\n", GO.format("bool", "Kustomization.commonLabels", "string"), "commonLabels.v", 1),
    ("label-pairs-number", "labels: [{pairs: {v: 1.0}}]\n", GO.format("number", "Label.labels.pairs", "string"), "labels[0].pairs.v", 1),
    ("image-new-tag-number", "images: [{name: nginx, newTag: 1.10}]\n", GO.format("number", "Image.images.newTag", "string"), "images[0].newTag", 1),
    ("replica-count-string", 'replicas: [{name: x, count: "5"}]\n', GO.format("string", "Replica.replicas.count", "int64"), "replicas[0].count", 1),
    ("replica-count-fraction", "replicas: [{name: x, count: 1.5}]\n", GO.format("number 1.5", "Replica.replicas.count", "int64"), "replicas[0].count", 1),
    ("replica-count-huge-float", "replicas: [{name: x, count: 1e30}]\n", GO.format("number 1e+30", "Replica.replicas.count", "int64"), "replicas[0].count", 1),
    ("replica-count-bool", "replicas: [{name: x, count: true}]\n", GO.format("bool", "Replica.replicas.count", "int64"), "replicas[0].count", 1),
    ("embedded-field-names-outer-struct", "configMapGenerator: [{name: 1}]\n", GO.format("number", "ConfigMapArgs.configMapGenerator.name", "string"), "configMapGenerator[0].name", 1),
    ("pointer-struct-field", "secretGenerator: [{name: x, options: {labels: {a: 1}}}]\n", GO.format("number", "GeneratorOptions.secretGenerator.options.labels", "string"), "secretGenerator[0].options.labels.a", 1),
    ("selector-field", "patches: [{target: {kind: 1}}]\n", GO.format("number", "Selector.patches.target.kind", "string"), "patches[0].target.kind", 1),
    ("case-insensitive-field", "patches: [{target: {Kind: 1}}]\n", GO.format("number", "Selector.patches.target.kind", "string"), "patches[0].target.Kind", 1),
    ("patch-options-bool", "patches: [{options: {allowNameChange: yes, x: 1}}]\n", GO.format("number", "Patch.patches.options", "bool"), "patches[0].options.x", 1),
    ("string-for-list", "resources: x\n", GO.format("string", "Kustomization.resources", "[]string"), "resources", 1),
    ("string-for-struct-element", "patches: [x]\n", GO.format("string", "Kustomization.patches", "types.Patch"), "patches[0]", 1),
    ("list-for-pointer-struct", "sortOptions: []\n", GO.format("array", "Kustomization.sortOptions", "types.SortOptions"), "sortOptions", 1),
    ("list-for-map", "commonAnnotations: [a]\n", GO.format("array", "Kustomization.commonAnnotations", "map[string]string"), "commonAnnotations", 1),
    ("object-for-list", "configMapGenerator: [{name: x, literals: {a: b}}]\n", GO.format("object", "ConfigMapArgs.configMapGenerator.literals", "[]string"), "configMapGenerator[0].literals", 1),
    ("named-string-type", "patchesStrategicMerge: [1]\n", GO.format("number", "Kustomization.patchesStrategicMerge", "types.PatchStrategicMerge"), "patchesStrategicMerge[0]", 1),
    ("sort-order-type", "sortOptions: {order: 1}\n", GO.format("number", "SortOptions.sortOptions.order", "types.SortOrder"), "sortOptions.order", 1),
    ("go-int-field", "replacements: [{targets: [{options: {index: x}}]}]\n", GO.format("string", "FieldOptions.replacements.targets.options.index", "int"), "replacements[0].targets[0].options.index", 1),
    ("pointer-slice-element", "replacements: [{targets: [{select: {kind: x, labelSelector: [a]}}]}]\n", GO.format("array", "Selector.replacements.targets.select.labelSelector", "string"), "replacements[0].targets[0].select.labelSelector", 1),
    ("any-map", "helmChartInflationGenerator: [{chartName: x, valuesLocal: 1}]\n", GO.format("number", "HelmChartArgs.helmChartInflationGenerator.valuesLocal", "map[string]interface {}"), "helmChartInflationGenerator[0].valuesLocal", 1),
    ("kind-number", "kind: 1\n", GO.format("number", "Kustomization.kind", "string"), "kind", 1),
    ("top-level-list", "- a\n", "json: cannot unmarshal array into Go value of type types.Kustomization", None, 1),
    ("top-level-string", "hello\n", "json: cannot unmarshal string into Go value of type types.Kustomization", None, 1),
    ("inf", "commonAnnotations: {a: .inf}\n", "json: unsupported value: +Inf", "commonAnnotations.a", 1),
    ("inf-before-nan-in-key-order", "zz: .nan\ncommonAnnotations: {a: -.inf}\n", "json: unsupported value: -Inf", "commonAnnotations.a", 2),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message", "entry", "line"),
    [c[1:] for c in DECODE_ERRORS],
    ids=[c[0] for c in DECODE_ERRORS],
)
def test_decode_errors(tmp_path: Path, text: str, message: str, entry: str | None, line: int) -> None:  # fmt: skip
    write_kust(tmp_path, text)
    with pytest.raises(KustomizationError) as info:
        load_kustomization(tmp_path)
    err = info.value
    assert err.kustomize_message == f"invalid Kustomization: {message}"
    assert err.entry == entry
    assert err.location is not None and err.location.line == line
    assert str(err).startswith(f"{err.location.path}:{line}: ")
    assert err.location.path.endswith("kustomization.yaml")


@pytest.mark.oracle
@pytest.mark.parametrize("text", [c[1] for c in DECODE_ERRORS], ids=[c[0] for c in DECODE_ERRORS])
def test_decode_errors_match_oracle(tmp_path: Path, oracle, text: str) -> None:
    write_kust(tmp_path, text)
    with pytest.raises(KustomizationError) as info:
        load_kustomization(tmp_path)
    assert info.value.kustomize_message == oracle_error(oracle.build(tmp_path))


@pytest.mark.oracle
def test_yaml_syntax_error(tmp_path: Path, oracle) -> None:
    write_kust(tmp_path, "resources:\n- a.yaml\npatches: [\n")
    with pytest.raises(YamlSyntaxError) as info:
        load_kustomization(tmp_path)
    assert info.value.kustomize_message == oracle_error(oracle.build(tmp_path))
    assert info.value.kustomize_message.startswith("invalid Kustomization: yaml: line ")
    assert info.value.location is not None and info.value.location.path.endswith(".yaml")


def test_typo_gets_a_suggestion(tmp_path: Path) -> None:
    write_kust(tmp_path, "patchesStrategicMerges: [x.yaml]\n")
    with pytest.raises(KustomizationError, match='did you mean "patchesStrategicMerge"'):
        load_kustomization(tmp_path)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param(1000.0, None, id="integral-float-is-an-int"),
        pytest.param(1e30, "number 1e+30", id="huge-float"),
        pytest.param(2**66, "number 73786976294838210000", id="beyond-uint64-is-float64"),
        pytest.param(2**70, "number 1.1805916207174113e+21", id="float64-exponent-form"),
        pytest.param(2**63, "number 9223372036854775808", id="uint64-overflows-int64"),
    ],
)
def test_int64_from_yaml_numbers(value: float, message: str | None) -> None:
    data = {"replicas": [{"name": "x", "count": value}]}
    if message is None:
        decoded, _ = decode_strict(data, KUSTOMIZATION)
        assert decoded["replicas"][0]["count"] == int(value)
        return
    with pytest.raises(DecodeProblem) as info:
        decode_strict(data, KUSTOMIZATION)
    assert info.value.go_message == (
        f"json: cannot unmarshal {message} into Go struct field Replica.replicas.count "
        "of type int64"
    )


# -- null handling and accepted quirks ------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "check"),
    [
        pytest.param(
            "commonAnnotations: {a: , b: null, c: x}\n",
            lambda k: k.common_annotations == {"a": "", "b": "", "c": "x"},
            id="null-map-values-are-empty-strings",
        ),
        pytest.param(
            "resources: [a.yaml]\nresources: [b.yaml]\n",
            lambda k: k.resources == ["b.yaml"],
            id="duplicate-key-last-wins",
        ),
        pytest.param(
            "NAMEPREFIX: p-\nconfigMapGenerator: [{NAME: c, Literals: [a=1]}]\n",
            lambda k: (
                k.name_prefix == "p-"
                and k.config_map_generator[0].name == "c"
                and k.config_map_generator[0].literals == ["a=1"]
            ),
            id="field-names-case-insensitive",
        ),
        pytest.param(
            "namePrefix: a-\nNamePrefix: b-\n",
            lambda k: k.name_prefix == "a-",
            id="case-variants-sorted-last-wins",
        ),
        pytest.param(
            "namePrefix: x\nresources: [null]\npatches: [null]\n",
            lambda k: k.resources == [""] and k.patches[0].path == "",
            id="null-list-elements-are-zero-values",
        ),
        pytest.param(
            "replicas: [{name: web, count: 1e3}]\n",
            lambda k: k.replicas[0].count == 1000,
            id="yaml11-float-that-is-integral",
        ),
        pytest.param(
            "replicas: [{name: web, count: 0x10}]\n",
            lambda k: k.replicas[0].count == 16,
            id="hex-int",
        ),
    ],
)
def test_accepted_quirks(tmp_path: Path, text: str, check) -> None:
    write_kust(tmp_path, text)
    assert check(load_kustomization(tmp_path))


# -- empty, kind, apiVersion ----------------------------------------------------------------
EMPTY = [
    ("zero-bytes", ""),
    ("comment-only", "# nothing here\n"),
    ("empty-map", "{}\n"),
    ("only-type-meta", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"),
    ("bad-kind-but-empty", "kind: Foo\napiVersion: v1\n"),
    ("empty-bases-list", "bases: []\n"),
    ("empty-image-tags", "imageTags: []\n"),
    ("empty-string", 'namePrefix: ""\n'),
    ("nulls", "resources:\ncommonLabels: null\n"),
]
NOT_EMPTY = [
    ("empty-resources-list", "resources: []\n"),
    ("empty-map-field", "commonAnnotations: {}\n"),
    ("empty-pointer-struct", "generatorOptions: {}\n"),
    ("empty-generator-list", "configMapGenerator: []\n"),
]


@pytest.mark.parametrize("text", [c[1] for c in EMPTY], ids=[c[0] for c in EMPTY])
def test_empty_kustomization(tmp_path: Path, text: str) -> None:
    write_kust(tmp_path, text, "Kustomization")
    with pytest.raises(KustomizationError) as info:
        load_kustomization(tmp_path)
    assert info.value.kustomize_message == "kustomization.yaml is empty"


@pytest.mark.parametrize("text", [c[1] for c in NOT_EMPTY], ids=[c[0] for c in NOT_EMPTY])
def test_not_empty_kustomization(tmp_path: Path, text: str) -> None:
    write_kust(tmp_path, text)
    assert isinstance(load_kustomization(tmp_path), Kustomization)


KIND_ERRORS = [
    ("bad-kind", "kind: Foo\nnamePrefix: x\n", ["kind should be Kustomization or Component"]),
    ("bad-kind-and-version", "kind: Foo\napiVersion: v1\nnamePrefix: x\n", ["kind should be Kustomization or Component", "apiVersion for Foo should be kustomize.config.k8s.io/v1beta1"]),
    ("bad-version", "apiVersion: v1\nnamePrefix: x\n", ["apiVersion for Kustomization should be kustomize.config.k8s.io/v1beta1"]),
    ("component-with-v1beta1", "kind: Component\napiVersion: kustomize.config.k8s.io/v1beta1\nnamePrefix: x\n", ["apiVersion for Component should be kustomize.config.k8s.io/v1alpha1"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "problems"), [c[1:] for c in KIND_ERRORS], ids=[c[0] for c in KIND_ERRORS]
)
def test_kind_and_api_version(tmp_path: Path, text: str, problems: list[str]) -> None:  # fmt: skip
    write_kust(tmp_path, text)
    with pytest.raises(KustomizationError) as info:
        load_kustomization(tmp_path)
    assert info.value.kustomize_message == (
        f"Failed to read kustomization file under {tmp_path.resolve()}:\n" + "\n".join(problems)
    )
    assert info.value.location is not None and info.value.location.line in (1, 2)


@pytest.mark.oracle
@pytest.mark.parametrize(
    "text", [c[1] for c in KIND_ERRORS + EMPTY], ids=[c[0] for c in KIND_ERRORS + EMPTY]
)
def test_kind_and_empty_errors_match_oracle(tmp_path: Path, oracle, text: str) -> None:
    write_kust(tmp_path, text)
    with pytest.raises(KustomizationError) as info:
        load_kustomization(tmp_path)
    assert info.value.kustomize_message == oracle_error(oracle.build(tmp_path))


@pytest.mark.parametrize(
    ("text", "kind", "api_version"),
    [
        ("namePrefix: x\n", "Kustomization", "kustomize.config.k8s.io/v1beta1"),
        ("kind: Component\nnamePrefix: x\n", "Component", "kustomize.config.k8s.io/v1alpha1"),
    ],
    ids=["default-kustomization", "component-default-version"],
)
def test_kind_defaults(tmp_path: Path, text: str, kind: str, api_version: str) -> None:
    write_kust(tmp_path, text)
    kust = load_kustomization(tmp_path)
    assert (kust.kind, kust.api_version, kust.is_component) == (
        kind,
        api_version,
        kind == "Component",
    )


# -- deprecation warnings and legacy normalisation ------------------------------------------
WARNINGS = [
    ("bases", "bases: []\nnamePrefix: x\n", ["bases"]),
    ("null-bases-no-warning", "bases:\nnamePrefix: x\n", []),
    ("all-in-fixed-order", "vars: []\npatchesStrategicMerge: []\npatchesJson6902: []\nimageTags: []\ncommonLabels: {}\nbases: []\n", ["bases", "commonLabels", "imageTags", "patchesJson6902", "patchesStrategicMerge", "vars"]),
    ("none", "resources: []\nlabels: []\n", []),
]  # fmt: skip
_NEW = {"bases": "resources", "commonLabels": "labels", "imageTags": "images"}


def expected_warning(name: str) -> str:
    if name == "vars":
        return WARN.format("vars", "replacements", "[EXPERIMENTAL] ")
    return WARN.format(name, _NEW.get(name, "patches"), "")


@pytest.mark.parametrize(("text", "names"), [c[1:] for c in WARNINGS], ids=[c[0] for c in WARNINGS])
def test_deprecation_warnings(tmp_path: Path, text: str, names: list[str]) -> None:
    write_kust(tmp_path, text)
    assert load_kustomization(tmp_path).warnings == [expected_warning(n) for n in names]


@pytest.mark.oracle
@pytest.mark.parametrize("text", [c[1] for c in WARNINGS], ids=[c[0] for c in WARNINGS])
def test_deprecation_warnings_match_oracle(tmp_path: Path, oracle, text: str) -> None:
    write_kust(tmp_path, text)
    result = oracle.build(tmp_path)
    assert result.rc == 0, result.stderr
    assert load_kustomization(tmp_path).warnings == result.stderr.splitlines()


def test_legacy_fields_are_normalised(tmp_path: Path) -> None:
    write_kust(
        tmp_path,
        """\
        bases:
        - ../base
        resources:
        - extra.yaml
        imageTags:
        - name: nginx
          newTag: "1.2"
        images:
        - name: redis
          newName: my/redis
        configMapGenerator:
        - name: cfg
          env: legacy.env
          envs: [a.env]
        helmChartInflationGenerator:
        - chartName: podinfo
          chartRepoUrl: https://example.invalid/charts
          chartHome: charts-dir
          releaseName: rel
        """,
    )
    kust = load_kustomization(tmp_path)
    assert kust.resources == ["extra.yaml", "../base"]
    assert [(i.name, i.new_tag, i.new_name) for i in kust.images] == [
        ("redis", "", "my/redis"),
        ("nginx", "1.2", ""),
    ]
    assert kust.config_map_generator[0].envs == ["a.env", "legacy.env"]
    assert kust.helm_charts == [
        {"name": "podinfo", "repo": "https://example.invalid/charts", "releaseName": "rel"}
    ]
    assert kust.helm_globals == {"chartHome": "charts-dir"}
    # messages point at what the user wrote, not at the normalised position
    assert kust.entry_name("resources", 1) == "bases[0]"
    assert kust.location("resources", 1).line == 2
    assert kust.entry_name("images", 1) == "imageTags[0]"
    assert kust.location("images", 1, "newTag").line == 7
    assert kust.entry_name("configMapGenerator", 0, "envs", 1) == "configMapGenerator[0].env"
    assert kust.location("configMapGenerator", 0, "envs", 1).line == 13


@pytest.mark.shared
def test_case_02_bases_after_resources_and_warning(shared_dir: Path) -> None:
    case = shared_dir / "kustomize-cases/02-sortoptions-fifo-and-bases-order"
    kust = load_kustomization(case / "overlay")
    assert kust.resources == ["extra.yaml", "../base"]
    assert kust.sort_options is not None and kust.sort_options.order == "fifo"
    assert kust.warnings == (case / "expected/stderr.txt").read_text().splitlines()


@pytest.mark.shared
def test_case_32_unknown_field(shared_dir: Path) -> None:
    case = shared_dir / "kustomize-cases/32-unknown-field-error"
    with pytest.raises(KustomizationError) as info:
        load_kustomization(case / "overlay")
    expected = (case / "expected/stderr.txt").read_text().removeprefix("error: ").rstrip("\n")
    assert info.value.kustomize_message == expected
    assert info.value.location is not None and info.value.location.line == 3
    assert info.value.entry == "patchesStrategicMerges"


@pytest.mark.shared
def test_case_39_helm_charts_refused(shared_dir: Path) -> None:
    case = shared_dir / "kustomize-cases/39-helmcharts-without-enable-helm-error"
    kust = load_kustomization(case / "overlay")
    with pytest.raises(GeneratorError) as info:
        configure_charts(kust, HelmSettings(), restrict=True)
    expected = (case / "expected/stderr.txt").read_text().removeprefix("error: ").rstrip("\n")
    assert info.value.kustomize_message == expected
    assert info.value.entry == "helmCharts[0]"
    assert info.value.location is not None and info.value.location.line == 4


HELM = [
    ("legacy-and-new", 'helmChartInflationGenerator: [{chartName: x, chartHome: ch, helmHome: hh, valuesLocal: {b: [1, 2]}, releaseName: r}]\nhelmCharts: [{name: yy, includeCRDs: true, valuesInline: {k: v}, namespace: ns}]\n'),
    ("values-quoting", 'helmCharts: [{name: yy, valuesInline: {k: "a: b\\nc", l: \'x "y"\', m: 5, n: 1.5, o: null, p: [], q: {}}}]\n'),
    ("globals-win-over-legacy", "helmGlobals: {chartHome: foo}\nhelmChartInflationGenerator: [{chartName: x, chartHome: ch}]\n"),
    ("strings-that-need-quotes", 'helmCharts: [{name: x, version: "1.0", apiVersions: [a, b], valuesInline: {s: "yes", e: ""}}]\n'),
]  # fmt: skip


@pytest.mark.oracle
@pytest.mark.parametrize("text", [c[1] for c in HELM], ids=[c[0] for c in HELM])
def test_helm_refusal_matches_oracle(tmp_path: Path, oracle, text: str) -> None:
    write_kust(tmp_path, text)
    with pytest.raises(GeneratorError) as info:
        configure_charts(load_kustomization(tmp_path), HelmSettings(), restrict=True)
    assert info.value.kustomize_message == oracle_error(oracle.build(tmp_path))
    assert "--enable-helm" in str(info.value)


def test_empty_helm_charts_list_is_fine(tmp_path: Path) -> None:
    write_kust(tmp_path, "helmCharts: []\nnamePrefix: x\n")
    assert generate(load_kustomization(tmp_path)) == []
    assert configure_charts(load_kustomization(tmp_path), HelmSettings(), restrict=True) == []


# -- the typed model and locations ----------------------------------------------------------
def test_model_fields_and_locations(tmp_path: Path) -> None:
    write_kust(
        tmp_path,
        """\
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        namespace: ml
        namePrefix: dev-
        commonAnnotations:
          app.kubernetes.io/part-of: platform
        labels:
        - pairs: {team: ml}
          includeTemplates: true
          fields:
          - kind: Deployment
            path: spec/x
            create: true
        patches:
        - path: patch.yaml
          target:
            group: apps
            kind: Deployment
            name: web-.*
            labelSelector: app=web
          options:
            allowNameChange: true
        - patch: |-
            - op: replace
              path: /spec/mirror/percent
              value: 0
        replicas:
        - name: web
          count: 3
        sortOptions:
          order: legacy
          legacySortOptions:
            orderFirst: [Namespace]
            orderLast: [Job]
        generatorOptions:
          disableNameSuffixHash: true
        buildMetadata: [originAnnotations]
        """,
    )
    kust = load_kustomization(tmp_path)
    assert kust.namespace == "ml" and kust.name_prefix == "dev-"
    assert kust.common_annotations == {"app.kubernetes.io/part-of": "platform"}
    assert kust.labels[0].pairs == {"team": "ml"} and kust.labels[0].include_templates
    assert kust.labels[0].fields[0].path == "spec/x" and kust.labels[0].fields[0].create
    assert kust.patches[0].target == Selector(
        group="apps", kind="Deployment", name="web-.*", label_selector="app=web"
    )
    assert kust.patches[0].options == {"allowNameChange": True}
    assert kust.patches[1].patch.startswith("- op: replace") and kust.patches[1].target is None
    assert (kust.replicas[0].name, kust.replicas[0].count) == ("web", 3)
    assert kust.sort_options is not None and kust.sort_options.order_first == ["Namespace"]
    assert kust.generator_options is not None and kust.generator_options.disable_name_suffix_hash
    assert kust.build_metadata == ["originAnnotations"]
    assert kust.location("patches", 0, "target").line == 16
    assert kust.location("patches", 1).line == 23
    assert kust.location("patches", 1, "nonexistent").line == 23  # nearest enclosing entry
    assert kust.entry_name("patches", 0, "target") == "patches[0].target"
    assert kust.entry_name("commonAnnotations", "app.kubernetes.io/part-of") == (
        'commonAnnotations["app.kubernetes.io/part-of"]'
    )
    assert str(kust.location("replicas", 0)) == f"{kust.display_path}:28"
