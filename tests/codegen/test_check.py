"""`render.check` (and so `python -m codegen check`) catches hand edits to generated code."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegen import render

FIXTURE = Path(__file__).resolve().parent / "fixture_spec"


@pytest.fixture
def generated(tmp_path: Path) -> Path:
    out = tmp_path / "_gen"
    render.generate(FIXTURE, out)
    return out


def test_fresh_tree_passes(generated: Path) -> None:
    assert render.check(FIXTURE, generated) == []


def test_hand_edit_is_reported(generated: Path) -> None:
    # a module of the types package: the check covers the whole tree, not only its top level
    target = generated / "_types" / "widget.py"
    lines = target.read_text().splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith("class "))
    lines[index] = lines[index].replace("class ", "class Edited", 1)
    target.write_text("".join(lines))

    problems = render.check(FIXTURE, generated)
    assert len(problems) == 1, problems
    assert str(target) in problems[0]
    assert "Edited" in problems[0]


def test_stray_file_is_reported(generated: Path) -> None:
    stray = generated / "handwritten.py"
    stray.write_text("x = 1\n")
    problems = render.check(FIXTURE, generated)
    assert len(problems) == 1, problems
    assert "not generated" in problems[0] and str(stray) in problems[0]


def test_deleted_file_is_reported(generated: Path) -> None:
    (generated / "operations.py").unlink()
    problems = render.check(FIXTURE, generated)
    assert len(problems) == 1, problems
    assert problems[0].startswith("missing:") and "operations.py" in problems[0]


def test_missing_tree_is_reported(tmp_path: Path) -> None:
    problems = render.check(FIXTURE, tmp_path / "absent")
    assert problems and all(p.startswith("missing:") for p in problems)


def test_bytecode_caches_are_ignored(generated: Path) -> None:
    cache = generated / "__pycache__"
    cache.mkdir()
    (cache / "types.cpython-311.pyc").write_bytes(b"\0")
    assert render.check(FIXTURE, generated) == []
