"""Entry point for `python -m desktop`."""

import sys

from desktop.cli import main

sys.exit(main())
