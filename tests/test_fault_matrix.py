"""The faults real networks and servers produce, as one table, sync and async.

Each row is one fault against a real server on 127.0.0.1 (tests/rawserver.py) or the
emulator's fault injection. It must end in a result (having waited what the server asked,
within the retry cap) or a typed `errors.APIError`: never a hang (each row has a hard guard),
a short result passed off as whole, or an upload that stores other bytes than were sent.
Waits between attempts are recorded instead of slept, so only the rows about timeouts take
real time (a fraction of a second each). `pytest -s` prints the table.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest
from rawserver import Cut, RawAnswer, RawServer, http

import gemini_sdk as genai
from gemini_sdk import _http, errors
from gemini_sdk.testing import Emulator

KEY = "AIzaSy-fault-matrix-key"
MODEL = "gemini-2.5-flash"
# A row still running after this long is a hang.
GUARD = 20.0
# The silent server's longest wait: it is released when its row ends, and never outlives it.
SILENCE = GUARD + 5
RETRY = {"attempts": 3, "initial_delay": 1.0, "max_delay": 60.0, "jitter": 0.0}

OK = json.dumps({"candidates": [{"content": {"role": "model", "parts": [{"text": "ok"}]}}]})


def refusal(code: int, status: str, *details: dict[str, Any], **headers: str) -> bytes:
    error = {"code": code, "message": f"injected {code}", "status": status, "details": details}
    return http(code, json.dumps({"error": error}).encode(), **headers)


def retry_info(delay: str) -> dict[str, str]:
    return {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}


def event(text: str) -> bytes:
    body = {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}}]}
    return b"data: " + json.dumps(body).encode() + b"\r\n\r\n"


class Silent:
    """An answer that never comes while its row runs: the server waits until released."""

    def __init__(self) -> None:
        self.released = threading.Event()

    def __call__(self, head: bytes, body: bytes) -> bytes:
        self.released.wait(SILENCE)
        return http(200, OK.encode())


@attrs.frozen
class Row:
    fault: str
    attempts: int
    waited: list[float]
    outcome: str


TABLE: list[tuple[str, Row]] = []


@pytest.fixture(scope="module", autouse=True)
def print_table() -> Iterator[None]:
    yield
    width = max((len(row.fault) for _, row in TABLE), default=5)
    print(f"\n{'mode':5}  {'fault':{width}}  attempts  {'waited (s)':14}  outcome")
    for mode, row in TABLE:
        waited = ", ".join(f"{s:g}" for s in row.waited) or "-"
        print(f"{mode:5}  {row.fault:{width}}  {row.attempts:8}  {waited:14}  {row.outcome}")


def client_for(base_url: str, **options: Any) -> tuple[genai.Client, list[float]]:
    client = genai.Client(
        api_key=KEY, http_options={"base_url": base_url, "retry_options": RETRY, **options}
    )
    return client, recording(client)


def recording(client: genai.Client) -> list[float]:
    """The waits between `client`'s attempts, recorded instead of slept."""
    waited: list[float] = []

    async def record(seconds: float) -> None:
        waited.append(seconds)

    client._transport.sleep = waited.append
    client._transport.rand = lambda: 0.0
    client.aio._transport.sleep = record
    client.aio._transport.rand = lambda: 0.0
    return waited


async def guarded(is_async: bool, call: Callable[[genai.Client], Any], client: genai.Client) -> Any:
    """`call(client)` or `await call(client.aio)`, failing the row if it outlives GUARD."""
    if is_async:

        async def run() -> Any:
            try:
                return await call(client.aio)
            finally:
                await client.aio.aclose()

        return await asyncio.wait_for(run(), GUARD)
    return await asyncio.wait_for(asyncio.to_thread(call, client), GUARD)


def generate(client: Any) -> Any:
    return client.models.generate_content(model=MODEL, contents="hi")


async def agenerate(client: Any) -> Any:
    return await client.models.generate_content(model=MODEL, contents="hi")


def stream(client: Any) -> list[str]:
    texts: list[str] = []
    try:
        for chunk in client.models.generate_content_stream(model=MODEL, contents="hi"):
            texts.append(chunk.text)
    except errors.APIError as error:
        error.add_note(f"delivered {texts}")
        raise
    return texts


async def astream(client: Any) -> list[str]:
    texts: list[str] = []
    try:
        async for chunk in await client.models.generate_content_stream(model=MODEL, contents="hi"):
            texts.append(chunk.text)
    except errors.APIError as error:
        error.add_note(f"delivered {texts}")
        raise
    return texts


