"""The Live API: sessions over a real WebSocket to the served emulator, sync and async."""

from __future__ import annotations

import asyncio
import base64
import logging
import math
import struct
from collections.abc import Iterator
from typing import Any

import pytest
import seed

import gemini_sdk as genai
from gemini_sdk import errors, types
from gemini_sdk.testing import Emulator

MODEL = "gemini-2.0-flash"
KEY = "live-test-key-0123456789"
LIVE_PATH = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
WEATHER = {
    "function_declarations": [
        {
            "name": "get_weather",
            "description": "Current weather for a city",
            "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING"}}},
        }
    ]
}


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator()
    with seed.served_emulator(emulator) as base_url:
        yield emulator, base_url


@pytest.fixture
def emulator(served: tuple[Emulator, str]) -> Iterator[Emulator]:
    emulator = served[0]
    emulator.reset()
    yield emulator
    emulator.live_go_away_after = None
    emulator.stream_hook = None


@pytest.fixture
def client(served: tuple[Emulator, str], emulator: Emulator) -> genai.Client:
    return genai.Client(api_key=KEY, http_options={"base_url": served[1]})


def pcm_16k(seconds: float) -> bytes:
    """A 440 Hz tone as raw 16-bit little-endian PCM at 16 kHz."""
    count = int(16_000 * seconds)
    samples = (round(8000 * math.sin(2 * math.pi * 440 * i / 16_000)) for i in range(count))
    return struct.pack(f"<{count}h", *samples)


def live_frames(emulator: Emulator) -> list[Any]:
    return [r.body for r in emulator.requests if r.operation == "BidiGenerateContent" and r.body]


def text_of(messages: list[types.LiveServerMessage]) -> str:
    return "".join(m.text for m in messages if m.text)


async def test_async_text_round_trip(client: genai.Client) -> None:
    config = types.LiveConnectConfig(response_modalities=["TEXT"], system_instruction="Be brief.")
    async with client.aio.live.connect(model=MODEL, config=config) as session:
        await session.send_client_content(turns="Hello there")
        messages = [m async for m in session.receive()]
    assert text_of(messages) == "Echo: Hello there"
    last = messages[-1]
    assert last.server_content is not None and last.server_content.turn_complete
    assert last.usage_metadata is not None and last.usage_metadata.response_token_count


async def test_async_audio_round_trip_answers_pcm_with_transcriptions(
    client: genai.Client, emulator: Emulator
) -> None:
    audio = pcm_16k(0.5)
    config = {
        "response_modalities": ["AUDIO"],
        "input_audio_transcription": {},
        "output_audio_transcription": {},
    }
    async with client.aio.live.connect(model=MODEL, config=config) as session:
        await session.send_realtime_input(audio=audio)
        await session.send_realtime_input(audio_stream_end=True)
        messages = [m async for m in session.receive()]
    sent = live_frames(emulator)[1]["realtimeInput"]["audio"]
    assert sent["mimeType"] == "audio/pcm;rate=16000"
    assert base64.b64decode(sent["data"]) == audio
    spoken = [m for m in messages if m.data]
    assert spoken and all(
        p.inline_data.mime_type == "audio/pcm;rate=24000"
        for m in spoken
        for p in m.server_content.model_turn.parts
    )
    assert sum(len(m.data) for m in spoken) % 2 == 0  # whole 16-bit samples
    heard = [m.server_content.input_transcription for m in messages if m.server_content]
    assert [h.text for h in heard if h] == ["[audio/pcm;rate=16000]"]
    said = "".join(
        m.server_content.output_transcription.text
        for m in messages
        if m.server_content and m.server_content.output_transcription
    )
    assert said == "Echo: [audio/pcm;rate=16000]"


async def test_async_tool_call_round_trip(client: genai.Client) -> None:
    config = {"response_modalities": ["TEXT"], "tools": [WEATHER]}
    calls: list[types.FunctionCall] = []
    messages: list[types.LiveServerMessage] = []
    async with client.aio.live.connect(model=MODEL, config=config) as session:
        await session.send_client_content(turns="get_weather city=Paris")
        async for message in session.receive():  # the turn goes on after the tool response
            messages.append(message)
            if message.tool_call:
                calls += message.tool_call.function_calls
                response = types.FunctionResponse(
                    id=calls[0].id, name="get_weather", response={"c": 21}
                )
                await session.send_tool_response(function_responses=response)
    assert [(c.name, c.args) for c in calls] == [("get_weather", {"city": "Paris"})]
    assert text_of(messages) == 'get_weather returned {"c":21}'


