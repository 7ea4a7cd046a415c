"""The test tree's shared set-up: the Hypothesis budget and the ../shared files."""

from __future__ import annotations

from pathlib import Path

import conftest
import pytest
import shared
from _pytest.outcomes import Failed, Skipped
from hypothesis import settings


def test_every_property_test_has_the_shared_budget() -> None:
    # loaded by conftest, not as a side effect of whichever module is imported first
    assert settings.default.max_examples == conftest.EXAMPLES


def test_a_missing_shared_file_skips_locally(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(Skipped, match="the thing not found"):
        shared.require(tmp_path / "absent", "the thing")


def test_a_missing_shared_file_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CI", "1")
    with pytest.raises(Failed, match="CI runs with ../shared"):
        shared.require(tmp_path / "absent", "the thing")
    shared.require(tmp_path, "a directory that is there")
