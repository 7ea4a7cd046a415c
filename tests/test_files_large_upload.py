"""A 50 MB upload through dropped connections, to a served emulator on loopback: it arrives
byte-identical (the emulator checks the sha256 the client declares) and the client resumes
from the server's offset rather than starting again. Sync and async."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterator
from typing import Any

import pytest
import seed

import gemini_sdk as genai
from gemini_sdk import _http, types
from gemini_sdk.testing import Emulator, owner_of

SIZE = 50 * 1024 * 1024
MiB = 1024 * 1024
DATA = os.urandom(SIZE)
# Three drops, each after some of its chunk's bytes arrived (served by uvicorn, a drop reaches
# the client as a 500): on the second 8 MiB chunk, on the fifth chunk request, and on the last.
DROPS = (
    {"upload_command": "upload", "skip": 1, "after_bytes": 3 * MiB},
    {"upload_command": "upload", "skip": 3, "after_bytes": 0},
    {"upload_command": "upload, finalize", "after_bytes": MiB},
)


@pytest.fixture
def served() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator()
    with seed.served_emulator(emulator) as base_url:
        yield emulator, base_url


def declared(data: bytes) -> types.CreateFileRequest:
    digest = base64.b64encode(hashlib.sha256(data).hexdigest().encode()).decode()
    return types.CreateFileRequest(file=types.File(display_name="big", sha256_hash=digest))


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_a_50_mb_upload_resumes_through_drops(
    served: tuple[Emulator, str], is_async: bool
) -> None:
    assert _http.UPLOAD_CHUNK_SIZE == 8 * MiB
    emulator, base_url = served
    for drop in DROPS:
        emulator.faults.add("drop", **drop)
    client = genai.Client(api_key="k", http_options={"base_url": base_url})
    request: Any = declared(DATA)
    if is_async:
        created = await client.aio.endpoints.upload_file(request, media=DATA, mime_type="video/mp4")
        await client.aio.aclose()
    else:
        created = client.endpoints.upload_file(request, media=DATA, mime_type="video/mp4")
    client.close()

    assert created.file is not None and created.file.size_bytes == SIZE
    assert created.file.sha256_hash == request.file.sha256_hash
    assert emulator.faults.pending == []  # every drop happened
    chunks = [r for r in emulator.requests if r.query.get("upload_id")]
    assert [r.headers["x-goog-upload-command"] for r in chunks].count("query") == len(DROPS)
    sent = sum(r.body_size for r in chunks)
    assert SIZE < sent <= SIZE + len(DROPS) * _http.UPLOAD_CHUNK_SIZE
    stored = emulator.files.get(owner_of("k"), created.file.name.removeprefix("files/"))
    assert emulator.files.content(stored) == DATA
