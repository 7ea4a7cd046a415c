"""Hypothesis strategies for every schema, derived from the spec IR.

Two views of each model:

* `wire_json(spec_name)`: a JSON object as the service would send it (camelCase keys, 64-bit
  integers as decimal strings, bytes as padded standard base64, RFC 3339 text, ...), in the one
  spelling that the SDK emits, so that `from_dict(j).to_dict() == j` can be asserted exactly.
* `instances(spec_name)`: an instance built through the generated class's keyword constructor.

Values stay small: text is short, lists hold at most three items, and nesting is bounded by a
depth budget. Optional fields are only drawn while budget remains; required fields are always
drawn (no schema reaches itself through required fields only, so this terminates). Every
model level may carry keys the spec does not know (`x_unknown...`), which must survive.
"""

from __future__ import annotations

import base64
import datetime
import functools
import string
from pathlib import Path
from typing import Any

import attrs
from hypothesis import strategies as st

from _gemini_sdk_gen import types as gen_types
from codegen import ir
from codegen.loader import load

SPEC_DIR = Path(__file__).resolve().parents[1] / "spec"
API = load(SPEC_DIR)
MODELS: dict[str, ir.Model] = {m.spec_name: m for m in API.models}
ENUMS: dict[str, ir.Enum] = {e.spec_name: e for e in API.enums}

# Levels of nested objects below the top one that may carry optional fields; deeper objects
# get their required fields only.
DEPTH = 1
MAX_ITEMS = 3
UNKNOWN_PREFIX = "x_unknown"
UNKNOWN_ENUM_PREFIX = "X_UNKNOWN_VALUE"

INT32 = (-(2**31), 2**31 - 1)
UINT32 = (0, 2**32 - 1)
INT64 = (-(2**63), 2**63 - 1)
UINT64 = (0, 2**64 - 1)
JSON_SAFE_INT = (-(2**53), 2**53)


def model_class(spec_name: str) -> type[Any]:
    cls: type[Any] = getattr(gen_types, MODELS[spec_name].class_name)
    return cls


def enum_class(spec_name: str) -> type[Any]:
    cls: type[Any] = getattr(gen_types, ENUMS[spec_name].class_name)
    return cls


# -- scalars ---------------------------------------------------------------------------------

TEXT = st.text(max_size=8)
FINITE_DOUBLE = st.floats(allow_nan=False, allow_infinity=False)
# Proto JSON spells the non-finite floats as strings. Typed values draw the infinities (NaN is
# never equal to itself, which object comparison needs); wire values draw all three spellings.
SPECIAL_FLOAT_TEXT = st.sampled_from(["NaN", "Infinity", "-Infinity"])


def _floats(wire: bool, width: int) -> Any:
    if wire:
        return st.floats(allow_nan=False, allow_infinity=False, width=width) | SPECIAL_FLOAT_TEXT
    return st.floats(allow_nan=False, width=width)


JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(*JSON_SAFE_INT) | FINITE_DOUBLE | TEXT,
    lambda children: (
        st.lists(children, max_size=MAX_ITEMS) | st.dictionaries(TEXT, children, max_size=MAX_ITEMS)
    ),
    max_leaves=4,
)
# A top-level `any` field set to JSON null reads back as "unset" and is then left out, the
# proto3 JSON reading of null; inside lists and maps null is an ordinary value.
JSON_VALUE_NOT_NULL = JSON_VALUE.filter(lambda v: v is not None)

_DIGITS = st.text(alphabet=string.digits, min_size=1, max_size=4)
DURATION = st.builds(
    lambda sign, whole, fraction: f"{sign}{int(whole)}{'.' + fraction if fraction else ''}s",
    st.sampled_from(["", "-"]),
    _DIGITS,
    st.one_of(st.just(""), st.text(alphabet=string.digits, min_size=1, max_size=9)),
)

_UTC = datetime.timezone.utc


@st.composite
def timestamp_text(draw: st.DrawFn) -> str:
    """RFC 3339 in UTC, with 0, 3, 6 or 9 fractional digits, ending in Z."""
    moment = draw(st.datetimes(min_value=datetime.datetime(1, 1, 1)))
    digits = draw(st.sampled_from([0, 3, 6, 9]))
    text = f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}"
    if digits:
        fraction = f"{moment.microsecond:06d}" + draw(
            st.text(string.digits, min_size=3, max_size=3)
        )
        text += "." + fraction[:digits]
    return text + "Z"


