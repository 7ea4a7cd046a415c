"""Record and replay: a recording proxy in front of a served upstream (a second emulator) writes
cassettes; with the upstream stopped, a replay of them answers byte for byte the same, and no
file holds the key."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

import gemini_sdk as genai
from gemini_sdk import errors
from gemini_sdk.testing import Emulator, Served
from gemini_sdk.testing.__main__ import parse_args

KEY = "AIzaSy-record-replay-secret-0123456789"
FLASH = "gemini-2.5-flash"
PROMPT = {"contents": [{"parts": [{"text": "Record me"}]}]}
UPLOADED = b"line one\nline two\n" * 50


def _raw_exchanges(url: str) -> list[tuple[int, str | None, bytes]]:
    """Answers to a plain request, a stream, a key passed as a query parameter, and an error."""
    with httpx.Client(base_url=url, headers={"x-goog-api-key": KEY}, timeout=10) as http:
        answers = [
            http.post(f"/v1beta/models/{FLASH}:generateContent", json=PROMPT),
            http.post(f"/v1beta/models/{FLASH}:streamGenerateContent?alt=sse", json=PROMPT),
            httpx.get(f"{url}/v1beta/models/{FLASH}?key={KEY}"),
            http.get("/v1beta/models/no-such-model"),
        ]
    return [(a.status_code, a.headers.get("content-type"), a.content) for a in answers]


def _sdk_exchanges(url: str) -> tuple[str, bytes, list[str]]:
    """An upload (resumable, in chunks), its download, and a listing, through the SDK."""
    client = genai.Client(api_key=KEY, http_options={"base_url": url})
    uploaded = client.files.upload(
        file=UPLOADED, config={"mime_type": "text/plain", "display_name": "notes"}
    )
    assert uploaded.name is not None
    downloaded = client.files.download(file=uploaded.name)
    listed = [f.name or "" for f in client.files.list()]
    client.close()
    return uploaded.name, downloaded, listed


@pytest.fixture
def recorded(tmp_path: Path) -> tuple[Path, list[tuple[int, str | None, bytes]], object]:
    cassettes = tmp_path / "cassettes"
    with Served(Emulator().app) as upstream:
        recorder = Emulator(record=upstream.url, cassettes=cassettes)
        with Served(recorder.app) as proxy:
            raw = _raw_exchanges(proxy.url)
            sdk = _sdk_exchanges(proxy.url)
    return cassettes, raw, sdk


def test_a_replay_answers_as_the_recording_did(
    recorded: tuple[Path, list[tuple[int, str | None, bytes]], object],
) -> None:
    cassettes, raw, sdk = recorded
    assert [status for status, _, _ in raw] == [200, 200, 200, 404]
    assert raw[1][1] is not None and raw[1][1].startswith("text/event-stream")
    name, downloaded, listed = sdk  # type: ignore[misc]
    assert downloaded == UPLOADED and listed == [name]
    # The upstream is gone: nothing but the cassettes can answer now.
    with Served(Emulator(replay=cassettes).app) as replay:
        assert _raw_exchanges(replay.url) == raw
        assert _sdk_exchanges(replay.url) == sdk


def test_no_cassette_holds_the_key(
    recorded: tuple[Path, list[tuple[int, str | None, bytes]], object],
) -> None:
    cassettes = recorded[0]
    files = list(cassettes.iterdir())
    # generate, stream, get, error, upload start + chunk, download, list
    assert len(files) == 8
    for path in files:
        text = path.read_bytes()
        assert KEY.encode() not in text, path.name
        assert b"x-goog-api-key" not in text, path.name
    streamed = next(p for p in files if "streamGenerateContent" in p.name).read_text()
    assert '"chunks"' in streamed


def test_upload_urls_point_at_whoever_answers(
    recorded: tuple[Path, list[tuple[int, str | None, bytes]], object],
) -> None:
    start = next(
        p for p in sorted(recorded[0].iterdir()) if "POST-upload-v1beta-files" in p.name
    ).read_text()
    assert '"x-goog-upload-url": "{base}/upload/v1beta/files?upload_id=' in start


def test_a_miss_is_a_clear_error_not_a_404(
    recorded: tuple[Path, list[tuple[int, str | None, bytes]], object],
) -> None:
    cassettes = recorded[0]
    with Served(Emulator(replay=cassettes).app) as replay:
        other = {"contents": [{"parts": [{"text": "Never recorded"}]}]}
        answer = httpx.post(
            f"{replay.url}/v1beta/models/{FLASH}:generateContent",
            headers={"x-goog-api-key": KEY},
            json=other,
        )
        assert answer.status_code == 501
        assert answer.headers["x-gemini-replay"] == "miss"
        message = answer.json()["error"]["message"]
        assert "Replay miss" in message and "1 recording(s)" in message
        assert str(cassettes) in message
        client = genai.Client(api_key=KEY, http_options={"base_url": replay.url})
        with pytest.raises(errors.MethodNotImplemented, match="nothing was recorded for GET"):
            client.models.get(model="gemini-2.0-flash")
        client.close()


def test_recorded_answers_repeat_in_order_then_the_last(tmp_path: Path) -> None:
    upstream = Emulator()
    upstream.script(["one", "two"])
    with Served(upstream.app) as served:
        recorder = Emulator(record=served.url, cassettes=tmp_path).client(api_key=KEY)
        first = [recorder.models.generate_content(model=FLASH, contents="q").text for _ in "ab"]
    replay = Emulator(replay=tmp_path).client(api_key=KEY)
    again = [replay.models.generate_content(model=FLASH, contents="q").text for _ in "abc"]
    assert first == ["one", "two"]
    assert again == ["one", "two", "two"]


def test_an_unreachable_upstream_answers_502(tmp_path: Path) -> None:
    with Served(Emulator().app) as gone:
        url = gone.url
    client = Emulator(record=url, cassettes=tmp_path).client(
        api_key=KEY, http_options={"retry_options": {"attempts": 1}}
    )
    with pytest.raises(errors.ServiceUnavailable, match="could not reach"):
        client.models.get(model=FLASH)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"record": "http://127.0.0.1:1"}, "record needs cassettes"),
        ({"cassettes": "c"}, "it needs record"),
        ({"record": "127.0.0.1:1", "cassettes": "c"}, "http\\(s\\) URL, got '127.0.0.1:1'"),
        ({"record": "http://h", "cassettes": "c", "replay": "c"}, "not both"),
    ],
)
def test_emulator_options_are_checked(options: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Emulator(**options)  # type: ignore[arg-type]


def test_a_replay_needs_its_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no cassette directory"):
        Emulator(replay=tmp_path / "absent")


def test_command_line_flags(tmp_path: Path) -> None:
    args = parse_args(["--record", "https://example.test", "--cassettes", str(tmp_path)])
    assert (args.record, args.cassettes) == ("https://example.test", str(tmp_path))
    assert parse_args(["--replay", str(tmp_path)]).replay == str(tmp_path)
    for wrong in (
        ["--record", "https://example.test"],
        ["--cassettes", str(tmp_path)],
        ["--replay", str(tmp_path / "absent")],
        ["--record", "https://x", "--cassettes", "c", "--replay", str(tmp_path)],
    ):
        with pytest.raises(SystemExit):
            parse_args(wrong)
