"""Property tests: every generated model survives dict and JSON round trips.

For every model in the spec IR: instances go through `to_dict`/`from_dict` and
`to_json`/`from_json` unchanged (both checked on each drawn instance), and wire JSON goes through
`from_dict`/`to_dict` unchanged (exactly: the strategies emit the one spelling the SDK itself
uses). Every enum keeps its known values and unknown ones.
"""

from __future__ import annotations

from typing import Any

import pytest
import strategies
from hypothesis import given
from hypothesis import strategies as st

from _gemini_sdk_gen import types as gen_types
from gemini_sdk._convert import dumps, loads, structure, unstructure

MODEL_NAMES = sorted(strategies.MODELS, key=lambda n: strategies.MODELS[n].class_name)
MODEL_IDS = [strategies.MODELS[n].class_name for n in MODEL_NAMES]
ENUM_NAMES = sorted(strategies.ENUMS, key=lambda n: strategies.ENUMS[n].class_name)
ENUM_IDS = [strategies.ENUMS[n].class_name for n in ENUM_NAMES]

models = pytest.mark.parametrize("spec_name", MODEL_NAMES, ids=MODEL_IDS)
enums = pytest.mark.parametrize("spec_name", ENUM_NAMES, ids=ENUM_IDS)


def test_every_model_and_enum_is_covered() -> None:
    assert len(MODEL_NAMES) == len(strategies.API.models) > 0
    assert len(ENUM_NAMES) == len(strategies.API.enums) > 0
    missing = [m.class_name for m in strategies.API.models if not hasattr(gen_types, m.class_name)]
    missing += [e.class_name for e in strategies.API.enums if not hasattr(gen_types, e.class_name)]
    assert missing == []


@models
@given(data=st.data())
def test_instance_round_trips(spec_name: str, data: st.DataObject) -> None:
    # Two properties on one drawn instance (drawing dominates the run time):
    # from_dict(to_dict(x)) == x and from_json(to_json(x)) == x.
    cls = strategies.model_class(spec_name)
    obj = data.draw(strategies.instances(spec_name), label="instance")
    wire = obj.to_dict()
    assert cls.from_dict(wire) == obj, f"dict round trip changed it; to_dict gave {wire!r}"
    text = obj.to_json()
    assert cls.from_json(text) == obj, f"JSON round trip changed it; to_json gave {text}"


@models
@given(data=st.data())
def test_wire_json_round_trip(spec_name: str, data: st.DataObject) -> None:
    cls = strategies.model_class(spec_name)
    wire: dict[str, Any] = data.draw(strategies.wire_json(spec_name), label="wire")
    assert cls.from_dict(wire).to_dict() == wire


@enums
def test_enum_values_round_trip(spec_name: str) -> None:
    cls = strategies.enum_class(spec_name)
    known = [m.value for m in strategies.ENUMS[spec_name].members]
    novel = [f"{strategies.UNKNOWN_ENUM_PREFIX}_NEW", "x_unknown_lower_case"]
    for value in known + novel:
        member = structure(value, cls)
        assert member.is_known == (value in known)
        assert member == value and member.value == value
        assert unstructure(member) == value
        assert loads(dumps(unstructure(cls(value)))) == value
    for member in strategies.ENUMS[spec_name].members:
        assert cls(member.value) is getattr(cls, member.name)
