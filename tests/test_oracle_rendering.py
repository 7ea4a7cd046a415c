"""The rendering oracle (tests/oracle.py) itself: what it refuses, and that a test whose
traffic it refuses fails (tests/oracle_plugin.py)."""

from __future__ import annotations

import json
import textwrap

import httpx
import pytest
import shared

UPSTREAM = shared.SHARED / "upstream"
shared.require(UPSTREAM, "Google's renderings (the rendering oracle checks the suite against them)")

from oracle import Oracle  # noqa: E402

from gemini_sdk.testing import Emulator  # noqa: E402

pytest_plugins = ["pytester"]

GENERATE = "/v1beta/models/gemini-2.5-flash:generateContent"
STREAM = "/v1beta/models/gemini-2.5-flash:streamGenerateContent"
SDK = {"x-goog-api-client": "gemini-sdk/0"}


@pytest.fixture(scope="module")
def oracle() -> Oracle:
    return Oracle(UPSTREAM, shared.ROOT / "spec")


def _request(oracle: Oracle, path: str, body: object, query: str = "", method: str = "POST"):
    raw = None if body is None else json.dumps(body).encode()
    found = oracle.check_request(method, path, query, SDK, raw)
    return [str(d) for d in found]


def test_a_body_of_the_wrong_shape_is_refused_with_its_path(oracle: Oracle) -> None:
    assert _request(oracle, GENERATE, {"contents": [{"parts": [{"text": "hi"}]}]}) == []
    (found,) = _request(oracle, GENERATE, {"contents": [{"parts": [{"text": 5}]}]})
    assert "request $.contents[0].parts[0].text" in found and "not of type 'string'" in found
    (found,) = _request(
        oracle,
        GENERATE,
        {"contents": [{"role": "user"}], "generationConfig": {"responseModalities": ["SMELL"]}},
    )
    assert "$.generationConfig.responseModalities[0]" in found


def test_output_only_fields_and_unknown_queries_are_refused(oracle: Oracle) -> None:
    (found,) = _request(
        oracle,
        "/v1beta/cachedContents",
        {"model": "models/m", "createTime": "2026-01-01T00:00:00Z"},
    )
    assert "$.createTime" in found and "read-only" in found
    (found,) = _request(oracle, GENERATE, {"contents": []}, query="alt=sse")
    assert "query.alt" in found
    assert _request(oracle, STREAM, {"contents": []}, query="alt=sse") == []
    (found,) = _request(oracle, "/v1beta/files", None, query="pageSize=ten", method="GET")
    assert "query.pageSize" in found and "not an integer" in found


def test_a_route_no_rendering_has_is_refused(oracle: Oracle) -> None:
    (found,) = _request(oracle, "/v1beta/models/m:dream", {})
    assert "no operation of the renderings" in found


def _answer(oracle: Oracle, path: str, status: int, body: bytes, content_type: str):
    found = oracle.check_response(
        "POST", path, "", status, {"content-type": content_type}, body, True
    )
    return [str(d) for d in found]


def test_each_event_of_a_stream_and_each_error_is_checked(oracle: Oracle) -> None:
    good = b'data: {"candidates": [{"index": 0}]}\r\n\r\n'
    bad = b'data: {"candidates": [{"index": "first"}]}\r\n\r\n'
    assert _answer(oracle, STREAM, 200, good + good, "text/event-stream") == []
    (found,) = _answer(oracle, STREAM, 200, good + bad, "text/event-stream")
    assert "response event 1 $.candidates[0].index" in found
    envelope = {"error": {"code": 400, "message": "no", "status": "INVALID_ARGUMENT"}}
    assert _answer(oracle, GENERATE, 400, json.dumps(envelope).encode(), "application/json") == []
    found = _answer(oracle, GENERATE, 400, b'{"error": {"code": 400}}', "application/json")
    assert f"POST {GENERATE} -> 400: error $.error: 'message' is a required property" in found


def test_a_test_whose_traffic_disagrees_fails(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        f"import sys; sys.path.insert(0, {str(shared.ROOT / 'tests')!r})\n"
        "pytest_plugins = ['oracle_plugin']\n"
    )
    pytester.makepyfile(
        textwrap.dedent(
            """
            import pytest
            from gemini_sdk import errors, types
            from gemini_sdk.testing import Emulator

            def _send(temperature):
                body = types.GenerateContentRequest(contents=[types.Content(parts=[{"text": "hi"}])])
                extra = {"generationConfig": {"temperature": temperature}}
                client = Emulator().client()
                with pytest.raises(errors.InvalidArgument):  # the emulator refuses it too
                    client.endpoints.generate_content("gemini-2.5-flash", body, extra_body=extra)

            def test_unmarked():
                _send("hot")

            @pytest.mark.sends_invalid("on purpose")
            def test_marked():
                _send("hot")
            """
        )
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*request $.generationConfig.temperature*"])


def test_an_inline_batch_names_its_input() -> None:
    # the rendering requires a batch's inputConfig; the emulator left it out for inline ones
    request = {"model": "models/gemini-2.5-flash", "contents": [{"parts": [{"text": "hi"}]}]}
    batch = {
        "model": "models/gemini-2.5-flash",
        "displayName": "inline",
        "inputConfig": {"requests": {"requests": [{"request": request, "metadata": {"k": 1}}]}},
    }
    emulator = Emulator()
    with httpx.Client(transport=emulator.sync_transport(), base_url=Emulator.BASE_URL) as http:
        answer = http.post(
            "/v1beta/models/gemini-2.5-flash:batchGenerateContent",
            json={"batch": batch},
            headers={"x-goog-api-key": "k"},
        )
    assert answer.status_code == 200, answer.text
    assert answer.json()["metadata"]["inputConfig"] == batch["inputConfig"]
