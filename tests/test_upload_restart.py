"""Open upload sessions survive an emulator restart: an upload cut by a served emulator's
restart on its state directory resumes on the next one from the offset it reports, and what
arrives is what was sent. Files and store uploads; sync and async."""

from __future__ import annotations

import contextlib
import io
import os
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

import gemini_sdk as genai
from gemini_sdk import _http
from gemini_sdk.testing import Emulator, owner_of
from gemini_sdk.testing._durable import Durable
from gemini_sdk.testing._stores import split_chunks

KEY = "restart-key"
CHUNK = 64 * 1024
# What the second emulator keeps of the first chunk sent to it before the connection drops.
KEPT = 10 * 1024


class Served:
    """One emulator after another on the same port and state directory."""

    def __init__(self, state: Path) -> None:
        self.state = state
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._stop: Callable[[], None] | None = None
        self.emulator = self.start()

    def start(self) -> Emulator:
        emulator = Emulator(state_dir=self.state, operation_polls=0)
        emulator.files.chunk_granularity = CHUNK
        config = uvicorn.Config(emulator.app, host="127.0.0.1", port=self.port, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the emulator did not start")
            time.sleep(0.01)

        def stop() -> None:
            server.should_exit = True
            thread.join(timeout=10)
            emulator._state.durable.close()

        self._stop = stop
        return emulator

    def restart(self) -> Emulator:
        self.stop()
        self.emulator = self.start()
        return self.emulator

    def stop(self) -> None:
        if self._stop is not None:
            self._stop()
            self._stop = None


class RestartingSource(io.BytesIO):
    """The upload's bytes; reading its second chunk restarts the emulator first, and the new
    one drops the connection after KEPT bytes of that chunk, so the client must ask it how
    much arrived."""

    def __init__(self, data: bytes, served: Served) -> None:
        super().__init__(data)
        self.served = served
        self.reads = 0

    def read(self, size: int | None = -1, /) -> bytes:
        self.reads += 1
        if self.reads == 2:
            restarted = self.served.restart()
            restarted.faults.add("drop", upload_command="upload", after_bytes=KEPT)
        return super().read(size)


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    monkeypatch.setattr(_http, "UPLOAD_CHUNK_SIZE", CHUNK)
    served = Served(tmp_path)
    try:
        yield served
    finally:
        served.stop()


async def _run(is_async: bool, client: genai.Client, call: Callable[[Any], Any]) -> Any:
    if not is_async:
        return call(client)
    try:
        return await call(client.aio)
    finally:
        await client.aio.aclose()


def _resumed_once(emulator: Emulator, size: int) -> None:
    """The new emulator answered one query with the offset the upload carries on from."""
    chunks = [r for r in emulator.requests if r.query.get("upload_id")]
    commands = [r.headers["x-goog-upload-command"] for r in chunks]
    assert commands.count("query") == 1
    resumed = chunks[commands.index("query") + 1]
    assert resumed.headers["x-goog-upload-offset"] == str(CHUNK + KEPT)
    # The first chunk went to the first emulator; only what the drop lost was sent again.
    assert sum(r.body_size for r in chunks) == size - KEPT


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_a_file_upload_resumes_on_the_restarted_emulator(
    served: Served, is_async: bool
) -> None:
    data = os.urandom(4 * CHUNK + 1234)
    source = RestartingSource(data, served)
    client = genai.Client(api_key=KEY, http_options={"base_url": served.base_url})
    uploaded = await _run(
        is_async,
        client,
        lambda c: c.files.upload(file=source, config={"mime_type": "application/pdf"}),
    )
    client.close()

    assert source.reads >= 2  # the restart happened mid-upload
    emulator = served.emulator
    _resumed_once(emulator, len(data))
    stored = emulator.files.get(owner_of(KEY), uploaded.name.removeprefix("files/"))
    assert emulator.files.content(stored) == data
    assert uploaded.size_bytes == len(data)


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_a_store_upload_resumes_on_the_restarted_emulator(
    served: Served, is_async: bool
) -> None:
    words = random.Random(7).choices(["alpha", "beta", "gamma", "delta", "omega"], k=60_000)
    text = " ".join(words).encode()
    source = RestartingSource(text, served)
    client = genai.Client(api_key=KEY, http_options={"base_url": served.base_url})
    store = client.file_search_stores.create(config={"display_name": "restart"})
    config = {
        "mime_type": "text/plain",
        "display_name": "notes",
        "custom_metadata": [{"key": "kind", "string_value": "notes"}],
    }
    operation = await _run(
        is_async,
        client,
        lambda c: c.file_search_stores.upload_to_file_search_store(
            file=source, file_search_store_name=store.name, config=config
        ),
    )
    assert source.reads >= 2
    _resumed_once(served.emulator, len(text))
    assert operation.done and operation.response is not None
    assert operation.response.size_bytes == len(text)
    document = client.file_search_stores.documents.get(name=operation.response.document_name)
    client.close()
    assert document.display_name == "notes"
    assert document.custom_metadata is not None and document.custom_metadata[0].key == "kind"

    served.stop()
    assert document.name is not None
    with contextlib.closing(Durable(served.state)) as durable:
        record = durable.table("documents").get(document.name)
    assert record is not None
    # The document was chunked from exactly the bytes sent.
    assert record["chunks"] == split_chunks(text.decode(), None)


def test_a_live_resumption_handle_outlives_a_restart(served: Served) -> None:
    client = genai.Client(api_key=KEY, http_options={"base_url": served.base_url})
    with client.live.connect(model="gemini-2.0-flash", config={"session_resumption": {}}) as live:
        live.send_client_content(turns="remember this")
        list(live.receive())
        handle = live.resumption_handle
    emulator = served.restart()
    emulator.script([lambda request: f"{len(request['contents'])} turns"])
    config = {"session_resumption": {"handle": handle}}
    with client.live.connect(model="gemini-2.0-flash", config=config) as live:
        live.send_client_content(turns="and now?")
        texts = [m.text for m in live.receive() if m.text]
    client.close()
    assert "".join(texts) == "3 turns"
