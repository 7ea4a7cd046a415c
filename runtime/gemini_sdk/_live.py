"""The Live API: one WebSocket session of BidiGenerateContent, sync and async.

`LiveProtocol` holds every decision and does no I/O: the URL and headers, the setup frame
built from a LiveConnectConfig, the client frames, decoding the service's frames, where a
turn ends, and go-away with session resumption (the last handle the service gave, and when
to reconnect with it). `Session` (websockets' sync client) and `AsyncSession` (its asyncio
client) only move frames over their socket, as the two transports of _http.py do for HTTP.
`websockets` is imported on connecting, so a program that never goes live never loads it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast
from urllib.parse import urlsplit, urlunsplit

import attrs

from gemini_sdk import _generated, errors
from gemini_sdk._convert import loads, structure
from gemini_sdk._http import _headers, _timeout
from gemini_sdk._model import missing_required
from gemini_sdk._optional import require
from gemini_sdk._options import TransportConfig, merged
from gemini_sdk._resource import _Call, assemble, checked_config, place_config
from gemini_sdk._transform import TRANSFORMS

if TYPE_CHECKING:
    from _gemini_sdk_gen.types import LiveClientSetup, LiveConnectConfig, LiveServerMessage

# What raw audio bytes are taken to be: 16-bit little-endian PCM, mono, 16 kHz.
PCM_16K = "audio/pcm;rate=16000"
# The service closes a session with this code when it ends normally.
NORMAL_CLOSURE = 1000
# A close the peer never announced: the connection dropped.
ABNORMAL_CLOSURE = 1006


def live_url(config: TransportConfig) -> str:
    """The base URL with a WebSocket scheme, and the method's path; never a key."""
    split = urlsplit(config.base_url)
    scheme = {"https": "wss", "http": "ws"}.get(split.scheme, split.scheme)
    base = urlunsplit((scheme, split.netloc, split.path.rstrip("/"), "", ""))
    service = f"google.ai.generativelanguage.{config.api_version}.GenerativeService"
    return f"{base}/ws/{service}.BidiGenerateContent"


