from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gemini_sdk import errors
from gemini_sdk._sse import ServerSentEvent, SSEDecoder
from gemini_sdk._stream import AsyncStream, Events


def iter_events(chunks: Iterable[bytes]) -> Iterator[ServerSentEvent]:
    decoder = SSEDecoder()
    for chunk in chunks:
        yield from decoder.feed(chunk)
    decoder.finish()


def decode(*chunks: bytes) -> list[ServerSentEvent]:
    return list(iter_events(chunks))


def test_single_event() -> None:
    assert decode(b'data: {"a": 1}\n\n') == [ServerSentEvent(data='{"a": 1}')]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_line_endings(newline: bytes) -> None:
    stream = newline.join([b"data: one", b"", b"event: two", b"data: 2", b"", b""])

    assert decode(stream) == [ServerSentEvent("one"), ServerSentEvent("2", event="two")]


def test_mixed_line_endings() -> None:
    assert decode(b"data: a\r\ndata: b\ndata: c\r\r\n") == [ServerSentEvent("a\nb\nc")]


def test_crlf_split_across_chunks_is_one_line_break() -> None:
    # Were the LF taken as a second line break, the blank line would dispatch "a" alone.
    events = decode(b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n")

    assert events == [ServerSentEvent("a\nb")]


def test_lone_cr_at_chunk_end_followed_by_other_text() -> None:
    assert decode(b"data: a\r", b"data: b\r", b"\r") == [ServerSentEvent("a\nb")]


def test_cr_then_empty_chunk_then_lf() -> None:
    assert decode(b"data: a\r", b"", b"\n", b"\r\n") == [ServerSentEvent("a")]


def test_utf8_split_across_chunks() -> None:
    encoded = "data: héllo 🌍\n\n".encode()
    split_points = [encoded.index("é".encode()) + 1, encoded.index("🌍".encode()) + 2]

    events = decode(
        encoded[: split_points[0]],
        encoded[split_points[0] : split_points[1]],
        encoded[split_points[1] :],
    )

    assert events == [ServerSentEvent("héllo 🌍")]


def test_invalid_utf8_is_replaced() -> None:
    assert decode(b"data: a\xffb\n\n") == [ServerSentEvent("a\ufffdb")]


def test_multi_line_data_is_joined_with_newlines() -> None:
    assert decode(b"data: first\ndata: second\ndata:\ndata: third\n\n") == [
        ServerSentEvent("first\nsecond\n\nthird")
    ]


def test_comments_are_ignored() -> None:
    stream = b": keep-alive\ndata: a\n:another\n\n: trailing comment\n"

    assert decode(stream) == [ServerSentEvent("a")]


def test_event_id_and_retry_fields() -> None:
    stream = b"event: update\nid: 7\nretry: 1500\ndata: x\n\n"

    assert decode(stream) == [ServerSentEvent("x", event="update", id="7", retry=1500)]


def test_event_type_and_retry_apply_to_one_event_but_id_persists() -> None:
    stream = b"event: a\nid: 1\nretry: 10\ndata: x\n\ndata: y\n\nid\ndata: z\n\n"

    assert decode(stream) == [
        ServerSentEvent("x", event="a", id="1", retry=10),
        ServerSentEvent("y", id="1"),
        ServerSentEvent("z"),
    ]


def test_invalid_retry_and_id_with_nul_are_ignored() -> None:
    stream = b"retry: 1.5\nretry: soon\nid: a\x00b\ndata: x\n\n"

    assert decode(stream) == [ServerSentEvent("x")]


def test_no_space_after_colon_and_only_one_space_stripped() -> None:
    assert decode(b"data:tight\ndata:  two spaces\n\n") == [ServerSentEvent("tight\n two spaces")]


def test_field_without_colon_has_an_empty_value() -> None:
    assert decode(b"data\ndata\n\n") == [ServerSentEvent("\n")]
    assert decode(b"event\ndata: x\n\n") == [ServerSentEvent("x")]


def test_unknown_fields_are_ignored() -> None:
    assert decode(b"foo: bar\ndata: x\nDATA: y\n\n") == [ServerSentEvent("x")]


def test_event_without_data_is_not_dispatched_and_does_not_leak() -> None:
    stream = b"event: ping\nretry: 5\n\ndata: x\n\n"

    assert decode(stream) == [ServerSentEvent("x")]


def test_leading_byte_order_mark_is_ignored() -> None:
    assert decode(b"\xef\xbb", b"\xbfdata: x\n\n") == [ServerSentEvent("x")]


def test_byte_order_mark_later_in_the_stream_is_data() -> None:
    assert decode(b"data: a\n\n", b"data: \xef\xbb\xbfb\n\n")[1] == ServerSentEvent("\ufeffb")


def test_feed_returns_only_the_events_completed_so_far() -> None:
    decoder = SSEDecoder()

    assert decoder.feed(b"data: a\n\nda") == [ServerSentEvent("a")]
    assert decoder.feed(b"ta: b\n") == []
    assert decoder.feed(b"\n") == [ServerSentEvent("b")]
    decoder.finish()


@pytest.mark.parametrize(
    "stream",
    [
        b'data: a\n\ndata: {"partial',
        b"data: a\n\ndata: complete line but no blank line\n",
        b"data: a\r\n\r\ndata: b\r\n",
    ],
)
def test_cut_stream_raises(stream: bytes) -> None:
    events = iter_events([stream])

    assert next(events) == ServerSentEvent("a")
    with pytest.raises(errors.StreamInterruptedError):
        next(events)


@pytest.mark.parametrize(
    "stream",
    [b"", b"data: a\n\n", b"data: a\r\n\r\n", b"data: a\r\r", b": comment\n", b"event: x\n"],
)
def test_clean_end_passes(stream: bytes) -> None:
    decoder = SSEDecoder()
    decoder.feed(stream)

    decoder.finish()


# A realistic stream: every feature, CR/LF/CRLF line breaks and multi-byte characters.
STREAM = (
    b": hello\r\n"
    b'event: message\r\nid: 1\r\ndata: {"text": "h\xc3\xa9llo \xf0\x9f\x8c\x8d"}\r\n\r\n'
    b"data: line one\ndata:line two\n\n"
    b"retry: 3000\rdata: \xe4\xbd\xa0\xe5\xa5\xbd\r\r"
    b"event: ping\n\n"
    b"data\r\n\r\n"
)
EXPECTED = [
    ServerSentEvent('{"text": "héllo 🌍"}', event="message", id="1"),
    ServerSentEvent("line one\nline two", id="1"),
    ServerSentEvent("你好", id="1", retry=3000),
    ServerSentEvent("", id="1"),
]


def split(stream: bytes, cuts: Iterable[int]) -> list[bytes]:
    bounds = [0, *sorted(cuts), len(stream)]
    return [stream[start:end] for start, end in zip(bounds[:-1], bounds[1:], strict=True)]


def test_reference_stream_in_one_chunk() -> None:
    assert decode(STREAM) == EXPECTED


def test_one_byte_at_a_time_matches_one_chunk() -> None:
    assert list(iter_events(STREAM[i : i + 1] for i in range(len(STREAM)))) == EXPECTED


@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=40))
def test_any_split_matches_one_chunk(cuts: list[int]) -> None:
    assert list(iter_events(split(STREAM, cuts))) == EXPECTED


