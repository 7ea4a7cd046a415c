"""Every supported Python: the built wheel, installed as a user would, on each of them.

The whole suite runs on one version (the project's .venv, `make test`); here each supported
version builds the wheel, installs it with the `testing` extra into a fresh virtualenv and
runs the seed reference's examples (tests/seed.py) and the typing test (tests/typing/)
against it, from a directory outside the project so that nothing is imported from the
source tree. pyenv keeps each version in a directory of its own; they are put on PATH here,
so a fresh machine with pyenv's versions needs nothing else.

    nox -f tests/noxfile.py                 # every version, one after another
    nox -f tests/noxfile.py -s "wheel-3.12"  # one version
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent.parent
PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
# What the seed reference's examples import besides the SDK: the OpenAI section's client and
# the Live API example's audio reader (numpy comes with librosa).
SEED_NEEDS = ["openai>=1.40", "librosa>=0.10", "soundfile>=0.12"]
TYPING_NEEDS = ["mypy>=1.10", "pytest>=8"]

_PYENV = sorted(Path.home().glob(".pyenv/versions/3.*/bin"))
os.environ["PATH"] = os.pathsep.join([*map(str, _PYENV), os.environ.get("PATH", "")])

nox.options.envdir = str(ROOT / ".nox")
nox.options.sessions = ["wheel"]
nox.options.error_on_missing_interpreters = True


@nox.session(python=PYTHONS)
def wheel(session: nox.Session) -> None:
    """The wheel on this Python: the seed examples and the typing test against it."""
    work = Path(session.create_tmp())
    dist = work / "dist"
    session.run(
        "python", "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(dist), str(ROOT)
    )
    (built,) = dist.glob("gemini_sdk-*.whl")
    session.install(f"{built}[testing]", *SEED_NEEDS, *TYPING_NEEDS)
    session.chdir(work)
    session.run(
        "python",
        "-c",
        "import gemini_sdk, sys; "
        "assert 'site-packages' in gemini_sdk.__file__, gemini_sdk.__file__; "
        "print('gemini_sdk', gemini_sdk.__version__, 'on Python', sys.version.split()[0])",
    )
    session.run("python", str(ROOT / "tests" / "seed.py"), silent=True)
    # The typing test alone: the suite's conftest and settings need the dev extra.
    session.run(
        "python",
        "-m",
        "pytest",
        "--noconftest",
        "-c",
        os.devnull,
        "--rootdir",
        str(work),
        "-p",
        "no:cacheprovider",
        "-q",
        str(ROOT / "tests" / "typing" / "test_typing.py"),
    )