@attrs.frozen
class Case:
    fault: str
    answers: tuple[RawAnswer, ...]
    # the text of the result, or the exception class the call must raise
    expect: str | type[errors.APIError]
    attempts: int
    waited: tuple[float, ...] = ()
    options: dict[str, Any] = attrs.field(factory=dict)
    streamed: bool = False
    # the events a stream delivered before it raised
    delivered: tuple[str, ...] = ()


SSE_HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n"
CASES = [
    Case(
        "429 with RetryInfo 2s",
        (refusal(429, "RESOURCE_EXHAUSTED", retry_info("2s")), http(200, OK.encode())),
        "ok",
        attempts=2,
        waited=(2.0,),
    ),
    Case(
        "429 with Retry-After: 3",
        (refusal(429, "RESOURCE_EXHAUSTED", retry_after="3"), http(200, OK.encode())),
        "ok",
        attempts=2,
        waited=(3.0,),
    ),
    Case(
        "429 asking 120s, past the 60s cap",
        (refusal(429, "RESOURCE_EXHAUSTED", retry_info("120s")),),
        errors.ResourceExhausted,
        attempts=1,
    ),
    Case("500 once", (refusal(500, "INTERNAL"), http(200, OK.encode())), "ok", 2, (1.0,)),
    Case(
        "503 every time",
        (refusal(503, "UNAVAILABLE"),),
        errors.ServiceUnavailable,
        attempts=3,
        waited=(1.0, 2.0),
    ),
    Case("504 once", (refusal(504, "DEADLINE_EXCEEDED"), http(200, OK.encode())), "ok", 2, (1.0,)),
    Case("reset before the response", (Cut(b""), http(200, OK.encode())), "ok", 2, (1.0,)),
    Case(
        "drop mid-body",
        (Cut(http(200, OK.encode())[:-10]), http(200, OK.encode())),
        "ok",
        attempts=2,
        waited=(1.0,),
    ),
    Case(
        "slow past the 100 ms timeout",
        (Silent(),),
        errors.APITimeoutError,
        attempts=2,
        waited=(1.0,),
        options={"timeout": 100, "retry_options": {**RETRY, "attempts": 2}},
    ),
    Case(
        "silent past the 300 ms deadline",
        (Silent(),),
        errors.TotalDeadlineError,
        attempts=1,
        options={"deadline": 300},
    ),
    Case(
        "Retry-After 5 past the 2 s deadline",
        (refusal(503, "UNAVAILABLE", retry_after="5"),),
        errors.TotalDeadlineError,
        attempts=1,
        options={"deadline": 2000},
    ),
    Case(
        "stream cut after 2 events",
        (Cut(SSE_HEAD + event("a") + event("b") + event("c")[:20]),),
        errors.StreamInterruptedError,
        attempts=1,
        streamed=True,
        delivered=("a", "b"),
    ),
    Case(
        "stream: 503 before the first event",
        (refusal(503, "UNAVAILABLE"), Cut(SSE_HEAD + event("a") + event("b"))),
        "ab",
        attempts=2,
        waited=(1.0,),
        streamed=True,
    ),
]


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("case", CASES, ids=[case.fault for case in CASES])
async def test_fault(case: Case, is_async: bool) -> None:
    silent = [answer for answer in case.answers if isinstance(answer, Silent)]
    for answer in silent:
        answer.released.clear()  # the row's other mode released it
    with RawServer(*case.answers) as server:
        client, waited = client_for(server.url, **case.options)
        if case.streamed:
            call: Callable[[Any], Any] = astream if is_async else stream
        else:
            call = agenerate if is_async else generate
        try:
            result: Any = await guarded(is_async, call, client)
            outcome = f"result {result if case.streamed else result.text!r}"
        except errors.APIError as error:
            result = error
            outcome = f"{type(error).__name__}"
        finally:
            for answer in silent:
                answer.released.set()
            client.close()
        TABLE.append(
            (
                "async" if is_async else "sync",
                Row(case.fault, len(server.requests), waited, outcome),
            )
        )
    if isinstance(case.expect, str):
        assert not isinstance(result, BaseException), result
        text = "".join(result) if case.streamed else result.text
        assert text == case.expect
    else:
        assert type(result) is case.expect, repr(result)
        if case.streamed:
            assert result.__notes__ == [f"delivered {list(case.delivered)}"]
    assert len(server.requests) == case.attempts
    assert waited == list(case.waited)


