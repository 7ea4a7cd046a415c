"""The generated stubs let seed-style shorthands type-check and still catch real mistakes, and
type what `with_raw_response` gives and Pillow images in contents. One mypy run checks every
sample (a run takes seconds)."""

from __future__ import annotations

import functools
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).parent / "seed_shorthands.py"
RAW = Path(__file__).parent / "raw_responses.py"
PIL_SAMPLE = Path(__file__).parent / "pil_contents.py"
# Where Pillow is absent there is no image to pass: that sample is left out.
HAS_PILLOW = importlib.util.find_spec("PIL") is not None
SAMPLES = [SAMPLE, RAW, *([PIL_SAMPLE] if HAS_PILLOW else [])]


@functools.cache
def mypy_report() -> str:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *map(str, SAMPLES)],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout


def marked(sample: Path, mark: str) -> dict[str, str]:
    """Line number -> what the line's trailing `# mark: ...` comment says."""
    return {
        str(number): match[1]
        for number, line in enumerate(sample.read_text().splitlines(), start=1)
        if (match := re.search(rf"# {mark}: ([\w\[\], |-]+)$", line))
    }


def errors_in(sample: Path) -> set[tuple[str, str]]:
    pattern = rf"^\S*{re.escape(sample.name)}:(\d+): error: .*\[([\w-]+)\]"
    return set(re.findall(pattern, mypy_report(), re.MULTILINE))


def test_mypy_accepts_the_shorthands_and_reports_the_mistakes() -> None:
    expected = set(marked(SAMPLE, "error").items())
    assert len(expected) == 4
    assert errors_in(SAMPLE) == expected, mypy_report()


def test_with_raw_response_is_typed_with_each_method_s_parameters_and_result() -> None:
    pattern = rf'^\S*{re.escape(RAW.name)}:(\d+): note: Revealed type is "(.+)"'
    revealed = {
        line: re.sub(r"\b(?:\w+\.)+", "", shown)  # the types' module paths left out
        for line, shown in re.findall(pattern, mypy_report(), re.MULTILINE)
    }
    expected = marked(RAW, "reveals")
    assert len(expected) == 13
    assert revealed == expected, mypy_report()
    # mistakes are still caught, and the helpers written by hand are not there
    assert errors_in(RAW) == set(marked(RAW, "error").items()), mypy_report()


@pytest.mark.skipif(not HAS_PILLOW, reason="Pillow is not installed")
def test_mypy_accepts_pillow_images_in_contents() -> None:
    expected = set(marked(PIL_SAMPLE, "error").items())
    assert len(expected) == 2
    assert errors_in(PIL_SAMPLE) == expected, mypy_report()
