"""Annotations for wire formats that plain Python types cannot tell apart.

They are `Annotated` aliases, so type checkers see the plain type (users pass an `int` or a
`str`) while the converter sees which codec a field needs.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any

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
