"""files.upload / download / wait through the SDK against the emulator: the start request's
metadata, MIME types, videos, the file hash, resuming after faults, waiting until ACTIVE,
and files kept in a state directory."""

from __future__ import annotations

import base64
import hashlib
import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes import fake_client
from test_transport import UploadServer

import gemini_sdk as genai
from gemini_sdk import _http, errors, types
from gemini_sdk.testing import Emulator

DATA = b"0123456789abcdef"


@pytest.fixture
def emulator() -> Emulator:
    emulator = Emulator()
    emulator.files.chunk_granularity = 4  # pieces of a few bytes, not the service's 8 MiB
    return emulator


def start_request(emulator: Emulator) -> Any:
    return next(r for r in emulator.requests if r.headers.get("x-goog-upload-command") == "start")


def hash_text(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).hexdigest().encode()).decode()


@pytest.mark.parametrize("is_async", [False, True])
async def test_the_start_request_declares_the_file(emulator: Emulator, is_async: bool) -> None:
    client = emulator.client()
    config = types.UploadFileConfig(display_name="notes", mime_type="text/plain", name="files/n1")
    if is_async:
        file = await client.aio.files.upload(file=DATA, config=config)
    else:
        file = client.files.upload(file=DATA, config=config)
    start = start_request(emulator)
    assert start.path == "/upload/v1beta/files"
    assert start.body == {
        "file": {
            "displayName": "notes",
            "mimeType": "text/plain",
            "name": "files/n1",
            "sizeBytes": str(len(DATA)),
        }
    }
    assert start.headers["x-goog-upload-header-content-length"] == str(len(DATA))
    assert start.headers["x-goog-upload-header-content-type"] == "text/plain"
    assert file.name == "files/n1"
    assert file.sha256_hash == hash_text(DATA)  # the text the service sends, as a str


