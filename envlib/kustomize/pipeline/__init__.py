"""The pipeline: the build in kustomize's order, its per-level and root steps, trace, sorting."""
