"""Bad input and surprising response data, each pinned by a test: path values that would
reach another resource, input messages, and enum numbers and nulls in responses.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
from fakes import Server, fake_client

from gemini_sdk import types

KEY = "AIzaSy-SECRET-input-key"
MODEL = "gemini-2.5-flash"


# -- path parameters are one segment --------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.files.delete(name="files/../models/x"),
        lambda c: c.files.get(name="files/../../v1/models"),
        lambda c: c.models.generate_content(model="../cachedContents/x", contents="hi"),
        lambda c: c.files.get(name="a/b"),
        lambda c: c.files.get(name=".."),
        lambda c: c.files.get(name="."),
        lambda c: c.files.get(name="%2e%2E"),
        lambda c: c.files.get(name="a%2Fb"),
        lambda c: c.files.get(name="a%2fb"),
        lambda c: c.files.get(name="a?alt=media"),
        lambda c: c.files.get(name="a#b"),
        lambda c: c.files.get(name="a%3Fb"),
        lambda c: c.files.get(name="a%23b"),
        lambda c: c.models.get(model="x/../../files"),
    ],
)
def test_traversing_path_values_raise_before_any_request(call: Any) -> None:
    server = Server()
    with pytest.raises(ValueError, match=r"one path segment"):
        call(fake_client(server, KEY))
    assert server.requests == []


def test_a_plain_id_is_sent_as_one_encoded_segment() -> None:
    server = Server()
    server.reply({"name": "files/a b"})
    fake_client(server, KEY).files.get(name="files/a b")
    assert server.last.url.raw_path == b"/v1beta/files/a%20b"


# -- input messages -------------------------------------------------------------------------


def test_uploading_a_directory_says_so(tmp_path: Path) -> None:
    server = Server()
    with pytest.raises(IsADirectoryError, match="is a directory"):
        fake_client(server, KEY).files.upload(file=tmp_path)
    assert server.requests == []


def test_a_wrong_system_instruction_is_described_once() -> None:
    with pytest.raises(TypeError) as caught:
        types.GenerateContentConfig(system_instruction=5)
    assert str(caught.value).count("got int 5") == 1


# -- enum numbers and nulls in responses ----------------------------------------------------

RECORDED = {
    "candidates": [
        {
            "content": {"role": "model", "parts": [{"text": "ok"}]},
            "finishReason": 1,
            "safetyRatings": [{"category": 8, "probability": 1}, {"category": 99}],
        }
    ],
    "modelVersion": None,
}


def test_enum_numbers_read_as_their_members() -> None:
    response = types.GenerateContentResponse.from_dict(RECORDED)
    candidate = response.candidates[0]
    assert candidate.finish_reason is types.FinishReason.STOP
    first, second = candidate.safety_ratings
    assert first.category is types.HarmCategory.HARM_CATEGORY_HATE_SPEECH
    assert first.probability is types.HarmProbability.NEGLIGIBLE
    assert not second.category.is_known
    assert response.model_version is None
    wire = response.to_dict()
    assert wire["candidates"][0]["safetyRatings"][1] == {"category": 99}  # as received
    assert pickle.loads(pickle.dumps(response)).to_dict() == wire
    assert "HarmCategory.99" in repr(second)


def test_enum_numbers_through_a_whole_call() -> None:
    server = Server()
    server.reply(RECORDED)
    response = fake_client(server, KEY).models.generate_content(model=MODEL, contents="hi")
    assert response.candidates[0].finish_reason == "STOP"
    assert response.text == "ok"


def test_unknown_enum_string_encodes_back_as_received() -> None:
    data = {"candidates": [{"finishReason": "SOMETHING_NEW", "content": None}]}
    response = types.GenerateContentResponse.from_dict(data)
    assert response.to_dict() == {"candidates": [{"finishReason": "SOMETHING_NEW"}]}


# The numbers real traffic sends (google/ai/generativelanguage/v1beta protos), where they do
# not follow the order the rendering lists the values in.
@pytest.mark.parametrize(
    ("cls", "number", "member"),
    [
        ("FinishReason", 5, "OTHER"),
        ("FinishReason", 6, "LANGUAGE"),
        ("FinishReason", 12, "UNEXPECTED_TOOL_CALL"),
        ("FinishReason", 17, "IMAGE_RECITATION"),
        ("FileState", 10, "FAILED"),
        ("DocumentState", 10, "STATE_FAILED"),
        ("HarmProbability", 4, "HIGH"),  # an enum numbered in its declared order
    ],
)
def test_enum_numbers_follow_the_proto(cls: str, number: int, member: str) -> None:
    enum_class = getattr(types, cls)
    assert enum_class(number) is enum_class[member]


def test_a_number_no_member_has_is_kept_as_received() -> None:
    # 3 is FileState's FAILED by declared order, but no state has that proto number
    data = {"name": "files/a", "state": 3}
    file = types.File.from_dict(data)
    assert not file.state.is_known
    assert file.to_dict() == data
    response = types.GenerateContentResponse.from_dict({"candidates": [{"finishReason": 6}]})
    assert response.candidates[0].finish_reason is types.FinishReason.LANGUAGE