def test_sync_session_round_trip_and_the_seed_audio_spelling(
    client: genai.Client, emulator: Emulator
) -> None:
    with client.live.connect(model=MODEL, config={"response_modalities": ["TEXT"]}) as session:
        session.send_realtime_input(audio_blob=pcm_16k(0.1))
        session.send_realtime_input(text="and some text")
        messages = list(session.receive())
    assert text_of(messages) == "Echo: and some text"
    frame = live_frames(emulator)[1]["realtimeInput"]["audio"]
    assert frame["mimeType"] == "audio/pcm;rate=16000"


async def test_a_socket_closed_mid_turn_raises_the_typed_error(
    client: genai.Client, emulator: Emulator
) -> None:
    emulator.faults.add("cut_stream", operation="BidiGenerateContent", after_events=1)

    async def one_turn() -> list[types.LiveServerMessage]:
        async with client.aio.live.connect(model=MODEL) as session:
            await session.send_client_content(turns="a longer question, cut short")
            return [m async for m in session.receive()]

    with pytest.raises(errors.LiveConnectionClosed) as raised:
        await asyncio.wait_for(one_turn(), timeout=1)
    assert raised.value.close_code == 1011
    assert isinstance(raised.value, errors.APIConnectionError)


def test_a_dropped_turn_closes_with_an_internal_error(
    client: genai.Client, emulator: Emulator
) -> None:
    emulator.faults.add("drop", operation="BidiGenerateContent")
    with client.live.connect(model=MODEL) as session:
        session.send_client_content(turns="hello")
        with pytest.raises(errors.LiveConnectionClosed) as raised:
            list(session.receive())
    assert raised.value.close_code == 1011


def test_video_frames_join_the_next_turn(client: genai.Client, emulator: Emulator) -> None:
    frame = types.Blob(data=b"\xff\xd8\xff\xd9", mime_type="image/jpeg")
    seen: list[Any] = []
    emulator.script([lambda request: seen.append(request["contents"][-1]) or "a frame"])
    with client.live.connect(model=MODEL) as session:
        session.send_realtime_input(video=frame)
        session.send_realtime_input(text="what is this?")
        assert text_of(list(session.receive())) == "a frame"
    parts = seen[0]["parts"]
    assert parts[0]["inlineData"]["mimeType"] == "image/jpeg"
    assert parts[1] == {"text": "what is this?"}


def test_go_away_with_a_handle_reconnects_and_resumes(
    client: genai.Client, emulator: Emulator
) -> None:
    emulator.live_go_away_after = 1
    turns_seen: list[int] = []

    def count_turns(request: dict[str, Any]) -> str:
        turns_seen.append(len(request["contents"]))
        return "counted"

    emulator.script([count_turns, count_turns])
    with client.live.connect(model=MODEL, config={"session_resumption": {}}) as session:
        session.send_client_content(turns="first")
        first = list(session.receive())
        assert any(m.go_away for m in first)
        handle = session.resumption_handle
        assert handle
        session.send_client_content(turns="second")
        second = list(session.receive())
    assert text_of(second) == "counted"
    assert turns_seen == [1, 3]  # the resumed session kept the first exchange
    setups = [f["setup"] for f in live_frames(emulator) if "setup" in f]
    assert [s.get("sessionResumption") for s in setups] == [{}, {"handle": handle}]


def test_a_handle_given_to_connect_resumes_that_session(
    client: genai.Client, emulator: Emulator
) -> None:
    with client.live.connect(model=MODEL, config={"session_resumption": {}}) as session:
        session.send_client_content(turns="remember this")
        list(session.receive())
        handle = session.resumption_handle
    emulator.script([lambda request: f"{len(request['contents'])} turns"])
    config = {"session_resumption": {"handle": handle}}
    with client.live.connect(model=MODEL, config=config) as session:
        session.send_client_content(turns="and now?")
        assert text_of(list(session.receive())) == "3 turns"


def test_go_away_without_a_handle_ends_the_session_with_the_typed_error(
    client: genai.Client, emulator: Emulator
) -> None:
    emulator.live_go_away_after = 1
    with client.live.connect(model=MODEL) as session:
        session.send_client_content(turns="first")
        assert any(m.go_away for m in list(session.receive()))
        with pytest.raises(errors.LiveConnectionClosed) as raised:
            session.send_client_content(turns="second")
            list(session.receive())
    assert raised.value.close_code == 1000


def test_an_unknown_resumption_handle_closes_with_a_policy_code(client: genai.Client) -> None:
    with pytest.raises(errors.LiveConnectionClosed) as raised:
        with client.live.connect(model=MODEL, config={"session_resumption": {"handle": "nope"}}):
            pass
    assert raised.value.close_code == 1008


