"""The runtime's import graph: no circles, and no generated class named by the runtime.

Both are read from the source with `ast`, every import in a file counting (function-local and
TYPE_CHECKING ones too, for circles), so a circle hidden inside a function still shows.
"""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

RUNTIME = pathlib.Path(__file__).resolve().parents[1] / "runtime" / "gemini_sdk"


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(RUNTIME.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: pathlib.Path) -> list[tuple[ast.stmt, str, list[str], bool]]:
    """(node, module, imported names, under TYPE_CHECKING) for every import in the file."""
    tree = ast.parse(path.read_text())
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            guarded |= {id(inner) for stmt in node.body for inner in ast.walk(stmt)}
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.append((node, module, [a.name for a in node.names], id(node) in guarded))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                found.append((node, alias.name, [], id(node) in guarded))
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in RUNTIME.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        targets = set()
        for _, module, names, _ in _imports(path):
            for imported in names or [""]:
                full = f"{module}.{imported}" if imported else module
                target = full if full in files else module
                if target in files and target != name:
                    targets.add(target)
        graph[name] = targets
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return circles


def test_no_import_circle_in_the_runtime() -> None:
    assert _circles(_graph()) == []


def test_the_finder_sees_a_circle() -> None:
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_runtime_names_no_generated_class() -> None:
    """The generated package hands the runtime what it needs; the runtime imports generated
    modules at most (by module, reached lazily), never a class out of them."""
    offenders = []
    for path in RUNTIME.rglob("*.py"):
        for node, module, names, type_only in _imports(path):
            if not module.startswith("_gemini_sdk_gen") or type_only:
                continue
            classes = [n for n in names if n[:1].isupper()]
            if classes:
                offenders.append(f"{path.relative_to(RUNTIME)}:{node.lineno} {', '.join(classes)}")
    assert offenders == []


def test_a_client_loads_httpx_and_cattrs_only_when_it_needs_them() -> None:
    """`Client()` and `types` stay light: the transport library comes with the first resource
    a program touches, the converter with the first conversion."""
    script = (
        "import sys, gemini_sdk\n"
        "from gemini_sdk import types\n"
        "client = gemini_sdk.Client(api_key='k')\n"
        "repr(client); types.Part(text='x')\n"
        "print(sorted(m for m in ('httpx', 'cattrs', 'gemini_sdk._http') if m in sys.modules))\n"
        "client.models\n"
        "print(sorted(m for m in ('httpx', 'gemini_sdk._http') if m in sys.modules))\n"
        "client.close()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.splitlines() == ["[]", "['gemini_sdk._http', 'httpx']"]
