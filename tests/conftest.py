"""Command-line options for the whole test tree (pytest only reads option hooks here)."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/codegen/golden/ from the fixture spec instead of comparing",
    )
