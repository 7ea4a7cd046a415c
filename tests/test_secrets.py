"""The API key, as one table: for each operation (generate, stream, upload, error answers,
the Live handshake), sync and async, against a served emulator keeping its state on disk,
the key appears in no URL, no log record of any logger at any level, no exception's text,
repr, traceback or pickle, no repr of a result, a response or a request reachable from one,
no repr of the client, and no file the emulator wrote.
"""

from __future__ import annotations

import logging
import pickle
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import seed

import gemini_sdk as genai
from gemini_sdk import errors
from gemini_sdk.testing import Emulator

KEY = "AIzaSy-secret-table-0123456789abcdef"
MODEL = "gemini-2.5-flash"
LIVE_MODEL = "gemini-2.0-flash"


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("state")


@pytest.fixture(scope="module")
def served(state: Path) -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator(api_keys={KEY: "unlimited"}, state_dir=state)
    with seed.served_emulator(emulator) as base_url:
        yield emulator, base_url


def generate(client: genai.Client) -> Any:
    return client.models.generate_content(model=MODEL, contents="hi")


def stream(client: genai.Client) -> Any:
    with client.models.generate_content_stream(model=MODEL, contents="hi") as chunks:
        return [chunks.response, *chunks]


def upload(client: genai.Client) -> Any:
    return client.files.upload(file=b"secret-free bytes", config={"mime_type": "text/plain"})


def unknown_model(client: genai.Client) -> Any:
    return client.models.generate_content(model="no-such-model", contents="hi")


def live(client: genai.Client) -> Any:
    with client.live.connect(model=LIVE_MODEL) as session:
        session.send_client_content(turns="hi")
        return list(session.receive())


def faulted(status: int) -> Callable[[Emulator], None]:
    def inject(emulator: Emulator) -> None:
        emulator.faults.add("status", operation="GenerateContent", status=status, times=None)

    return inject


# (name, what the emulator is set to, the call, the exception it must raise or None)
ROWS: list[tuple[str, Callable[[Emulator], None] | None, Callable[[genai.Client], Any], Any]] = [
    ("generate", None, generate, None),
    ("stream", None, stream, None),
    ("upload", None, upload, None),
    ("404 unknown model", None, unknown_model, errors.NotFound),
    ("400", faulted(400), generate, errors.InvalidArgument),
    ("401", faulted(401), generate, errors.Unauthenticated),
    ("403", faulted(403), generate, errors.PermissionDenied),
    ("429", faulted(429), generate, errors.ResourceExhausted),
    ("500", faulted(500), generate, errors.InternalServerError),
    ("Live handshake", None, live, None),
]


def texts_of(error: BaseException) -> list[str]:
    texts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    response = getattr(error, "response", None)
    if response is not None:
        texts += [repr(response), repr(response.request), repr(response.request.headers)]
        texts += [str(response.request.url), repr(dict(response.request.headers))]
    return texts


def texts_of_result(result: Any) -> list[str]:
    texts = [repr(result)]
    for item in result if isinstance(result, list) else [result]:
        response = item if hasattr(item, "request") else getattr(item, "sdk_http_response", None)
        if response is not None and hasattr(response, "request"):
            texts += [repr(response.request.headers), str(response.request.url)]
    return texts


@pytest.mark.parametrize(("name", "setup", "call", "raises"), ROWS, ids=[row[0] for row in ROWS])
def test_the_key_never_shows(
    served: tuple[Emulator, str],
    caplog: pytest.LogCaptureFixture,
    name: str,
    setup: Callable[[Emulator], None] | None,
    call: Callable[[genai.Client], Any],
    raises: type[errors.APIError] | None,
) -> None:
    emulator, base_url = served
    emulator.faults.clear()
    if setup is not None:
        setup(emulator)
    caplog.set_level(logging.DEBUG)  # the root: every logger, httpx's and httpcore's included
    client = genai.Client(
        api_key=KEY, http_options={"base_url": base_url, "retry_options": {"attempts": 1}}
    )
    texts = [repr(client), str(client), repr(client.aio)]
    if raises is None:
        texts += texts_of_result(call(client))
    else:
        with pytest.raises(raises) as caught:
            call(client)
        texts += texts_of(caught.value)
        assert KEY.encode() not in pickle.dumps(caught.value)
    client.close()

    assert caplog.records, "nothing was logged: the test would prove nothing"
    for record in caplog.records:
        texts += [record.getMessage(), repr(record.args), record.exc_text or ""]
    texts += [repr(request) for request in emulator.requests]
    texts += [f"{request.path}?{request.query}" for request in emulator.requests]
    leaks = [text for text in texts if KEY in text]
    assert leaks == [], f"{name}: the key in {leaks[0][:300]!r}"


def test_the_emulator_writes_no_key_to_disk(served: tuple[Emulator, str], state: Path) -> None:
    emulator, base_url = served
    emulator.faults.clear()
    client = genai.Client(api_key=KEY, http_options={"base_url": base_url})
    upload(client)
    client.close()
    written = [path for path in state.rglob("*") if path.is_file()]
    assert written, "the emulator wrote nothing: the test would prove nothing"
    assert [path.name for path in written if KEY.encode() in path.read_bytes()] == []


async def test_the_key_never_shows_async(
    served: tuple[Emulator, str], caplog: pytest.LogCaptureFixture
) -> None:
    emulator, base_url = served
    emulator.faults.clear()
    emulator.faults.add("status", operation="GenerateContent", status=403)
    caplog.set_level(logging.DEBUG)
    client = genai.Client(api_key=KEY, http_options={"base_url": base_url})
    texts = [repr(client.aio)]
    with pytest.raises(errors.PermissionDenied) as caught:
        await client.aio.models.generate_content(model=MODEL, contents="hi")
    texts += texts_of(caught.value)
    assert KEY.encode() not in pickle.dumps(caught.value)
    chunks = [
        c async for c in await client.aio.models.generate_content_stream(model=MODEL, contents="hi")
    ]
    texts += texts_of_result(chunks)
    texts += texts_of_result(
        await client.aio.files.upload(file=b"x", config={"mime_type": "text/plain"})
    )
    async with client.aio.live.connect(model=LIVE_MODEL) as session:
        await session.send_client_content(turns="hi")
        texts += [repr(message) async for message in session.receive()]
    await client.aio.aclose()
    texts += [record.getMessage() + repr(record.args) for record in caplog.records]
    assert [text for text in texts if KEY in text] == []
