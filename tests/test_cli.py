"""The `gemini-sdk` command line, run as users run it: the installed console script in a
subprocess, against a served emulator. Every command's output is checked for the key."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gemini_sdk.testing import Emulator, Served

KEY = "AIzaSy-cli-secret-key-0123456789"
SCRIPT = shutil.which("gemini-sdk", path=str(Path(sys.executable).parent))
FLASH = "gemini-2.5-flash"
# The emulator's minimum for a Flash model's cache is 1024 tokens.
LONG_TEXT = "word " * 1500

pytestmark = pytest.mark.skipif(SCRIPT is None, reason="the gemini-sdk script is not installed")


class Run:
    """The script against one served emulator, each run's output kept to look for the key."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.outputs: list[str] = []

    def __call__(
        self, *args: str, key: str | None = KEY, stdin: str = ""
    ) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
        if key is not None:
            env["GEMINI_API_KEY"] = key
        assert SCRIPT is not None
        done = subprocess.run(
            [SCRIPT, "--base-url", self.url, "--attempts", "1", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        self.outputs += [done.stdout, done.stderr]
        return done

    def ok(self, *args: str, stdin: str = "") -> str:
        done = self(*args, stdin=stdin)
        assert done.returncode == 0, done.stderr
        return done.stdout


@pytest.fixture(scope="module")
def emulator() -> Emulator:
    return Emulator(operation_polls=0)


@pytest.fixture(scope="module")
def run(emulator: Emulator) -> Iterator[Run]:
    with Served(emulator.app) as served:
        runs = Run(served.url)
        yield runs
    for output in runs.outputs:
        assert KEY not in output


def test_generate(run: Run, emulator: Emulator) -> None:
    assert run.ok("generate", "Hello there") == "Echo: Hello there\n"
    assert run.ok("generate", "-", "--model", FLASH, stdin="from stdin") == "Echo: from stdin\n"
    streamed = run.ok("generate", "--stream", "--system", "Be terse.", "one two three")
    assert streamed == "Echo: one two three\n"
    body = emulator.requests[-1].body
    assert emulator.requests[-1].operation == "StreamGenerateContent"
    assert body["systemInstruction"]["parts"] == [{"text": "Be terse."}]


def test_generate_with_a_json_schema(run: Run, emulator: Emulator, tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}}
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    emulator.script(['{"city": "Paris"}'])
    out = run.ok("generate", "Where?", "--json-schema", str(tmp_path / "schema.json"))
    assert json.loads(out) == {"city": "Paris"}
    config = emulator.requests[-1].body["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert config["responseJsonSchema"] == schema
    (tmp_path / "broken.json").write_text("{")
    broken = run("generate", "Where?", "--json-schema", str(tmp_path / "broken.json"))
    assert broken.returncode == 2 and "is not JSON" in broken.stderr


def test_count_tokens_and_models(run: Run) -> None:
    assert int(run.ok("count-tokens", "one two three")) > 0
    names = run.ok("models", "list").split()
    assert f"models/{FLASH}" in names
    listed = [json.loads(line) for line in run.ok("models", "list", "--json").splitlines()]
    assert [model["name"] for model in listed] == names
    assert json.loads(run.ok("models", "get", FLASH))["name"] == f"models/{FLASH}"


def test_files(run: Run, tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_bytes(b"some notes\n" * 1000)
    uploaded = run("files", "upload", str(source), "--display-name", "notes")
    assert uploaded.returncode == 0 and "Uploading notes.txt" in uploaded.stderr
    name = uploaded.stdout.strip()
    assert name.startswith("files/") and name in run.ok("files", "list").split()
    assert json.loads(run.ok("files", "get", name))["displayName"] == "notes"
    target = tmp_path / "copy.txt"
    run.ok("files", "download", name, "--output", str(target))
    assert target.read_bytes() == source.read_bytes()
    assert run.ok("files", "download", name) == source.read_text()
    unwritable = run("files", "download", name, "-o", str(tmp_path / "absent" / "x"))
    assert unwritable.returncode == 4 and unwritable.stderr.startswith("error: ")
    run.ok("files", "delete", name)
    gone = run("files", "get", name)
    assert gone.returncode == 1 and "error: 404 NOT_FOUND" in gone.stderr
    missing = run("files", "download", name, "-o", str(tmp_path / "never.txt"))
    assert missing.returncode == 1 and not (tmp_path / "never.txt").exists()


def test_caches(run: Run) -> None:
    name = run.ok("caches", "create", "--text", LONG_TEXT, "--ttl", "600").strip()
    assert name.startswith("cachedContents/") and name in run.ok("caches", "list").split()
    assert json.loads(run.ok("caches", "get", name))["model"] == f"models/{FLASH}"
    run.ok("caches", "delete", name)
    assert name not in run.ok("caches", "list").split()


def test_batches(run: Run) -> None:
    name = run.ok("batches", "create", "first", "second", "--display-name", "nightly").strip()
    assert name.startswith("batches/") and name in run.ok("batches", "list").split()
    assert json.loads(run.ok("batches", "get", name))["name"] == name
    run.ok("batches", "cancel", name)
    run.ok("batches", "delete", name)


def test_exit_codes(run: Run) -> None:
    unknown = run("models", "get", "no-such-model")
    assert (unknown.returncode, unknown.stdout) == (1, "")
    assert unknown.stderr.startswith("error: 404 NOT_FOUND")
    usage = run("generate")
    assert usage.returncode == 2 and "Missing argument 'PROMPT'" in usage.stderr
    refused = run("generate", "hi", "--model", "../cachedContents/x")
    assert refused.returncode == 2 and "model" in refused.stderr
    no_key = run("models", "list", key=None)
    assert no_key.returncode == 2 and "GEMINI_API_KEY" in no_key.stderr
    invalid = run("models", "list", key="invalid_key")
    assert invalid.returncode == 1 and "API key not valid" in invalid.stderr
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    unreachable = Run(closed)("models", "list")
    assert unreachable.returncode == 3 and unreachable.stderr.startswith("error: ")


def test_python_dash_m_and_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gemini_sdk", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.startswith("gemini-sdk, version ")


def test_importing_the_sdk_does_not_load_click() -> None:
    code = "import sys, gemini_sdk; gemini_sdk.Client(api_key='k'); print('click' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False"


def test_emulator_serve(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert SCRIPT is not None
    server = subprocess.Popen(
        [SCRIPT, "emulator", "serve", "--port", str(port), "--state", str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        banner = server.stdout.readline()
        assert f"on http://127.0.0.1:{port}" in banner and str(tmp_path) in banner
        # the banner comes before uvicorn listens: wait for the socket, within a bound
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(
                    f"http://127.0.0.1:{port}/v1beta/models/{FLASH}",
                    headers={"x-goog-api-key": "k"},
                )
                break
            except httpx.ConnectError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.05)
        assert answer.json()["name"] == f"models/{FLASH}"
    finally:
        server.terminate()
        server.wait(timeout=30)
