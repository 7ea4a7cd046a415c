"""`python -m gemini_sdk.testing`: serve the emulator over HTTP with uvicorn.

Loopback only unless --allow-remote: the emulator accepts any API key.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from collections.abc import Sequence


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
    parser.add_argument(
        "--record",
        metavar="UPSTREAM",
        help="be a proxy to UPSTREAM (such as https://generativelanguage.googleapis.com), "
        "writing every exchange to --cassettes with the API key scrubbed",
    )
    parser.add_argument("--cassettes", metavar="DIR", help="where --record writes")
    parser.add_argument(
        "--replay", metavar="DIR", help="answer only from the recordings in DIR, offline"
    )
    args = parser.parse_args(argv)
    if args.record and args.replay:
        parser.error("--record and --replay: choose one")
    if bool(args.record) != bool(args.cassettes):
        parser.error("--record UPSTREAM and --cassettes DIR go together")
    if args.replay and not os.path.isdir(args.replay):
        parser.error(f"--replay: {args.replay} is not a directory")
    if not args.allow_remote and not _is_loopback(args.host):
        parser.error(f"refusing to serve on {args.host}: not a loopback address (--allow-remote)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    import uvicorn

    from gemini_sdk.testing import Emulator

    emulator = Emulator(
        extra_models=args.extra_models,
        state_dir=args.state,
        record=args.record,
        cassettes=args.cassettes,
        replay=args.replay,
        # Nothing outside the process can read the request log of a served emulator: keeping
        # it would only be memory growing with every request.
        keep_requests=0,
    )
    host = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{host}:{args.port}"
    if args.record:
        banner = f"Recording proxy on {url} to {args.record} (cassettes in {args.cassettes})"
    elif args.replay:
        banner = f"Replaying the cassettes in {args.replay} on {url}"
    else:
        kept = f"state in {args.state}" if args.state else "state in memory"
        banner = f"Gemini API emulator on {url} (API version v1beta, {kept})"
    print(banner, flush=True)
    # uvicorn picks httptools and uvloop when installed (the testing extra installs them):
    # about a third of the cost of a small request against its pure-Python parser and loop.
    uvicorn.run(emulator.app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
