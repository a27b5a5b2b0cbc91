"""kustomize's built-in transformers, one module per kustomization feature.

Each module works in place on a :class:`envlib.kustomize.resource.ResMap`.
"""
