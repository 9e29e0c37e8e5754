"""`python -m tallrx` runs the command line."""

import sys

from tallrx.cli import main

sys.exit(main())
