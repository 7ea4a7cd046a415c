"""`python -m bench [--quick] [--only KEY] [--profile KEY]`: see bench/__init__.py."""

from __future__ import annotations

import sys
import traceback

if __name__ == "__main__":
    try:
        from bench.run import main

        main(sys.argv[1:])
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
    except Exception:  # noqa: BLE001 - reported, not raised
        print("the benchmark stopped early:", file=sys.stderr)
        traceback.print_exc()
    # A report, not a test: failures are printed in the report, and the exit status is 0.
    sys.exit(0)
