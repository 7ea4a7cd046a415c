"""Every example of the seed reference's covered sections runs against the emulator with
only its imports changed and prints what is due (see tests/seed.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import seed
import shared

from gemini_sdk.testing import Emulator

shared.require(seed.SEED, "the seed reference")

EXAMPLES = seed.examples()


@pytest.fixture(scope="module")
def emulator() -> Emulator:
    return seed.demo_emulator()


@pytest.fixture(scope="module")
def seed_client(emulator: Emulator) -> Iterator[Any]:
    import gemini_sdk as genai

    with seed.served_emulator(emulator) as base_url, seed.seed_environment(base_url):
        client = genai.Client()
        seed.prepare(client)
        yield client
        client.close()


SCOPES: dict[str, dict[str, Any]] = {}


def test_the_covered_sections_have_examples() -> None:
    assert {e.section for e in EXAMPLES} == set(seed.SECTIONS)
    assert len(EXAMPLES) >= 30


@pytest.mark.parametrize(
    "example",
    [
        pytest.param(
            e,
            id=e.id,
            marks=pytest.mark.xfail(
                strict=True, raises=AttributeError, reason=f"needs {e.pending}, not built yet"
            )
            if e.pending
            else (),
        )
        for e in EXAMPLES
    ],
)
def test_seed_example_prints_what_is_due(
    example: seed.Example, seed_client: Any, emulator: Emulator
) -> None:
    if example.section not in SCOPES:
        seed.set_up(example.section, seed_client)
    scope = SCOPES.get(example.section) or SCOPES.setdefault(
        example.section, seed.namespace(seed_client, example.section)
    )
    seed.bind_client(scope, seed_client)
    seed.set_up_example(example, emulator)
    seed.check(example, seed.run(example, scope))


def test_every_example_has_its_output() -> None:
    assert sorted(seed.EXPECTED) == sorted(e.id for e in EXAMPLES)
    assert set(seed.EXAMPLE_SETUP) <= set(seed.EXPECTED)


def test_another_output_or_branch_is_refused() -> None:
    (example,) = [e for e in EXAMPLES if e.heading == "Rate Limit Errors"]
    # the `try` branch's silence is not the `except` branch's output
    with pytest.raises(AssertionError, match="where this was due"):
        seed.check(example, "")
    seed.check(
        example, "Rate limit exceeded. Please retry later.\nError: 429 RESOURCE_EXHAUSTED. x"
    )
