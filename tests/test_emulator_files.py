"""The emulator's Files API (resumable uploads, get/list/delete/download) and Imagen predict."""

from __future__ import annotations

import base64
import datetime
import hashlib
import re
import struct
import zlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from gemini_sdk import _http, types
from gemini_sdk.testing import Emulator

BASE = "http://emulator.local"
KEY = {"x-goog-api-key": "test-key"}
UPLOAD = "/upload/v1beta/files"
IMAGEN = "imagen-4.0-generate-001"
PREDICT = f"/v1beta/models/{IMAGEN}:predict"
FLASH = "gemini-2.5-flash"


@pytest.fixture
def emulator() -> Emulator:
    emulator = Emulator()
    # chunks of a few bytes, rather than the service's 8 MiB
    emulator.files.chunk_granularity = 1
    return emulator


@pytest.fixture
def client(emulator: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(transport=emulator.sync_transport(), base_url=BASE, headers=KEY) as c:
        yield c


@pytest.fixture
async def aclient(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    transport = emulator.async_transport()
    async with httpx.AsyncClient(transport=transport, base_url=BASE, headers=KEY) as c:
        yield c


def error(response: httpx.Response, code: int) -> dict[str, Any]:
    assert response.status_code == code, response.text
    body: dict[str, Any] = response.json()["error"]
    assert body["code"] == code
    return body


def start(
    client: httpx.Client,
    size: int,
    mime: str | None = "text/plain",
    metadata: dict[str, Any] | None = None,
    **headers: str,
) -> httpx.Response:
    sent = {
        "x-goog-upload-protocol": "resumable",
        "x-goog-upload-command": "start",
        "x-goog-upload-header-content-length": str(size),
        **{k.replace("_", "-"): v for k, v in headers.items()},
    }
    if mime is not None:
        sent["x-goog-upload-header-content-type"] = mime
    return client.post(UPLOAD, json=metadata if metadata is not None else {}, headers=sent)


def open_session(client: httpx.Client, size: int, **kwargs: Any) -> str:
    response = start(client, size, **kwargs)
    assert response.status_code == 200, response.text
    url: str = response.headers["x-goog-upload-url"]
    return url


def send(
    client: httpx.Client, url: str, data: bytes, offset: int, *, final: bool = False
) -> httpx.Response:
    command = "upload, finalize" if final else "upload"
    headers = {"x-goog-upload-command": command, "x-goog-upload-offset": str(offset)}
    return client.post(url, content=data, headers=headers)


def query(client: httpx.Client, url: str) -> httpx.Response:
    return client.post(url, headers={"x-goog-upload-command": "query"})


def upload(
    client: httpx.Client, data: bytes, mime: str = "text/plain", **metadata: Any
) -> dict[str, Any]:
    url = open_session(client, len(data), mime=mime, metadata={"file": metadata})
    response = send(client, url, data, 0, final=True)
    assert response.status_code == 200, response.text
    file: dict[str, Any] = response.json()["file"]
    return file


def file_id(file: dict[str, Any]) -> str:
    name: str = file["name"]
    return name.removeprefix("files/")


def stamp(text: str) -> datetime.datetime:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", text), text
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def png_header(width: int, height: int) -> bytes:
    """Enough of a PNG for its size to be read: the signature and the IHDR chunk."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + b"\x00" * 4


def mp4(seconds: int) -> bytes:
    mvhd = b"\x00" * 4 + b"\x00" * 8 + struct.pack(">II", 1000, seconds * 1000)
    mvhd_box = struct.pack(">I", 8 + len(mvhd)) + b"mvhd" + mvhd
    return struct.pack(">I", 8 + len(mvhd_box)) + b"moov" + mvhd_box


def file_part(file: dict[str, Any]) -> dict[str, Any]:
    return {"fileData": {"fileUri": file["uri"], "mimeType": file["mimeType"]}}


def count_tokens(client: httpx.Client, *parts: dict[str, Any]) -> dict[str, Any]:
    body = {"contents": [{"role": "user", "parts": list(parts)}]}
    response = client.post(f"/v1beta/models/{FLASH}:countTokens", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


# -- the upload protocol -----------------------------------------------------------------------


def test_upload_in_chunks(client: httpx.Client, emulator: Emulator) -> None:
    data = b"The quick brown fox jumps over the lazy dog."
    started = start(client, len(data), metadata={"file": {"displayName": "fox"}})
    assert started.status_code == 200
    assert started.content == b""
    assert started.headers["x-goog-upload-status"] == "active"
    url = started.headers["x-goog-upload-url"]
    assert re.fullmatch(
        rf"{BASE}/upload/v1beta/files\?upload_id=[\w-]+&upload_protocol=resumable", url
    )

    pieces = [data[:10], data[10:25], data[25:]]
    offset = 0
    for piece in pieces[:-1]:
        answer = send(client, url, piece, offset)
        assert answer.status_code == 200
        assert answer.content == b""
        assert answer.headers["x-goog-upload-status"] == "active"
        offset += len(piece)
        assert answer.headers["x-goog-upload-size-received"] == str(offset)
        status = query(client, url)
        assert status.headers["x-goog-upload-status"] == "active"
        assert status.headers["x-goog-upload-size-received"] == str(offset)

    final = send(client, url, pieces[-1], offset, final=True)
    assert final.status_code == 200
    assert final.headers["x-goog-upload-status"] == "final"
    file = final.json()["file"]
    assert re.fullmatch(r"files/[a-z0-9]{10}", file["name"])
    ident = file_id(file)
    created = stamp(file["createTime"])
    assert stamp(file["updateTime"]) == created
    assert stamp(file["expirationTime"]) - created == datetime.timedelta(hours=48)
    assert {k: v for k, v in file.items() if not k.endswith("Time")} == {
        "name": f"files/{ident}",
        "displayName": "fox",
        "mimeType": "text/plain",
        "sizeBytes": str(len(data)),
        "sha256Hash": base64.b64encode(hashlib.sha256(data).hexdigest().encode()).decode(),
        "uri": f"{BASE}/v1beta/files/{ident}",
        "downloadUri": f"{BASE}/v1beta/files/{ident}:download?alt=media",
        "state": "ACTIVE",
        "source": "UPLOADED",
    }
    # The finished session reports itself final.
    done = query(client, url)
    assert done.headers["x-goog-upload-status"] == "final"
    assert done.json()["file"]["name"] == file["name"]
    refused = send(client, url, b"more", len(data))
    assert "already finalized" in error(refused, 400)["message"]

    chunks = [r for r in emulator.requests if r.query.get("upload_id")]
    assert [r.operation for r in chunks] == ["UploadFile"] * 7
    assert [r.headers["x-goog-upload-command"] for r in chunks] == [
        "upload",
        "query",
        "upload",
        "query",
        "upload, finalize",
        "query",
        "upload",
    ]
    assert [r.body for r in chunks[:5:2]] == pieces
    assert chunks[0].body_size == 10


async def test_upload_over_the_async_transport(aclient: httpx.AsyncClient) -> None:
    headers = {
        "x-goog-upload-protocol": "resumable",
        "x-goog-upload-command": "start",
        "x-goog-upload-header-content-length": "6",
        "x-goog-upload-header-content-type": "application/octet-stream",
    }
    started = await aclient.post(UPLOAD, content=b"", headers=headers)
    url = started.headers["x-goog-upload-url"]
    first = {"x-goog-upload-command": "upload", "x-goog-upload-offset": "0"}
    assert (await aclient.post(url, content=b"abc", headers=first)).status_code == 200
    last = {"x-goog-upload-command": "upload, finalize", "x-goog-upload-offset": "3"}
    file = (await aclient.post(url, content=b"def", headers=last)).json()["file"]
    assert file["sizeBytes"] == "6"
    assert "displayName" not in file
    media = await aclient.get(f"/v1beta/{file['name']}:download", params={"alt": "media"})
    assert media.content == b"abcdef"


def test_start_checks_headers_and_metadata(client: httpx.Client) -> None:
    missing = client.post(
        UPLOAD,
        json={},
        headers={"x-goog-upload-protocol": "resumable", "x-goog-upload-command": "start"},
    )
    assert "x-goog-upload-header-content-length" in error(missing, 400)["message"]
    bad_size = start(client, 0, x_goog_upload_header_content_length="lots")
    assert "byte count" in error(bad_size, 400)["message"]
    not_start = start(client, 3, x_goog_upload_command="upload")
    assert "must be start" in error(not_start, 400)["message"]
    plain = client.post(UPLOAD, json={})
    assert "resumable" in error(plain, 501)["message"]
    unknown = start(client, 3, metadata={"file": {"colour": "red"}})
    assert 'Unknown name "colour"' in error(unknown, 400)["message"]
    # A body of `{}` is fine; so is a file without a MIME type anywhere.
    url = open_session(client, 2, mime=None)
    file = send(client, url, b"hi", 0, final=True).json()["file"]
    assert file["mimeType"] == "application/octet-stream"


def test_metadata_mime_type_and_requested_name(client: httpx.Client) -> None:
    file = upload(client, b"{}", "text/plain", name="files/my-notes", mimeType="application/json")
    assert file["name"] == "files/my-notes"
    assert file["mimeType"] == "application/json"
    taken = start(client, 1, metadata={"file": {"name": "files/my-notes"}})
    body = error(taken, 409)
    assert body["status"] == "ALREADY_EXISTS"
    assert "files/my-notes" in body["message"]
    for bad in ("my-notes", "files/-dash", "files/UPPER", "files/" + "a" * 41):
        refused = start(client, 1, metadata={"file": {"name": bad}})
        assert "file.name" in error(refused, 400)["message"]


def test_name_taken_while_uploading(client: httpx.Client) -> None:
    first = open_session(client, 1, metadata={"file": {"name": "files/race"}})
    second = open_session(client, 1, metadata={"file": {"name": "files/race"}})
    assert send(client, first, b"a", 0, final=True).status_code == 200
    assert error(send(client, second, b"b", 0, final=True), 409)["status"] == "ALREADY_EXISTS"


def test_wrong_offset(client: httpx.Client) -> None:
    url = open_session(client, 10)
    assert send(client, url, b"abcd", 0).status_code == 200
    ahead = send(client, url, b"efgh", 6)
    message = error(ahead, 400)["message"]
    assert "x-goog-upload-offset is 6" in message
    assert "4 bytes have been received" in message
    assert ahead.headers["x-goog-upload-status"] == "active"
    behind = send(client, url, b"abcd", 0)
    assert "x-goog-upload-offset is 0" in error(behind, 400)["message"]
    no_offset = client.post(url, content=b"efgh", headers={"x-goog-upload-command": "upload"})
    assert "x-goog-upload-offset is required" in error(no_offset, 400)["message"]
    not_a_number = client.post(
        url, content=b"x", headers={"x-goog-upload-command": "upload", "x-goog-upload-offset": "?"}
    )
    assert "byte count" in error(not_a_number, 400)["message"]
    # Nothing refused was kept.
    assert query(client, url).headers["x-goog-upload-size-received"] == "4"
    final = send(client, url, b"efghij", 4, final=True)
    assert final.json()["file"]["sizeBytes"] == "10"


def test_query_after_a_dropped_chunk(client: httpx.Client, emulator: Emulator) -> None:
    url = open_session(client, 9)
    assert send(client, url, b"abc", 0).status_code == 200
    emulator.faults.add("drop", operation="UploadFile", upload_command="upload")
    with pytest.raises(httpx.RemoteProtocolError):
        send(client, url, b"def", 3)
    status = query(client, url)
    assert status.status_code == 200
    assert status.headers["x-goog-upload-status"] == "active"
    assert status.headers["x-goog-upload-size-received"] == "3"
    emulator.faults.add("status", operation="UploadFile", upload_command="upload", status=503)
    assert error(send(client, url, b"def", 3), 503)["status"] == "UNAVAILABLE"
    assert send(client, url, b"def", 3).status_code == 200
    final = send(client, url, b"ghi", 6, final=True)
    assert final.headers["x-goog-upload-status"] == "final"
    media = client.get(f"/v1beta/{final.json()['file']['name']}:download?alt=media")
    assert media.content == b"abcdefghi"
    # The dropped chunk and the failed one were recorded too.
    commands = [r.headers.get("x-goog-upload-command") for r in emulator.requests]
    assert commands.count("upload") == 4


def test_faults_match_the_upload_start_by_operation(
    client: httpx.Client, emulator: Emulator
) -> None:
    emulator.faults.add("status", operation="UploadFile", upload_command="start", status=429)
    assert error(start(client, 1), 429)["status"] == "RESOURCE_EXHAUSTED"
    url = open_session(client, 1)
    assert send(client, url, b"x", 0, final=True).status_code == 200


def test_finalize_size_mismatch(client: httpx.Client) -> None:
    url = open_session(client, 8)
    assert send(client, url, b"abc", 0).status_code == 200
    short = send(client, url, b"de", 3, final=True)
    message = error(short, 400)["message"]
    assert "5 bytes received, 8 declared" in message
    long = send(client, url, b"defghijk", 3)
    assert "11 bytes, more than the 8 declared" in error(long, 400)["message"]
    assert query(client, url).headers["x-goog-upload-size-received"] == "3"
    # `finalize` on its own closes a session whose bytes have all arrived.
    assert send(client, url, b"defgh", 3).status_code == 200
    final = client.post(url, headers={"x-goog-upload-command": "finalize"})
    assert final.headers["x-goog-upload-status"] == "final"
    assert final.json()["file"]["sizeBytes"] == "8"


def test_unknown_session_bad_command_and_cancel(client: httpx.Client) -> None:
    lost = send(client, f"{UPLOAD}?upload_id=nope&upload_protocol=resumable", b"x", 0)
    assert error(lost, 404)["status"] == "NOT_FOUND"
    url = open_session(client, 4)
    odd = client.post(url, headers={"x-goog-upload-command": "rewind"})
    assert "x-goog-upload-command" in error(odd, 400)["message"]
    cancelled = client.post(url, headers={"x-goog-upload-command": "cancel"})
    assert cancelled.headers["x-goog-upload-status"] == "cancelled"
    assert error(query(client, url), 404)["status"] == "NOT_FOUND"


def test_large_chunks_are_recorded_by_size(client: httpx.Client, emulator: Emulator) -> None:
    data = bytes(range(256)) * 20
    upload(client, data, "application/octet-stream")
    chunk = emulator.requests[-1]
    assert chunk.operation == "UploadFile"
    assert chunk.body is None
    assert chunk.body_size == len(data)


def test_the_sdk_uploads_in_chunks_and_resumes(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_http, "UPLOAD_CHUNK_SIZE", 4)
    emulator.faults.add("status", operation="UploadFile", upload_command="upload", status=503)
    with emulator.client() as sdk:
        created = sdk.endpoints.upload_file(
            types.CreateFileRequest(file=types.File(display_name="d")),
            media=b"0123456789",
            mime_type="text/plain",
        )
        assert created.file is not None
        assert created.file.display_name == "d"
        assert created.file.size_bytes == 10
        assert created.file.mime_type == "text/plain"
        assert created.file.state == types.FileState.ACTIVE
        digest = hashlib.sha256(b"0123456789").hexdigest()
        assert created.file.sha256_hash == base64.b64encode(digest.encode()).decode()
        assert created.file.name is not None
        fetched = sdk.endpoints.get_file(created.file.name.removeprefix("files/"))
        assert fetched.uri == created.file.uri
    commands = [r.headers.get("x-goog-upload-command") for r in emulator.requests]
    assert commands == ["start", "upload", "query", "upload", "upload", "upload, finalize", None]
    offsets = [r.headers.get("x-goog-upload-offset") for r in emulator.requests]
    assert offsets[3:6] == ["0", "4", "8"]


async def test_the_async_sdk_uploads(emulator: Emulator) -> None:
    sdk = emulator.client()
    created = await sdk.aio.endpoints.upload_file(
        types.CreateFileRequest(file=types.File(display_name="a")),
        media=b"async bytes",
        mime_type="text/plain",
    )
    assert created.file is not None
    assert created.file.size_bytes == len(b"async bytes")
    assert emulator.requests[-1].headers["x-goog-upload-command"] == "upload, finalize"


# -- get, list, delete, download ---------------------------------------------------------------


def test_get_and_unknown_files(client: httpx.Client) -> None:
    file = upload(client, b"hello", displayName="greeting")
    got = client.get(f"/v1beta/files/{file_id(file)}")
    assert got.json() == file
    missing = error(client.get("/v1beta/files/nosuchfile"), 404)
    assert missing == {
        "code": 404,
        "message": "File files/nosuchfile not found.",
        "status": "NOT_FOUND",
    }


def test_files_belong_to_their_key(client: httpx.Client, emulator: Emulator) -> None:
    file = upload(client, b"mine")
    other = {"x-goog-api-key": "other-key"}
    with httpx.Client(transport=emulator.sync_transport(), base_url=BASE, headers=other) as them:
        denied = error(them.get(f"/v1beta/{file['name']}"), 403)
        assert denied["status"] == "PERMISSION_DENIED"
        assert error(them.delete(f"/v1beta/{file['name']}"), 403)["status"] == "PERMISSION_DENIED"
        assert them.get("/v1beta/files").json() == {}
        assert count_tokens(them, file_part(file))["totalTokens"] == 258  # not their bytes
    assert len(emulator.files.all()) == 1
    # Chunks need no key: the upload URL is the credential.
    url = open_session(client, 2)
    with httpx.Client(transport=emulator.sync_transport(), base_url=BASE) as bare:
        assert send(bare, url, b"ok", 0, final=True).status_code == 200
        # Everything else does.
        assert error(bare.get("/v1beta/files"), 403)["status"] == "PERMISSION_DENIED"


def test_list_pages(client: httpx.Client) -> None:
    assert client.get("/v1beta/files").json() == {}
    names = [upload(client, str(i).encode())["name"] for i in range(25)]
    first = client.get("/v1beta/files").json()
    assert [f["name"] for f in first["files"]] == names[:10]
    seen: list[str] = []
    token: str | None = None
    while True:
        params: dict[str, Any] = {"pageSize": 7}
        if token:
            params["pageToken"] = token
        page = client.get("/v1beta/files", params=params).json()
        seen += [f["name"] for f in page["files"]]
        token = page.get("nextPageToken")
        if token is None:
            break
    assert seen == names
    everything = client.get("/v1beta/files", params={"pageSize": 1000}).json()
    assert len(everything["files"]) == 25
    assert "nextPageToken" not in everything
    bad = client.get("/v1beta/files", params={"pageToken": "made-up"})
    assert error(bad, 400)["message"] == "The provided page token is invalid."
    unknown = client.get("/v1beta/files", params={"filter": "x"})
    assert 'Unknown name "filter"' in error(unknown, 400)["message"]


def test_list_caps_the_page_at_100(client: httpx.Client) -> None:
    for i in range(105):
        upload(client, b"%d" % i)
    page = client.get("/v1beta/files", params={"pageSize": 500}).json()
    assert len(page["files"]) == 100
    assert "nextPageToken" in page


def test_delete(client: httpx.Client) -> None:
    keep, drop = upload(client, b"keep"), upload(client, b"drop")
    deleted = client.delete(f"/v1beta/{drop['name']}")
    assert deleted.status_code == 200
    assert deleted.json() == {}
    assert error(client.get(f"/v1beta/{drop['name']}"), 404)["status"] == "NOT_FOUND"
    assert error(client.delete(f"/v1beta/{drop['name']}"), 404)["status"] == "NOT_FOUND"
    assert [f["name"] for f in client.get("/v1beta/files").json()["files"]] == [keep["name"]]


def test_download(client: httpx.Client) -> None:
    data = b"\x00\x01binary\xff"
    file = upload(client, data, "application/octet-stream")
    media = client.get(f"/v1beta/{file['name']}:download", params={"alt": "media"})
    assert media.status_code == 200
    assert media.content == data
    assert media.headers["content-type"] == "application/octet-stream"
    text = upload(client, "héllo".encode(), "text/plain")
    got = client.get(text["downloadUri"].removeprefix(BASE))
    assert got.content == "héllo".encode()
    assert got.headers["content-type"].startswith("text/plain")
    meta = client.get(f"/v1beta/{file['name']}:download")
    assert meta.json() == {}
    assert error(client.get("/v1beta/files/gone:download?alt=media"), 404)


def test_video_is_processing_until_polled(client: httpx.Client, emulator: Emulator) -> None:
    file = upload(client, mp4(7), "video/mp4", displayName="clip")
    assert file["state"] == "PROCESSING"
    assert "videoMetadata" not in file
    prompt = {"contents": [{"role": "user", "parts": [{"text": "describe"}, file_part(file)]}]}
    refused = client.post(f"/v1beta/models/{FLASH}:generateContent", json=prompt)
    body = error(refused, 400)
    assert body["status"] == "FAILED_PRECONDITION"
    assert body["message"] == (
        f"The File {file_id(file)} is not in an ACTIVE state and usage is not allowed."
    )
    # Listing does not move it on; each GetFile does.
    assert client.get("/v1beta/files").json()["files"][0]["state"] == "PROCESSING"
    states = [client.get(f"/v1beta/{file['name']}").json()["state"] for _ in range(4)]
    assert states == ["PROCESSING", "PROCESSING", "ACTIVE", "ACTIVE"]
    active = client.get(f"/v1beta/{file['name']}").json()
    assert active["videoMetadata"] == {"videoDuration": "7s"}
    answer = client.post(f"/v1beta/models/{FLASH}:generateContent", json=prompt)
    assert answer.status_code == 200, answer.text
    usage = answer.json()["usageMetadata"]
    assert {"modality": "VIDEO", "tokenCount": 263 * 7} in usage["promptTokensDetails"]


def test_processing_polls_can_be_set(client: httpx.Client, emulator: Emulator) -> None:
    emulator.files.processing_polls = 0
    assert upload(client, b"\x00", "video/mp4")["state"] == "ACTIVE"
    emulator.files.processing_polls = 1
    file = upload(client, b"\x00", "video/webm")
    assert file["state"] == "PROCESSING"
    assert client.get(f"/v1beta/{file['name']}").json()["state"] == "PROCESSING"
    assert client.get(f"/v1beta/{file['name']}").json()["state"] == "ACTIVE"


def test_tokens_of_stored_files(client: httpx.Client) -> None:
    image = upload(client, png_header(1000, 800), "image/png")
    assert count_tokens(client, file_part(image))["totalTokens"] == 258 * 2 * 2
    pdf = upload(client, b"%PDF-1.4 /Type /Page /Type /Pages /Type /Page", "application/pdf")
    assert count_tokens(client, file_part(pdf))["totalTokens"] == 258 * 2
    text = upload(client, b"x" * 40, "text/plain")
    assert count_tokens(client, file_part(text)) == {
        "totalTokens": 10,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 10}],
    }
    clip = upload(client, mp4(20), "video/mp4")
    client.get(f"/v1beta/{clip['name']}")
    part = {**file_part(clip), "videoMetadata": {"startOffset": "5s", "endOffset": "8s"}}
    assert count_tokens(client, part)["totalTokens"] == 263 * 3
    by_name = {"fileData": {"fileUri": image["name"], "mimeType": "image/png"}}
    assert count_tokens(client, by_name)["totalTokens"] == 258 * 4
    # A file the emulator does not hold falls back to the fixed rule by MIME type.
    elsewhere = {"fileData": {"fileUri": f"{BASE}/v1beta/files/unknown", "mimeType": "image/png"}}
    assert count_tokens(client, elsewhere)["totalTokens"] == 258
    nested = {
        "generateContentRequest": {
            "model": f"models/{FLASH}",
            "contents": [{"role": "user", "parts": [file_part(image)]}],
        }
    }
    counted = client.post(f"/v1beta/models/{FLASH}:countTokens", json=nested)
    assert counted.json()["totalTokens"] == 258 * 4


def test_files_expire_after_48_hours(client: httpx.Client, emulator: Emulator) -> None:
    file = upload(client, b"short-lived")
    created = stamp(file["createTime"])
    emulator.files.now = lambda: created + datetime.timedelta(hours=47, minutes=59)
    assert client.get(f"/v1beta/{file['name']}").status_code == 200
    emulator.files.now = lambda: created + datetime.timedelta(hours=48)
    assert error(client.get(f"/v1beta/{file['name']}"), 404)["status"] == "NOT_FOUND"
    assert client.get("/v1beta/files").json() == {}


def test_reset_forgets_files_and_sessions(client: httpx.Client, emulator: Emulator) -> None:
    file = upload(client, b"x")
    url = open_session(client, 3)
    emulator.reset()
    assert error(client.get(f"/v1beta/{file['name']}"), 404)
    assert error(query(client, url), 404)
    assert emulator.files.all() == []


# -- Imagen predict ----------------------------------------------------------------------------


def read_png(data: bytes) -> tuple[int, int, bytes]:
    """(width, height, raw scanlines) of an 8-bit RGB PNG, checking its chunks' CRCs."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, chunks = 8, []
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks.append((kind, body))
        offset += 12 + length
    assert [k for k, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, colour, _, _, _ = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, colour) == (8, 2)
    pixels = zlib.decompress(chunks[1][1])
    assert len(pixels) == height * (1 + 3 * width)
    return width, height, pixels


def images(response: httpx.Response) -> list[bytes]:
    assert response.status_code == 200, response.text
    predictions = response.json()["predictions"]
    assert all(p["mimeType"] == "image/png" for p in predictions)
    return [base64.b64decode(p["bytesBase64Encoded"]) for p in predictions]


def test_predict_makes_four_distinct_deterministic_pngs(client: httpx.Client) -> None:
    body = {"instances": [{"prompt": "a lighthouse at dusk"}]}
    first = images(client.post(PREDICT, json=body))
    assert len(first) == 4
    assert len(set(first)) == 4
    for image in first:
        assert read_png(image)[:2] == (64, 64)
    assert images(client.post(PREDICT, json=body)) == first
    other = images(client.post(PREDICT, json={"instances": [{"prompt": "a lighthouse at dawn"}]}))
    assert set(other).isdisjoint(first)


@pytest.mark.parametrize(
    ("ratio", "size", "dimensions"),
    [
        ("1:1", "1K", (64, 64)),
        ("3:4", "1K", (56, 80)),
        ("4:3", "1K", (80, 56)),
        ("9:16", "1K", (48, 88)),
        ("16:9", "1K", (88, 48)),
        ("16:9", "2K", (176, 96)),
        ("1:1", "2K", (128, 128)),
    ],
)
def test_predict_sizes(
    client: httpx.Client, ratio: str, size: str, dimensions: tuple[int, int]
) -> None:
    parameters = {"sampleCount": 1, "aspectRatio": ratio, "imageSize": size}
    body = {"instances": [{"prompt": "a fox"}], "parameters": parameters}
    [image] = images(client.post(PREDICT, json=body))
    assert read_png(image)[:2] == dimensions


def test_predict_parameters(client: httpx.Client) -> None:
    parameters = {
        "sampleCount": 2,
        "personGeneration": "ALLOW_ADULT",
        "negativePrompt": "rain",
        "aspectRatio": "4:3",
    }
    body = {"instances": [{"prompt": "a park"}, {"prompt": "a lake"}], "parameters": parameters}
    made = images(client.post(PREDICT, json=body))
    assert len(made) == 4  # two per instance
    assert len(set(made)) == 4
    plain = {**parameters, "negativePrompt": ""}
    assert images(client.post(PREDICT, json={**body, "parameters": plain})) != made
    ultra = client.post(
        "/v1beta/models/imagen-4.0-ultra-generate-001:predict",
        json={"instances": [{"prompt": "x"}], "parameters": {"sampleCount": 1}},
    )
    assert len(images(ultra)) == 1


def test_predict_validation(client: httpx.Client) -> None:
    body = {
        "instances": [{"prompt": ""}, "a cat", {"prompt": "ok", "image": {}}],
        "parameters": {
            "sampleCount": 5,
            "aspectRatio": "2:1",
            "personGeneration": "everyone",
            "imageSize": "4K",
            "negativePrompt": 3,
            "seed": 7,
        },
    }
    message = error(client.post(PREDICT, json=body), 400)["message"]
    lines = message.splitlines()
    assert all(line.startswith("* PredictRequest.") for line in lines)
    for named in (
        "instances[0].prompt",
        "instances[1]:",
        "instances[2]: unknown field 'image'",
        "parameters: unknown parameter 'seed'",
        "parameters.sampleCount",
        "parameters.aspectRatio",
        "parameters.personGeneration",
        "parameters.imageSize",
        "parameters.negativePrompt",
    ):
        assert any(named in line for line in lines), named
    assert len(lines) == 9

    def refused(body: dict[str, Any]) -> str:
        text: str = error(client.post(PREDICT, json=body), 400)["message"]
        return text

    assert "instances is not specified" in refused({})
    assert "at least one instance" in refused({"instances": []})
    assert "parameters must be an object" in refused(
        {"instances": [{"prompt": "x"}], "parameters": [1]}
    )
    assert "sampleCount" in refused(
        {"instances": [{"prompt": "x"}], "parameters": {"sampleCount": 0}}
    )
    assert "sampleCount" in refused(
        {"instances": [{"prompt": "x"}], "parameters": {"sampleCount": True}}
    )
    assert "at most 480" in refused({"instances": [{"prompt": "word " * 500}]})
    assert 'Unknown name "extra"' in refused({"instances": [{"prompt": "x"}], "extra": 1})


def test_predict_on_other_models(client: httpx.Client) -> None:
    body = {"instances": [{"prompt": "x"}]}
    wrong = error(client.post(f"/v1beta/models/{FLASH}:predict", json=body), 400)
    assert wrong["status"] == "INVALID_ARGUMENT"
    assert wrong["message"].startswith(f"models/{FLASH} does not support predict")
    assert IMAGEN in wrong["message"]
    unknown = error(client.post("/v1beta/models/imagen-0:predict", json=body), 404)
    assert unknown["status"] == "NOT_FOUND"
    veo = client.post("/v1beta/models/veo-3.0-generate-001:predictLongRunning", json=body)
    assert veo.status_code == 200, veo.text
    assert veo.json()["name"].startswith("models/veo-3.0-generate-001/operations/")
    listed = client.get(f"/v1beta/models/{IMAGEN}").json()
    assert listed["supportedGenerationMethods"] == ["predict"]


def test_predict_faults_and_recording(client: httpx.Client, emulator: Emulator) -> None:
    emulator.faults.add("status", operation="Predict", status=503)
    body = {"instances": [{"prompt": "x"}], "parameters": {"sampleCount": 1}}
    assert error(client.post(PREDICT, json=body), 503)["status"] == "UNAVAILABLE"
    assert len(images(client.post(PREDICT, json=body))) == 1
    recorded = emulator.requests
    assert [r.operation for r in recorded] == ["Predict", "Predict"]
    assert recorded[-1].body == body
    assert "x-goog-api-key" not in recorded[-1].headers
