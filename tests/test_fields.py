"""Friendly dicts and the field tables behind them.

A dict given where an object is expected (a constructor argument, a method's contents or config,
`from_dict`) takes what the typed constructor takes as well as wire JSON, in snake_case or
camelCase. In user input an unknown key is a typo and raises before any request; a decoded
response keeps unknown keys so that they survive decode and re-encode.
"""

from __future__ import annotations

import base64
import datetime
import json
import subprocess
import sys

import pytest
from fakes import Server, fake_client

import gemini_sdk as genai
from gemini_sdk import _convert, types

MODEL = "gemini-2.5-flash"
ANSWER = {"candidates": [{"content": {"role": "model", "parts": [{"text": "ok"}]}}]}
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def server() -> Server:
    return Server()


@pytest.fixture
def client(server: Server) -> genai.Client:
    return fake_client(server, "fields-test-key")


# -- a dict carries Python values ---------------------------------------------------------------


@pytest.mark.parametrize("key", ["inline_data", "inlineData"])
@pytest.mark.parametrize("mime", ["mime_type", "mimeType"])
def test_part_from_dict_takes_bytes(key: str, mime: str) -> None:
    part = types.Part.from_dict({key: {"data": PNG, mime: "image/png"}})

    assert part.inline_data == types.Blob(data=PNG, mime_type="image/png")


def test_part_from_dict_still_takes_base64_text() -> None:
    wire = {"inlineData": {"data": base64.b64encode(PNG).decode(), "mimeType": "image/png"}}

    part = types.Part.from_dict(wire)

    assert part.inline_data is not None and part.inline_data.data == PNG
    assert part.to_dict() == wire


def test_contents_dict_with_bytes_is_sent_as_base64(client: genai.Client, server: Server) -> None:
    server.reply(ANSWER)
    contents = [{"parts": [{"inline_data": {"data": PNG, "mime_type": "image/png"}}]}]

    client.models.generate_content(model=MODEL, contents=contents)

    sent = json.loads(server.last.content)["contents"][0]["parts"][0]["inlineData"]
    assert sent == {"data": base64.b64encode(PNG).decode(), "mimeType": "image/png"}


def test_dict_takes_datetimes_ints_and_enum_members_and_names() -> None:
    moment = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    file = types.File.from_dict(
        {"expiration_time": moment, "sizeBytes": 12, "state": types.FileState.ACTIVE}
    )
    setting = types.SafetySetting.from_dict(
        {"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": types.HarmBlockThreshold.BLOCK_NONE}
    )

    assert file.expiration_time == moment
    assert file.size_bytes == 12
    assert file.state is types.FileState.ACTIVE
    assert file.to_dict() == {
        "expirationTime": "2026-01-02T03:04:05Z",
        "sizeBytes": "12",
        "state": "ACTIVE",
    }
    assert setting.category is types.HarmCategory.HARM_CATEGORY_HATE_SPEECH
    assert setting.threshold is types.HarmBlockThreshold.BLOCK_NONE


def test_constructor_dict_argument_takes_python_values() -> None:
    part = types.Part(inline_data={"data": PNG, "mimeType": "image/png"})

    assert part.inline_data == types.Blob(data=PNG, mime_type="image/png")


# -- an unknown key in user input raises --------------------------------------------------------

TYPO = {"category": "HARM_CATEGORY_HATE_SPEECH", "treshold": "BLOCK_NONE"}


def test_misspelt_key_in_a_constructor_dict_raises() -> None:
    with pytest.raises(TypeError, match=r"SafetySetting.*treshold"):
        types.GenerateContentConfig(safety_settings=[TYPO])


def test_misspelt_key_in_a_nested_config_dict_raises_before_sending(
    client: genai.Client, server: Server
) -> None:
    with pytest.raises(TypeError, match=r"SafetySetting.*treshold"):
        client.models.generate_content(
            model=MODEL, contents="hi", config={"safety_settings": [TYPO]}
        )
    assert server.requests == []


def test_misspelt_key_in_a_typed_config_raises_before_sending(
    client: genai.Client, server: Server
) -> None:
    with pytest.raises(TypeError, match=r"SafetySetting.*treshold"):
        client.models.generate_content(
            model=MODEL,
            contents="hi",
            config=types.GenerateContentConfig(safety_settings=[TYPO]),
        )
    assert server.requests == []


