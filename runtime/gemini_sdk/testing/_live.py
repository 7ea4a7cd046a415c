"""The Live API endpoint: BidiGenerateContent over WebSocket, as the service speaks it.

The client's first frame is a setup, validated against the generated LiveClientMessage; the
emulator answers setupComplete. Then:

- clientContent turns join the history, and with turnComplete the model answers;
- realtimeInput text is a user turn answered at once; audio and video gather until
  audioStreamEnd or activityEnd and are then one user turn (the service's voice activity
  detection, reduced to its explicit markers);
- answers come from the stand-in model of _generate, scripts included: function calls go out
  as a toolCall and the turn goes on when the toolResponse comes; text goes out in pieces as
  model-turn parts or, when AUDIO is asked for, as 24 kHz PCM with its transcription;
- input arriving while an answer is being sent interrupts it (`interrupted`); the stream
  hook runs before each piece after the first, so a test can hold an answer at a known point;
- with sessionResumption set, each turn ends with a sessionResumptionUpdate whose handle
  resumes the session (its history) on a new connection;
- after `live_go_away_after` turns on one connection, the turn ends with a goAway and the
  connection then closes normally.

Failures close the socket as the service does: 1007 for a frame that is not a valid
message, 1008 for a bad key, an unknown model or handle, 1011 for an internal failure.
Faults on operation BidiGenerateContent fire as a turn starts: `drop` closes at once with
1011, `cut_stream` after `after_events` frames of the answer. Every frame the client sends is
recorded (operation BidiGenerateContent), the handshake first as a record without a body.
"""

from __future__ import annotations

import array
import asyncio
import base64
import inspect
import math
import secrets
import sys
from collections.abc import Mapping
from typing import Any

import attrs
import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect

from _gemini_sdk_gen import types as t
from gemini_sdk.testing import _generate as gen
from gemini_sdk.testing._errors import ApiError
from gemini_sdk.testing._faults import Fault
from gemini_sdk.testing._model_zoo import ModelCard
from gemini_sdk.testing._state import SECRET_HEADERS, EmulatorState, RecordedRequest
from gemini_sdk.testing._tokens import text_tokens
from gemini_sdk.testing._validate import parse_body, validate

OPERATION = "BidiGenerateContent"
NORMAL, INVALID_FRAME, POLICY, INTERNAL = 1000, 1007, 1008, 1011
OUTPUT_AUDIO = "audio/pcm;rate=24000"
OUTPUT_RATE = 24_000
# Seconds of speech per character of the answer's text: the length of the emulated voice.
SECONDS_PER_CHARACTER = 0.02
# A close frame's reason is at most 123 bytes of UTF-8.
REASON_LIMIT = 123
FRAME_KINDS = ("setup", "clientContent", "realtimeInput", "toolResponse")

Wire = dict[str, Any]


def live_path(api_version: str) -> str:
    service = f"google.ai.generativelanguage.{api_version}.GenerativeService"
    return f"/ws/{service}.{OPERATION}"


