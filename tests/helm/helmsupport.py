"""Helm test helpers: runners for kubectl and envlib, and a chart written per test.

kubectl kustomize runs charts through ``--helm-command``; no helm binary exists here, so the
oracle runs ``tools/helm_front.py`` (Helm's Go SDK behind helm's command line) through a tiny
shell wrapper (the ``front_end`` fixture). envlib renders in-process with the same SDK, so a
difference in stdout bytes or exit status is a difference in envlib's kustomize side.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from support import REPO, Oracle

from envlib.helm import HelmSettings

PODINFO = REPO / "tests/fixtures/helm/podinfo"


@dataclass
class Run:
    stdout: bytes
    stderr: str
    rc: int


def kubectl_helm(oracle: Oracle, directory: Path, front: str, *flags: str) -> Run:
    """``kubectl kustomize --enable-helm --helm-command FRONT DIR`` (flags may drop the enable)."""
    binary = oracle.binary
    words = [binary, "kustomize", str(directory), "--helm-command", front, *flags]
    proc = subprocess.run(words, capture_output=True, timeout=300)
    return Run(proc.stdout, proc.stderr.decode(errors="replace"), proc.returncode)


def envlib_build(directory: Path, settings: HelmSettings, restrictor: str = "") -> Run:
    """envlib's build in-process: stdout bytes, or exit status 1 with the one-line error."""
    from envlib.errors import EnvlibError
    from envlib.kustomize import build

    try:
        result = build(
            directory,
            helm=settings,
            load_restrictor=restrictor or "LoadRestrictionsRootOnly",
            trace=False,
        )
    except EnvlibError as exc:
        return Run(b"", str(exc), 1)
    return Run(result.to_yaml().encode("utf-8"), "", 0)


def envlib_cli(*args: str, cwd: Path | None = None) -> Run:
    """``python -m envlib ARGS`` in a subprocess (this tree first on the path)."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [sys.executable, "-m", "envlib", *args],
        capture_output=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )
    return Run(proc.stdout, proc.stderr.decode(errors="replace"), proc.returncode)


# -- a chart that exercises Helm's template features -----------------------------------------
APP_CHART: dict[str, str] = {
    "Chart.yaml": """\
apiVersion: v2
name: app
version: 1.2.3
appVersion: "9.9"
dependencies:
  - name: cache
    version: 0.1.0
    condition: cache.enabled
""",
    "values.yaml": """\
replicas: 1
image:
  repository: example/app
  tag: ""
greeting: hello
logLevel: INFO
labels: {}
extraEnv:
  - name: FROM_DEFAULTS
    value: "1"
resources:
  limits:
  requests:
    cpu: 100m
    memory: 64Mi
message: "{{ .Release.Name }} says {{ .Values.greeting }}"
strict: false
cache:
  enabled: false
global:
  team: platform
""",
    "templates/_helpers.tpl": """\
{{- define "app.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "app.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- with .Values.labels }}
{{ toYaml . }}
{{- end }}
{{- end -}}
""",
    "templates/deployment.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "app.fullname" . }}
  labels:
    {{- include "app.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      app.kubernetes.io/instance: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app.kubernetes.io/instance: {{ .Release.Name }}
    spec:
      containers:
        - name: app
          {{- $tag := .Values.image.tag | default .Chart.AppVersion }}
          image: "{{ .Values.image.repository }}:{{ $tag }}"
          env:
            - name: LOG_LEVEL
              value: {{ .Values.logLevel | quote }}
            - name: MESSAGE
              value: {{ tpl .Values.message . | quote }}
            {{- toYaml .Values.extraEnv | nindent 12 }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
""",
    "templates/service.yaml": """\
apiVersion: v1
kind: Service
metadata:
  name: {{ include "app.fullname" . }}
  namespace: {{ .Release.Namespace }}
spec:
  selector:
    app.kubernetes.io/instance: {{ .Release.Name }}
  ports:
    - port: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "app.fullname" . }}-caps
data:
  kubeVersion: {{ .Capabilities.KubeVersion.Version | quote }}
  hasMonitoring: {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" | quote }}
  revision: {{ .Release.Revision | quote }}
  isInstall: {{ .Release.IsInstall | quote }}
  {{- if .Values.strict }}
  token: {{ required "strict mode needs .Values.token" .Values.token | quote }}
  {{- end }}
""",
    "templates/monitor.yaml": """\
{{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "app.fullname" . }}
spec:
  endpoints:
    - port: http
{{- end }}
""",
    "templates/hook.yaml": """\
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ include "app.fullname" . }}-migrate
  annotations:
    "helm.sh/hook": pre-install,pre-upgrade
    "helm.sh/hook-weight": "-5"
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: example/migrate
""",
    "templates/tests/test-connection.yaml": """\
apiVersion: v1
kind: Pod
metadata:
  name: {{ include "app.fullname" . }}-test
  annotations:
    "helm.sh/hook": test
spec:
  restartPolicy: Never
  containers:
    - name: wget
      image: busybox
""",
    "templates/NOTES.txt": "Thanks for installing {{ .Release.Name }}.\n",
    "crds/widgets.yaml": """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names:
    kind: Widget
    plural: widgets
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
""",
    "charts/cache/Chart.yaml": "apiVersion: v2\nname: cache\nversion: 0.1.0\n",
    "charts/cache/values.yaml": "size: 1Gi\nreplicas: 1\n",
    "charts/cache/templates/statefulset.yaml": """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ .Release.Name }}-cache
  labels:
    team: {{ .Values.global.team }}
spec:
  replicas: {{ .Values.replicas }}
  serviceName: cache
  selector:
    matchLabels:
      app: cache
  template:
    metadata:
      labels:
        app: cache
    spec:
      containers:
        - name: redis
          image: redis
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        resources:
          requests:
            storage: {{ .Values.size }}
""",
}


def chart_files(prefix: str = "charts/app", chart: dict[str, str] | None = None) -> dict[str, str]:
    """The chart's files under ``prefix`` (a chartHome/name directory)."""
    return {f"{prefix}/{k}": v for k, v in (chart or APP_CHART).items()}
