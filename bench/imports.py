"""Import cost, measured in fresh interpreters.

Each child times its own import statement with perf_counter_ns (so interpreter start-up is
left out; it is reported separately as the `pass` baseline) and prints its peak RSS. The
statements take turns, run after run, and the median of the runs is kept.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass

# Peak RSS: VmHWM of /proc/self/status where there is one. getrusage's ru_maxrss is not
# used there because Linux carries it across exec: a child spawned from this (large) process
# would report the parent's peak. Elsewhere getrusage is the fallback.
_CHILD = """\
import time
_t0 = time.perf_counter_ns()
{statement}
_t1 = time.perf_counter_ns()
def _peak_kib():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource, sys
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak
print(_t1 - _t0, _peak_kib())
"""

BASELINE = "pass"
RAW = "import httpx, json"
OURS = "import gemini_sdk; from gemini_sdk import types"
OURS_ALONE = "import gemini_sdk"
OURS_CLIENT = "import gemini_sdk; from gemini_sdk import types; gemini_sdk.Client(api_key='k')"
GENAI = "from google import genai; from google.genai import types"
GENAI_ALONE = "from google import genai"
GENAI_CLIENT = "from google import genai; from google.genai import types; genai.Client(api_key='k')"


def first_call(base_url: str) -> tuple[str, str, str]:
    """(raw, gemini-sdk, google-genai) statements: import, make a client, make one small
    generate_content call to the bench server and read its text: a fresh process's latency
    to its first answer, first-use costs (converters built on first use...) included."""
    url = f"{base_url}/v1beta/models/gemini-2.5-flash:generateContent"
    raw = (
        "import httpx, json; "
        f'r = httpx.Client().post({url!r}, content=b\'{{"contents":[{{"parts":'
        "[{\"text\":\"hi\"}]}]}', headers={'x-goog-api-key': 'k', "
        "'content-type': 'application/json'}); "
        "json.loads(r.content)['candidates'][0]['content']['parts'][0]['text']"
    )
    ours = (
        "import gemini_sdk; "
        f"c = gemini_sdk.Client(api_key='k', http_options={{'base_url': {base_url!r}, "
        "'retry_options': {'attempts': 1}}); "
        "c.models.generate_content(model='gemini-2.5-flash', contents='hi').text"
    )
    genai = (
        "from google import genai; from google.genai import types; "
        f"c = genai.Client(api_key='k', http_options=types.HttpOptions(base_url={base_url!r})); "
        "c.models.generate_content(model='gemini-2.5-flash', contents='hi').text"
    )
    return raw, ours, genai


@dataclass
class ImportCost:
    statement: str
    ns: float  # median import time
    rss_kib: float  # median peak RSS of the whole child process
    runs: int


def _run_child(statement: str, env: dict[str, str]) -> tuple[int, int]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD.format(statement=statement)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    if done.returncode != 0:
        raise RuntimeError(f"`{statement}` failed in a child:\n{done.stderr.strip()[-2000:]}")
    ns, rss = done.stdout.split()[-2:]
    return int(ns), int(rss)


def measure_imports(statements: list[str], runs: int) -> dict[str, ImportCost]:
    # Every package imports from cached bytecode, as it does once installed from a wheel: an
    # editable checkout may have none (PYTHONDONTWRITEBYTECODE), and compiling source on each
    # import would be measured instead. The cache lives in a temporary tree, not the repo.
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = cache
        for statement in statements:
            _run_child(statement, env)  # warm-up: fills the bytecode cache and the page cache
        samples: dict[str, list[tuple[int, int]]] = {s: [] for s in statements}
        for _ in range(runs):
            for statement in statements:
                samples[statement].append(_run_child(statement, env))
    return {
        statement: ImportCost(
            statement,
            statistics.median(ns for ns, _ in values),
            statistics.median(rss for _, rss in values),
            len(values),
        )
        for statement, values in samples.items()
    }
