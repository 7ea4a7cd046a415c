"""Hypothesis profiles for the property tests (imported by them; tests/conftest.py holds only
command-line options).

`ci` is deterministic and small enough for every schema to be checked on each run; `dev` draws
more examples. CI=1 selects `ci`.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "dev",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = "ci" if os.environ.get("CI") else "dev"
settings.load_profile(PROFILE)