def outcome(chunks: Iterable[bytes]) -> tuple[list[ServerSentEvent], bool]:
    """The events delivered, and whether the stream was reported as cut."""
    events: list[ServerSentEvent] = []
    try:
        for event in iter_events(chunks):
            events.append(event)
    except errors.StreamInterruptedError:
        return events, True
    return events, False


@given(st.integers(min_value=0, max_value=len(STREAM)), st.data())
def test_any_split_of_any_prefix_matches_one_chunk(length: int, data: st.DataObject) -> None:
    prefix = STREAM[:length]
    cuts = data.draw(st.lists(st.integers(min_value=0, max_value=length), max_size=20))

    assert outcome(split(prefix, cuts)) == outcome([prefix])


def test_every_truncation_inside_an_event_raises() -> None:
    data_start = STREAM.index(b"data: {")
    # The CR of the final CRLF already ends the blank line; the LF is only awaited.
    blank_line_end = STREAM.index(b"\r\n\r\n") + 3

    for length in range(data_start + 1, blank_line_end):
        assert outcome([STREAM[:length]]) == ([], True), STREAM[:length]
    assert outcome([STREAM[:blank_line_end]]) == (EXPECTED[:1], False)
    assert outcome([STREAM[: blank_line_end + 1]]) == (EXPECTED[:1], False)


class Chunks(httpx.AsyncByteStream):
    def __init__(self, *parts: bytes) -> None:
        self.parts = parts

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self.parts:
            yield part


def async_stream(*parts: bytes) -> AsyncStream[str]:
    """The data of each event, as an async stream over a response made of `parts`."""
    return AsyncStream(httpx.Response(200, stream=Chunks(*parts)), Events(str))


async def test_async_events() -> None:
    events = [data async for data in async_stream(STREAM[:50], STREAM[50:])]

    assert events == [event.data for event in EXPECTED]


async def test_async_cut_stream_raises() -> None:
    events: list[str] = []
    with pytest.raises(errors.StreamInterruptedError):
        async for data in async_stream(b"data: a\n\n", b"data: b"):
            events.append(data)
    assert events == ["a"]


def test_many_large_events() -> None:
    payload = b'{"text": "' + b"x" * 1000 + b'"}'
    stream = b"".join(b"data: " + payload + b"\r\n\r\n" for _ in range(2000))

    events = list(iter_events(stream[i : i + 4096] for i in range(0, len(stream), 4096)))

    assert len(events) == 2000
    assert all(event.data == payload.decode() for event in events)
