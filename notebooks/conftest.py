"""nbval runs the notebooks in this folder; warm matplotlib's font cache first.

A kernel that has to build the cache may print "Matplotlib is building the font cache" on
stderr, which nbval compares and would report as an unexpected output.
"""

import matplotlib.font_manager  # noqa: F401  (building the font list fills the cache)
