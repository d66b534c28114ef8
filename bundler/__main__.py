"""``python -m bundler``: the same as the ``bundle`` command."""

import sys

from bundler.cli import main

sys.exit(main())
