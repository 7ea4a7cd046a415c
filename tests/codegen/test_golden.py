"""The generator's whole output for a tiny fixture spec, compared with a reviewed copy.

tests/codegen/golden/ is what `render.generate(tests/codegen/fixture_spec, out)` writes. A
template, loader or naming change shows up here as a readable diff. When the change is
intended, rewrite the golden tree and review it like any other diff:

    .venv/bin/python -m pytest tests/codegen --update-golden
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from codegen import render

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixture_spec"
GOLDEN = HERE / "golden"
UPDATE_HINT = "if the change is intended: .venv/bin/python -m pytest tests/codegen --update-golden"


def _tree(root: Path) -> dict[str, Path]:
    return {
        path.relative_to(root).as_posix(): path
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fixture") / "_gen"
    render.generate(FIXTURE, out)
    return out


def test_generated_tree_matches_golden(fresh: Path, request: pytest.FixtureRequest) -> None:
    generated = _tree(fresh)
    if request.config.getoption("--update-golden", default=False):
        if GOLDEN.exists():
            shutil.rmtree(GOLDEN)
        shutil.copytree(fresh, GOLDEN)
        pytest.skip(f"golden files updated: {len(generated)} files in {GOLDEN}")

    assert GOLDEN.is_dir(), f"no golden tree at {GOLDEN}; {UPDATE_HINT}"
    golden = _tree(GOLDEN)
    problems: list[str] = []
    for name in sorted(golden.keys() - generated.keys()):
        problems.append(f"{name}: in golden/ but no longer generated")
    for name in sorted(generated.keys() - golden.keys()):
        problems.append(f"{name}: generated but not in golden/")
    for name in sorted(golden.keys() & generated.keys()):
        want = golden[name].read_text()
        have = generated[name].read_text()
        if want != have:
            delta = difflib.unified_diff(
                want.splitlines(),
                have.splitlines(),
                f"golden/{name}",
                f"generated/{name}",
                lineterm="",
            )
            problems.append(f"{name} differs:\n" + "\n".join(delta))
    if problems:
        pytest.fail("\n\n".join([*problems, UPDATE_HINT]), pytrace=False)


def test_golden_covers_every_module() -> None:
    """The golden tree is a full output tree, not a stale subset."""
    names = set(_tree(GOLDEN))
    assert {"manifest.json", *render.MODULES} <= names


@pytest.mark.parametrize("name", sorted(n for n in _tree(GOLDEN) if n.endswith(".py")))
def test_golden_python_compiles(name: str) -> None:
    source = (GOLDEN / name).read_text()
    compile(source, f"golden/{name}", "exec")