# -- uploads ----------------------------------------------------------------------------------

PIECE = 1024
DATA = bytes(range(256)) * 16  # four chunks of PIECE bytes


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_http, "UPLOAD_CHUNK_SIZE", PIECE)


async def upload(is_async: bool, client: genai.Client, data: bytes) -> Any:
    config = {"mime_type": "application/octet-stream", "display_name": "matrix"}
    if is_async:
        return await guarded(True, lambda aio: aio.files.upload(file=data, config=config), client)
    return await guarded(False, lambda sync: sync.files.upload(file=data, config=config), client)


def record(mode: bool, fault: str, attempts: int, waited: list[float], outcome: str) -> None:
    TABLE.append(("async" if mode else "sync", Row(fault, attempts, waited, outcome)))


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_upload_dropped_after_n_bytes_resumes_without_duplicating(
    is_async: bool, small_chunks: None
) -> None:
    emulator = Emulator()
    emulator.files.chunk_granularity = PIECE
    # the second chunk breaks off after 300 of its bytes arrived, the fourth before any did
    emulator.faults.add("drop", upload_command="upload", skip=1, after_bytes=300)
    emulator.faults.add("drop", upload_command="upload, finalize", after_bytes=0)
    client = emulator.client(api_key=KEY, http_options={"retry_options": RETRY})
    waited = recording(client)
    file = await upload(is_async, client, DATA)
    sent = [r for r in emulator.requests if r.operation == "UploadFile"]
    record(is_async, "upload dropped after 300 of 1024 bytes", len(sent), waited, "file ACTIVE")
    (stored,) = emulator.files.all()
    assert emulator.files.content(stored) == DATA
    assert file.size_bytes == len(DATA)
    # each chunk sent again from the offset the server holds (1024 + 300), not the client's
    steps = [
        (r.headers.get("x-goog-upload-command"), r.headers.get("x-goog-upload-offset"))
        for r in sent
    ]
    assert steps == [
        ("start", None),
        ("upload", "0"),
        ("upload", "1024"),
        ("query", None),
        ("upload", "1324"),
        ("upload", "2348"),
        ("upload, finalize", "3372"),
        ("query", None),
        ("upload, finalize", "3372"),
    ]
    assert waited == []


def session_started(head: bytes, body: bytes) -> bytes:
    """The answer to an upload's start: a session URL on the same server."""
    host = next(
        line.split(b":", 1)[1].strip().decode()
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"host:")
    )
    return http(
        200, b"{}", x_goog_upload_url=f"http://{host}/session", x_goog_upload_status="active"
    )


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_upload_chunk_silent_past_the_deadline(is_async: bool, small_chunks: None) -> None:
    silent = Silent()
    with RawServer(session_started, silent) as server:
        client, waited = client_for(server.url, deadline=300)
        try:
            with pytest.raises(errors.TotalDeadlineError) as raised:
                await upload(is_async, client, DATA)
        finally:
            silent.released.set()
            client.close()
    attempts = len(server.requests)
    record(
        is_async, "upload chunk silent past 300 ms deadline", attempts, waited, "TotalDeadlineError"
    )
    assert b"x-goog-upload-command: upload" in server.requests[1][0]
    # the chunk, then perhaps a query: how many fit in the deadline is the clock's to say
    assert attempts in (2, 3)
    assert raised.value.attempts >= 1
    assert waited == []


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_upload_dropped_every_time_raises(is_async: bool, small_chunks: None) -> None:
    emulator = Emulator()
    emulator.files.chunk_granularity = PIECE
    emulator.faults.add("drop", upload_command="upload", after_bytes=0, times=None)
    client = emulator.client(api_key=KEY, http_options={"retry_options": RETRY})
    waited = recording(client)
    with pytest.raises(errors.APIConnectionError):
        await upload(is_async, client, DATA)
    sent = [r for r in emulator.requests if r.operation == "UploadFile"]
    record(is_async, "upload chunk dropped every time", len(sent), waited, "APIConnectionError")
    assert emulator.files.all() == []
    # start, then the chunk three times (the attempts), with a query after each but the last
    commands = [r.headers.get("x-goog-upload-command") for r in sent]
    assert commands == ["start", "upload", "query", "upload", "query", "upload"]
