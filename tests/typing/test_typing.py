"""The generated stubs let seed-style shorthands type-check and still catch real mistakes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).parent / "seed_shorthands.py"


def test_mypy_accepts_the_shorthands_and_reports_the_mistakes() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(SAMPLE)],
        capture_output=True,
        text=True,
        check=False,
    )
    reported = set(re.findall(r":(\d+): error: .*\[([\w-]+)\]", result.stdout))
    expected = {
        (str(number), match[1])
        for number, line in enumerate(SAMPLE.read_text().splitlines(), start=1)
        if (match := re.search(r"# error: ([\w-]+)$", line))
    }
    assert len(expected) == 4
    assert reported == expected, result.stdout