def test_new_input_mid_answer_interrupts_it(client: genai.Client, emulator: Emulator) -> None:
    async def hold_until_new_input(index: int) -> None:
        for _ in range(500):  # the interrupting frame is recorded before it is queued
            if len(live_frames(emulator)) >= 3:
                return
            await asyncio.sleep(0.01)

    emulator.stream_hook = hold_until_new_input
    with client.live.connect(model=MODEL) as session:
        session.send_client_content(turns="one two three four five six seven eight")
        messages = session.receive()
        first = next(messages)
        session.send_client_content(turns="stop")
        rest = list(messages)
    assert first.text == "Echo: one two "  # the first of four pieces
    interrupted = [m for m in rest if m.server_content and m.server_content.interrupted]
    assert len(interrupted) == 1
    after = rest[rest.index(interrupted[0]) + 1 :]
    assert text_of(after) == "Echo: stop"


def test_the_key_goes_in_a_header_never_in_the_url(
    client: genai.Client, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with client.live.connect(model=MODEL) as session:
        session.send_client_content(turns="hi")
        list(session.receive())
    handshake = emulator.requests[0]
    assert handshake.path == LIVE_PATH and handshake.query == {}
    assert KEY not in repr(emulator.requests)
    assert "x-goog-api-key" in caplog.text.lower()  # websockets logged the handshake
    assert KEY not in caplog.text


def test_a_bad_key_closes_with_a_policy_code(served: tuple[Emulator, str]) -> None:
    bad = genai.Client(api_key="invalid_key", http_options={"base_url": served[1]})
    with pytest.raises(errors.LiveConnectionClosed) as raised:
        with bad.live.connect(model=MODEL):
            pass
    assert raised.value.close_code == 1008
    assert "API key not valid" in raised.value.reason
    assert "invalid_key" not in str(raised.value)


def test_an_unknown_model_closes_with_a_policy_code(client: genai.Client) -> None:
    with pytest.raises(errors.LiveConnectionClosed) as raised:
        with client.live.connect(model="gemini-2.5-pro"):
            pass
    assert raised.value.close_code == 1008
    assert "bidiGenerateContent" in raised.value.reason


def test_a_malformed_frame_closes_with_1007(served: tuple[Emulator, str]) -> None:
    from websockets.sync.client import connect

    url = served[1].replace("http://", "ws://") + LIVE_PATH
    with connect(url, additional_headers={"x-goog-api-key": KEY}) as socket:
        socket.send('{"setup": {"model": "models/gemini-2.0-flash", "temprature": 1}}')
        with pytest.raises(Exception) as raised:
            socket.recv()
    assert raised.value.rcvd.code == 1007
    assert "temprature" in raised.value.rcvd.reason


def test_bad_config_raises_before_connecting(client: genai.Client, emulator: Emulator) -> None:
    with pytest.raises(TypeError, match="temprature"):
        client.live.connect(model=MODEL, config={"temprature": 0.5})
    with pytest.raises(TypeError, match="temperature"):
        client.aio.live.connect(model=MODEL, config={"temperature": "hot"})
    with pytest.raises(TypeError, match="model"):
        client.live.connect(model="", config=None)
    with pytest.raises(ValueError, match="description"):
        client.live.connect(
            model=MODEL, config={"tools": [{"function_declarations": [{"name": "f"}]}]}
        )
    assert emulator.requests == []


def test_bad_input_raises_before_sending(client: genai.Client, emulator: Emulator) -> None:
    with client.live.connect(model=MODEL) as session:
        with pytest.raises(TypeError, match="exactly one"):
            session.send_realtime_input(text="a", audio_stream_end=True)
        with pytest.raises(TypeError, match="audio_blob"):
            session.send_realtime_input(audio_blob="not bytes")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="name"):
            session.send_tool_response(function_responses={"response": {}})
    assert len(live_frames(emulator)) == 1  # the setup alone


def test_a_closed_session_raises_instead_of_waiting(client: genai.Client) -> None:
    session = client.live.connect(model=MODEL)
    with session:
        pass
    with pytest.raises(errors.LiveConnectionClosed):
        list(session.receive())


def test_unreachable_service_raises_a_connection_error() -> None:
    with seed.served_emulator() as base_url:
        pass  # the port is free again
    client = genai.Client(api_key=KEY, http_options={"base_url": base_url})
    with pytest.raises(errors.APIConnectionError):
        with client.live.connect(model=MODEL):
            pass


def test_message_helpers_read_the_model_turn() -> None:
    message = types.LiveServerMessage.from_dict(
        {
            "serverContent": {
                "modelTurn": {
                    "parts": [
                        {"text": "a"},
                        {"text": "b"},
                        {"inlineData": {"mimeType": "audio/pcm", "data": "AAE="}},
                    ]
                }
            }
        }
    )
    assert message.text == "ab"
    assert message.data == b"\x00\x01"
    assert types.LiveServerMessage.from_dict({"goAway": {"timeLeft": "5s"}}).text is None