class _RedactKey(logging.Filter):
    """websockets logs each handshake header at DEBUG; the key's line must not reach a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and args and str(args[0]).lower() == "x-goog-api-key":
            record.args = (args[0], "(redacted)", *args[2:])
        return True


_socket_log = logging.getLogger("gemini_sdk.live")
_socket_log.addFilter(_RedactKey())


class LiveProtocol:
    """One live session without I/O: frames to send, frames received, and reconnects."""

    def __init__(self, client_config: TransportConfig, model: str, config: Any) -> None:
        t = _generated.types
        where = "live.connect"
        live_config: LiveConnectConfig = checked_config(
            where, t.LiveConnectConfig, t.LiveConnectConfig() if config is None else config
        )
        try:
            model_id = TRANSFORMS["model_name"](model)
        except TypeError as error:
            raise TypeError(f"{where}: model: {error}") from None
        call = _Call()
        place_config(call, live_config)
        call.body[("model",)] = f"models/{model_id}"
        self._setup = cast("LiveClientSetup", assemble(t.LiveClientSetup, call.body))
        missing = missing_required(self._setup)
        if missing:
            raise ValueError(f"{where}: required field(s) not set: {', '.join(missing)}")
        self.config = client_config
        if call.http_options is not None:
            self.config = merged(client_config, call.http_options)
        resumption = live_config.session_resumption
        # the handle a reconnect resumes: the caller's, then each newer one the service gives
        self.handle: str | None = resumption.handle if resumption is not None else None
        self.going_away = False

    # -- connecting ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return live_url(self.config)

    def connect_options(self) -> dict[str, Any]:
        """Keyword arguments of websockets' `connect`, the same for its sync and async client."""
        headers = _headers(self.config, None)
        connect = _timeout(self.config).connect
        return {
            "additional_headers": headers,
            "user_agent_header": headers.pop("user-agent"),
            "open_timeout": connect,
            # closing waits this long at most for the service's answer to our close
            "close_timeout": connect,
            "logger": _socket_log,
        }

    def setup_frame(self) -> str:
        setup = self._setup
        if self.handle is not None:
            resumption = _generated.types.SessionResumptionConfig(handle=self.handle)
            setup = attrs.evolve(setup, session_resumption=resumption)
        self.going_away = False
        return self._frame(setup=setup)

    def check_setup_reply(self, raw: str | bytes) -> LiveServerMessage:
        message = self.read(raw)
        if message.setup_complete is None:
            raise errors.APIError(f"the live session did not start: the service sent {raw!r:.200}")
        return message

    def connect_failed(self, error: Exception) -> errors.APIError:
        """websockets' failure to open -> ours; its text names the URL and status, no header."""
        if isinstance(error, TimeoutError):
            return errors.APITimeoutError("opening the live session timed out")
        return errors.APIConnectionError(f"cannot open the live session ({error})")

    # -- client frames ------------------------------------------------------------------------

    def _frame(self, **one: Any) -> str:
        return _generated.types.LiveClientMessage(**one).to_json()

    def realtime_input(self, given: dict[str, Any]) -> str:
        """Exactly one input of `given` (by argument name, unset ones left out): `audio` (a
        Blob, or raw 16 kHz 16-bit PCM bytes, as is `audio_blob`), `video` (a Blob, such as
        one JPEG frame), `text`, `audio_stream_end`, `activity_start` or `activity_end` (True,
        or the empty message)."""
        t = _generated.types
        if len(given) != 1:
            named = ", ".join(given) or "none"
            raise TypeError(
                "send_realtime_input: pass exactly one of audio, audio_blob, video, text, "
                f"audio_stream_end, activity_start, activity_end (got {named})"
            )
        name, value = given.popitem()
        if name in ("audio", "audio_blob"):
            name, value = "audio", _pcm_blob(name, value)
        elif name in ("activity_start", "activity_end"):
            marker = t.ActivityStart if name == "activity_start" else t.ActivityEnd
            value = marker() if value is True else value
        try:
            realtime = t.LiveClientRealtimeInput(**{name: value})
        except TypeError as error:
            raise TypeError(f"send_realtime_input: {error}") from None
        return self._frame(realtime_input=realtime)

    def client_content(self, turns: Any = None, turn_complete: bool = True) -> str:
        """Turns to add (anything generate_content takes as contents); with `turn_complete`
        the model answers now."""
        t = _generated.types
        try:
            contents = TRANSFORMS["contents"](turns) if turns is not None else None
            content = t.LiveClientContent(turns=contents, turn_complete=turn_complete)
        except (TypeError, ValueError) as error:
            raise type(error)(f"send_client_content: {error}") from None
        return self._frame(client_content=content)

    def tool_response(self, function_responses: Any) -> str:
        """One FunctionResponse (or dict of one), or a list of them, each naming its call."""
        t = _generated.types
        if not isinstance(function_responses, Sequence) or isinstance(function_responses, str):
            function_responses = [function_responses]
        try:
            response = t.LiveClientToolResponse(function_responses=list(function_responses))
        except TypeError as error:
            raise TypeError(f"send_tool_response: {error}") from None
        missing = missing_required(response)
        if missing:
            raise ValueError(f"send_tool_response: required field(s) not set: {', '.join(missing)}")
        return self._frame(tool_response=response)

    # -- server frames ------------------------------------------------------------------------

    def read(self, raw: str | bytes) -> LiveServerMessage:
        """A frame decoded, the resumption handle and a go-away noted."""
        message: LiveServerMessage = structure(loads(raw), _generated.types.LiveServerMessage)
        update = message.session_resumption_update
        if update is not None and update.resumable and update.new_handle:
            self.handle = update.new_handle
        if message.go_away is not None:
            self.going_away = True
        return message

    @staticmethod
    def ends_turn(message: LiveServerMessage | None) -> bool:
        """The model's turn is complete. A tool call does not end it: the answer goes on
        once the caller, still iterating, has sent the tool response."""
        if message is None:
            return False
        content = message.server_content
        return content is not None and bool(content.turn_complete)

    def after_close(self, error: Any) -> None:
        """The socket closed while receiving: the close a go-away announced ends the turn
        (the next call reconnects); any other raises."""
        if not self.reconnect_due:
            raise self.closed(error) from None

    @property
    def reconnect_due(self) -> bool:
        """The service said it will close and gave a handle: go on on a new connection."""
        return self.going_away and self.handle is not None

    def closed(self, error: Any) -> errors.LiveConnectionClosed:
        """websockets' ConnectionClosed -> ours, with the close frame the peer sent."""
        frame = error.rcvd or error.sent
        if frame is None:
            return errors.LiveConnectionClosed(ABNORMAL_CLOSURE, "the connection dropped")
        return errors.LiveConnectionClosed(frame.code, frame.reason)


