"""``GET`` a file URL, as kustomize's loader does for ``http(s)://`` entries (with limits).

kustomize (``fileloader.go: httpClientGetContent``) uses Go's default client: redirects
followed, proxies from the environment, no timeout and no size limit. envlib follows the
same redirects and proxies (urllib reads ``HTTPS_PROXY``/``NO_PROXY`` too) but gives up after
:data:`TIMEOUT` seconds and refuses bodies over :data:`MAX_BYTES`, so a hung server or a
huge download cannot stall a notebook. The outcome keeps the three cases kustomize tells
apart: a body (status 2xx), an HTTP status (the entry may still be a git URL), or a transport
failure (no connection: kustomize then tries the entry as a git repository).

``urllib.request`` and ``http`` are imported when a URL is fetched: they cost ~40 ms of every
``envlib build`` start, and most trees name no URL.
"""

from __future__ import annotations

from dataclasses import dataclass

TIMEOUT = 60.0  # seconds for connecting and for each read
MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class HttpOutcome:
    """What one ``GET`` gave: ``body`` on 2xx, else ``status`` or a transport ``error``."""

    body: bytes | None = None
    status: int | None = None
    error: str = ""

    @property
    def status_text(self) -> str:
        """kustomize's ``HTTP Error: status code 404 (Not Found)``."""
        from http import HTTPStatus

        try:
            phrase = HTTPStatus(self.status or 0).phrase
        except ValueError:
            phrase = ""
        return f"HTTP Error: status code {self.status} ({phrase})"


def http_get(url: str, *, timeout: float = TIMEOUT, limit: int = MAX_BYTES) -> HttpOutcome:
    """Fetch ``url``; never raises for network problems (they are an outcome)."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "envlib (kustomize loader)"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = int(getattr(response, "status", 200))
            body = response.read(limit + 1)
    except urllib.error.HTTPError as exc:
        return HttpOutcome(status=exc.code)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return HttpOutcome(error=f'Get "{url}": {reason}')
    if not 200 <= status <= 299:
        return HttpOutcome(status=status)
    if len(body) > limit:
        return HttpOutcome(error=f'Get "{url}": response larger than {limit} bytes')
    return HttpOutcome(body=body)


__all__ = ["MAX_BYTES", "TIMEOUT", "HttpOutcome", "http_get"]
