"""Deeply nested documents: rerun the work on a thread with a large stack, only when needed.

Why: go-yaml accepts nesting up to depth 10,000 (``max_flow_level`` / ``max_indents``) and
kubectl builds such documents, but libyaml stops at 1,000 levels and envlib's readers,
walkers and emitter recurse once or more per level, which Python's default recursion limit
(and an 8 MiB C stack) cannot hold. Making every walker iterative would slow the common
case; instead :func:`call` runs the work as usual and, only when it hits the limit (a
``RecursionError``, which the readers also raise for libyaml's nesting limit), runs it again
on a worker thread with a 512 MiB stack, a recursion limit sized for 10,000 levels and
libyaml's limit raised past go-yaml's. The normal path pays one ``try``.

Context variables (the active file system, the read recorder) are carried into the worker;
callers that report progress (build warnings) must not report the first attempt's twice.
"""

from __future__ import annotations

import contextvars
import ctypes
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import yaml._yaml

DEPTH_LIMIT = 10_000
"""go-yaml's nesting limit: more levels than this fail in kubectl (at parse or at encoding)."""

_STACK_BYTES = 512 * 1024 * 1024
_RECURSION_LIMIT = 400_000
# libyaml counts flow and block levels together, go-yaml each on its own: 2 x 10,000 + slack
_LIBYAML_DEEP_LIMIT = 2 * DEPTH_LIMIT + 10

_state = threading.local()
T = TypeVar("T")


def active() -> bool:
    """Whether this thread is the large-stack worker (deep documents are allowed here)."""
    return bool(getattr(_state, "deep", False))


def _libyaml() -> Any | None:
    try:
        lib = ctypes.CDLL(yaml._yaml.__file__)
        lib.yaml_get_max_nest_level.restype = ctypes.c_int
        return lib if hasattr(lib, "yaml_set_max_nest_level") else None
    except (OSError, AttributeError):
        return None


def _run_deep(fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    results: list[T] = []
    errors: list[BaseException] = []
    context = contextvars.copy_context()

    def work() -> None:
        _state.deep = True
        try:
            results.append(context.run(fn, *args))
        except BaseException as exc:  # handed back to the caller's thread below
            errors.append(exc)
        finally:
            _state.deep = False

    lib = _libyaml()
    old_nest = lib.yaml_get_max_nest_level() if lib is not None else None
    old_limit = sys.getrecursionlimit()
    old_stack = threading.stack_size()
    try:
        threading.stack_size(_STACK_BYTES)
        if lib is not None:
            lib.yaml_set_max_nest_level(ctypes.c_int(_LIBYAML_DEEP_LIMIT))
        sys.setrecursionlimit(max(old_limit, _RECURSION_LIMIT))
        worker = threading.Thread(target=work, name="envlib-deep-document")
        worker.start()
        worker.join()
    finally:
        threading.stack_size(old_stack)
        sys.setrecursionlimit(old_limit)
        if lib is not None and old_nest is not None:
            lib.yaml_set_max_nest_level(ctypes.c_int(old_nest))
    if errors:
        raise errors[0]
    return results[0]


def call(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)``; if it runs out of stack on a deep document, again on a large stack."""
    if active():
        return fn(*args)
    try:
        return fn(*args)
    except RecursionError:
        pass  # left the except block so the first attempt's frames are freed
    return _run_deep(fn, args)


__all__ = ["DEPTH_LIMIT", "active", "call"]
