"""``python -m vrmshare``: the vrmshare command."""

import sys

from vrmshare.cli import main

if __name__ == "__main__":
    sys.exit(main())
