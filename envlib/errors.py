"""Typed errors for envlib.

Every error that comes from a file carries a :class:`SourceLocation` so the CLI can print a
one-line message such as::

    k8s/overlays/dev/kustomization.yaml:9: patches[0]: replace /spec/mirror/percent: ...

The tree::

    EnvlibError
     ├─ LoadError             missing kustomization / file outside root / cycle / missing file
     │   └─ RemoteError       a remote resource that could not be fetched (git, HTTP, --offline)
     ├─ YamlSyntaxError       malformed YAML in a resource or kustomization file
     ├─ KustomizationError    unknown or ill-typed field in a kustomization file
     ├─ ResourceError         a document that is not a valid resource (no kind, no name)
     ├─ ResourceConflictError two resources with the same id
     ├─ GeneratorError        configMapGenerator / secretGenerator problems
     ├─ PatchError            unparsable patch, no target match, failing JSON6902 op
     ├─ TransformerError      namespace / images / replicas / replacements / vars problems
     └─ UnsupportedError      helmCharts, plugins: refused, never run

``kustomize_message`` holds the text kustomize itself would print after ``error: `` when it is
known; the CLI prints our richer message, tests compare meaning (same inputs fail).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceLocation:
    """A place in a file: path as given (relative where possible), 1-based line."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


class EnvlibError(Exception):
    """Base class of every error envlib raises on bad input."""

    def __init__(
        self,
        message: str,
        *,
        location: SourceLocation | None = None,
        entry: str | None = None,
        resource: str | None = None,
        kustomize_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.entry = entry
        self.resource = resource
        self.kustomize_message = kustomize_message
        self.target: SourceLocation | None = None
        """The file that is wrong, when an entry elsewhere led to it (:meth:`via_entry`)."""

    def via_entry(
        self, location: SourceLocation | None, entry: str, target: str | None = None
    ) -> EnvlibError:
        """Name the kustomization entry that led here as well as the file that is wrong.

        Why: an error inside a patch, resource or config file is found while the engine
        follows an entry of some kustomization; the reader needs both ends. ``location`` is
        the entry's file:line, ``entry`` the entry as written (``patches[0].path 'p.yaml'``),
        ``target`` the wrong file as shown, for errors without a place of their own. The error
        then reads ``<location>: <entry> -> <target>[:line]: <message>``. Returns self.
        """
        wrong = self.location if self.location != location else None
        if wrong is None and target is not None:
            wrong = SourceLocation(target)
        self.target = wrong
        self.location = location
        self.entry = f"{entry} -> {wrong}" if wrong is not None else entry
        return self

    def __str__(self) -> str:
        parts: list[str] = []
        if self.location is not None:
            parts.append(str(self.location))
        if self.entry:
            parts.append(self.entry)
        parts.append(self.message)
        return ": ".join(parts)

    def one_line(self) -> str:
        """The message folded onto one line, for the CLI."""
        return " ".join(str(self).split("\n"))


class LoadError(EnvlibError):
    """A kustomization, file or directory could not be loaded (missing, outside root, cycle)."""


class RemoteError(LoadError):
    """A remote entry that could not be fetched: git or HTTP failed, or ``--offline`` cache miss."""


class YamlSyntaxError(EnvlibError):
    """Malformed YAML."""


class KustomizationError(EnvlibError):
    """A kustomization file with an unknown, ill-typed or inconsistent field."""


class ResourceError(EnvlibError):
    """A document that is not a valid Kubernetes resource."""


class ResourceConflictError(EnvlibError):
    """Two resources with the same id."""


class GeneratorError(EnvlibError):
    """A configMapGenerator / secretGenerator entry that cannot be generated or merged."""


class PatchError(EnvlibError):
    """A patch that cannot be parsed or applied."""


class TransformerError(EnvlibError):
    """A transformer (namespace, images, replicas, replacements, vars, ...) that failed."""


class UnsupportedError(EnvlibError):
    """A feature envlib refuses on purpose (helmCharts, plugins)."""
