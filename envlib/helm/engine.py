"""Who renders: a ``helm`` binary or the in-process SDK, behind one small interface.

kubectl's rule is "run ``--helm-command`` (default ``helm``)". envlib keeps it when a binary
is named or on ``PATH``, and otherwise answers the same requests in-process with Helm's Go
SDK (``envlib[helm]``), so a machine without helm still renders charts the way Helm does.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from envlib.helm import binary
from envlib.helm.errors import HelmFailure
from envlib.helm.request import HelmSettings, PullRequest, TemplateRequest


def sdk_available() -> bool:
    """Whether ``helm_python`` (the ``envlib[helm]`` extra) imports and loads its library."""
    try:
        import helm_python

        helm_python.helm_sdk_version()
    except Exception:  # ImportError, or the native library refusing to load
        return False
    return True


@dataclass(frozen=True)
class Engine:
    """Renders charts: ``command`` is a binary's path, or ``None`` for the in-process SDK."""

    command: str | None

    @property
    def description(self) -> str:
        if self.command is not None:
            return self.command
        from envlib.helm.sdk import sdk_version

        return f"helm-python-sdk (Helm {sdk_version()} in-process)"

    def check_version(self, config_home: str) -> None:
        """kustomize's ``helm version -c --short`` check (the SDK needs none)."""
        if self.command is not None:
            binary.check_version(self.command, config_home)

    def template(self, request: TemplateRequest, config_home: str) -> str:
        """``helm template`` stdout, or :class:`HelmFailure`."""
        if self.command is not None:
            return binary.run(self.command, request.as_args(), config_home)
        from envlib.helm import sdk

        return sdk.render(request)

    def pull(self, request: PullRequest, config_home: str) -> None:
        """``helm pull --untar`` into ``request.untar_dir`` (needs the network)."""
        if self.command is not None:
            binary.run(self.command, request.as_args(), config_home)
            return
        from envlib.helm import sdk

        sdk.pull(request)


def engine_for(settings: HelmSettings) -> Engine:
    """The engine for these settings: the named binary, ``helm`` on PATH, or the SDK.

    Raises :class:`HelmFailure` (with kustomize's "is 'helm' installed?" text) when none is
    usable.
    """
    if settings.command:
        return Engine(settings.command)
    if settings.in_process and sdk_available():
        return Engine(None)
    found = shutil.which("helm")
    if found is not None:
        return Engine("helm")
    if sdk_available():
        return Engine(None)
    raise HelmFailure(
        "unable to run: 'helm version -c --short' (is 'helm' installed?): exec: \"helm\": "
        "executable file not found in $PATH; or install envlib[helm] (helm-python-sdk) to "
        "render charts in-process",
        missing=True,
    )