def test_the_type_is_guessed_from_a_path(emulator: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(b"<p>hi</p>")
    emulator.client().files.upload(file=path)
    assert start_request(emulator).body == {"file": {"mimeType": "text/html", "sizeBytes": "9"}}


@pytest.mark.parametrize("source", [DATA, io.BytesIO(DATA)], ids=["bytes", "unnamed stream"])
def test_no_type_for_bytes_raises_before_any_request(emulator: Emulator, source: Any) -> None:
    with pytest.raises(ValueError, match=r"files\.upload: cannot tell the MIME type.*mime_type"):
        emulator.client().files.upload(file=source)
    assert emulator.requests == []


def test_an_unknown_config_key_raises_before_any_request(emulator: Emulator) -> None:
    with pytest.raises(TypeError, match="mime_typ"):
        emulator.client().files.upload(file=DATA, config={"mime_typ": "text/plain"})
    assert emulator.requests == []


@pytest.mark.parametrize("is_async", [False, True])
async def test_downloading_a_video_keeps_its_bytes(
    emulator: Emulator, tmp_path: Path, is_async: bool
) -> None:
    client = emulator.client()
    file = client.files.upload(file=DATA, config={"mime_type": "video/mp4"})
    generated = types.GeneratedVideo(video=types.Video(uri=file.uri, mime_type="video/mp4"))
    if is_async:
        data = await client.aio.files.download(file=generated)
    else:
        data = client.files.download(file=generated)
    assert data == DATA
    assert generated.video is not None and generated.video.video_bytes == DATA
    assert emulator.requests[-1].path == f"/v1beta/{file.name}:download"
    assert emulator.requests[-1].query == {"alt": "media"}
    generated.video.save(tmp_path / "clip.mp4")
    assert (tmp_path / "clip.mp4").read_bytes() == DATA


def test_a_video_without_bytes_cannot_be_saved(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="files.download"):
        types.Video(uri="files/x").save(tmp_path / "x.mp4")


def test_a_video_without_uri_raises_before_any_request(emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="files.download: file: this video has no uri"):
        emulator.client().files.download(file=types.Video())
    assert emulator.requests == []


# -- resuming --------------------------------------------------------------------------------


def sent_bytes(emulator: Emulator) -> int:
    return sum(r.body_size for r in emulator.requests if r.query.get("upload_id"))


def chunked_upload(emulator: Emulator, monkeypatch: pytest.MonkeyPatch, **options: Any) -> Any:
    monkeypatch.setattr(_http, "UPLOAD_CHUNK_SIZE", 4)
    client = emulator.client(**options)
    file = client.files.upload(file=DATA, config={"mime_type": "text/plain"})
    assert file.name is not None
    assert client.files.download(file=file) == DATA
    return file


def test_a_short_acknowledgement_resumes_from_the_servers_offset(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator.faults.add("wrong_offset", upload_command="upload", after_bytes=1)
    chunked_upload(emulator, monkeypatch)
    offsets = [
        r.headers["x-goog-upload-offset"] for r in emulator.requests if r.query.get("upload_id")
    ]
    # only one byte of the first chunk arrived, so the next chunk starts at 1
    assert offsets == ["0", "1", "5", "9", "13"]


def test_a_drop_after_some_bytes_resumes_where_they_ended(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator.faults.add("drop", upload_command="upload", after_bytes=2)
    chunked_upload(emulator, monkeypatch)
    chunks = [r for r in emulator.requests if r.query.get("upload_id")]
    commands = [
        (r.headers["x-goog-upload-command"], r.headers.get("x-goog-upload-offset")) for r in chunks
    ]
    assert commands[:3] == [("upload", "0"), ("query", None), ("upload", "2")]
    assert sent_bytes(emulator) <= len(DATA) + 4


def test_only_failures_in_a_row_use_up_the_attempts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_http, "UPLOAD_CHUNK_SIZE", 4)
    # three chunks each lost once: three failures, never two in a row
    server = UploadServer(drop={0, 4, 8})
    client = fake_client(server, "k", http_options={"retry_options": {"attempts": 2}})
    client.endpoints.upload_file(types.CreateFileRequest(), media=DATA, mime_type="text/plain")
    assert server.received == DATA


def test_failures_in_a_row_give_up(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    emulator.faults.add("status", upload_command="upload", status=503, times=2)
    with pytest.raises(errors.ServiceUnavailable):
        chunked_upload(
            emulator,
            monkeypatch,
            http_options={"retry_options": {"attempts": 2, "initial_delay": 0}},
        )


# -- the emulator's checks -------------------------------------------------------------------


def test_chunks_must_be_whole_granules(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    emulator.files.chunk_granularity = 8
    monkeypatch.setattr(_http, "UPLOAD_CHUNK_SIZE", 4)
    with pytest.raises(errors.InvalidArgument, match="multiple of 8 bytes"):
        emulator.client().files.upload(file=DATA, config={"mime_type": "text/plain"})


def test_a_declared_hash_must_match(emulator: Emulator) -> None:
    client = emulator.client()
    declared = types.File(display_name="d", sha256_hash=hash_text(b"something else"))
    with pytest.raises(errors.InvalidArgument, match="sha256Hash"):
        client.endpoints.upload_file(
            types.CreateFileRequest(file=declared), media=DATA, mime_type="text/plain"
        )
    matching = types.File(display_name="d", sha256_hash=hash_text(DATA))
    created = client.endpoints.upload_file(
        types.CreateFileRequest(file=matching), media=DATA, mime_type="text/plain"
    )
    assert created.file is not None and created.file.sha256_hash == hash_text(DATA)


def test_files_outlive_a_restart_on_the_same_state_directory(tmp_path: Path) -> None:
    first = Emulator(state_dir=tmp_path)
    file = first.client().files.upload(file=DATA, config={"mime_type": "text/plain"})
    first.close()
    again = Emulator(state_dir=tmp_path)
    client = again.client()
    assert [f.name for f in client.files.list()] == [file.name]
    assert client.files.download(file=file) == DATA
    other = client.files.upload(file=b"x", config={"mime_type": "text/plain"})
    assert other.name != file.name
    again.close()


# -- waiting until a file is ACTIVE -------------------------------------------------------------

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def recording_sleeps(client: Any) -> list[float]:
    sleeps: list[float] = []

    async def async_sleep(delay: float) -> None:
        sleeps.append(delay)

    client._transport.sleep = sleeps.append
    client.aio._transport.sleep = async_sleep
    return sleeps


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_wait_polls_until_the_file_is_active(emulator: Emulator, is_async: bool) -> None:
    emulator.files.processing_polls = 2
    client = emulator.client()
    sleeps = recording_sleeps(client)
    file = client.files.upload(file=MP4, config={"mime_type": "video/mp4"})
    assert file.state == types.FileState.PROCESSING
    if is_async:
        ready = await client.aio.files.wait(file=file, poll_interval=0.25)
    else:
        ready = client.files.wait(file=file, poll_interval=0.25)
    assert ready.state == types.FileState.ACTIVE and ready.name == file.name
    gets = [r for r in emulator.requests if r.operation == "GetFile"]
    assert [r.path for r in gets] == [f"/v1beta/{file.name}"] * 3
    assert sleeps == [0.25, 0.25]


def test_wait_gives_up_after_max_wait(emulator: Emulator) -> None:
    emulator.files.processing_polls = 5
    client = emulator.client()
    recording_sleeps(client)
    file = client.files.upload(file=MP4, config={"mime_type": "video/mp4"})
    with pytest.raises(errors.WaitTimeoutError, match="still PROCESSING after 0s") as raised:
        client.files.wait(file=file, max_wait=0)
    assert raised.value.resource.name == file.name
    assert isinstance(raised.value, TimeoutError)


def test_wait_counts_its_sleeps_towards_max_wait(emulator: Emulator) -> None:
    """As operations.wait: the waits asked for count even when the driver's sleep returns at
    once, and the last one ends at the deadline."""
    emulator.files.processing_polls = 100
    client = emulator.client()
    sleeps = recording_sleeps(client)
    file = client.files.upload(file=MP4, config={"mime_type": "video/mp4"})
    with pytest.raises(errors.WaitTimeoutError, match="still PROCESSING after 5s"):
        client.files.wait(file=file, poll_interval=2, max_wait=5)
    assert sleeps == [2, 2, 1]
    assert len([r for r in emulator.requests if r.operation == "GetFile"]) == 4


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_wait_raises_the_files_error_when_it_failed(is_async: bool) -> None:
    failed = {
        "name": "files/v1",
        "state": "FAILED",
        "error": {"code": 3, "message": "The video could not be decoded."},
    }
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=failed))
    client = genai.Client(
        api_key="k",
        http_client=httpx.Client(transport=transport),
        async_http_client=httpx.AsyncClient(transport=transport),
    )
    with pytest.raises(errors.ProcessingFailedError, match="could not be decoded") as raised:
        if is_async:
            await client.aio.files.wait(file="files/v1")
        else:
            client.files.wait(file="files/v1")
    assert raised.value.error.code == 3
    assert raised.value.resource.state == types.FileState.FAILED


@pytest.mark.parametrize("pace", [{"poll_interval": -1}, {"max_wait": "soon"}])
def test_wait_checks_its_pace_before_any_request(emulator: Emulator, pace: Any) -> None:
    with pytest.raises(TypeError, match="files.wait: .* must be a number of seconds"):
        emulator.client().files.wait(file="files/x", **pace)
    assert emulator.requests == []


def test_an_upload_that_makes_no_progress_gives_up(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator.faults.add("wrong_offset", upload_command="upload", times=None)
    with pytest.raises(errors.APIError, match="no progress: the server holds 0 of 16 bytes"):
        chunked_upload(emulator, monkeypatch)
    chunks = [r for r in emulator.requests if r.query.get("upload_id")]
    assert len(chunks) == 3  # the default three attempts