def _pcm_blob(name: str, value: Any) -> Any:
    t = _generated.types
    if isinstance(value, (bytes, bytearray, memoryview)):
        return t.Blob(data=bytes(value), mime_type=PCM_16K)
    if name == "audio_blob":
        raise TypeError(
            "send_realtime_input: audio_blob: expected raw 16-bit PCM bytes, "
            f"got {type(value).__name__}"
        )
    return value


# -- the drivers -------------------------------------------------------------------------------

R = TypeVar("R", None, Awaitable[None])


class _Session(Generic[R]):
    """The send methods, written once: a sync session's `_send` returns None, an async
    session's an awaitable."""

    def __init__(self, protocol: LiveProtocol) -> None:
        self._protocol = protocol

    def _send(self, frame: str) -> R:
        raise NotImplementedError

    @property
    def resumption_handle(self) -> str | None:
        """The latest handle that resumes this session (`session_resumption` must be set)."""
        return self._protocol.handle

    def send_realtime_input(
        self,
        *,
        audio: Any = None,
        audio_blob: bytes | None = None,
        video: Any = None,
        text: str | None = None,
        audio_stream_end: bool | None = None,
        activity_start: Any = None,
        activity_end: Any = None,
    ) -> R:
        """Stream one input as it happens: `audio` (a Blob, or raw 16-bit PCM bytes at 16 kHz,
        as is `audio_blob`), a `video` frame (a Blob), `text`, or one of the markers
        `audio_stream_end`, `activity_start`, `activity_end` (True)."""
        # the arguments by name, as the protocol checks them: exactly one may be set
        given = {k: v for k, v in locals().items() if k != "self" and v is not None}
        return self._send(self._protocol.realtime_input(given))

    def send_client_content(self, *, turns: Any = None, turn_complete: bool = True) -> R:
        """Add conversation turns; with `turn_complete` (the default) the model answers."""
        return self._send(self._protocol.client_content(turns, turn_complete))

    def send_tool_response(self, *, function_responses: Any) -> R:
        """Answer the model's function calls (`message.tool_call.function_calls`)."""
        return self._send(self._protocol.tool_response(function_responses))