# Aware datetimes: UTC, or a whole-minute offset (kept away from the ends of the datetime range,
# where converting to UTC would leave it).
_OFFSETS = st.integers(-14 * 60, 14 * 60).map(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes))
)
DATETIME = st.one_of(
    st.datetimes(timezones=st.just(_UTC)),
    st.datetimes(
        min_value=datetime.datetime(2, 1, 1),
        max_value=datetime.datetime(9998, 12, 31),
        timezones=_OFFSETS,
    ),
)


def _ints(bounds: tuple[int, int], wire: bool) -> st.SearchStrategy[Any]:
    ints = st.integers(*bounds)
    return ints.map(str) if wire else ints


def _bytes(wire: bool) -> st.SearchStrategy[Any]:
    data = st.binary(max_size=8)
    return data.map(lambda b: base64.b64encode(b).decode("ascii")) if wire else data


# By the codec name of the IR's scalar table: (wire, top level) -> strategy.
SCALARS: dict[str, Any] = {
    "any": lambda wire, top: JSON_VALUE_NOT_NULL if top else JSON_VALUE,
    "bool": lambda wire, top: st.booleans(),
    "int32": lambda wire, top: st.integers(*INT32),
    "uint32": lambda wire, top: st.integers(*UINT32),
    "float": lambda wire, top: _floats(wire, 32),
    "double": lambda wire, top: _floats(wire, 64),
    "int64": lambda wire, top: _ints(INT64, wire),
    "uint64": lambda wire, top: _ints(UINT64, wire),
    "bytes": lambda wire, top: _bytes(wire),
    "timestamp": lambda wire, top: timestamp_text() if wire else DATETIME,
    "duration": lambda wire, top: DURATION,
    "string": lambda wire, top: TEXT,
}


# -- enums -----------------------------------------------------------------------------------


@functools.cache
def enum_values(spec_name: str, unknown: bool = True) -> st.SearchStrategy[str]:
    """Known values; with `unknown`, sometimes a value the spec does not list."""
    known = st.sampled_from([m.value for m in ENUMS[spec_name].members])
    if not unknown:
        return known
    novel = st.text(string.ascii_uppercase + string.digits + "_", max_size=6).map(
        lambda s: f"{UNKNOWN_ENUM_PREFIX}_{s}"
    )
    return st.one_of(known, known, novel)


# -- unknown keys ----------------------------------------------------------------------------

UNKNOWN_KEYS = st.text(string.ascii_letters + string.digits + "_", max_size=6).map(
    lambda s: UNKNOWN_PREFIX + s
)
UNKNOWN_FIELDS = st.dictionaries(UNKNOWN_KEYS, JSON_VALUE, min_size=1, max_size=2)
MAYBE_UNKNOWN = st.one_of(st.just({}), UNKNOWN_FIELDS)


def _check_unknown_prefix() -> None:
    for model in API.models:
        for f in model.fields:
            assert not f.wire_name.startswith(UNKNOWN_PREFIX), (model.spec_name, f.wire_name)
            assert not f.attr_name.startswith(UNKNOWN_PREFIX), (model.spec_name, f.attr_name)
    for enum in API.enums:
        for m in enum.members:
            assert not m.value.startswith(UNKNOWN_ENUM_PREFIX), (enum.spec_name, m.value)


_check_unknown_prefix()


@attrs.frozen
class Mode:
    """What to draw: wire JSON or instances, and whether to include what the spec lacks."""

    wire: bool
    unknown_fields: bool = True
    unknown_enums: bool = True
    # finite floats only: what a JSON Schema `number` describes (no NaN/Infinity spellings)
    finite_floats: bool = False


# -- friendly-input transforms (SDK-only config types) ---------------------------------------
#
# A transform field accepts several spellings and normalises them; the strategies draw values
# in the normal form, which the transform leaves unchanged.


def _content_normal(value: Any, wire: bool) -> Any:
    # A dict without `parts` or `role` would be read as a Part, not a Content.
    if wire:
        return value if ("parts" in value or "role" in value) else {**value, "role": "user"}
    if value.parts is None and value.role is None:
        return attrs.evolve(value, role="user")
    return value


# Callbacks (a transfer's progress) have no wire form and no value to compare: never drawn.
CALLBACKS = frozenset({"progress"})


