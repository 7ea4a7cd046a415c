"""Every example of the seed reference's covered sections runs against the emulator with
only its imports changed (see tests/seed.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import seed
import shared

shared.require(seed.SEED, "the seed reference")

EXAMPLES = seed.examples()


@pytest.fixture(scope="module")
def seed_client() -> Iterator[Any]:
    import gemini_sdk as genai

    with seed.served_emulator() as base_url, seed.seed_environment(base_url):
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
def test_seed_example_runs(example: seed.Example, seed_client: Any) -> None:
    if example.section not in SCOPES:
        seed.set_up(example.section, seed_client)
    scope = SCOPES.get(example.section) or SCOPES.setdefault(
        example.section, seed.namespace(seed_client, example.section)
    )
    seed.bind_client(scope, seed_client)
    printed = seed.run(example, scope)
    if "print(" in example.code and "except" not in example.code and "if " not in example.code:
        assert printed.strip(), "the example prints, but printed nothing"
