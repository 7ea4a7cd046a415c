"""What the whole test tree shares: command-line options, and the Hypothesis profile, loaded
here so that every property test gets the same budget however the run is sliced.

`ci` (CI=1) is deterministic; `dev` is random. Both draw the same number of examples, so a CI
run checks no less than a local one.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# every request the SDK sends and every answer of the emulator, checked against the renderings
pytest_plugins = ["oracle_plugin"]

EXAMPLES = 40

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "dev", max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/codegen/golden/ from the fixture spec instead of comparing",
    )
