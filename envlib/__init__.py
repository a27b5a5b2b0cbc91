"""envlib: explore Kustomize + Argo CD environments, rendered exactly as kustomize does.

Importing :mod:`envlib` or :mod:`envlib.kustomize` never imports pandas, ipywidgets or
Jupyter, so the ``envlib build`` command starts fast.
"""

__version__ = "0.1.0"
