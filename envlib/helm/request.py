"""What envlib asks Helm for: ``helm template`` and ``helm pull``, as kustomize words them.

:meth:`TemplateRequest.as_args` is kustomize v5.5's ``HelmChart.AsHelmArgs`` (api/types/
helmchartargs.go) word for word, so a binary sees exactly what ``kubectl kustomize
--enable-helm`` would pass it; :func:`parse_template_args` reads such a list back (the
in-process engine and the test front end answer the same words).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class HelmSettings:
    """kubectl's ``--enable-helm`` family of flags, plus envlib's ``--offline``.

    ``command`` is ``--helm-command``; ``None`` means kubectl's default ``helm`` when it is on
    ``PATH`` and the in-process SDK otherwise.
    """

    enabled: bool = False
    command: str | None = None
    kube_version: str = ""
    api_versions: tuple[str, ...] = ()
    debug: bool = False
    offline: bool = False
    in_process: bool = False  # Helm's SDK even when a helm binary is on PATH (tests)


@dataclass(frozen=True)
class TemplateRequest:
    """One ``helm template`` run: every field is one of its flags."""

    chart_dir: str
    release_name: str = ""
    namespace: str = ""
    name_template: str = ""
    values_files: tuple[str, ...] = ()
    api_versions: tuple[str, ...] = ()
    kube_version: str = ""
    include_crds: bool = False
    skip_tests: bool = False
    no_hooks: bool = False
    debug: bool = False
    # --set / --set-string / --set-file, in that order (Argo CD parameters); kustomize sets none
    set_values: tuple[str, ...] = ()
    set_string_values: tuple[str, ...] = ()
    set_file_values: tuple[str, ...] = ()

    def as_args(self) -> list[str]:
        """kustomize's ``AsHelmArgs``: ``template`` and the flags, in kustomize's order."""
        args = ["template"]
        args.append(self.release_name if self.release_name else "--generate-name")
        args.append(self.chart_dir)
        if self.namespace:
            args += ["--namespace", self.namespace]
        if self.name_template:
            args += ["--name-template", self.name_template]
        for path in self.values_files:
            args += ["-f", path]
        for value in self.set_values:
            args += ["--set", value]
        for value in self.set_string_values:
            args += ["--set-string", value]
        for value in self.set_file_values:
            args += ["--set-file", value]
        for api in self.api_versions:
            args += ["--api-versions", api]
        if self.kube_version:
            args += ["--kube-version", self.kube_version]
        if self.include_crds:
            args.append("--include-crds")
        if self.skip_tests:
            args.append("--skip-tests")
        if self.no_hooks:
            args.append("--no-hooks")
        if self.debug:
            args.append("--debug")
        return args


@dataclass(frozen=True)
class PullRequest:
    """kustomize's ``pullCommand``: ``helm pull --untar --untardir DIR [--repo R] NAME``."""

    name: str
    repo: str
    untar_dir: str
    version: str = ""

    def as_args(self) -> list[str]:
        args = ["pull", "--untar", "--untardir", self.untar_dir]
        if self.repo.startswith("oci://"):
            args.append(self.repo.rstrip("/") + "/" + self.name)
        else:
            args += ["--repo", self.repo, self.name]
        if self.version:
            args += ["--version", self.version]
        return args


class ArgsError(ValueError):
    """A ``helm template`` argument list Helm's own flag parser would reject."""


@dataclass
class ParsedTemplate:
    """``helm template`` words read back: the request plus what Helm decides from them."""

    positional: list[str] = field(default_factory=list)
    generate_name: bool = False
    request: TemplateRequest | None = None


_VALUE_FLAGS = {
    "--namespace": "namespace",
    "-n": "namespace",
    "--name-template": "name_template",
    "--kube-version": "kube_version",
}
_LIST_FLAGS = {
    "-f": "values_files",
    "--values": "values_files",
    "--api-versions": "api_versions",
    "-a": "api_versions",
    "--set": "set_values",
    "--set-string": "set_string_values",
    "--set-file": "set_file_values",
}
_BOOL_FLAGS = {
    "--include-crds": "include_crds",
    "--skip-tests": "skip_tests",
    "--no-hooks": "no_hooks",
    "--debug": "debug",
}


def parse_template_args(args: Sequence[str]) -> ParsedTemplate:
    """Read the words after ``template`` (cobra/pflag style: ``--flag value`` or ``--flag=v``)."""
    values: dict[str, str] = {}
    lists: dict[str, list[str]] = {name: [] for name in set(_LIST_FLAGS.values())}
    bools: dict[str, bool] = {}
    parsed = ParsedTemplate()
    words = list(args)
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        if word == "--":
            parsed.positional.extend(words[i:])
            break
        name, eq, inline = word.partition("=") if word.startswith("--") else (word, "", "")
        if name == "--generate-name" or name == "-g":
            parsed.generate_name = True
            continue
        if name in _BOOL_FLAGS:
            bools[_BOOL_FLAGS[name]] = not eq or inline.lower() in {"true", "1", "t"}
            continue
        if name in _VALUE_FLAGS or name in _LIST_FLAGS:
            if not eq:
                if i >= len(words):
                    raise ArgsError(f"flag needs an argument: {name}")
                inline = words[i]
                i += 1
            if name in _VALUE_FLAGS:
                values[_VALUE_FLAGS[name]] = inline
            elif name in ("--api-versions", "-a"):  # a StringSlice: commas split
                lists["api_versions"].extend(v for v in inline.split(",") if v)
            else:
                lists[_LIST_FLAGS[name]].append(inline)
            continue
        if word.startswith("-") and word != "-":
            raise ArgsError(f"unknown flag: {name}")
        parsed.positional.append(word)
    if not parsed.positional:
        raise ArgsError('"helm template" requires at least 1 argument')
    chart = parsed.positional[1] if len(parsed.positional) > 1 else parsed.positional[0]
    release = parsed.positional[0] if len(parsed.positional) > 1 else ""
    parsed.request = TemplateRequest(
        chart_dir=chart,
        release_name=release,
        namespace=values.get("namespace", ""),
        name_template=values.get("name_template", ""),
        values_files=tuple(lists["values_files"]),
        api_versions=tuple(lists["api_versions"]),
        kube_version=values.get("kube_version", ""),
        include_crds=bools.get("include_crds", False),
        skip_tests=bools.get("skip_tests", False),
        no_hooks=bools.get("no_hooks", False),
        debug=bools.get("debug", False),
        set_values=tuple(lists["set_values"]),
        set_string_values=tuple(lists["set_string_values"]),
        set_file_values=tuple(lists["set_file_values"]),
    )
    return parsed
