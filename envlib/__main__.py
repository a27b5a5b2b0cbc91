"""``python -m envlib`` is the ``envlib`` command."""

import sys

from envlib.cli import main

sys.exit(main())
