"""The pytest plugin, as an application's test suite uses it: a test file run by pytester in a
fresh pytest, with the plugin found through its `pytest11` entry point."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

pytest_plugins = ["pytester"]

APPLICATION_TESTS = """
import httpx
import pytest

from gemini_sdk import errors

FLASH = "gemini-2.5-flash"


def test_client_echoes(gemini_client, gemini_emulator):
    assert gemini_client.models.generate_content(model=FLASH, contents="hi").text == "Echo: hi"
    assert gemini_emulator.requests[-1].operation == "GenerateContent"


def test_each_test_gets_a_fresh_emulator(gemini_emulator):
    assert gemini_emulator.requests == []


def test_scripted_answers(gemini_client, gemini_script):
    gemini_script(["first", "second"])
    answers = [gemini_client.models.generate_content(model=FLASH, contents="q").text for _ in "ab"]
    assert answers == ["first", "second"]


def test_faults(gemini_client, gemini_faults):
    gemini_faults.add("status", operation="GetModel", status=404, message="gone")
    with pytest.raises(errors.NotFound, match="gone"):
        gemini_client.models.get(model=FLASH)


async def test_async_client(gemini_async_client, gemini_script):
    gemini_script(["async answer"])
    response = await gemini_async_client.models.generate_content(model=FLASH, contents="q")
    assert response.text == "async answer"


def test_served_url(gemini_url, gemini_script):
    gemini_script(["over the wire"])
    response = httpx.post(
        f"{gemini_url}/v1beta/openai/chat/completions",
        headers={"Authorization": "Bearer k"},
        json={"model": FLASH, "messages": [{"role": "user", "content": "q"}]},
    )
    assert response.json()["choices"][0]["message"]["content"] == "over the wire"
"""


def test_the_entry_point_names_the_plugin() -> None:
    (plugin,) = [e for e in entry_points(group="pytest11") if e.name == "gemini_sdk"]
    assert plugin.value == "gemini_sdk.testing._plugin"


def test_an_application_suite_runs_on_the_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=APPLICATION_TESTS)
    # -p no:cacheprovider: pytester's temporary directory needs no cache.
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-o", "asyncio_mode=auto")
    result.assert_outcomes(passed=6)


def test_a_failing_application_test_fails(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_app="""
        def test_wrong(gemini_client, gemini_script):
            gemini_script(["yes"])
            text = gemini_client.models.generate_content(model="gemini-2.5-flash", contents="q").text
            assert text == "no"
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*assert 'yes' == 'no'*"])
