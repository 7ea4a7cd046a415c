"""The seed reference's examples, run against gemini-sdk and the local emulator.

The reference (../shared/seed/gemini-api-reference.md) is written for Google's SDK; its
examples must run here with only their import lines changed. This module extracts every
runnable Python block, rewrites the imports, and runs each section's blocks in order in one
namespace against an emulator served on 127.0.0.1 — the pytest suite (test_seed_examples.py)
and `make demo` both use it.

    python tests/seed.py            # the demo: run them all and show their output
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import attrs

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "gemini-api-reference.md"

# The sections whose examples this version of the SDK covers.
SECTIONS = (
    "Client Initialization",
    "Models API",
    "Embeddings API",
    "Chat API",
    "Configuration Types",
    "Response Objects",
    "Error Handling",
    "Files API",
    "Image Generation API",
    "File Search API",
)

# Blocks that need APIs this version does not have yet: each names what is missing.
PENDING: dict[str, str] = {}

_IMPORTS = (
    (re.compile(r"^from google import genai$", re.M), "import gemini_sdk as genai"),
    (re.compile(r"^import google\.genai as genai$", re.M), "import gemini_sdk as genai"),
    (re.compile(r"^from google\.genai import types$", re.M), "from gemini_sdk import types"),
    (
        re.compile(r"^from google\.api_core import exceptions$", re.M),
        "from gemini_sdk import errors as exceptions",
    ),
)


@attrs.frozen
class Example:
    section: str
    heading: str
    line: int
    code: str

    @property
    def id(self) -> str:
        return f"{self.section} / {self.heading} (line {self.line})"

    @property
    def pending(self) -> str | None:
        return next((what for marker, what in PENDING.items() if marker in self.code), None)


def examples(path: Path = SEED) -> list[Example]:
    """Every runnable Python block of the covered sections, imports rewritten."""
    found: list[Example] = []
    section = heading = ""
    lines = path.read_text().splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("## "):
            section = heading = line[3:].strip()
        elif line.startswith("#"):
            heading = line.lstrip("#").strip()
        elif line.strip() == "```python":
            start = index + 1
            end = next(i for i in range(start, len(lines)) if lines[i].strip() == "```")
            code = "\n".join(lines[start:end])
            if section in SECTIONS and _runnable(heading, code):
                found.append(Example(section, heading, start + 1, rewrite_imports(code)))
            index = end
        index += 1
    return found


def _runnable(heading: str, code: str) -> bool:
    # Signatures and field listings document shapes; they are not programs.
    return heading not in ("Signature", "Fields") and not code.lstrip().startswith("class ")


def rewrite_imports(code: str) -> str:
    for pattern, replacement in _IMPORTS:
        code = pattern.sub(replacement, code)
    return code


def namespace(client: Any) -> dict[str, Any]:
    """Names the reference's fragments take for granted: its imports, a client, a file search
    store and a function declaration."""
    import gemini_sdk as genai
    from gemini_sdk import types

    return {
        "__name__": "__seed__",
        "genai": genai,
        "types": types,
        "client": client,
        "store": SimpleNamespace(name="fileSearchStores/knowledge-base"),
        "function_declaration": types.FunctionDeclaration(
            name="get_weather", description="Current weather for a city"
        ),
    }


def prepare(client: Any) -> None:
    """What the reference's fragments expect to exist already: the file `files/abc123`."""
    _upload_abc123(client)


def _upload_abc123(client: Any) -> None:
    client.files.upload(
        file=b"An earlier upload.\n",
        config={"name": "files/abc123", "display_name": "abc123", "mime_type": "text/plain"},
    )


def _file_search_ready(client: Any) -> None:
    # The Files section deleted files/abc123, which import_file names. The listing example
    # binds `store` to each store in turn and the delete example deletes the last one, which
    # must be empty (a store with documents is kept without force): stores list newest first,
    # so an earlier empty store is that last one.
    _upload_abc123(client)
    client.file_search_stores.create(config={"display_name": "knowledge-base"})


# What a section's fragments expect when it starts, beyond `prepare`: run once per section,
# before its first example.
SECTION_SETUP = {"File Search API": _file_search_ready}


def set_up(section: str, client: Any) -> None:
    setup = SECTION_SETUP.get(section)
    if setup is not None:
        setup(client)


@contextlib.contextmanager
def served_emulator() -> Iterator[str]:
    """The emulator on a free loopback port, in a thread; yields its base URL."""
    import uvicorn

    from gemini_sdk.testing import Emulator

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(Emulator().app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the emulator did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)


@contextlib.contextmanager
def seed_environment(base_url: str) -> Iterator[Path]:
    """Env vars pointing `genai.Client()` at the emulator, and a scratch working directory
    holding the files the examples open."""
    saved = {
        k: os.environ.get(k) for k in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GEMINI_BASE_URL")
    }
    os.environ.pop("GOOGLE_API_KEY", None)
    os.environ["GEMINI_API_KEY"] = "demo-key"
    os.environ["GOOGLE_GEMINI_BASE_URL"] = base_url
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        # small stand-ins for the files the examples open and upload
        for name, data in _FILES.items():
            Path(tmp, name).parent.mkdir(parents=True, exist_ok=True)
            Path(tmp, name).write_bytes(data)
        os.chdir(tmp)
        try:
            yield Path(tmp)
        finally:
            os.chdir(cwd)
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def run(example: Example, scope: dict[str, Any]) -> str:
    """Run one block in its section's namespace; return what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(example.code, example.id, "exec"), scope)  # noqa: S102 - the seed's code
    return out.getvalue()


def _indent(printed: str, width: int = 160) -> str:
    lines = printed.strip().splitlines() or ["(no output)"]
    return "\n".join("   " + (ln if len(ln) <= width else ln[:width] + " ...") for ln in lines)


_TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffc00011080001000103012200021101031101ffd9"
)


_FILES = {
    "image.jpg": _TINY_JPEG,
    "path/to/image.jpg": _TINY_JPEG,
    "document.pdf": b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n%%EOF\n",
    "doc1.pdf": b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n%%EOF\n",
    "doc2.pdf": b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n2 0 obj << /Type /Page >>\n%%EOF\n",
    "document.txt": b"Gemini is a family of multimodal models.\n",
    "video.mp4": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom",
}


def main() -> int:
    import gemini_sdk as genai

    if not SEED.exists():
        print(f"the seed reference is not at {SEED}")
        return 1
    failures = 0
    with served_emulator() as base_url, seed_environment(base_url):
        print(f"emulator serving at {base_url}\n")
        client = genai.Client()
        prepare(client)
        scopes: dict[str, dict[str, Any]] = {}
        for example in examples():
            if example.section not in scopes:
                set_up(example.section, client)
            scope = scopes.setdefault(example.section, namespace(client))
            # every fragment assumes a working `client`; one of them rebinds it to a bad key
            scope["client"] = client
            print(f"── {example.id}")
            if example.pending:
                print(f"   (needs {example.pending}, not in this version)\n")
                continue
            try:
                printed = run(example, scope)
            except Exception:  # noqa: BLE001 - the demo reports every failure and goes on
                failures += 1
                traceback.print_exc(limit=3, file=sys.stdout)
            else:
                print(_indent(printed) + "\n")
    print(f"{failures} example(s) failed" if failures else "every covered example ran")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
