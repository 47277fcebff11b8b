"""``python -m vrmdesk.cli COMMAND …``: the commands alone, without the desktop application."""

import sys

from vrmdesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
