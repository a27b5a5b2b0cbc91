#!/usr/bin/env bash
# Record the oracle's output for each case here (same layout as ../shared/kustomize-cases).
# Usage: tests/cases/record.sh [KUBECTL] [case ...]
set -u
KUBECTL=${1:-kubectl}; shift || true
cd "$(dirname "$0")"
cases=("$@"); [ ${#cases[@]} -eq 0 ] && cases=($(ls -d [0-9][0-9]-*/ | sed 's#/$##'))
for c in "${cases[@]}"; do
  mkdir -p "$c/expected"
  (cd "$c" && "$KUBECTL" kustomize overlay >expected/stdout.yaml 2>expected/stderr.txt); echo $? > "$c/expected/rc"
  sed -i "s#$PWD/$c#<CASE>#g" "$c/expected/stderr.txt"
  echo "recorded $c (rc=$(cat "$c/expected/rc"))"
done
