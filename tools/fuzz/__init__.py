"""Differential fuzzer: random kustomize trees built by envlib and by kubectl kustomize."""
