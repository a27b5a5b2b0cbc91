"""Quantity parsing and readable units."""

from __future__ import annotations

import pytest

from envlib.analysis import quantities as q


@pytest.mark.parametrize(
    ("text", "number"),
    [
        pytest.param("500m", 0.5, id="millicores"),
        pytest.param("2", 2.0, id="cores"),
        pytest.param(1.5, 1.5, id="number"),
        pytest.param("1Gi", 2**30, id="binary"),
        pytest.param("1G", 1e9, id="decimal"),
        pytest.param("${CPU}", None, id="unparsable-is-absent"),
        pytest.param(None, None, id="absent"),
    ],
)
def test_parse(text, number) -> None:
    assert q.parse(text) == number


@pytest.mark.parametrize("text", ["500m", "1.5", "2Gi", "1e3", "128974848", "0.1Ki", "12n", "1Z"])
def test_parse_is_the_kubernetes_parser(text) -> None:
    """The file-loaded parser is the library's own: same values, same refusals."""
    from kubernetes.utils import parse_quantity

    try:
        expected: float | None = float(parse_quantity(text))
    except ValueError:
        expected = None
    assert q.parse(text) == expected


@pytest.mark.parametrize(
    ("func", "value", "text"),
    [
        pytest.param(q.format_cpu, 0.25, "250m", id="cpu-milli"),
        pytest.param(q.format_cpu, 7.5, "7.5", id="cpu-cores"),
        pytest.param(q.format_memory, 7 * 2**30, "7Gi", id="mem-gi"),
        pytest.param(q.format_memory, 1280 * 2**20, "1.25Gi", id="mem-fraction"),
        pytest.param(q.format_memory, 500e6, "500M", id="mem-decimal-kept"),
        pytest.param(q.format_memory, None, "", id="mem-absent"),
    ],
)
def test_format(func, value, text) -> None:
    assert func(value) == text


def test_same_quantity_written_differently() -> None:
    assert q.same_quantity("1", "1000m")
    assert not q.same_quantity("1", "2")
    assert not q.same_quantity("1", "1")  # not a difference at all
