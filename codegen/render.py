"""The IR -> generated/_gemini_sdk_gen through Jinja templates, formatted with ruff."""

from __future__ import annotations

import difflib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from codegen import ir
from codegen.loader import load
from codegen.naming import module_name

TEMPLATES = Path(__file__).parent / "templates"
# The package that holds the types, one module per group; types.py maps names into it.
TYPES_PACKAGE = "_types"

# Generated module -> template. Sorted output, so two runs over one spec are byte-identical.
# Besides these, types.py.jinja renders each module of TYPES_PACKAGE.
MODULES = {
    "types.py": "types_index.py.jinja",
    f"{TYPES_PACKAGE}/__init__.py": "types_package.py.jinja",
    "types.pyi": "types.pyi.jinja",
    "operations.py": "operations.py.jinja",
    "endpoints.py": "endpoints.py.jinja",
    "resources.py": "resources.py.jinja",
    "raw_responses.pyi": "raw_responses.pyi.jinja",
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
    env.filters["docstring"] = ir.docstring
    return env


@dataclass
class TypeModule:
    """One generated module of types: a strongly connected group of schemas (usually one),
    with what it imports from the modules of the types it references."""

    name: str
    enums: list[ir.Enum] = field(default_factory=list)
    models: list[ir.Model] = field(default_factory=list)
    transforms: list[ir.Transform] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)
    imports: dict[str, list[str]] = field(default_factory=dict)  # module -> names

    @property
    def defines(self) -> list[str]:
        return [
            *(e.class_name for e in self.enums),
            *(m.class_name for m in self.models),
            *(t.alias for t in self.transforms if t.alias),
            *self.aliases,
        ]

    @property
    def mixins(self) -> list[str]:
        return sorted({mixin for model in self.models for mixin in model.mixins})


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def type_modules(api: ir.Api) -> list[TypeModule]:
    """The types split so that each is built only when it, or a type that refers to it, is
    first used. A module holds one strongly connected group of the reference graph (classes
    that refer to each other must share one module's globals: a generated `__init__` compares
    classes by identity) and imports the modules of everything else it names; so the
    modules' imports never form a cycle."""
    enums = {e.class_name: e for e in api.enums}
    models = {m.class_name: m for m in api.models}
    transforms = {t.alias: t for t in api.transforms if t.alias}
    nodes = sorted([*enums, *models, *transforms])

    def named_in(text: str) -> set[str]:
        found = set(_IDENTIFIER.findall(text))
        return {api.aliases.get(name, name) for name in found} & set(nodes)

    refers: dict[str, list[str]] = {name: [] for name in nodes}
    for name, model in models.items():
        refers[name] = sorted(set().union(*(named_in(f.type.optional) for f in model.fields)))
    for name, transform in transforms.items():
        refers[name] = sorted(named_in(transform.accepts))

    modules: list[TypeModule] = []
    module_of: dict[str, TypeModule] = {}
    for group in _strongly_connected(nodes, refers):
        module = TypeModule(module_name(min(group)))
        members = set(group)
        module.enums = [e for e in api.enums if e.class_name in members]
        module.models = [m for m in api.models if m.class_name in members]
        module.transforms = [t for t in api.transforms if t.alias in members]
        module.aliases = {a: t for a, t in api.aliases.items() if t in members}
        for name in module.defines:
            module_of[name] = module
        for target in sorted({r for member in group for r in refers[member]} - members):
            module.imports.setdefault(module_of[target].name, []).append(target)
        modules.append(module)
    names = [m.name for m in modules]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise ValueError(f"type modules with the same name: {clashes}")
    return sorted(modules, key=lambda m: m.name)


def _strongly_connected(nodes: list[str], edges: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups come out dependencies first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group: list[str] = []
            while not group or group[-1] != node:
                group.append(stack.pop())
                on_stack.discard(group[-1])
            groups.append(sorted(group))

    for node in nodes:
        if node not in index:
            visit(node)
    return groups


def render(api: ir.Api, templates: Path = TEMPLATES) -> dict[str, str]:
    env = environment(templates)
    exported = sorted(
        [e.class_name for e in api.enums]
        + [m.class_name for m in api.models]
        + [t.alias for t in api.transforms if t.alias]
        + list(api.aliases)
    )
    mixins = sorted({mixin for m in api.models for mixin in m.mixins})
    modules = type_modules(api)
    context = {"api": api, "exported": exported, "mixins": mixins, "type_modules": modules}
    files = {
        name: env.get_template(template).render(**context)
        for name, template in MODULES.items()
        if (templates / template).exists()
    }
    type_template = env.get_template("types.py.jinja")
    for module in modules:
        files[f"{TYPES_PACKAGE}/{module.name}.py"] = type_template.render(module=module, **context)
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
            (root / name).parent.mkdir(parents=True, exist_ok=True)
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
        (out / name).parent.mkdir(parents=True, exist_ok=True)
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
