"""Function calling from Python callables, sync and async, against the emulator: declarations
built from signatures and docstrings, and automatic function calling with its history."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, Literal

import pydantic
import pytest

from gemini_sdk import types
from gemini_sdk.testing import Emulator

FLASH = "gemini-2.0-flash"


class Unit(enum.Enum):
    CELSIUS = "celsius"
    FAHRENHEIT = "fahrenheit"


@dataclasses.dataclass
class Place:
    city: str
    country: str = "FR"


class Booking(pydantic.BaseModel):
    guests: int
    nights: int


def get_weather(city: str, unit: Unit = Unit.CELSIUS) -> dict[str, Any]:
    """Get the current weather in a city.

    Args:
        city: The city's name, such as
            Paris or Rome.
        unit (Unit): The unit of the temperature.

    Returns:
        The temperature and the unit.
    """
    return {"city": city, "temperature": 21, "unit": unit.value}


def book(
    place: Place, booking: Booking, tags: list[str], extra: dict, when: str | None = None
) -> str:
    """Book a stay.

    :param place: Where to stay.
    :param booking: For how many.
    :returns: The booking's reference.
    """
    return f"{place.city}-{booking.guests}-{booking.nights}"


def fails(reason: str) -> str:
    """Always fails."""
    raise RuntimeError(f"failed: {reason}")


@pytest.fixture
def emulator() -> Emulator:
    return Emulator()


async def _maybe(value: Any) -> Any:
    return await value if hasattr(value, "__await__") else value


@pytest.fixture(params=["sync", "async"])
def models(request: pytest.FixtureRequest, emulator: Emulator) -> Any:
    client = emulator.client()
    return client.models if request.param == "sync" else client.aio.models


def test_a_declaration_comes_from_the_signature_and_the_docstring() -> None:
    declared = types.FunctionDeclaration.from_callable(callable=get_weather)
    assert declared.name == "get_weather"
    assert declared.description == "Get the current weather in a city."
    assert declared.parameters_json_schema == {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "The city's name, such as Paris or Rome."},
            "unit": {
                "type": "string",
                "enum": ["celsius", "fahrenheit"],
                "title": "Unit",
                "description": "The unit of the temperature.",
                "default": "celsius",
            },
        },
        "required": ["city"],
    }


def test_records_pydantic_lists_dicts_and_sphinx_docstrings() -> None:
    declared = types.FunctionDeclaration.from_callable(callable=book)
    schema = declared.parameters_json_schema
    assert declared.description == "Book a stay."
    assert schema["required"] == ["place", "booking", "tags", "extra"]
    place, booking = schema["properties"]["place"], schema["properties"]["booking"]
    assert place["properties"] == {"city": {"type": "string"}, "country": {"type": "string"}}
    assert place["description"] == "Where to stay."
    assert booking["properties"]["guests"]["type"] == "integer"
    assert booking["description"] == "For how many."
    assert schema["properties"]["tags"] == {"type": "array", "items": {"type": "string"}}
    assert schema["properties"]["extra"] == {"type": "object"}
    assert schema["properties"]["when"] == {
        "anyOf": [{"type": "string"}, {"type": "null"}],
        "default": None,
    }


def _starred(*names: str) -> None:
    """Takes anything."""


def _untyped(city) -> None:  # type: ignore[no-untyped-def]  # noqa: ANN001
    """No annotation."""


def _opaque(when: complex) -> None:
    """An annotation that cannot be described."""


def _literal(level: Literal[1, "a"]) -> None:
    """Mixed literal."""


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (_starred, "_starred: parameter 'names': only named parameters"),
        (_untyped, "_untyped: parameter 'city' has no annotation"),
        (_opaque, "_opaque: parameter 'when': cannot describe complex"),
        (_literal, "_literal: parameter 'level': the values must all be str or all be int"),
        (lambda x: x, "is not a valid function name"),
    ],
)
async def test_a_function_that_cannot_be_described_raises_before_the_request(
    models: Any, emulator: Emulator, fn: Any, message: str
) -> None:
    with pytest.raises(TypeError) as raised:
        await _maybe(models.generate_content(model=FLASH, contents="x", config={"tools": [fn]}))
    assert message in str(raised.value)
    assert emulator.requests == []


async def test_the_sdk_calls_the_function_and_sends_the_result_back(
    models: Any, emulator: Emulator
) -> None:
    response = await _maybe(
        models.generate_content(
            model=FLASH, contents="Use get_weather for city=Paris", config={"tools": [get_weather]}
        )
    )
    first, second = emulator.requests
    assert first.body["tools"] == [
        {
            "functionDeclarations": [
                types.FunctionDeclaration.from_callable(callable=get_weather).to_dict()
            ]
        }
    ]
    assert second.body["contents"][1]["parts"][0]["functionCall"] == {
        "name": "get_weather",
        "args": {"city": "Paris", "unit": "celsius"},
    }
    result = {"result": {"city": "Paris", "temperature": 21, "unit": "celsius"}}
    assert second.body["contents"][2] == {
        "role": "user",
        "parts": [{"functionResponse": {"name": "get_weather", "response": result}}],
    }
    assert response.text.startswith("get_weather returned")
    history = response.automatic_function_calling_history
    assert [turn.role for turn in history] == ["user", "model", "user"]
    assert history[2].parts[0].function_response.response == result


async def test_arguments_arrive_as_the_annotated_types(models: Any, emulator: Emulator) -> None:
    seen: list[Any] = []

    def reserve(place: Place, booking: Booking, unit: Unit) -> str:
        """Reserve."""
        seen.extend([place, booking, unit])
        return "ok"

    emulator.script(
        [
            types.FunctionCall(
                name="reserve",
                args={
                    "place": {"city": "Oslo"},
                    "booking": {"guests": 2, "nights": 3},
                    "unit": "fahrenheit",
                },
            )
        ]
    )
    await _maybe(models.generate_content(model=FLASH, contents="x", config={"tools": [reserve]}))
    assert seen == [Place(city="Oslo"), Booking(guests=2, nights=3), Unit.FAHRENHEIT]


async def test_an_exception_in_the_tool_goes_back_as_an_error(
    models: Any, emulator: Emulator
) -> None:
    response = await _maybe(
        models.generate_content(
            model=FLASH, contents="fails reason=disk", config={"tools": [fails]}
        )
    )
    sent = emulator.requests[-1].body["contents"][-1]["parts"][0]["functionResponse"]
    assert sent == {"name": "fails", "response": {"error": "RuntimeError: failed: disk"}}
    assert "error" in response.text


async def test_arguments_that_do_not_fit_go_back_as_an_error(
    models: Any, emulator: Emulator
) -> None:
    called: list[Any] = []

    def count(n: int) -> int:
        """Count."""
        called.append(n)
        return n

    emulator.script([types.FunctionCall(name="count", args={"n": "three"})])
    await _maybe(models.generate_content(model=FLASH, contents="x", config={"tools": [count]}))
    response = emulator.requests[-1].body["contents"][-1]["parts"][0]["functionResponse"]
    assert "n: expected an integer" in response["response"]["error"]
    assert called == []


async def test_maximum_remote_calls_caps_the_requests(models: Any, emulator: Emulator) -> None:
    calls: list[str] = []

    def ping(text: str) -> str:
        """Ping."""
        calls.append(text)
        return text

    # mode ANY: the model asks for a call every time
    config = {
        "tools": [ping],
        "tool_config": {"function_calling_config": {"mode": "ANY"}},
        "automatic_function_calling": {"maximum_remote_calls": 3},
    }
    response = await _maybe(models.generate_content(model=FLASH, contents="go", config=config))
    assert len(emulator.requests) == 3
    assert len(calls) == 2  # the last answer's call is left to the caller
    assert response.function_calls[0].name == "ping"
    assert len(response.automatic_function_calling_history) == 5


async def test_disable_sends_the_declarations_only(models: Any, emulator: Emulator) -> None:
    config = types.GenerateContentConfig(
        tools=[get_weather],
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
    )
    response = await _maybe(
        models.generate_content(model=FLASH, contents="get_weather", config=config)
    )
    assert len(emulator.requests) == 1
    assert response.function_calls[0].name == "get_weather"
    assert response.automatic_function_calling_history is None


async def test_ignore_call_history(models: Any, emulator: Emulator) -> None:
    config = {"tools": [get_weather], "automatic_function_calling": {"ignore_call_history": True}}
    response = await _maybe(
        models.generate_content(model=FLASH, contents="get_weather", config=config)
    )
    assert len(emulator.requests) == 2
    assert response.automatic_function_calling_history is None


async def test_async_tools_on_the_async_client(emulator: Emulator) -> None:
    async def lookup(city: str) -> str:
        """Look a city up."""
        return f"found {city}"

    client = emulator.client()
    response = await client.aio.models.generate_content(
        model=FLASH, contents="lookup city=Rome", config={"tools": [lookup]}
    )
    assert response.automatic_function_calling_history[2].parts[0].function_response.response == {
        "result": "found Rome"
    }
    with pytest.raises(
        TypeError, match="lookup is a coroutine function; call it through client.aio"
    ):
        client.models.generate_content(model=FLASH, contents="lookup", config={"tools": [lookup]})
    assert len(emulator.requests) == 2


async def test_chats_keep_the_function_turns(emulator: Emulator) -> None:
    client = emulator.client()
    for chat in (
        client.chats.create(model=FLASH, config={"tools": [get_weather]}),
        client.aio.chats.create(model=FLASH, config={"tools": [get_weather]}),
    ):
        await _maybe(chat.send_message("get_weather city=Oslo"))
        roles = [turn.role for turn in chat.history]
        assert roles == ["user", "model", "user", "model"]
        assert chat.history[1].parts[0].function_call.name == "get_weather"
        await _maybe(chat.send_message("thanks"))
        sent = emulator.requests[-1].body["contents"]
        assert len(sent) == 5 and "functionResponse" in sent[2]["parts"][0]