class _Close(Exception):
    """End the session with this close code and reason."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _reason(text: str) -> str:
    encoded = text.encode()[:REASON_LIMIT]
    return encoded.decode(errors="ignore")


async def live_session(state: EmulatorState, websocket: WebSocket) -> None:
    """One WebSocket connection, from handshake to close."""
    await websocket.accept()
    try:
        await _Connection(state, websocket).serve()
    except _Close as close:
        await _close(websocket, close.code, close.reason)
    except WebSocketDisconnect:
        return
    except Exception:  # noqa: BLE001 - any failure of ours closes as the service's would
        await _close(websocket, INTERNAL, "Internal error encountered.")


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    try:
        await websocket.close(code, _reason(reason))
    except RuntimeError:  # the client closed first
        return


@attrs.define
class _Turn:
    """Input gathered since the last answer: realtime audio and video wait for an end marker."""

    audio: bytearray = attrs.field(factory=bytearray)
    audio_mime: str = ""
    frames: list[Wire] = attrs.field(factory=list)

    def parts(self) -> list[Wire]:
        parts = list(self.frames)
        if self.audio:
            data = base64.b64encode(bytes(self.audio)).decode()
            parts.insert(0, {"inlineData": {"mimeType": self.audio_mime, "data": data}})
        self.audio.clear()
        self.frames.clear()
        return parts


class _Connection:
    def __init__(self, state: EmulatorState, websocket: WebSocket) -> None:
        self.state = state
        self.websocket = websocket
        self.inbox: asyncio.Queue[Wire | _Close | None] = asyncio.Queue()
        self.setup: Wire = {}
        self.card: ModelCard | None = None
        self.history: list[Wire] = []
        self.pending = _Turn()
        self.turns = 0
        self.calls = 0
        self.cut: Fault | None = None
        self.sent_in_turn = 0

    # -- frames in ----------------------------------------------------------------------------

    def _record(self, body: Any, size: int) -> None:
        query = dict(self.websocket.query_params)
        if "key" in query:  # kept as a name only, so a test can tell a key was in the URL
            query["key"] = "(redacted)"
        headers = {k: v for k, v in self.websocket.headers.items() if k not in SECRET_HEADERS}
        self.state.record(
            RecordedRequest(
                method="GET",
                path=self.websocket.url.path,
                query=query,
                headers=headers,
                body=body,
                operation=OPERATION,
                body_size=size,
            )
        )

    async def _frame(self) -> Wire:
        message = await self.websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", NORMAL))
        raw = message.get("bytes") or (message.get("text") or "").encode()
        try:
            data = parse_body(raw)
            self._record(data, len(raw))
            frame = validate(data, t.LiveClientMessage)
        except ApiError as error:
            raise _Close(INVALID_FRAME, error.message) from None
        kinds = [kind for kind in FRAME_KINDS if kind in frame]
        if len(kinds) != 1:
            raise _Close(INVALID_FRAME, f"A message sets exactly one of {', '.join(FRAME_KINDS)}.")
        return frame

    async def _read_frames(self) -> None:
        while True:
            try:
                frame: Wire | _Close | None = await self._frame()
            except WebSocketDisconnect:
                frame = None
            except _Close as close:
                frame = close
            await self.inbox.put(frame)
            if not isinstance(frame, dict):
                return

    async def _next(self) -> Wire | None:
        item = await self.inbox.get()
        if isinstance(item, _Close):
            raise item
        return item

    # -- frames out ---------------------------------------------------------------------------

    async def _send(self, message: Wire) -> None:
        if self.cut is not None and self.sent_in_turn >= self.cut.after_events:
            raise _Close(INTERNAL, "Internal error encountered.")
        self.sent_in_turn += 1
        await self.websocket.send_bytes(orjson.dumps(message))

    # -- the session --------------------------------------------------------------------------

    async def serve(self) -> None:
        self._record(None, 0)
        key = self.websocket.headers.get("x-goog-api-key") or self.websocket.query_params.get("key")
        if not key or self.state.tier_of(key) is None:
            raise _Close(POLICY, "API key not valid. Please pass a valid API key.")
        first = await self._frame()
        if "setup" not in first:
            raise _Close(INVALID_FRAME, "The first message of a session must be a setup.")
        self._start(first["setup"])
        await self.websocket.send_bytes(orjson.dumps({"setupComplete": {}}))
        reader = asyncio.create_task(self._read_frames())
        try:
            while (frame := await self._next()) is not None:
                await self._take(frame)
        finally:
            reader.cancel()

    def _start(self, setup: Wire) -> None:
        model_id = setup["model"].removeprefix("models/")
        card = self.state.catalogue.get(model_id)
        if card is None or not card.supports("bidiGenerateContent"):
            raise _Close(
                POLICY,
                f"models/{model_id} is not found for API version v1beta, or is not supported "
                "for bidiGenerateContent.",
            )
        handle = (setup.get("sessionResumption") or {}).get("handle")
        if handle:
            saved = self.state.live_sessions.get(handle)
            if saved is None:
                raise _Close(POLICY, "The session resumption handle is not valid.")
            self.history = saved["history"]
        self.setup, self.card = setup, card

    async def _take(self, frame: Wire) -> None:
        if "setup" in frame:
            raise _Close(INVALID_FRAME, "A session takes one setup message, its first.")
        if "clientContent" in frame:
            content = frame["clientContent"]
            self.history.extend(content.get("turns") or [])
            if content.get("turnComplete"):
                await self._answer()
        elif "realtimeInput" in frame:
            await self._realtime(frame["realtimeInput"])
        else:  # a tool response nothing waits for is history all the same
            self.history.append(_responses_turn(frame["toolResponse"]))
            await self._answer()

    async def _realtime(self, realtime: Wire) -> None:
        for blob in [
            realtime.get("audio"),
            realtime.get("video"),
            *realtime.get("mediaChunks", []),
        ]:
            if blob is None:
                continue
            mime = blob.get("mimeType", "")
            if mime.startswith("audio/"):
                self.pending.audio += base64.b64decode(blob.get("data", ""))
                self.pending.audio_mime = mime
            else:
                self.pending.frames.append({"inlineData": blob})
        if "text" in realtime:
            self.history.append(
                {"role": "user", "parts": [*self.pending.parts(), {"text": realtime["text"]}]}
            )
            await self._answer()
        elif realtime.get("audioStreamEnd") or "activityEnd" in realtime:
            parts = self.pending.parts()
            if parts:
                self.history.append({"role": "user", "parts": parts})
                await self._answer(spoken=True)

    # -- answering ----------------------------------------------------------------------------

    def _request(self) -> Wire:
        request: Wire = {"contents": self.history}
        for key in ("systemInstruction", "tools", "generationConfig"):
            if key in self.setup:
                request[key] = self.setup[key]
        return request

    async def _answer(self, spoken: bool = False) -> None:
        faults = self.state.faults.take("GET", self.websocket.url.path, OPERATION)
        if any(fault.kind == "drop" for fault in faults):
            raise _Close(INTERNAL, "Internal error encountered.")
        self.cut = next((f for f in faults if f.kind == "cut_stream"), None)
        self.sent_in_turn = 0
        if spoken and "inputAudioTranscription" in self.setup:
            said = gen.turn_text(self.history[-1])
            await self._send({"serverContent": {"inputTranscription": {"text": said}}})
        while True:
            parts = self._draft()
            calls = [part["functionCall"] for part in parts if "functionCall" in part]
            if not calls:
                break
            for call in calls:
                self.calls += 1
                call.setdefault("id", f"function-call-{self.calls}")
            self.history.append({"role": "model", "parts": [{"functionCall": c} for c in calls]})
            await self._send({"toolCall": {"functionCalls": calls}})
            frame = await self._next()
            if frame is None:
                return
            if "toolResponse" not in frame:
                await self._send({"toolCallCancellation": {"ids": [c["id"] for c in calls]}})
                await self._take(frame)
                return
            self.history.append(_responses_turn(frame["toolResponse"]))
        await self._speak(parts)

    def _draft(self) -> list[Wire]:
        assert self.card is not None
        request = self._request()
        scripted, item = self.state.next_script(self.card.id)
        answer = gen.from_script(item, request) if scripted else gen.draft(request, self.card)
        if answer.verbatim is not None:
            candidates = answer.verbatim.get("candidates") or [{}]
            return list((candidates[0].get("content") or {}).get("parts") or [])
        return answer.candidates[0].parts if answer.candidates else []

    async def _speak(self, parts: list[Wire]) -> None:
        text = "".join(p.get("text", "") for p in parts if not p.get("thought"))
        config = self.setup.get("generationConfig") or {}
        audio = "AUDIO" in (config.get("responseModalities") or [])
        said = ""
        for index, piece in enumerate(gen.split_text(text) if text else []):
            if index and await self._interrupted(index):
                break
            said += piece
            if audio:
                data = base64.b64encode(speech(piece)).decode()
                part: Wire = {"inlineData": {"mimeType": OUTPUT_AUDIO, "data": data}}
                await self._send({"serverContent": {"modelTurn": {"parts": [part]}}})
                if "outputAudioTranscription" in self.setup:
                    await self._send({"serverContent": {"outputTranscription": {"text": piece}}})
            else:
                model_turn = {"role": "model", "parts": [{"text": piece}]}
                await self._send({"serverContent": {"modelTurn": model_turn}})
        self.history.append({"role": "model", "parts": [{"text": said}]})
        if said != text:
            await self._send({"serverContent": {"interrupted": True}})
            return
        await self._send({"serverContent": {"generationComplete": True}})
        await self._complete(text)

    async def _interrupted(self, index: int) -> bool:
        hook = self.state.stream_hook
        if hook is not None:
            waited = hook(index)
            if inspect.isawaitable(waited):
                await waited
        return not self.inbox.empty()

    async def _complete(self, text: str) -> None:
        self.turns += 1
        if "sessionResumption" in self.setup:
            handle = secrets.token_urlsafe(16)
            self.state.live_sessions.put(handle, {"history": self.history})
            update = {"newHandle": handle, "resumable": True}
            await self._send({"sessionResumptionUpdate": update})
        limit = self.state.live_go_away_after
        going_away = limit is not None and self.turns >= limit
        if going_away:
            await self._send({"goAway": {"timeLeft": "0s"}})
        prompt = gen.prompt_tally(self._request()).total
        answer = text_tokens(text)
        usage = {
            "promptTokenCount": prompt,
            "responseTokenCount": answer,
            "totalTokenCount": prompt + answer,
        }
        await self._send({"serverContent": {"turnComplete": True}, "usageMetadata": usage})
        if going_away:
            raise _Close(NORMAL, "The session ended after its go-away.")


def _responses_turn(tool_response: Mapping[str, Any]) -> Wire:
    responses = tool_response.get("functionResponses") or []
    return {"role": "user", "parts": [{"functionResponse": r} for r in responses]}


def speech(text: str) -> bytes:
    """The emulated voice: a soft tone as long as the text would take to say, as 16-bit
    little-endian mono PCM at 24 kHz."""
    samples = max(1, round(len(text) * SECONDS_PER_CHARACTER * OUTPUT_RATE))
    period = OUTPUT_RATE // 220
    cycle = [round(3000 * math.sin(2 * math.pi * i / period)) for i in range(period)]
    wave = array.array("h", (cycle * (samples // period + 1))[:samples])
    if sys.byteorder == "big":
        wave.byteswap()
    return wave.tobytes()
