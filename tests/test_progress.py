"""Progress callbacks: files.upload and files.download tell `progress(bytes_done, total)` how far
the bytes are (only ever forward, the last call at the total), and operations.wait tells
`progress(polls, seconds)` after each poll; sync and async."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fakes import Server, fake_client

from gemini_sdk import _http, types
from gemini_sdk.testing import Emulator

DATA = b"0123456789"  # three chunks of 4, 4 and 2 bytes
Calls = list[tuple[int, Any]]


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Emulator:
    monkeypatch.setattr(_http, "UPLOAD_CHUNK_SIZE", 4)
    emulator = Emulator()
    emulator.files.chunk_granularity = 4
    return emulator


def _recorder() -> tuple[Calls, Any]:
    calls: Calls = []
    return calls, lambda done, total: calls.append((done, total))


def test_an_upload_reports_each_confirmed_chunk(emulator: Emulator) -> None:
    calls, progress = _recorder()
    config = types.UploadFileConfig(mime_type="text/plain", progress=progress)
    emulator.client().files.upload(file=DATA, config=config)
    assert calls == [(4, 10), (8, 10), (10, 10)]


async def test_an_async_upload_reports_the_same(emulator: Emulator) -> None:
    calls, progress = _recorder()
    client = emulator.client().aio
    await client.files.upload(file=DATA, config={"mime_type": "text/plain", "progress": progress})
    assert calls == [(4, 10), (8, 10), (10, 10)]


def test_an_upload_reports_what_the_server_kept(emulator: Emulator) -> None:
    # The first chunk is acknowledged short: 1 byte of 4, and the upload resumes from there.
    emulator.faults.add("wrong_offset", upload_command="upload", after_bytes=1)
    calls, progress = _recorder()
    emulator.client().files.upload(
        file=DATA, config={"mime_type": "text/plain", "progress": progress}
    )
    assert calls == [(1, 10), (5, 10), (9, 10), (10, 10)]


def _body(*chunks: bytes, fail_after: int | None = None) -> Iterator[bytes]:
    for index, chunk in enumerate(chunks):
        if index == fail_after:
            raise httpx.ReadError("connection reset")
        yield chunk


def _download(server: Server, **config: Any) -> tuple[bytes, Calls]:
    calls, progress = _recorder()
    client = fake_client(server, "k")
    data = client.files.download(file="files/abc", config={"progress": progress, **config})
    return data, calls


def test_a_download_reports_the_bytes_as_they_arrive() -> None:
    server = Server()
    length = {"content-length": "3000"}
    server.reply(httpx.Response(200, headers=length, content=_body(b"a" * 1000, b"b" * 2000)))
    data, calls = _download(server)
    assert data == b"a" * 1000 + b"b" * 2000
    assert calls == [(1000, 3000), (3000, 3000)]


def test_a_download_of_unknown_size_ends_at_its_size() -> None:
    server = Server()
    server.reply(httpx.Response(200, content=_body(b"a" * 10, b"b" * 5)))
    data, calls = _download(server)
    assert len(data) == 15
    assert calls == [(10, None), (15, None), (15, 15)]


def test_a_retried_download_never_goes_back() -> None:
    server = Server()
    length = {"content-length": "30"}
    chunks = (b"a" * 10, b"b" * 10, b"c" * 10)
    server.reply(
        httpx.Response(200, headers=length, content=_body(*chunks, fail_after=2)),
        httpx.Response(200, headers=length, content=_body(*chunks)),
    )
    data, calls = _download(server)
    assert data == b"".join(chunks) and len(server.requests) == 2
    assert calls == [(10, 30), (20, 30), (30, 30)]


async def test_an_async_download_ends_at_the_total(emulator: Emulator) -> None:
    client = emulator.client().aio
    uploaded = await client.files.upload(file=DATA, config={"mime_type": "text/plain"})
    calls, progress = _recorder()
    assert await client.files.download(file=uploaded, config={"progress": progress}) == DATA
    assert calls[-1] == (10, 10)
    assert [done for done, _ in calls] == sorted({done for done, _ in calls})


def test_a_progress_that_cannot_be_called_is_refused_before_any_request() -> None:
    server = Server()
    client = fake_client(server, "k")
    with pytest.raises(TypeError, match="DownloadFileConfig.progress: expected a callable"):
        client.files.download(file="files/abc", config={"progress": "50%"})
    with pytest.raises(TypeError, match="UploadFileConfig.progress: expected a callable"):
        types.UploadFileConfig(progress=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="wait: progress must be a callable"):
        client.operations.wait("batches/b1", progress=1)  # type: ignore[arg-type]
    assert server.requests == []


def _pending(name: str, polls: int) -> list[dict[str, Any]]:
    return [{"name": name, "done": False}] * polls + [{"name": name, "done": True}]


def test_wait_reports_each_poll() -> None:
    server = Server()
    server.reply(*_pending("batches/b1", 3))
    client = fake_client(server, "k")
    calls, progress = _recorder()
    client.operations.wait("batches/b1", poll=2, backoff=2, max_poll=5, progress=progress)
    assert [polls for polls, _ in calls] == [1, 2, 3, 4]
    seconds = [elapsed for _, elapsed in calls]
    # the waits asked for (2, 4, 5) count even when the test's sleep returns at once
    assert seconds == sorted(seconds) and seconds[-1] >= 11


async def test_async_wait_reports_each_poll() -> None:
    server = Server()
    server.reply(*_pending("batches/b1", 1))
    client = fake_client(server, "k")
    calls, progress = _recorder()
    await client.aio.operations.wait("batches/b1", poll=3, progress=progress)
    assert [polls for polls, _ in calls] == [1, 2]
    assert calls[-1][1] >= 3
