"""What the tests read from ../shared (beside the project): the seed reference and Google's
renderings. A checkout without it skips the modules that need it; under CI (the CI variable
set) a missing file fails the run instead, so that a pass always means they were checked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def require(path: Path, what: str) -> None:
    """Skip the calling module when `path` is missing; fail under CI."""
    if path.exists():
        return
    message = f"{what} not found at {path}"
    if os.environ.get("CI"):
        pytest.fail(f"{message}: CI runs with ../shared beside the project", pytrace=False)
    pytest.skip(message, allow_module_level=True)
