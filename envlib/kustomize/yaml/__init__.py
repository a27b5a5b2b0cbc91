"""YAML underneath everything: kustomize's readers, scalar typing, and the byte-exact emitter."""
