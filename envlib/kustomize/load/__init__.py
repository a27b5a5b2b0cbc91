"""Loading: the file system, kustomization files (model, strict decoding) and resource entries."""
