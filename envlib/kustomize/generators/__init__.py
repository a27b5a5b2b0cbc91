"""Generators: configMapGenerator / secretGenerator objects and their content-hash suffix."""
