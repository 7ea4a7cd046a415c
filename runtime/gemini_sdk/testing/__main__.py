"""`python -m gemini_sdk.testing`: serve the emulator over HTTP with uvicorn.

Loopback only unless --allow-remote: the emulator accepts any API key.
"""

from __future__ import annotations

import argparse
import ipaddress
import sys
from collections.abc import Sequence

from gemini_sdk._optional import require


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m gemini_sdk.testing", description="Serve a local Gemini API emulator."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--allow-remote", action="store_true", help="allow binding to a non-loopback address"
    )
    parser.add_argument(
        "--extra-models", type=int, default=0, help="add this many synthetic text models"
    )
    parser.add_argument(
        "--state",
        metavar="DIR",
        help="keep files, caches, stores and the like in DIR (SQLite and blob files), so a "
        "restart on the same DIR loses nothing; in memory when not given",
    )
    args = parser.parse_args(argv)
    if not args.allow_remote and not _is_loopback(args.host):
        parser.error(f"refusing to serve on {args.host}: not a loopback address (--allow-remote)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    require("uvicorn", "testing", "serving the emulator")
    import uvicorn

    from gemini_sdk.testing import Emulator

    emulator = Emulator(extra_models=args.extra_models, state_dir=args.state)
    host = f"[{args.host}]" if ":" in args.host else args.host
    kept = f"state in {args.state}" if args.state else "state in memory"
    print(
        f"Gemini API emulator on http://{host}:{args.port} (API version v1beta, {kept})",
        flush=True,
    )
    uvicorn.run(emulator.app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
