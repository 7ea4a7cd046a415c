"""The seed reference's signatures and examples type-check against the SDK under mypy --strict.

The reference (../shared/seed/gemini-api-reference.md) promises each method's return type in
its Signature blocks (`client.files.upload(...) -> File`); every one must hold exactly, None
included. Its examples, imports rewritten as the seed runner does, must type-check too, but
for one thing that is the wire's truth rather than a wrong annotation: every field of a
response may be absent, so reading one without a check (`response.candidates[0]`) is a None
error under --strict, here as with Google's SDK, whose fields are Optional too. One mypy run
over one module of signatures and one module per section.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import seed
from shared import require

ROOT = Path(__file__).resolve().parents[2]

PRELUDE = """\
from collections.abc import Callable, Iterator
from typing import Protocol

import gemini_sdk as genai
from gemini_sdk import types

client = genai.Client(api_key="k")
"""

# The names the seed runner's namespace gives the fragments, with the types they have there.
EXAMPLE_PRELUDE = (
    PRELUDE
    + """\
store = types.FileSearchStore(name="fileSearchStores/knowledge-base")
function_declaration = types.FunctionDeclaration(name="get_weather")
session = client.live.connect(model="gemini-2.0-flash").__enter__()
"""
)

SIGNATURE_PRELUDE = (
    PRELUDE
    + '''\
chat = client.chats.create(model="gemini-2.5-flash")


class Operation(Protocol):
    """What the seed's `Operation` promises: each long-running method returns its own
    typed operation class, with these fields."""

    @property
    def name(self) -> str | None: ...
    @property
    def done(self) -> bool | None: ...
'''
)

# The seed's return types that are not names in `types`.
_BUILTIN = {"int", "bytes", "None", "Iterator", "Operation"}
_SIGNATURE = re.compile(r"^(?P<callee>[\w.]+)\((?s:.*)\)\s*->\s*(?P<returns>.+?)\s*$")


def signatures(path: Path = seed.SEED) -> list[tuple[int, str, str]]:
    """(line, callee, return type) of every Signature block of the covered sections."""
    found = []
    section = heading = ""
    lines = path.read_text().splitlines()
    for number, line in enumerate(lines, start=1):
        if line.startswith("## "):
            section = line[3:].strip()
        elif line.startswith("#"):
            heading = line.lstrip("#").strip()
        elif line.strip() == "```python" and heading == "Signature" and section in seed.SECTIONS:
            end = lines.index("```", number)
            match = _SIGNATURE.match("\n".join(lines[number:end]))
            assert match, f"seed line {number}: a signature this test cannot read"
            found.append((number + 1, match["callee"], match["returns"]))
    return found


def _annotation(seed_type: str) -> str:
    """The seed's type in the SDK's names: `Iterator[Model]` -> `Iterator[types.Model]`."""
    return re.sub(r"\b[A-Z]\w*", lambda m: m[0] if m[0] in _BUILTIN else f"types.{m[0]}", seed_type)


def _checks(found: list[tuple[int, str, str]]) -> list[tuple[str, str]]:
    """(callee, the line that checks it) for each signature."""
    return [
        (callee, f"_line_{line}: Callable[..., {_annotation(returns)}] = {callee}")
        for line, callee, returns in found
        # not a name in `types`; the check of `chat.send_message` shows what it is
        if returns != "Chat"
    ]


def _signature_module(found: list[tuple[int, str, str]]) -> str:
    return SIGNATURE_PRELUDE + "\n\n" + "\n".join(check for _, check in _checks(found)) + "\n"


def _checked_lines(found: list[tuple[int, str, str]]) -> list[tuple[int, str]]:
    """(line in the signature module, callee) of each check."""
    first = SIGNATURE_PRELUDE.count("\n") + 3
    return [(first + i, callee) for i, (callee, _) in enumerate(_checks(found))]


def _example_modules() -> dict[str, str]:
    sections: dict[str, list[seed.Example]] = defaultdict(list)
    for example in seed.examples():
        sections[example.section].append(example)
    return {
        "seed_examples_" + re.sub(r"\W+", "_", section.lower()): EXAMPLE_PRELUDE
        + "".join(f"\n# seed line {e.line}\n{e.code}\n" for e in found)
        for section, found in sections.items()
    }


# The examples reuse names for values of other types and define helpers of their own without
# annotations: the seed's style, which says nothing about the SDK.
MYPY_CONFIG = """\
[mypy]
strict = True
allow_redefinition_new = True
local_partial_types = True

[mypy-{examples}]
disallow_untyped_defs = False
disallow_untyped_calls = False

[mypy-soundfile.*,librosa.*,soundfile,librosa]
ignore_missing_imports = True
"""

_NONE_READ = re.compile(r'"None" of|\| None"|\| None\b.*(not indexable|expected)')


def test_the_seed_signatures_and_examples_type_check(tmp_path: Path) -> None:
    require(seed.SEED, "the seed reference")
    found = signatures()
    assert len(found) >= 25
    (tmp_path / "seed_signatures.py").write_text(_signature_module(found))
    modules = _example_modules()
    assert len(modules) == len(seed.SECTIONS)
    for name, text in modules.items():
        (tmp_path / f"{name}.py").write_text(text)
    (tmp_path / "mypy.ini").write_text(MYPY_CONFIG.format(examples=",".join(modules)))

    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--no-incremental", "."],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={"MYPYPATH": f"{ROOT / 'runtime'}:{ROOT / 'generated'}", "PATH": ""},
    )

    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    lines = {f"seed_signatures.py:{i}:": callee for i, callee in _checked_lines(found)}
    wrong = [
        f"{lines.get(e[: e.index(' ')], '?')}: {e}" for e in errors if e.startswith("seed_sig")
    ]
    assert not wrong, "\n".join(wrong)
    beyond_optional_fields = [
        e for e in errors if e.startswith("seed_examples") and not _NONE_READ.search(e)
    ]
    assert not beyond_optional_fields, "\n".join(beyond_optional_fields)
    assert result.returncode in (0, 1), result.stdout + result.stderr
