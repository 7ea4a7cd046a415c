"""`python -m gemini_sdk` and the `gemini-sdk` console script: the command line of _cli.py,
which needs the `cli` extra (click)."""

from __future__ import annotations

import sys


def main() -> int:
    try:
        from gemini_sdk._cli import main as run
    except ModuleNotFoundError as missing:
        if missing.name != "click":
            raise
        print("error: the command line needs click: pip install 'gemini-sdk[cli]'", file=sys.stderr)
        return 2
    return run()


if __name__ == "__main__":
    sys.exit(main())
