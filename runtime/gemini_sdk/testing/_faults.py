"""Fault injection: make chosen requests fail the ways real networks and servers fail.

    emulator.faults.add("status", operation="GenerateContent", status=503)
    emulator.faults.add("status", status=429, retry_delay="2s", retry_after="2")
    emulator.faults.add("delay", path=r":countTokens$", seconds=0.05)
    emulator.faults.add("drop", operation="GetModel")
    emulator.faults.add("cut_stream", operation="StreamGenerateContent", after_events=2)
    emulator.faults.add("drop", upload_command="upload", after_bytes=1024)
    emulator.faults.add("wrong_offset", upload_command="upload", after_bytes=0)

A fault matches by operation name (from the spec's operation table) and/or a regular
expression searched in the URL path, and/or the HTTP method, and/or the request's
`x-goog-upload-command` (`upload_command="upload, finalize"` picks an upload's last chunk;
"start", "upload", "query" the other steps; requests to an upload URL are operation
"UploadFile"); with none it matches every request. It lets the first `skip` matching requests
pass, then fires on `times` of them (None: on all of them) and is then gone. A
request takes every matching fault at arrival, before authentication: delays first, then a
drop or a status answer; `cut_stream` applies to the response body.

- status: answer `status` in the Google envelope; `retry_delay` adds google.rpc.RetryInfo,
  `retry_after` a Retry-After header;
- delay: wait `seconds`, then serve the request normally; with `until` (a threading.Event),
  wait until it is set instead, `seconds` being the longest wait, so a test decides when the
  answer comes rather than racing a sleep against a timeout;
- drop: the connection closes without a response: through the emulator's transports httpx
  raises RemoteProtocolError, as for a real drop. (Served by uvicorn, which answers any app
  failure before the response with a 500, a drop arrives as that 500.)
- drop with `after_bytes`, on a request to an upload URL: that many bytes of the chunk
  arrive (a later query counts them) before the connection breaks;
- wrong_offset, on a request to an upload URL: only `after_bytes` bytes of the chunk arrive
  and the upload is not finalized, and the answer says so: 200 with
  `x-goog-upload-status: active` and an `x-goog-upload-size-received` short of what was sent,
  so the client must resume from the server's offset rather than its own;
- cut_stream: send `after_events` body chunks (SSE events; a plain JSON body is one chunk),
  then half of the next one, then end the body cleanly or, with `abort`, close the connection.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import AsyncIterator
from typing import Any

import attrs

from gemini_sdk import _wire
from gemini_sdk.testing._errors import ApiError, DropConnection, retry_info

KINDS = ("status", "delay", "drop", "wrong_offset", "cut_stream")

_DEFAULT_MESSAGES = {
    429: "Resource has been exhausted (e.g. check quota).",
    500: "An internal error has occurred. Please retry or report in "
    "https://developers.generativeai.google/guide/troubleshooting",
    503: "The model is overloaded. Please try again later.",
    504: "Deadline expired before operation could complete.",
}


@attrs.define(kw_only=True)
class Fault:
    kind: str
    operation: str | None = None
    path: re.Pattern[str] | None = None
    method: str | None = None
    upload_command: str | None = None
    times: int | None = 1
    status: int = 503
    message: str | None = None
    retry_delay: str | None = None
    retry_after: str | None = None
    seconds: float = 0.0
    until: threading.Event | None = None
    after_events: int = 1
    abort: bool = False
    after_bytes: int | None = None
    skip: int = 0
    fired: int = 0

    def matches(
        self, method: str, path: str, operation: str | None, upload_command: str = ""
    ) -> bool:
        return (
            (self.operation is None or self.operation == operation)
            and (self.path is None or self.path.search(path) is not None)
            and (self.method is None or self.method.upper() == method)
            and (self.upload_command is None or self.upload_command == upload_command)
        )

    def error(self) -> ApiError:
        message = self.message or _DEFAULT_MESSAGES.get(self.status, f"Injected HTTP {self.status}")
        details = [retry_info(self.retry_delay)] if self.retry_delay else []
        headers = {"Retry-After": self.retry_after} if self.retry_after else {}
        return ApiError(self.status, message, details=details, headers=headers)

    async def hold(self) -> None:
        """A delay fault's wait."""
        if self.until is None:
            await asyncio.sleep(self.seconds)
        else:
            # in a thread: the event is set from the test's thread, not this event loop
            await asyncio.to_thread(self.until.wait, self.seconds)

    async def cut(self, body: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        sent = 0
        async for chunk in body:
            if sent == self.after_events:
                yield chunk[: max(1, len(chunk) // 2)]
                if self.abort:
                    raise DropConnection
                return
            yield chunk
            sent += 1


class Faults:
    """The faults waiting to fire; thread-safe (sync and async clients may share them)."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self,
        kind: str,
        *,
        operation: str | None = None,
        path: str | None = None,
        method: str | None = None,
        upload_command: str | None = None,
        times: int | None = 1,
        status: int = 503,
        message: str | None = None,
        retry_delay: str | float | None = None,
        retry_after: str | float | None = None,
        seconds: float = 0.0,
        until: threading.Event | None = None,
        after_events: int = 1,
        abort: bool = False,
        after_bytes: int | None = None,
        skip: int = 0,
    ) -> Fault:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(KINDS)}")
        if kind == "status" and not 400 <= status <= 599:
            raise ValueError(f"a status fault needs an error status (400-599), got {status}")
        if skip < 0:
            raise ValueError("skip must be 0 or more")
        if after_bytes is not None and after_bytes < 0:
            raise ValueError("after_bytes must be a byte count, 0 or more")
        if kind == "wrong_offset" and after_bytes is None:
            after_bytes = 0
        if times is not None and times < 1:
            raise ValueError("times must be at least 1, or None for every matching request")
        fault = Fault(
            kind=kind,
            operation=operation,
            path=re.compile(path) if path is not None else None,
            method=method,
            upload_command=None if upload_command is None else normal_command(upload_command),
            times=times,
            status=status,
            message=message,
            retry_delay=_duration(retry_delay),
            retry_after=None if retry_after is None else _header_seconds(retry_after),
            seconds=seconds,
            until=until,
            after_events=after_events,
            abort=abort,
            after_bytes=after_bytes,
            skip=skip,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def take(
        self, method: str, path: str, operation: str | None, upload_command: str | None = None
    ) -> list[Fault]:
        """The faults that fire for this request, counted as fired."""
        command = normal_command(upload_command)
        with self._lock:
            matching = [f for f in self._faults if f.matches(method, path, operation, command)]
            fired = [f for f in matching if f.skip == 0]
            for fault in matching:
                fault.skip = max(0, fault.skip - 1)
            for fault in fired:
                fault.fired += 1
                if fault.times is not None:
                    fault.times -= 1
            self._faults = [f for f in self._faults if f.times is None or f.times > 0]
        return fired


def normal_command(raw: str | None) -> str:
    """An x-goog-upload-command value, normalised: lower case, ", " between words."""
    return ", ".join(word.strip() for word in (raw or "").lower().split(",") if word.strip())


def _duration(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return _wire.format_duration(float(value))


def _header_seconds(value: str | float) -> str:
    return value if isinstance(value, str) else str(max(0, round(value)))