def _transform(tref: ir.TransformRef, depth: int, mode: Mode) -> st.SearchStrategy[Any]:
    name, gives = tref.name, tref.gives
    if name == "model_name":
        return TEXT.filter(lambda s: s.strip() != "" and not s.startswith("models/"))
    if name == "cached_content_name":
        return TEXT.map(lambda s: "cachedContents/" + s)
    if name == "content":
        one = value_strategy(gives, depth, mode)
        return one.map(lambda v: _content_normal(v, mode.wire))
    if name in ("contents", "contents_each"):
        assert isinstance(gives, ir.ListRef)
        one = value_strategy(gives.item, depth - 1, mode)
        one = one.map(lambda v: _content_normal(v, mode.wire))
        return st.lists(one, min_size=1, max_size=MAX_ITEMS)
    if name in ("schema", "tools", "custom_metadata"):
        return value_strategy(gives, depth, mode)
    if name == "json_schema":  # any JSON but null, which sets no schema
        return value_strategy(gives, depth, mode).filter(lambda v: v is not None)
    raise NotImplementedError(f"no strategy for transform {name}: add its normal form here")


# -- values and models -----------------------------------------------------------------------


def value_strategy(
    tref: ir.TypeRef, depth: int, mode: Mode, top: bool = False
) -> st.SearchStrategy[Any]:
    """Values of a field's type; nested models get `depth` (their own budget)."""
    if isinstance(tref, ir.ScalarRef):
        if mode.finite_floats and tref.scalar.codec in ("float", "double"):
            width = 32 if tref.scalar.codec == "float" else 64
            return st.floats(allow_nan=False, allow_infinity=False, width=width)
        return SCALARS[tref.scalar.codec](mode.wire, top)  # type: ignore[no-any-return]
    if isinstance(tref, ir.EnumRef):
        values = enum_values(tref.target, mode.unknown_enums)
        if mode.wire:
            return values
        cls = enum_class(tref.target)
        # Users pass members or the strings of known values; a value this version does not
        # know reaches an object only as the member decoding made of it.
        return st.one_of(values.map(cls), enum_values(tref.target, False))
    if isinstance(tref, ir.ModelRef):
        return _model(tref.target, depth, mode)
    if isinstance(tref, ir.ListRef):
        if depth < 0:  # out of budget: a required list stays empty
            return st.just([])
        return st.lists(value_strategy(tref.item, depth, mode), max_size=MAX_ITEMS)
    if isinstance(tref, ir.MapRef):
        if depth < 0:
            return st.just({})
        return st.dictionaries(TEXT, value_strategy(tref.value, depth, mode), max_size=MAX_ITEMS)
    if isinstance(tref, ir.TransformRef):
        return _transform(tref, depth, mode)
    raise NotImplementedError(f"no strategy for {tref!r}")


@functools.cache
def _model(spec_name: str, depth: int, mode: Mode) -> st.SearchStrategy[Any]:
    model = MODELS[spec_name]
    if model.input_only and mode.unknown_fields:
        # only ever user input, where an unknown key is a typo that raises
        return _model(spec_name, depth, attrs.evolve(mode, unknown_fields=False))
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for f in model.fields:
        if isinstance(f.type, ir.TransformRef) and f.type.name in CALLBACKS:
            continue
        key = f.wire_name if mode.wire else f.attr_name
        if f.required:
            required[key] = value_strategy(f.type, depth - 1, mode, top=True)
        elif depth >= 0:
            optional[key] = value_strategy(f.type, depth - 1, mode, top=True)
    fields = st.fixed_dictionaries(required, optional=optional)
    if mode.wire:
        if not mode.unknown_fields:
            return fields
        return st.builds(lambda known, extra: {**extra, **known}, fields, MAYBE_UNKNOWN)
    cls = model_class(spec_name)
    if not mode.unknown_fields:
        return fields.map(lambda kw: cls(**kw))
    return st.builds(
        lambda kw, extra: cls(**kw, unknown_fields=extra or None), fields, MAYBE_UNKNOWN
    )


def wire_json(
    spec_name: str, unknown_fields: bool = True, unknown_enums: bool = True
) -> st.SearchStrategy[dict[str, Any]]:
    """Wire JSON objects of a model, in the spelling the SDK itself emits."""
    return _model(spec_name, DEPTH, Mode(True, unknown_fields, unknown_enums))


def instances(
    spec_name: str,
    unknown_fields: bool = True,
    unknown_enums: bool = True,
    finite_floats: bool = False,
) -> st.SearchStrategy[Any]:
    """Instances of a model's generated class.

    `unknown_enums=False` keeps to the enum values the spec lists (what a schema with closed
    enums, such as the JSON Schema export, describes); `unknown_fields=False` leaves out keys
    the spec does not know; `finite_floats=True` draws no NaN or infinity.
    """
    return _model(spec_name, DEPTH, Mode(False, unknown_fields, unknown_enums, finite_floats))
