"""``python -m banshi``."""

import sys

from banshi.cli import main

sys.exit(main())
