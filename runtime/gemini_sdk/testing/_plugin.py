"""The pytest plugin (entry point `gemini_sdk` in the `pytest11` group): fixtures that give each
test a fresh emulator and clients bound to it, so an application's tests run offline.

    def test_summary(gemini_client, gemini_script, gemini_faults):
        gemini_script(["A short summary."])
        gemini_faults.add("status", operation="CountTokens", status=503)
        assert summarise(gemini_client, "long text") == "A short summary."

- `gemini_emulator`: an `Emulator`, new for each test;
- `gemini_client`: a `gemini_sdk.Client` served by it in-process (`gemini_client.aio` is the
  async client); `gemini_async_client` is that `.aio`;
- `gemini_script`: `Emulator.script`, queueing the stand-in model's next answers;
- `gemini_faults`: `Emulator.faults`, failures to inject;
- `gemini_url`: the same emulator served on a loopback port, for clients that only take a
  URL (`openai.OpenAI(base_url=gemini_url + "/v1beta/openai/", api_key="k")`).

pytest loads this module in every project where gemini-sdk is installed, so it imports the
emulator (and its `testing` extra) only when a test asks for one of these fixtures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from gemini_sdk import AsyncClient, Client
    from gemini_sdk.testing import Emulator, Faults


@pytest.fixture
def gemini_emulator() -> Iterator[Emulator]:
    from gemini_sdk.testing import Emulator

    emulator = Emulator()
    yield emulator
    emulator.close()


@pytest.fixture
def gemini_client(gemini_emulator: Emulator) -> Iterator[Client]:
    client = gemini_emulator.client()
    yield client
    client.close()


@pytest.fixture
def gemini_async_client(gemini_client: Client) -> AsyncClient:
    return gemini_client.aio


@pytest.fixture
def gemini_script(gemini_emulator: Emulator) -> Callable[..., None]:
    return gemini_emulator.script


@pytest.fixture
def gemini_faults(gemini_emulator: Emulator) -> Faults:
    return gemini_emulator.faults


@pytest.fixture
def gemini_url(gemini_emulator: Emulator) -> Iterator[str]:
    from gemini_sdk.testing import Served

    with Served(gemini_emulator.app) as served:
        yield served.url
