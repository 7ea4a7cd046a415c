"""What a handler returns (`Reply`): plain data, no Starlette types."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import Any

import attrs
import orjson

from gemini_sdk.testing._errors import JSON_TYPE

SSE_TYPE = "text/event-stream"


@attrs.frozen
class Reply:
    status: int = 200
    body: bytes = b""
    # For a streamed body: makes the chunk iterator (called once, when the body is sent).
    stream: Callable[[], AsyncIterator[bytes]] | None = None
    media_type: str = JSON_TYPE
    headers: Mapping[str, str] = attrs.field(factory=dict)


def json_reply(data: Any, status: int = 200) -> Reply:
    return Reply(status=status, body=orjson.dumps(data))


def stream_reply(
    chunks: Iterable[dict[str, Any]],
    *,
    sse: bool,
    hook: Callable[[int], Any] | None = None,
    closing: bytes = b"",
) -> Reply:
    """Server-sent events (`data: {json}` and a CRLF blank line each) or, without alt=sse,
    the service's other streaming form: one JSON array, sent element by element. `closing`
    is sent after the last event (OpenAI's protocol ends a stream with `data: [DONE]`)."""

    async def body() -> AsyncIterator[bytes]:
        index = -1
        for index, chunk in enumerate(chunks):
            if index and hook is not None:
                waited = hook(index)
                if inspect.isawaitable(waited):
                    await waited
            data = orjson.dumps(chunk)
            if sse:
                yield b"data: " + data + b"\r\n\r\n"
            else:
                yield (b"[" if index == 0 else b",\r\n") + data
        if not sse:
            yield b"[]" if index < 0 else b"]"
        elif closing:
            yield closing

    return Reply(stream=body, media_type=SSE_TYPE if sse else JSON_TYPE)
