"""The generated stubs let seed-style shorthands type-check and still catch real mistakes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).parent / "seed_shorthands.py"
PIL_SAMPLE = Path(__file__).parent / "pil_contents.py"


def _checked(sample: Path) -> tuple[set[tuple[str, str]], set[tuple[str, str]], str]:
    """What mypy --strict reports on `sample` and what its `# error: CODE` lines expect, as
    (line, code) pairs, and mypy's output."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(sample)],
        capture_output=True,
        text=True,
        check=False,
    )
    reported = set(re.findall(r":(\d+): error: .*\[([\w-]+)\]", result.stdout))
    expected = {
        (str(number), match[1])
        for number, line in enumerate(sample.read_text().splitlines(), start=1)
        if (match := re.search(r"# error: ([\w-]+)$", line))
    }
    return reported, expected, result.stdout


def test_mypy_accepts_the_shorthands_and_reports_the_mistakes() -> None:
    reported, expected, output = _checked(SAMPLE)
    assert len(expected) == 4
    assert reported == expected, output


def test_mypy_accepts_pillow_images_in_contents() -> None:
    pytest.importorskip("PIL.Image")  # where Pillow is absent there is nothing to pass
    reported, expected, output = _checked(PIL_SAMPLE)
    assert len(expected) == 2
    assert reported == expected, output