@pytest.mark.parametrize(
    ("contents", "message"),
    [
        ([{"role": "user", "parts": [{"txt": "hi"}]}], r"Part.*txt"),
        ({"role": "user", "prts": [{"text": "hi"}]}, r"Content.*prts"),
        ([{"inline_data": {"data": PNG, "mime": "image/png"}}], r"Blob.*mime"),
    ],
)
def test_misspelt_key_in_a_contents_dict_raises_before_sending(
    client: genai.Client, server: Server, contents: object, message: str
) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        client.models.generate_content(model=MODEL, contents=contents)  # type: ignore[arg-type]
    assert server.requests == []


def test_misspelt_key_in_a_tool_dict_raises_before_sending(
    client: genai.Client, server: Server
) -> None:
    with pytest.raises((TypeError, ValueError), match=r"Tool.*google_serch"):
        client.models.generate_content(
            model=MODEL, contents="hi", config={"tools": [{"google_serch": {}}]}
        )
    assert server.requests == []


def test_decoded_response_keeps_unknown_fields_at_every_level() -> None:
    wire = {
        "candidates": [
            {"content": {"parts": [{"text": "a", "newPartThing": {"x": 1}}], "newField": 2}}
        ],
        "brandNew": [1, 2],
    }

    response = types.GenerateContentResponse.from_dict(wire)

    assert response.unknown_fields == {"brandNew": [1, 2]}
    assert response.to_dict() == wire


@pytest.mark.parametrize("cls", [types.Part, types.Blob], ids=["wide", "narrow"])
def test_an_unknown_key_holding_null_is_kept_or_refused(cls: type) -> None:
    # a null is "not set" for a known field, but an unknown key is news (or a typo) either way
    decoded = cls.from_dict({"newField": None})
    assert decoded.unknown_fields == {"newField": None}
    with pytest.raises(_convert.WireFormatError, match=f"unknown field.* of {cls.__name__}: nwe"):
        cls.from_input({"nwe": None})


def test_a_null_known_field_is_not_set() -> None:
    assert types.Blob.from_dict({"data": None, "mimeType": "a/b"}) == types.Blob(mime_type="a/b")
    assert types.Part.from_dict({"text": None, "thought": True}) == types.Part(thought=True)


def test_bad_value_in_a_response_names_its_path() -> None:
    with pytest.raises(_convert.WireFormatError, match=r"candidates\[1\]\.index: expected an int"):
        types.GenerateContentResponse.from_dict({"candidates": [{}, {"index": "x"}]})


# -- built once, from the table -----------------------------------------------------------------


def test_encoders_are_built_once_per_class(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[type] = []
    codec = _convert._Codec(user=False)
    build = codec._model_encoder

    def counting(cls: type) -> _convert.Hook:
        built.append(cls)
        return build(cls)

    monkeypatch.setattr(codec, "_model_encoder", counting)
    request = types.GenerateContentRequest(
        contents=[types.Content(role="user", parts=[types.Part(text="a"), types.Part(text="b")])]
    )
    first = codec.encoder(types.GenerateContentRequest)(request)
    second = codec.encoder(types.GenerateContentRequest)(request)

    assert (
        first == second == {"contents": [{"role": "user", "parts": [{"text": "a"}, {"text": "b"}]}]}
    )
    assert sorted(c.__name__ for c in built) == ["Content", "GenerateContentRequest", "Part"]


def test_converter_does_not_import_the_model_base() -> None:
    code = "import sys, gemini_sdk._convert; print('gemini_sdk._model' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_conversions_go_through_one_cattrs_converter_per_mode() -> None:
    data = {"candidates": [{"content": {"parts": [{"text": "hi"}]}}], "newField": 1}
    wire = _convert._converter(user=False)

    response = wire.structure(data, types.GenerateContentResponse)

    assert response.text == "hi" and response.unknown_fields == {"newField": 1}
    assert wire.unstructure(response) == data
    assert wire.unstructure(types.FinishReason.STOP) == "STOP"
    assert _convert._converter(user=False) is wire
    with pytest.raises(TypeError, match="unknown field"):
        _convert._converter(user=True).structure(data, types.GenerateContentResponse)
