"""`python -m codegen import [DIR]`, `python -m codegen generate` and `python -m codegen check`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = ROOT / "spec"
OUTPUT_DIR = ROOT / "generated" / "_gemini_sdk_gen"
UPSTREAM_DIR = ROOT.parent / "shared" / "upstream"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen")
    commands = parser.add_subparsers(dest="command", required=True)
    imp = commands.add_parser(
        "import", help="the official OpenAPI renderings -> their wire specs under spec/"
    )
    imp.add_argument("upstream", type=Path, nargs="?", default=UPSTREAM_DIR)
    imp.add_argument("--spec", type=Path, default=SPEC_DIR)
    gen = commands.add_parser("generate", help="spec/ -> generated/_gemini_sdk_gen")
    gen.add_argument("--spec", type=Path, default=SPEC_DIR)
    gen.add_argument("--out", type=Path, default=OUTPUT_DIR)
    chk = commands.add_parser("check", help="fail when generated/ differs from a fresh run")
    chk.add_argument("--spec", type=Path, default=SPEC_DIR)
    chk.add_argument("--out", type=Path, default=OUTPUT_DIR)
    args = parser.parse_args(argv)

    if args.command == "import":
        from codegen.importer import import_openapi

        for path in import_openapi(args.upstream, args.spec):
            print(f"wrote {path}")
        return 0

    from codegen.render import check, generate

    if args.command == "generate":
        manifest = generate(args.spec, args.out)
        print(f"generated {args.out}: {manifest}")
        return 0
    problems = check(args.spec, args.out)
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
