"""Entry point for `python -m desktop`."""

import sys

# Only when run: ingest's worker processes are started by importing this module again (as
# __mp_main__), and they need none of the command line's modules.
if __name__ == "__main__":
    from desktop.cli import main

    sys.exit(main())
