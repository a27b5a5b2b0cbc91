"""A ``helm`` command-line front end over Helm's Go SDK, for ``kubectl kustomize --helm-command``.

No helm binary exists on these machines, yet the differential tests need kubectl itself to
run charts: this script answers the three commands kustomize v5.5 issues - ``version -c
--short``, ``template ...`` and ``pull --untar ...`` - the way the ``helm`` CLI does
(stdout, ``Error: ...`` on stderr, exit 1), through :mod:`envlib.helm.sdk`.

kustomize refuses any helm whose major version is not 3, so ``version`` reports
``v3.0.0-envlib-front`` followed by the embedded SDK's real version.

    python tools/helm_front.py template rel ./chart --namespace ns -f values.yaml
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str]) -> int:
    from envlib.helm.errors import HelmFailure
    from envlib.helm.request import ArgsError, PullRequest, parse_template_args
    from envlib.helm.sdk import pull, render, sdk_version

    args = list(argv)
    try:
        if args[:1] == ["version"]:
            sys.stdout.write(f"v3.0.0-envlib-front+sdk.{sdk_version()}\n")
            return 0
        if args[:1] == ["template"]:
            parsed = parse_template_args(args[1:])
            assert parsed.request is not None
            if len(parsed.positional) > 2:
                extra = ", ".join(parsed.positional[2:])
                raise HelmFailure(f"expected at most two arguments, unexpected arguments: {extra}")
            if len(parsed.positional) == 2 and parsed.generate_name:
                raise HelmFailure("cannot set --generate-name and also specify a name")
            sys.stdout.write(render(parsed.request))
            return 0
        if args[:1] == ["pull"]:
            return _pull(args[1:], pull, PullRequest)
        raise ArgsError(f'unknown command {" ".join(args[:1])!r} for "helm"')
    except (HelmFailure, ArgsError) as exc:
        detail = exc.detail if isinstance(exc, HelmFailure) else str(exc)
        sys.stderr.write(f"Error: {detail}\n")
        return 1


def _pull(words: list[str], pull: object, request_type: type) -> int:
    untar_dir, repo, version, names = ".", "", "", []
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("--untardir", "--repo", "--version") and i + 1 < len(words):
            value = words[i + 1]
            if word == "--untardir":
                untar_dir = value
            elif word == "--repo":
                repo = value
            else:
                version = value
            i += 2
            continue
        if not word.startswith("-"):
            names.append(word)
        i += 1
    name = names[0] if names else ""
    if name.startswith("oci://"):
        repo, _, name = name.rpartition("/")
    assert callable(pull)
    pull(request_type(name=name, repo=repo, untar_dir=untar_dir, version=version))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
