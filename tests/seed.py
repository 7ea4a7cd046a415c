"""The seed reference's examples, run against gemini-sdk and the local emulator.

The reference (../shared/seed/gemini-api-reference.md) is written for Google's SDK; its
examples must run here with only their import lines changed. This module extracts every
runnable Python block, rewrites the imports, and runs each section's blocks in order in one
namespace against an emulator served on 127.0.0.1 — the pytest suite (test_seed_examples.py)
and `make demo` both use it — and checks that each printed what is due (EXPECTED).

`genai.Client()` finds the emulator through GOOGLE_GEMINI_BASE_URL. The OpenAI section's
examples pass the service's own URL to `OpenAI(base_url="https://generativelanguage.
googleapis.com/v1beta/openai/")`; they reach the emulator through `gemini_sdk.testing.
TlsProxy`, a real HTTPS forward proxy that terminates TLS with a certificate for that host
from a throwaway CA: HTTPS_PROXY names the proxy and SSL_CERT_FILE the CA, both honoured by
the httpx under `openai`, so neither the example nor the `openai` package is changed. No
other section uses https, so the variables stay set for the whole run.

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
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from gemini_sdk.testing import Emulator

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "gemini-api-reference.md"
DEMO_KEY = "demo-key"

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
    "Caching API",
    "Image Generation API",
    "OpenAI Compatibility",
    "File Search API",
    "Live API",
    "Video Generation API",
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


# What each example prints, whole: the emulator is deterministic but for the ids it makes,
# the clock and temporary paths, written as placeholders (see `check`). The error-handling
# examples get the fault or answer that sends them down their `except` or `if` branch
# (EXAMPLE_SETUP), and their expected output is that branch's.
EXPECTED = {
    "Client Initialization / Creating a Client (line 26)": "",
    "Models API / Example (line 68)": "Echo: Explain quantum computing",
    "Models API / Advanced Example with Configuration (line 78)": "",
    "Models API / Example (line 116)": "Echo: Write a long story",
    "Models API / Example (line 141)": "Total tokens: 6",
    "Models API / Example (line 163)": ("Input token limit: 1048576\nOutput token limit: 65536"),
    "Models API / Example (line 181)": (
        "models/gemini-3-pro-preview: Gemini 3 Pro Preview\n"
        "models/gemini-2.5-pro: Gemini 2.5 Pro\n"
        "models/gemini-2.5-flash: Gemini 2.5 Flash\n"
        "models/gemini-2.5-flash-lite: Gemini 2.5 Flash-Lite\n"
        "models/gemini-2.0-flash: Gemini 2.0 Flash\n"
        "models/gemini-2.0-flash-lite: Gemini 2.0 Flash-Lite\n"
        "models/gemini-flash-latest: Gemini Flash Latest\n"
        "models/gemini-flash-lite-latest: Gemini Flash-Lite Latest\n"
        "models/gemini-pro-latest: Gemini Pro Latest\n"
        "models/gemini-2.5-flash-image: Nano Banana\n"
        "models/gemma-3-27b-it: Gemma 3 27B\n"
        "models/gemini-embedding-001: Gemini Embedding 001\n"
        "models/text-embedding-004: Text Embedding 004\n"
        "models/imagen-4.0-generate-001: Imagen 4\n"
        "models/imagen-4.0-ultra-generate-001: Imagen 4 Ultra\n"
        "models/veo-3.1-generate-preview: Veo 3.1\n"
        "models/veo-3.0-generate-001: Veo 3\n"
        "models/aqa: Model that performs Attributed Question Answering."
    ),
    "Files API / Example (line 210)": "Uploaded file: files/{id}",
    "Files API / With Configuration (line 217)": "",
    "Files API / Example (line 242)": ("File size: 19\nMIME type: text/plain"),
    "Files API / Example (line 260)": (
        "files/abc123: abc123\nfiles/{id}: None\nfiles/{id}: Important Document"
    ),
    "Files API / Example (line 279)": "",
    "Files API / Example (line 298)": "",
    "Caching API / Example (line 323)": "",
    "Caching API / Example (line 352)": "Expires at: {time}",
    "Caching API / Example (line 369)": (
        "cachedContents/xyz789: xyz789\ncachedContents/{id}: None"
    ),
    "Caching API / Example (line 389)": "",
    "Caching API / Example (line 414)": "",
    "File Search API / Example (line 436)": "",
    "File Search API / Example (line 458)": "",
    "File Search API / Example (line 488)": "",
    "File Search API / Example (line 511)": (
        "fileSearchStores/knowledge-base-{id}: Knowledge Base\n"
        "fileSearchStores/knowledge-base-{id}: knowledge-base"
    ),
    "File Search API / Example (line 530)": "",
    "Embeddings API / Example (line 560)": "[ContentEmbedding(values=[{...}",
    "Embeddings API / Advanced Example (line 570)": (
        "Embedding 0: 768 dimensions\nEmbedding 1: 768 dimensions\nEmbedding 2: 768 dimensions"
    ),
    "Image Generation API / Example (line 627)": (
        "image written to {path}.png\n"
        "image written to {path}.png\n"
        "image written to {path}.png\n"
        "image written to {path}.png"
    ),
    "Video Generation API / Example (line 674)": "",
    "Chat API / Example (line 723)": "",
    "Chat API / Example (line 749)": ("Echo: What is Python?\nEcho: What are its key features?"),
    "Chat API / Example (line 765)": (
        "user: What is Python?\n"
        "model: Echo: What is Python?\n"
        "user: What are its key features?\n"
        "model: Echo: What are its key features?"
    ),
    "Live API / Example (line 784)": "",
    "Configuration Types / Example (line 825)": "",
    "Configuration Types / Example (line 852)": "",
    "Configuration Types / Example (line 896)": "",
    "Configuration Types / Tool Types (line 917)": "",
    "Configuration Types / Creating Parts (line 953)": "",
    "Response Objects / Example (line 994)": (
        "Echo: Hello!\nTotal tokens: 13\nModel version: gemini-2.5-flash"
    ),
    "Response Objects / Example (line 1030)": ("Finish reason: STOP\nContent: Echo: Write a story"),
    "Response Objects / Example (line 1058)": (
        "Prompt tokens: 3\nResponse tokens: 5\nTotal tokens: 17"
    ),
    "Response Objects / Example (line 1086)": (
        "Search queries used:\n"
        "  - What happened at CES 2025?\n"
        "\n"
        "Sources:\n"
        "  - Source 1 for What happened at CES 2025?: https://example.com/what-happened-at-ces-2025/1\n"
        "  - Source 2 for What happened at CES 2025?: https://example.com/what-happened-at-ces-2025/2"
    ),
    "Response Objects / Example (line 1136)": (
        "File name: files/{id}\n"
        "Size: 48 bytes\n"
        "MIME type: application/pdf\n"
        "Expires: {time}\n"
        "State: ACTIVE"
    ),
    "Response Objects / Example (line 1167)": (
        "Model: Gemini 2.5 Flash\n"
        "Description: Emulated Gemini 2.5 Flash: a deterministic stand-in for tests.\n"
        "Input limit: 1048576 tokens\n"
        "Output limit: 65536 tokens"
    ),
    "Response Objects / Example (line 1196)": (
        "Embedding dimensions: 3072\nFirst few values: [{...}]"
    ),
    "Response Objects / Example (line 1227)": (
        "image written to {path}.png\n"
        "image written to {path}.png\n"
        "image written to {path}.png\n"
        "image written to {path}.png"
    ),
    "Error Handling / Rate Limit Errors (line 1249)": (
        "Rate limit exceeded. Please retry later.\nError: 429 RESOURCE_EXHAUSTED. {...}"
    ),
    "Error Handling / Safety Blocking (line 1264)": (
        "Response blocked by safety filters\n  HARM_CATEGORY_DANGEROUS_CONTENT: HIGH"
    ),
    "Error Handling / Invalid API Key (line 1278)": (
        "Invalid API key\n"
        "Error: 400 INVALID_ARGUMENT. API key not valid. Please pass a valid API key."
    ),
    "Error Handling / File Not Found (line 1292)": "File not found: No such file: 'nonexistent.txt'",
    "Error Handling / Model Not Found (line 1301)": "Model not found: 404 NOT_FOUND. models/nonexistent-model is not found for API version v1beta, or is not supported for generateContent. Call ListMod{...}",
    "Error Handling / Best Practices for Error Handling (line 1313)": (
        "Rate limited. Retrying in 1s..."
    ),
    "OpenAI Compatibility / Configuration (line 1514)": "Echo: Hello!",
    "OpenAI Compatibility / Gemini-Specific Parameters (line 1546)": "",
}

PLACEHOLDERS = {
    "{id}": r"[a-z0-9]+",
    "{time}": r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00:00",
    "{path}": r"\S+",
    "{...}": r".*",
}


def check(example: Example, printed: str) -> None:
    """Raise AssertionError unless `printed` is the example's expected output."""
    expected = EXPECTED[example.id]
    pattern = re.escape(expected)
    for placeholder, matches in PLACEHOLDERS.items():
        pattern = pattern.replace(re.escape(placeholder), matches)
    if re.fullmatch(pattern, printed.strip()) is None:
        raise AssertionError(f"{example.id} printed\n{printed}\nwhere this was due:\n{expected}")


