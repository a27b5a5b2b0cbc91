"""Helm's ``-f``/``--set`` values: read by Helm's own parser, merged as ``MergeValues`` does.

Each ``-f`` file is parsed by Helm (``helm_python.values_from_yaml``, sigs.k8s.io/yaml
underneath, so ``yes`` and big numbers mean what they mean to Helm) and merged over the
previous ones by ``MergeMaps`` (maps recursively, everything else replaced); ``--set``,
``--set-string`` and ``--set-file`` follow, parsed by Helm's strvals.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from envlib.helm.errors import HelmFailure


def merge_maps(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Helm's ``loader.MergeMaps``: ``over`` wins; nested maps merge key by key."""
    out = dict(base)
    for key, value in over.items():
        current = out.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            out[key] = merge_maps(current, value)
        else:
            out[key] = value
    return out


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise HelmFailure(f"open {path}: no such file or directory") from None
    except OSError as exc:
        raise HelmFailure(f"open {path}: {exc.strerror or exc}") from None


def user_values(
    values_files: tuple[str, ...],
    set_values: tuple[str, ...] = (),
    set_string_values: tuple[str, ...] = (),
    set_file_values: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The values a ``helm template`` run passes to the chart (before chart defaults)."""
    import helm_python

    base: dict[str, Any] = {}
    for path in values_files:
        text = _read(path)
        try:
            current = helm_python.values_from_yaml(text) if text.strip() else {}
        except helm_python.HelmError as exc:
            raise HelmFailure(f"failed to parse {path}: {exc.detail}") from None
        base = merge_maps(base, current or {})
    parsers = (
        (set_values, helm_python.parse_set_string, "--set"),
        (set_string_values, helm_python.parse_set_string_values, "--set-string"),
        (set_file_values, helm_python.parse_set_file, "--set-file"),
    )
    for expressions, parse, flag in parsers:
        for expression in expressions:
            try:
                base = merge_maps(base, parse(expression))
            except helm_python.HelmError as exc:
                raise HelmFailure(f"failed parsing {flag} data: {exc.detail}") from None
    return base
