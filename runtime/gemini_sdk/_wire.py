"""What a generated field is on the wire, and the formats plain Python types cannot tell apart.

Every generated class carries a field table, `_wire_fields`: one `Field` per attribute with its
wire name and its kind (a scalar codec, a reference to another generated class, a list, a map or
a friendly-input transform). The construction check, the converter, the request assembler and
the emulator's validator are all built from these tables.

`Int64`, `UInt64` and `Duration` are `Annotated` aliases, so type checkers see the plain type
(users pass an `int` or a `str`); the table says which codec the field needs. `WireEnum`, the
base of generated enums, lives here too, so the converter and the model base both stand on this
module and neither imports the other's dependants.
"""

from __future__ import annotations

import datetime
import enum
import importlib
import re
from typing import Annotated, Any, NamedTuple

import attrs

# Where generated classes are found by name: references resolve on first use, so a class may
# live in a module that is only loaded then.
TYPES_MODULE = "_gemini_sdk_gen.types"
_RESOLVED: dict[str, Any] = {}


@attrs.frozen
class Scalar:
    # string, bytes, int32, uint32, int64, uint64, float, double, bool, timestamp, duration, any
    codec: str


@attrs.frozen
class _Ref:
    name: str  # a generated class name

    def resolve(self) -> Any:
        # the validator resolves references per request: an import statement per call costs
        # a few µs, a dictionary read a fraction of one
        found = _RESOLVED.get(self.name)
        if found is None:
            found = _RESOLVED[self.name] = getattr(importlib.import_module(TYPES_MODULE), self.name)
        return found


class ModelRef(_Ref):
    pass


class EnumRef(_Ref):
    pass


@attrs.frozen
class ListOf:
    item: Kind


@attrs.frozen
class MapOf:
    value: Kind  # keys are strings


@attrs.frozen
class Friendly:
    """A field of an SDK-only type whose input goes through a transform (gemini_sdk._transform),
    which gives a value of `gives`."""

    transform: str
    gives: Kind


Kind = Scalar | ModelRef | EnumRef | ListOf | MapOf | Friendly


class Field(NamedTuple):
    attr: str
    wire: str
    kind: Kind
    required: bool = False
    output_only: bool = False
    # an SDK-only config field: where its value lands in the request ("body.a.b", "query.x")
    to: str | None = None


# JSON carries 64-bit integers as strings, since JavaScript numbers cannot hold them.
Int64 = Annotated[int, "int64"]
UInt64 = Annotated[int, "uint64"]
# A protobuf Duration: decimal seconds with an `s` suffix, like "3600s" or "1.5s".
Duration = Annotated[str, "google-duration"]

INT64_RANGE = (-(2**63), 2**63 - 1)
UINT64_RANGE = (0, 2**64 - 1)
INT32_RANGE = (-(2**31), 2**31 - 1)

DURATION = re.compile(r"-?\d+(\.\d{1,9})?s")
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})"
)


class Timestamp(datetime.datetime):
    """A datetime that remembers the exact text it was read from.

    RFC 3339 on the wire allows nanoseconds and any offset; a datetime holds microseconds.
    Keeping the text means a timestamp that was received and not changed is sent back
    exactly as it came.
    """

    wire_text: str | None

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (parse_timestamp, (self.wire_text or format_timestamp(self),))


def parse_timestamp(text: str) -> datetime.datetime:
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        raise ValueError(f"not an RFC 3339 timestamp: {text!r}")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if zone in ("Z", "z"):
        tz = datetime.timezone.utc
    else:
        sign = -1 if zone[0] == "-" else 1
        tz = datetime.timezone(
            sign * datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
        )
    micro = int((fraction or "0").ljust(6, "0")[:6])
    value = Timestamp(
        int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tz
    )
    value.wire_text = text
    return value


def format_timestamp(value: datetime.datetime) -> str:
    text = getattr(value, "wire_text", None)
    if text is not None:
        return text  # type: ignore[no-any-return]
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    value = value.astimezone(datetime.timezone.utc)
    fraction = f".{value.microsecond:06d}".rstrip("0") if value.microsecond else ""
    # not strftime: it does not zero-pad years before 1000 on every platform
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        f"T{value.hour:02d}:{value.minute:02d}:{value.second:02d}{fraction}Z"
    )


def format_duration(seconds: float) -> str:
    if float(seconds).is_integer():
        return f"{int(seconds)}s"
    return f"{seconds:.9f}".rstrip("0") + "s"


class WireEnum(str, enum.Enum):
    """A str-valued enum that never rejects a value it does not know.

    Values are matched case-insensitively (`"low"` finds `LOW`) and a proto enum number finds
    the member it stands for; an unknown value becomes a member of its own, so a response
    from a newer service decodes, compares equal to its string and is sent back unchanged.
    """

    def __str__(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        # Enum's own repr formats the value as a str, which a number kept as received is not.
        return f"<{type(self).__name__}.{self._name_}: {self._value_!r}>"

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if type(value) is int:
            return cls.numbered(value)
        if not isinstance(value, str):
            return None
        # a member's name is accepted as well as its value (`V1_1` for "1:1")
        known = cls._value2member_map_.get(value.upper()) or cls.__members__.get(value)
        if known is not None:
            return known
        return cls.unknown(value)

    @classmethod
    def unknown(cls, value: str | int) -> Any:
        """A member for a value this version does not know, sent back as it was received."""
        member = str.__new__(cls, str(value))
        member._name_ = str(value)
        member._value_ = value
        return member

    @classmethod
    def numbered(cls, number: int) -> Any:
        """The member a proto enum number stands for, as the service may send it.

        This assumes that the declared order of the values is their proto numbering, the
        UNSPECIFIED value being 0, as in Google's protos. An enum whose numbers skip or
        reorder values would need its numbers in the spec; a number past the last value is
        kept as an unknown member.
        """
        names = cls._member_names_
        if 0 <= number < len(names):
            return cls[names[number]]
        return cls.unknown(number)

    @property
    def is_known(self) -> bool:
        return self._name_ in type(self).__members__
