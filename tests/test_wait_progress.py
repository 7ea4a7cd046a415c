"""Progress on waits, against the emulator: files.wait, operations.wait and batches.run each
tell `progress(polls, seconds)` after every poll, sync and async; a progress that cannot be
called is refused before any request."""

from __future__ import annotations

from typing import Any

import pytest

import gemini_sdk as genai
from gemini_sdk.testing import Emulator

MODEL = "gemini-2.5-flash"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
Calls = list[tuple[int, float]]

both = pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])


def _client(emulator: Emulator) -> genai.Client:
    """A client whose waits between polls return at once: the waits asked for still count."""
    client = emulator.client()

    async def no_wait(delay: float) -> None:
        return None

    client._transport.sleep = lambda delay: None
    client.aio._transport.sleep = no_wait
    return client


def _recorder() -> tuple[Calls, Any]:
    calls: Calls = []
    return calls, lambda polls, seconds: calls.append((polls, seconds))


async def _maybe(value: Any) -> Any:
    return await value if hasattr(value, "__await__") else value


@both
async def test_files_wait_reports_each_fetch(is_async: bool) -> None:
    emulator = Emulator()
    emulator.files.processing_polls = 2
    client = _client(emulator)
    file = client.files.upload(file=MP4, config={"mime_type": "video/mp4"})
    calls, progress = _recorder()
    side = client.aio if is_async else client
    ready = await _maybe(side.files.wait(file=file, poll_interval=3, progress=progress))
    assert ready.state == "ACTIVE"
    assert [polls for polls, _ in calls] == [1, 2, 3]
    assert calls[-1][1] >= 6  # two waits of 3 s asked for


@both
async def test_operations_wait_reports_each_poll(is_async: bool) -> None:
    emulator = Emulator(operation_polls=2)
    client = _client(emulator)
    job = client.batches.create(model=MODEL, src=["hello"], config={"display_name": "p"})
    calls, progress = _recorder()
    side = client.aio if is_async else client
    done = await _maybe(side.operations.wait(job, poll=2, progress=progress))
    assert done.done
    assert [polls for polls, _ in calls] == [1, 2]
    assert calls[-1][1] >= 2


@both
async def test_batches_run_reports_each_poll_of_the_job(is_async: bool) -> None:
    emulator = Emulator(operation_polls=3)
    client = _client(emulator)
    calls, progress = _recorder()
    side = client.aio if is_async else client
    config = {"display_name": "p"}
    results = await _maybe(
        side.batches.run(MODEL, ["a", "b"], config=config, poll=1, backoff=2, progress=progress)
    )
    assert [r.response.text for r in results] == ["Echo: a", "Echo: b"]
    assert [polls for polls, _ in calls] == [1, 2, 3]
    assert calls[-1][1] >= 3  # waits of 1 and 2 s
    polls = [r for r in emulator.requests if r.operation.startswith("GetOperation")]
    assert len(polls) == 3


@both
async def test_a_progress_that_cannot_be_called_is_refused_before_any_request(
    is_async: bool,
) -> None:
    emulator = Emulator()
    client = _client(emulator)
    side = client.aio if is_async else client
    with pytest.raises(
        TypeError, match=r"files.wait: progress: expected a callable taking \(polls"
    ):
        await _maybe(side.files.wait(file="files/x", progress=5))
    with pytest.raises(TypeError, match=r"run: progress must be a callable taking \(polls"):
        await _maybe(side.batches.run(MODEL, ["a"], config={"display_name": "p"}, progress="%"))
    with pytest.raises(TypeError, match=r"wait: progress must be a callable taking \(polls"):
        await _maybe(side.operations.wait("batches/b1", progress=1))
    assert emulator.requests == []
