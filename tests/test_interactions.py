"""client.interactions, sync and async, against the emulator in-process: the exact request each
method sent (as the emulator recorded it), the typed answer, streaming, the emulator's 400s and
404s, and bad input that raises before any request."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import strategies

from gemini_sdk import errors, types
from gemini_sdk.testing import Emulator

FLASH = "gemini-2.5-flash"
AGENT = "deep-research-pro-preview-12-2025"
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather at a place.",
    "parameters": {"type": "object", "properties": {"location": {"type": "string"}}},
}


@pytest.fixture
def emulator() -> Emulator:
    return Emulator()


@pytest.fixture(params=["sync", "async"])
def interactions(request: pytest.FixtureRequest, emulator: Emulator) -> Any:
    client = emulator.client()
    return client.interactions if request.param == "sync" else client.aio.interactions


async def _maybe(value: Any) -> Any:
    return await value if hasattr(value, "__await__") else value


async def _events(stream: Any) -> list[types.InteractionSseEvent]:
    stream = await _maybe(stream)
    if hasattr(stream, "__aiter__"):
        return [event async for event in stream]
    return list(stream)


def _last(emulator: Emulator) -> Any:
    return emulator.requests[-1]


async def test_create_for_a_model(interactions: Any, emulator: Emulator) -> None:
    interaction = await _maybe(
        interactions.create(
            model=FLASH,
            input="Tell me a short joke",
            system_instruction="Be brief",
            generation_config={"temperature": 0.5, "max_output_tokens": 100},
        )
    )
    sent = _last(emulator)
    assert (sent.method, sent.path, sent.query) == ("POST", "/v1beta/interactions", {})
    assert sent.body == {
        "model": FLASH,
        "input": "Tell me a short joke",
        "system_instruction": "Be brief",
        "generation_config": {"temperature": 0.5, "max_output_tokens": 100},
    }
    assert "x-goog-api-key" not in sent.headers  # the key is never recorded, nor in the URL
    assert isinstance(interaction, types.Interaction)
    assert interaction.status == types.InteractionStatus.COMPLETED
    assert (interaction.model, interaction.role) == (FLASH, "model")
    (output,) = interaction.outputs
    assert isinstance(output, types.InteractionContent)
    assert (output.type, output.text) == (types.ContentType.TEXT, "Echo: Tell me a short joke")
    usage = interaction.usage
    parts = (usage.total_input_tokens, usage.total_output_tokens, usage.total_thought_tokens)
    assert usage.total_tokens == sum(parts) and min(parts) > 0  # a thinking model


async def test_a_function_call_and_its_result_continue_the_interaction(
    interactions: Any, emulator: Emulator
) -> None:
    first = await _maybe(
        interactions.create(model=FLASH, input="Call get_weather location=Boston", tools=[WEATHER])
    )
    assert _last(emulator).body["tools"] == [WEATHER]
    assert first.status == "requires_action"
    (call,) = first.outputs
    assert (call.type, call.name, call.arguments) == (
        "function_call",
        "get_weather",
        {"location": "Boston"},
    )
    result = {"type": "function_result", "call_id": call.id, "name": call.name, "result": "sunny"}
    second = await _maybe(
        interactions.create(
            model=FLASH, input=[result], previous_interaction_id=first.id, tools=[WEATHER]
        )
    )
    assert _last(emulator).body["previous_interaction_id"] == first.id
    assert second.outputs[0].text == 'get_weather returned {"result":"sunny"}'
    assert second.previous_interaction_id == first.id


async def test_turns_and_content_items_as_input(interactions: Any, emulator: Emulator) -> None:
    turns = [
        {"role": "user", "content": "Hi"},
        {"role": "model", "content": [{"type": "text", "text": "Hello"}]},
        {
            "role": "user",
            "content": [types.InteractionContent(type="text", text="Again").to_dict()],
        },
    ]
    interaction = await _maybe(interactions.create(model=FLASH, input=turns))
    assert _last(emulator).body["input"][2] == {
        "role": "user",
        "content": [{"type": "text", "text": "Again"}],
    }
    assert interaction.outputs[0].text == "Echo: Again"


TEXT = types.InteractionContent(type="text", text="Again")


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        (TEXT, {"type": "text", "text": "Again"}),
        ([TEXT], [{"type": "text", "text": "Again"}]),
        (["One", TEXT], [{"type": "text", "text": "One"}, {"type": "text", "text": "Again"}]),
        (
            [
                types.Turn(role="user", content="Hi"),
                {"role": "model", "content": "Hello"},
                types.Turn(role="user", content=[TEXT]),
            ],
            [
                {"role": "user", "content": "Hi"},
                {"role": "model", "content": "Hello"},
                {"role": "user", "content": [{"type": "text", "text": "Again"}]},
            ],
        ),
    ],
    ids=["content", "list-of-content", "str-and-content", "turns"],
)
async def test_typed_input_goes_in_as_its_wire_json(
    interactions: Any, emulator: Emulator, given: Any, sent: Any
) -> None:
    interaction = await _maybe(interactions.create(model=FLASH, input=given))
    assert _last(emulator).body["input"] == sent
    assert interaction.outputs[0].text.endswith("Again")
    await _events(interactions.create_stream(model=FLASH, input=given))
    assert _last(emulator).body["input"] == sent


def test_the_emulator_refuses_neither_or_both_of_model_and_agent(emulator: Emulator) -> None:
    # The client refuses these before sending; the emulator answers them as the service does.
    with httpx.Client(
        transport=emulator.sync_transport(),
        base_url=Emulator.BASE_URL,
        headers={"x-goog-api-key": "test-key"},
    ) as raw:
        for body in ({"input": "Hi"}, {"model": FLASH, "agent": AGENT, "input": "Hi"}):
            answer = raw.post("/v1beta/interactions", json=body)
            assert answer.status_code == 400
            assert "exactly one of model and agent" in answer.json()["error"]["message"]


async def test_create_stream(interactions: Any, emulator: Emulator) -> None:
    events = await _events(interactions.create_stream(model=FLASH, input="Write a long story"))
    sent = _last(emulator)
    assert (sent.path, sent.query) == ("/v1beta/interactions", {})
    assert sent.body == {"model": FLASH, "input": "Write a long story", "stream": True}
    kinds = [event.event_type for event in events]
    assert kinds[:2] == ["interaction.start", "content.start"]
    assert kinds[-2:] == ["content.stop", "interaction.complete"]
    deltas = [e.delta.text for e in events if e.event_type == "content.delta"]
    assert len(deltas) > 1
    assert "".join(deltas) == "Echo: Write a long story"
    assert events[0].interaction.status == "in_progress"
    done = events[-1].interaction
    assert isinstance(done, types.Interaction)
    assert done.status == "completed"
    assert done.outputs[0].text == "Echo: Write a long story"


async def test_get_stream_replays_and_resumes(interactions: Any, emulator: Emulator) -> None:
    created = await _maybe(interactions.create(model=FLASH, input="Write a long story"))
    events = await _events(interactions.get_stream(id_=created.id))
    sent = _last(emulator)
    assert (sent.method, sent.path) == ("GET", f"/v1beta/interactions/{created.id}")
    assert sent.query == {"stream": "true"}
    assert events[-1].interaction == created
    cut = 2
    rest = await _events(
        interactions.get_stream(id_=created.id, last_event_id=events[cut].event_id)
    )
    assert _last(emulator).query == {"stream": "true", "last_event_id": events[cut].event_id}
    assert rest == events[cut + 1 :]
    with pytest.raises(errors.NotFound, match="no-such-event"):
        await _events(interactions.get_stream(id_=created.id, last_event_id="no-such-event"))


def test_a_sync_stream_is_a_stream_object(emulator: Emulator) -> None:
    client = emulator.client()
    with client.interactions.create_stream(model=FLASH, input="Hello there") as stream:
        first = next(iter(stream))
        assert first.event_type == types.InteractionSseEventEventType.INTERACTION_START
    assert stream.response.status_code == 200


async def test_get_delete_and_unknown_ids(interactions: Any, emulator: Emulator) -> None:
    created = await _maybe(interactions.create(model=FLASH, input="Remember me"))
    fetched = await _maybe(interactions.get(id_=created.id))
    assert _last(emulator).path == f"/v1beta/interactions/{created.id}"
    assert fetched == created
    with_input = await _maybe(interactions.get(id_=created.id, include_input=True))
    assert _last(emulator).query == {"include_input": "true"}
    assert with_input.input == "Remember me"

    assert await _maybe(interactions.delete(id_=created.id)) is None
    sent = _last(emulator)
    assert (sent.method, sent.path) == ("DELETE", f"/v1beta/interactions/{created.id}")
    for method in (interactions.get, interactions.delete, interactions.cancel):
        with pytest.raises(errors.NotFound, match=created.id):
            await _maybe(method(id_=created.id))


async def test_an_agent_in_the_background_is_polled_and_cancelled(
    interactions: Any, emulator: Emulator
) -> None:
    started = await _maybe(interactions.create(agent=AGENT, input="Research cats", background=True))
    assert _last(emulator).body == {"agent": AGENT, "input": "Research cats", "background": True}
    assert (started.agent, started.role, started.status) == (AGENT, "agent", "in_progress")
    assert started.outputs is None  # nothing to show before it has finished
    cancelled = await _maybe(interactions.cancel(id_=started.id))
    sent = _last(emulator)
    assert (sent.method, sent.path) == ("POST", f"/v1beta/interactions/{started.id}/cancel")
    assert cancelled.status == "cancelled"
    with pytest.raises(errors.FailedPrecondition, match="cancelled"):
        await _maybe(interactions.cancel(id_=started.id))

    polled = await _maybe(interactions.create(agent=AGENT, input="Research dogs", background=True))
    first, second = [await _maybe(interactions.get(id_=polled.id)) for _ in range(2)]
    assert (first.status, second.status) == ("in_progress", "completed")
    assert second.outputs[0].text == "Research report: Research dogs"

    # a model interaction runs in the background too, and finishes as it would have at once
    asked = await _maybe(
        interactions.create(model=FLASH, input="Call get_weather", tools=[WEATHER], background=True)
    )
    assert asked.status == "in_progress"
    first, second = [await _maybe(interactions.get(id_=asked.id)) for _ in range(2)]
    assert (first.status, second.status) == ("in_progress", "requires_action")
    assert second.outputs[0].name == "get_weather"


async def test_an_unstored_interaction_cannot_be_fetched(interactions: Any) -> None:
    interaction = await _maybe(interactions.create(model=FLASH, input="Forget me", store=False))
    with pytest.raises(errors.NotFound):
        await _maybe(interactions.get(id_=interaction.id))


@pytest.mark.sends_invalid("each create breaks a rule of the request the emulator checks")
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"model": FLASH, "input": "Hi", "agent_config": {"type": "dynamic"}}, "agent_config"),
        ({"agent": AGENT, "input": "Hi", "generation_config": {"seed": 1}}, "generation_config"),
        ({"model": FLASH, "input": [{"text": "no type"}]}, r"input\[0\]"),
    ],
)
async def test_the_emulator_answers_400_for_an_invalid_create(
    interactions: Any, arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(errors.InvalidArgument, match=message):
        await _maybe(interactions.create(**arguments))


async def test_unknown_models_and_agents_are_not_found(interactions: Any) -> None:
    with pytest.raises(errors.NotFound, match="no-such-model"):
        await _maybe(interactions.create(model="no-such-model", input="Hi"))
    with pytest.raises(errors.NotFound, match="no-such-agent"):
        await _maybe(interactions.create(agent="no-such-agent", input="Hi"))
    with pytest.raises(errors.NotFound, match="v1_unknown"):
        await _maybe(
            interactions.create(model=FLASH, input="Hi", previous_interaction_id="v1_unknown")
        )


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"model": FLASH}, TypeError, "input"),
        ({"model": 5, "input": "Hi"}, TypeError, "model"),
        (
            {"model": FLASH, "input": "Hi", "generation_config": {"temprature": 1}},
            TypeError,
            "temprature",
        ),
        (
            {"model": FLASH, "input": "Hi", "generation_config": {"temperature": "hot"}},
            TypeError,
            "temperature",
        ),
        (
            {"model": FLASH, "input": "Hi", "tools": [{"type": "function", "nme": "f"}]},
            TypeError,
            "nme",
        ),
        ({"model": FLASH, "input": "Hi", "store": "yes"}, TypeError, "store"),
        ({"input": "Hi"}, ValueError, "exactly one of model or agent, got neither"),
        (
            {"model": FLASH, "agent": AGENT, "input": "Hi"},
            ValueError,
            "exactly one of model or agent, got both",
        ),
        ({"model": FLASH, "input": 5}, TypeError, "input: expected a str, an InteractionContent"),
        ({"model": FLASH, "input": []}, TypeError, "input: expected .* non-empty list"),
        ({"model": FLASH, "input": [b"x"]}, TypeError, r"input: .* in the list, got bytes"),
        (
            {"model": FLASH, "input": [types.Turn(role="user", content="a"), "b"]},
            TypeError,
            "not a mix of the two",
        ),
    ],
)
async def test_bad_input_raises_before_any_request(
    interactions: Any, emulator: Emulator, arguments: dict[str, Any], error: type, message: str
) -> None:
    for method in (interactions.create, interactions.create_stream):
        with pytest.raises(error, match=message):
            await _maybe(method(**arguments))
    assert emulator.requests == []


async def test_an_empty_id_raises_before_any_request(interactions: Any, emulator: Emulator) -> None:
    methods = (interactions.get, interactions.get_stream, interactions.delete, interactions.cancel)
    for method in methods:
        with pytest.raises(ValueError, match="id"):
            await _maybe(method(id_=""))
    assert emulator.requests == []


def test_types_keep_their_names_where_free_and_are_prefixed_where_they_clash() -> None:
    # Names the main API already uses take the prefix; the main API's types are untouched.
    assert types.InteractionTool.__name__ == "InteractionTool"
    assert "function_declarations" in {f.attr for f in types.Tool._wire_fields}
    assert "parameters" in {f.attr for f in types.InteractionTool._wire_fields}
    assert {f.attr for f in types.InteractionContent._wire_fields} > {"type", "text", "call_id"}
    assert types.Interaction.__name__ == "Interaction"
    # and every interactions type is among the round-tripped ones
    assert {"Interaction", "InteractionContent", "InteractionSseEvent"} <= set(strategies.MODELS)
