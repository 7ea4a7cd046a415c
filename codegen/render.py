"""The IR -> generated/_gemini_sdk_gen through Jinja templates, formatted with ruff."""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import jinja2

from codegen import ir
from codegen.loader import load

TEMPLATES = Path(__file__).parent / "templates"

# Generated module -> template. Sorted output, so two runs over one spec are byte-identical.
MODULES = {
    "types.py": "types.py.jinja",
    "types.pyi": "types.pyi.jinja",
    "operations.py": "operations.py.jinja",
    "endpoints.py": "endpoints.py.jinja",
    "resources.py": "resources.py.jinja",
    "__init__.py": "package_init.py.jinja",
}


def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
    return env


def render(api: ir.Api, templates: Path = TEMPLATES) -> dict[str, str]:
    env = environment(templates)
    exported = sorted(
        [e.class_name for e in api.enums]
        + [m.class_name for m in api.models]
        + [t.alias for t in api.transforms if t.alias]
        + list(api.aliases)
    )
    mixins = sorted({mixin for m in api.models for mixin in m.mixins})
    files = {
        name: env.get_template(template).render(api=api, exported=exported, mixins=mixins)
        for name, template in MODULES.items()
        if (templates / template).exists()
    }
    files = format_python(files)
    files["py.typed"] = ""  # the package ships inline types
    files["manifest.json"] = (
        json.dumps(
            {
                "spec_hash": api.spec_hash,
                "revision": api.revision,
                "counts": api.counts(),
                "operations": sorted(op.operation_id for op in api.operations),
            },
            indent=2,
        )
        + "\n"
    )
    return files


def format_python(files: dict[str, str]) -> dict[str, str]:
    """Run ruff (fix imports, then format) over the rendered sources in a scratch directory."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, text in files.items():
            (root / name).write_text(text)
        ruff = [sys.executable, "-m", "ruff"]
        config = ["--config", "line-length=100", "--config", "target-version='py310'"]
        subprocess.run(
            [*ruff, "check", "--quiet", "--fix", "--select", "I,F401", *config, str(root)],
            check=False,
            capture_output=True,
        )
        subprocess.run([*ruff, "format", "--quiet", *config, str(root)], check=True)
        return {name: (root / name).read_text() for name in files}


def write_tree(files: dict[str, str], out: Path) -> None:
    """The generator owns `out`: anything it did not write this time is removed."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name, text in sorted(files.items()):
        (out / name).write_text(text)


def generate(spec_dir: Path, out: Path, templates: Path = TEMPLATES) -> dict[str, int]:
    api = load(spec_dir)
    write_tree(render(api, templates), out)
    return api.counts()


def check(spec_dir: Path, out: Path, templates: Path = TEMPLATES) -> list[str]:
    """Regenerate into a temporary directory and describe every difference from `out`."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / out.name
        generate(spec_dir, fresh, templates)
        return diff_trees(fresh, out)


def diff_trees(expected: Path, actual: Path) -> list[str]:
    problems: list[str] = []
    want = {p.relative_to(expected) for p in expected.rglob("*") if p.is_file()}
    have = (
        {
            p.relative_to(actual)
            for p in actual.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
        if actual.exists()
        else set()
    )
    for rel in sorted(want - have):
        problems.append(f"missing: {actual / rel}")
    for rel in sorted(have - want):
        problems.append(f"not generated (remove it or change the spec): {actual / rel}")
    for rel in sorted(want & have):
        a, b = (expected / rel).read_text(), (actual / rel).read_text()
        if a != b:
            delta = difflib.unified_diff(
                b.splitlines(), a.splitlines(), f"{actual / rel}", "regenerated", lineterm=""
            )
            problems.append("\n".join(list(delta)[:40]))
    return problems
