"""Non-finite floats both ways: proto JSON writes NaN and the infinities as the strings
"NaN", "Infinity" and "-Infinity", and reads them back; any other string is refused."""

from __future__ import annotations

import math

import orjson
import pytest

from gemini_sdk import types

SPECIAL = [(math.nan, "NaN"), (math.inf, "Infinity"), (-math.inf, "-Infinity")]


@pytest.mark.parametrize(("value", "text"), SPECIAL)
def test_a_non_finite_float_is_sent_as_its_string(value: float, text: str) -> None:
    config = types.GenerationConfig(temperature=value)
    assert config.to_dict() == {"temperature": text}
    # orjson alone would write null: what goes on the wire is the string
    assert orjson.loads(config.to_json()) == {"temperature": text}


@pytest.mark.parametrize(("value", "text"), SPECIAL)
def test_a_non_finite_float_in_a_list_is_sent_as_its_string(value: float, text: str) -> None:
    embedding = types.ContentEmbedding(values=[1.5, value, 2])
    assert embedding.to_dict() == {"values": [1.5, text, 2]}


@pytest.mark.parametrize(("value", "text"), SPECIAL)
def test_a_non_finite_float_string_is_read(value: float, text: str) -> None:
    read = types.Candidate.from_dict({"avgLogprobs": text}).avg_logprobs
    assert read is not None
    assert math.isnan(read) if math.isnan(value) else read == value
    values = types.ContentEmbedding.from_dict({"values": [0.5, text]}).values
    assert values is not None and values[0] == 0.5
    assert math.isnan(values[1]) if math.isnan(value) else values[1] == value


@pytest.mark.parametrize("text", ["nan", "inf", "infinity", "1.5", "", "NaN "])
def test_any_other_string_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="avgLogprobs|avg_logprobs"):
        types.Candidate.from_dict({"avgLogprobs": text})
    with pytest.raises(ValueError, match="values"):
        types.ContentEmbedding.from_dict({"values": [0.5, text]})


def test_finite_floats_stay_numbers() -> None:
    config = types.GenerationConfig(temperature=0.25, top_p=1)
    assert orjson.loads(config.to_json()) == {"temperature": 0.25, "topP": 1}
