"""The frozen program's entry point: exactly ``vrmdesk`` (``python -m vrmdesk``)."""

import sys

from vrmdesk.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