class Session(_Session[None]):
    """A live session over websockets' sync client: `with client.live.connect(...) as s:`.

    `receive()` yields the service's messages up to the end of the model's turn. A closed or
    failed connection raises `errors.LiveConnectionClosed`; after a go-away, a session that
    holds a resumption handle reconnects with it and goes on.
    """

    def __init__(self, protocol: LiveProtocol) -> None:
        super().__init__(protocol)
        self._socket: Any = None

    def __enter__(self) -> Session:
        self._open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def _open(self) -> None:
        require("websockets", None, "the Live API")
        from websockets.exceptions import ConnectionClosed
        from websockets.sync.client import connect

        protocol = self._protocol
        try:
            # entered at once, as websockets asks of a connection not used in a `with`
            self._socket = connect(protocol.url, **protocol.connect_options()).__enter__()
        except Exception as error:  # OSError, TimeoutError and websockets' InvalidHandshake
            raise protocol.connect_failed(error) from None
        try:
            self._socket.send(protocol.setup_frame())
            protocol.check_setup_reply(self._socket.recv())
        except ConnectionClosed as closed:
            self.close()
            raise protocol.closed(closed) from None

    def _live_socket(self) -> Any:
        if self._socket is None:
            raise errors.LiveConnectionClosed(NORMAL_CLOSURE, "the session was closed")
        if self._protocol.reconnect_due:
            self.close()
            self._open()
        return self._socket

    def _send(self, frame: str) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            self._live_socket().send(frame)
        except ConnectionClosed as closed:
            raise self._protocol.closed(closed) from None

    def receive(self) -> Iterator[LiveServerMessage]:
        """The service's messages until the model's turn is complete; answer a tool call
        with `send_tool_response` inside the loop, and the turn goes on."""
        from websockets.exceptions import ConnectionClosed

        protocol = self._protocol
        # a go-away read below takes effect at the next call, not in the middle of this turn
        socket = self._live_socket()
        message = None
        while not protocol.ends_turn(message):
            try:
                message = protocol.read(socket.recv())
            except ConnectionClosed as closed:
                protocol.after_close(closed)
                return
            yield message


class AsyncSession(_Session[Awaitable[None]]):
    """A live session over websockets' asyncio client: `async with client.aio.live.connect(
    ...) as s:`; the same methods as `Session`, awaited, and `async for m in s.receive()`."""

    def __init__(self, protocol: LiveProtocol) -> None:
        super().__init__(protocol)
        self._socket: Any = None

    async def __aenter__(self) -> AsyncSession:
        await self._open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
            self._socket = None

    async def _open(self) -> None:
        require("websockets", None, "the Live API")
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed

        protocol = self._protocol
        try:
            self._socket = await connect(protocol.url, **protocol.connect_options())
        except Exception as error:  # OSError, TimeoutError and websockets' InvalidHandshake
            raise protocol.connect_failed(error) from None
        try:
            await self._socket.send(protocol.setup_frame())
            protocol.check_setup_reply(await self._socket.recv())
        except ConnectionClosed as closed:
            await self.close()
            raise protocol.closed(closed) from None

    async def _live_socket(self) -> Any:
        if self._socket is None:
            raise errors.LiveConnectionClosed(NORMAL_CLOSURE, "the session was closed")
        if self._protocol.reconnect_due:
            await self.close()
            await self._open()
        return self._socket

    def _send(self, frame: str) -> Awaitable[None]:
        return self._send_frame(frame)

    async def _send_frame(self, frame: str) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            await (await self._live_socket()).send(frame)
        except ConnectionClosed as closed:
            raise self._protocol.closed(closed) from None

    async def receive(self) -> AsyncIterator[LiveServerMessage]:
        """The service's messages until the model's turn is complete; answer a tool call
        with `send_tool_response` inside the loop, and the turn goes on."""
        from websockets.exceptions import ConnectionClosed

        protocol = self._protocol
        # a go-away read below takes effect at the next call, not in the middle of this turn
        socket = await self._live_socket()
        message = None
        while not protocol.ends_turn(message):
            try:
                message = protocol.read(await socket.recv())
            except ConnectionClosed as closed:
                protocol.after_close(closed)
                return
            yield message


S = TypeVar("S", Session, AsyncSession)


class _Connector(Generic[S]):
    _session_type: type[S]

    def __init__(self, config: TransportConfig) -> None:
        self._config = config

    def connect(self, *, model: str, config: LiveConnectConfig | dict[str, Any] | None = None) -> S:
        """A live session with `model`, opened by `with` (`async with` on `client.aio`). The
        config is checked here, before connecting: a dict with an unknown key, or a value of
        the wrong type, raises TypeError."""
        return self._session_type(LiveProtocol(self._config, model, config))


class Live(_Connector[Session]):
    """`client.live`: open live sessions."""

    _session_type = Session


class AsyncLive(_Connector[AsyncSession]):
    """`client.aio.live`: open live sessions with asyncio."""

    _session_type = AsyncSession
