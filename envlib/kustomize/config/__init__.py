"""Configuration: which fields each transformer touches (field specs, CRDs, builtin plugins)."""
