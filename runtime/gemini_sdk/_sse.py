"""Incremental decoding of a server-sent events stream (the WHATWG "text/event-stream" format)."""

from __future__ import annotations

import attrs

from gemini_sdk.errors import StreamInterruptedError

_BOM = b"\xef\xbb\xbf"
_CR = 0x0D
_LF = 0x0A
_COLON = 0x3A


@attrs.define(frozen=True, slots=True)
class ServerSentEvent:
    """One dispatched event.

    `id` is the stream's last event ID, which per the spec carries over to later events
    until another `id` field replaces it; `retry` is only set on the event whose block
    contained a valid `retry` field.
    """

    data: str
    event: str | None = None
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """Turns the bytes of a stream, cut anywhere, into events.

    Work is done per line with bytes methods; input without a line break is only stored, so
    a large event arriving in many small chunks is joined once rather than once per chunk.
    """

    def __init__(self) -> None:
        self._unterminated: list[bytes] = []
        # A chunk ending in CR may be the first half of a CRLF split across chunks.
        self._after_cr = False
        self._at_stream_start = True
        self._data: list[str] = []
        self._event: str | None = None
        self._retry: int | None = None
        self._last_id: str | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """The events completed by `chunk`."""
        if self._after_cr and chunk:
            self._after_cr = False
            if chunk[0] == _LF:
                chunk = chunk[1:]
        end = max(chunk.rfind(b"\n"), chunk.rfind(b"\r")) + 1
        if end == 0:
            if chunk:
                self._unterminated.append(chunk)
            return []
        self._unterminated.append(chunk[:end])
        block = b"".join(self._unterminated)
        self._unterminated = [chunk[end:]] if end < len(chunk) else []
        self._after_cr = chunk[end - 1] == _CR and end == len(chunk)
        if self._at_stream_start:
            self._at_stream_start = False
            block = block.removeprefix(_BOM)
        events: list[ServerSentEvent] = []
        for line in block.splitlines():
            # Nearly every line of a Gemini stream is "data: {...}" or blank; testing for
            # those first keeps the per-line cost down.
            if line.startswith(b"data: "):
                self._data.append(line[6:].decode("utf-8", "replace"))
            elif not line:
                if self._data:
                    events.append(self._dispatch())
                else:
                    self._event = self._retry = None
            elif line[0] != _COLON:
                self._field(line)
        return events

    def finish(self) -> None:
        """Checks that the stream did not stop in the middle of an event."""
        if self._unterminated or self._data:
            raise StreamInterruptedError("the stream ended in the middle of an event")

    def _field(self, line: bytes) -> None:
        name, _, raw = line.partition(b":")
        value = raw[1:] if raw[:1] == b" " else raw
        if name == b"data":
            self._data.append(value.decode("utf-8", "replace"))
        elif name == b"event":
            self._event = value.decode("utf-8", "replace") or None
        elif name == b"id":
            if b"\0" not in value:
                self._last_id = value.decode("utf-8", "replace") or None
        elif name == b"retry" and value.isdigit():
            self._retry = int(value)

    def _dispatch(self) -> ServerSentEvent:
        event = ServerSentEvent(
            data="\n".join(self._data), event=self._event, id=self._last_id, retry=self._retry
        )
        self._data = []
        self._event = self._retry = None
        return event