def _rate_limited(emulator: Emulator) -> None:
    # as many refusals as the client's own attempts, with a zero RetryInfo so nothing waits
    emulator.faults.add("status", operation="GenerateContent", status=429, retry_delay=0, times=3)


def _blocked(emulator: Emulator) -> None:
    ratings = [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH"}]
    emulator.script([{"candidates": [{"finishReason": "SAFETY", "safetyRatings": ratings}]}])


EXAMPLE_SETUP = {
    "Error Handling / Rate Limit Errors (line 1249)": _rate_limited,
    "Error Handling / Safety Blocking (line 1264)": _blocked,
    "Error Handling / Best Practices for Error Handling (line 1313)": _rate_limited,
}


def set_up_example(example: Example, emulator: Emulator) -> None:
    setup = EXAMPLE_SETUP.get(example.id)
    if setup is not None:
        setup(emulator)


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


# What `namespace` opened; closed when the served emulator stops.
_OPENED = contextlib.ExitStack()
LIVE_MODEL = "gemini-2.0-flash"


def namespace(client: Any, section: str = "") -> dict[str, Any]:
    """Names the reference's fragments take for granted: its imports, a client, a file search
    store, a function declaration and, in the Live API section, an open (sync) voice session."""
    import gemini_sdk as genai
    from gemini_sdk import types

    scope: dict[str, Any] = {}
    if section == "Live API":
        config = {"response_modalities": ["AUDIO"]}
        scope["session"] = _OPENED.enter_context(
            client.live.connect(model=LIVE_MODEL, config=config)
        )
    return {
        **scope,
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


def bind_client(scope: dict[str, Any], client: Any) -> None:
    """Give the next fragment the shared client again: one fragment rebinds `client` to a bad
    key. A client of another library that a fragment built (the OpenAI section's) stays, since
    the section's later fragments use it."""
    if isinstance(scope.get("client"), type(client)):
        scope["client"] = client


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


def prepare_emulator(emulator: Any) -> None:
    """What the fragments expect the service to hold that no call can make with its name:
    the cache `cachedContents/xyz789`."""
    from gemini_sdk.testing import owner_of

    body = {"model": "models/gemini-2.5-flash", "displayName": "xyz789", "contents": []}
    emulator.caches.create(owner_of(DEMO_KEY), body, tokens=1290, cache_id="xyz789")


def demo_emulator() -> Emulator:
    """A new emulator holding what the seed's fragments expect."""
    from gemini_sdk.testing import Emulator

    # The examples' polling loops sleep 5 or 10 s per poll of an unfinished operation;
    # operations finished when they start keep the run fast without touching the examples.
    emulator = Emulator(operation_polls=0)
    prepare_emulator(emulator)
    return emulator


@contextlib.contextmanager
def served_emulator(emulator: Emulator | None = None) -> Iterator[str]:
    """`emulator` (by default a new one, holding what the seed's fragments expect) on a free
    loopback port, in a thread; yields its base URL."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    if emulator is None:
        emulator = demo_emulator()
    config = uvicorn.Config(emulator.app, host="127.0.0.1", port=port, log_level="warning")
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
        _OPENED.close()
        server.should_exit = True
        thread.join(timeout=5)


@contextlib.contextmanager
def environment(values: dict[str, str | None]) -> Iterator[None]:
    """Environment variables set (None: removed) for the duration, then restored."""
    saved = {key: os.environ.get(key) for key in values}
    try:
        for key, value in values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def seed_environment(base_url: str) -> Iterator[Path]:
    """Env vars pointing `genai.Client()` at the emulator and https clients at its TLS proxy,
    and a scratch working directory holding the files the examples open."""
    from gemini_sdk.testing import TlsProxy

    cwd = os.getcwd()
    with TlsProxy(base_url) as proxy, tempfile.TemporaryDirectory() as tmp:
        variables: dict[str, str | None] = {
            "GOOGLE_API_KEY": None,
            "GEMINI_API_KEY": DEMO_KEY,
            "GOOGLE_GEMINI_BASE_URL": base_url,
            # the lower-case spellings win over HTTPS_PROXY; NO_PROXY keeps connections to the
            # emulator itself (the Live API's WebSocket among them) off the proxy
            "https_proxy": None,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": None,
            **proxy.environment(),
        }
        # small stand-ins for the files the examples open and upload
        for name, data in _FILES.items():
            Path(tmp, name).parent.mkdir(parents=True, exist_ok=True)
            Path(tmp, name).write_bytes(data)
        _write_mp3_tone(Path(tmp, "input.mp3"))
        os.chdir(tmp)
        try:
            with environment(variables):
                yield Path(tmp)
        finally:
            os.chdir(cwd)


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
    # two and three pages: together enough tokens for a cache (1024 at least)
    "doc1.pdf": b"%PDF-1.4\n" + b"1 0 obj << /Type /Page >> endobj\n" * 2 + b"%%EOF\n",
    "doc2.pdf": b"%PDF-1.4\n" + b"1 0 obj << /Type /Page >> endobj\n" * 3 + b"%%EOF\n",
    "document.txt": b"Gemini is a family of multimodal models.\n",
    "video.mp4": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom",
}


def _write_mp3_tone(path: Path, seconds: float = 0.5) -> None:
    """A short 16 kHz mono MP3 (a 440 Hz tone) for the Live API example to load."""
    import numpy as np
    import soundfile

    time_axis = np.arange(int(16_000 * seconds)) / 16_000
    soundfile.write(path, 0.3 * np.sin(2 * np.pi * 440 * time_axis), 16_000, format="MP3")


def main() -> int:
    import gemini_sdk as genai

    if not SEED.exists():
        print(f"the seed reference is not at {SEED}")
        return 1
    failures = 0
    emulator = demo_emulator()
    with served_emulator(emulator) as base_url, seed_environment(base_url):
        print(f"emulator serving at {base_url}\n")
        client = genai.Client()
        prepare(client)
        scopes: dict[str, dict[str, Any]] = {}
        for example in examples():
            if example.section not in scopes:
                set_up(example.section, client)
            scope = scopes.get(example.section) or scopes.setdefault(
                example.section, namespace(client, example.section)
            )
            bind_client(scope, client)
            print(f"── {example.id}")
            if example.pending:
                print(f"   (needs {example.pending}, not in this version)\n")
                continue
            set_up_example(example, emulator)
            try:
                printed = run(example, scope)
                check(example, printed)
            except Exception:  # noqa: BLE001 - the demo reports every failure and goes on
                failures += 1
                traceback.print_exc(limit=3, file=sys.stdout)
            else:
                print(_indent(printed) + "\n")
    print(f"{failures} example(s) failed" if failures else "every covered example ran")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
