"""Runs the scenarios and prints the report."""

from __future__ import annotations

import argparse
import cProfile
import functools
import importlib
import os
import platform
import pstats
import sys
import time
import traceback
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from bench import imports, timing
from bench.scenarios import BUILDERS, Env, Scenario

MARK_OVER = 1.5  # ratios above this are marked
NOISY = 0.25  # a row is flagged when a contender's batches vary more than this (IQR / median)


@dataclass
class Row:
    title: str
    raw: float | None
    ours: float | None
    genai: float | None
    kind: str = "time"  # or "rss" (KiB)
    noisy: bool = False
    # time rows: the most gemini-sdk may cost as a multiple of the raw floor;
    # rss rows: the most gemini-sdk's peak RSS may be, in KiB
    target: float | None = None


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _load_genai() -> tuple[Any, Any, str]:
    """google-genai's `genai` and `types` modules, or Nones and the reason."""
    # Measure google-genai on the same HTTP stack as the others (httpx); newer releases
    # default to httpx2 when it is installed. An explicit setting by the caller wins.
    os.environ.setdefault("GOOGLE_GENAI_HTTP_CLIENT", "httpx")
    try:
        genai = importlib.import_module("google.genai")
        types = importlib.import_module("google.genai.types")
    except Exception as error:  # noqa: BLE001 - any failure means "not measured"
        return None, None, f"{type(error).__name__}: {error}"
    return genai, types, ""


def _load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "n/a"


def _fmt(value: float | None, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "rss":
        return f"{value / 1024:.1f} MiB"
    return timing.format_ns(value)


def _ratio(top: float | None, bottom: float | None, mark: bool = True) -> str:
    if top is None or bottom is None or bottom <= 0:
        return "—"
    ratio = top / bottom
    text = f"{ratio:.2f}x"
    return f"**{text}**" if mark and ratio > MARK_OVER else text


def _speedup(genai: float | None, ours: float | None) -> str:
    if genai is None or ours is None or ours <= 0:
        return "—"
    ratio = genai / ours
    text = f"{ratio:.2f}x"
    return f"**{text}**" if ratio < 1 else text


def _target(row: Row) -> str:
    """The row's target and whether gemini-sdk meets it in this run."""
    if row.target is None:
        return ""
    if row.kind == "rss":
        wanted, measured = f"≤ {row.target / 1024:.0f} MiB", row.ours
    else:
        wanted = f"≤ {row.target:.1f}x"
        measured = None if row.ours is None or not row.raw else row.ours / row.raw
    if measured is None:
        return wanted
    return f"{wanted} {'ok' if measured <= row.target else '**missed**'}"


def print_table(rows: list[Row]) -> None:
    print("| scenario | raw | gemini-sdk | ratio | target | google-genai | ratio | genai/ours |")
    print("| --- | ---: | ---: | ---: | :--- | ---: | ---: | ---: |")
    for row in rows:
        cells = [
            row.title + (" ~" if row.noisy else ""),
            _fmt(row.raw, row.kind),
            _fmt(row.ours, row.kind),
            _ratio(row.ours, row.raw),
            _target(row),
            _fmt(row.genai, row.kind),
            _ratio(row.genai, row.raw),
            _speedup(row.genai, row.ours),
        ]
        print("| " + " | ".join(cells) + " |")
    print()
    print(
        f"ratio = contender / raw floor; **bold** ratio = more than {MARK_OVER}x the floor. "
        "target = what gemini-sdk aims for (a ratio to the floor, or an absolute peak RSS) "
        "and whether this run met it. "
        "genai/ours = google-genai time / gemini-sdk time (>1: gemini-sdk is faster; "
        f"**bold** when it is slower). ~ = noisy row: some contender's timed batches varied "
        f"by more than {NOISY:.0%} (interquartile range / median)."
    )


def import_rows(runs: int, genai_ok: bool, base_url: str, notes: list[str]) -> list[Row]:
    raw_first, ours_first, genai_first = imports.first_call(base_url)
    statements = [imports.BASELINE, imports.RAW, raw_first]
    statements += [imports.OURS_ALONE, imports.OURS, imports.OURS_CLIENT, ours_first]
    if genai_ok:
        statements += [imports.GENAI_ALONE, imports.GENAI, imports.GENAI_CLIENT, genai_first]
    costs = imports.measure_imports(statements, runs)

    def cost(statement: str, attr: str) -> float | None:
        found = costs.get(statement)
        return None if found is None else float(getattr(found, attr))

    base = costs[imports.BASELINE]
    notes.append(
        f"import rows: median of {runs} fresh `{sys.executable} -c` children each, timed "
        f"inside the child from cached bytecode; interpreter start-up alone (`pass`) peaks at "
        f"{base.rss_kib / 1024:.1f} MiB RSS. raw = `{imports.RAW}`; for the first call, raw = "
        "import + httpx.Client().post + json.loads."
    )
    # (title, raw, ours, genai, time target, peak RSS target in KiB)
    pairs = [
        ("import package only", imports.RAW, imports.OURS_ALONE, imports.GENAI_ALONE, None, None),
        ("import package + types", imports.RAW, imports.OURS, imports.GENAI, None, None),
        (
            "import package + types + Client()",
            imports.RAW,
            imports.OURS_CLIENT,
            imports.GENAI_CLIENT,
            1.2,
            25 * 1024,
        ),
        (
            "cold start: import, Client(), first call",
            raw_first,
            ours_first,
            genai_first,
            None,
            None,
        ),
    ]
    rows = [
        Row(name, cost(raw, "ns"), cost(ours, "ns"), cost(genai, "ns"), target=target)
        for name, raw, ours, genai, target, _ in pairs
    ]
    rows += [
        Row(
            f"peak RSS, {name.removeprefix('import ')}",
            cost(raw, "rss_kib"),
            cost(ours, "rss_kib"),
            cost(genai, "rss_kib"),
            kind="rss",
            target=rss_target,
        )
        for name, raw, ours, genai, _, rss_target in pairs
    ]
    return rows


def _make_env(server: Any, genai: Any, genai_types: Any) -> Env:
    import httpx

    import gemini_sdk
    from gemini_sdk import types

    ours_client = gemini_sdk.Client(
        api_key="k",
        http_options={"base_url": server.base_url, "retry_options": {"attempts": 1}},
    )
    env = Env(server, httpx.Client(), types, ours_client)
    if genai is not None:
        env.genai, env.genai_types = genai, genai_types
        env.genai_client = genai.Client(
            api_key="k", http_options=genai_types.HttpOptions(base_url=server.base_url)
        )
    return env


def _contenders(scenario: Scenario) -> dict[str, Any]:
    found = {"raw": scenario.raw, "ours": scenario.ours}
    if scenario.genai is not None:
        found["genai"] = scenario.genai
    return found


def verify(scenario: Scenario, env: Env, who: str, op: Any) -> None:
    """One call of `op`, outside timing: its result and the requests it made are checked."""
    hits = env.server.routes.hits
    hits.clear()
    result = op()
    scenario.check(who, result)
    made = {route: count for route, count in hits.items() if count}
    assert made == scenario.hits, f"expected requests {scenario.hits}, made {made}"


def run_scenarios(
    env: Env, keys: list[str] | None, repeats: int, target_ns: int, notes: list[str]
) -> list[Row]:
    rows = []
    for build in BUILDERS:
        try:
            scenario = build(env)
        except Exception:  # noqa: BLE001 - report and go on
            notes.append(f"could not set up {build.__name__}:\n{traceback.format_exc()}")
            continue
        if keys and not any(scenario.key.startswith(k) for k in keys):
            continue
        contenders = _contenders(scenario)
        for who, op in list(contenders.items()):
            try:
                verify(scenario, env, who, op)
            except Exception as error:  # noqa: BLE001 - a wrong contender is not timed
                notes.append(f"{scenario.key}: {who} failed its check, not timed: {error!r}")
                traceback.print_exc()
                del contenders[who]
        started = time.perf_counter()
        try:
            stats = timing.measure(contenders, repeats=repeats, target_ns=target_ns)
        except Exception:  # noqa: BLE001
            notes.append(f"{scenario.key}: failed while timing:\n{traceback.format_exc()}")
            continue
        medians = {who: stat.median for who, stat in stats.items()}
        noisy = any(stat.spread > NOISY for stat in stats.values())
        row = Row(
            scenario.title,
            medians.get("raw"),
            medians.get("ours"),
            medians.get("genai"),
            noisy=noisy,
            target=scenario.target,
        )
        rows.append(row)
        if scenario.note:
            notes.append(f"{scenario.title}: {scenario.note}.")
        spreads = "  ".join(f"{who} ±{stat.spread / 2:.0%}" for who, stat in stats.items())
        print(
            f"  {scenario.key:<18} raw {_fmt(row.raw, 'time'):>10}  ours {_fmt(row.ours, 'time'):>10}"
            f"  genai {_fmt(row.genai, 'time'):>10}   ({spreads}; "
            f"{time.perf_counter() - started:.1f}s)",
            file=sys.stderr,
        )
    return rows


def orjson_floor(env: Env, repeats: int, target_ns: int, notes: list[str]) -> None:
    """How much of a decode is parsing: gemini-sdk parses with orjson, the raw floor with json."""
    import orjson

    from bench import payloads

    bodies = {
        "1,000-part response": payloads.large_response(),
        "grounded response": payloads.grounded_response(),
        "embeddings": payloads.embeddings_response(),
    }
    for name, body in bodies.items():
        stats = timing.measure(
            {"orjson": functools.partial(orjson.loads, body)}, repeats=repeats, target_ns=target_ns
        )
        notes.append(
            f"parse-only floor of gemini-sdk for the {name}: orjson.loads = "
            f"{timing.format_ns(stats['orjson'].median)}."
        )


def profile(env: Env, key: str, seconds: float) -> None:
    scenario = next((s for s in (b(env) for b in BUILDERS) if s.key == key), None)
    if scenario is None:
        print(f"no scenario {key!r}; keys: {[b(env).key for b in BUILDERS]}")
        return
    verify(scenario, env, "ours", scenario.ours)
    number = max(1, round(seconds * 1e9 / timing.run_batch(scenario.ours, 1)))
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(number):
        scenario.ours()
    profiler.disable()
    print(f"## cProfile of gemini-sdk in `{key}` ({number} calls)\n")
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(25)


LOAD_CLIENTS = 200
LOAD_TARGET = 1000.0  # requests per second
LOAD_GROWTH_KIB = 4 * 1024  # the most the emulator's RSS may grow over the run


def print_load(requests: int) -> None:
    """The served emulator answering small generate calls from 200 keep-alive connections."""
    from bench import load

    with load.serve() as (port, pids):
        result = load.run(port, pids, requests, LOAD_CLIENTS, processes=1)
    growth = result.rss_end_kib - result.rss_start_kib
    rate_ok = "ok" if result.rate >= LOAD_TARGET else "**missed**"
    flat_ok = "ok" if growth <= LOAD_GROWTH_KIB else "**missed**"
    print(
        "\n## Served emulator under load (`python -m bench.load`)\n\n"
        "| clients | requests | req/s | target | emulator CPU / request "
        "| RSS start / end / max | target |\n| ---: | ---: | ---: | :--- | ---: | ---: | :--- |"
    )
    print(
        f"| {LOAD_CLIENTS} | {result.requests:,} | {result.rate:,.0f} | "
        f"≥ {LOAD_TARGET:,.0f} {rate_ok} | {result.cpu_per_request_us:.0f} µs | "
        f"{result.rss_start_kib / 1024:.1f} / {result.rss_end_kib / 1024:.1f} / "
        f"{result.rss_max_kib / 1024:.1f} MiB | growth ≤ {LOAD_GROWTH_KIB // 1024} MiB {flat_ok} |"
    )
    print(
        f"\n{result.failed} answers were not 200. The client is one process of raw asyncio "
        "connections on the same machine; CPU / request is the emulator process's user + "
        "system time over the run divided by the requests (it does not move with the "
        "machine's load as req/s does)."
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    parser.add_argument(
        "--only", help="comma-separated scenario keys (prefixes), 'import' or 'load'"
    )
    parser.add_argument("--profile", metavar="KEY", help="cProfile gemini-sdk in one scenario")
    args = parser.parse_args(argv)
    repeats, import_runs, target_ns = (3, 3, 10_000_000) if args.quick else (15, 7, 12_000_000)
    keys = args.only.split(",") if args.only else None
    load_requests = 10_000 if args.quick else 100_000

    started = time.perf_counter()
    load_before = _load_average()
    genai, genai_types, genai_missing = _load_genai()
    print("# gemini-sdk benchmark\n")
    print(
        f"Python {platform.python_version()} ({sys.executable}) on {platform.machine()}, "
        f"{os.cpu_count()} CPUs; gemini-sdk {_version('gemini-sdk')}, "
        f"httpx {_version('httpx')}, orjson {_version('orjson')}, "
        f"google-genai {_version('google-genai') if genai else 'not importable'}.\n"
    )
    notes: list[str] = []
    if genai is None:
        notes.append(
            f"google-genai columns are empty: `import google.genai` failed here "
            f"({genai_missing}); `make bench-full` measures them."
        )

    from bench.server import LoopbackServer

    with LoopbackServer() as server:
        env = _make_env(server, genai, genai_types)
        if args.profile:
            profile(env, args.profile, seconds=3.0)
            return
        rows: list[Row] = []
        if keys is None or "import" in keys:
            print("measuring imports...", file=sys.stderr)
            try:
                rows += import_rows(import_runs, genai is not None, server.base_url, notes)
            except Exception:  # noqa: BLE001
                notes.append(f"import timing failed:\n{traceback.format_exc()}")
        print("measuring scenarios...", file=sys.stderr)
        rows += run_scenarios(env, keys, repeats, target_ns, notes)
        if keys is None:
            orjson_floor(env, repeats, target_ns, notes)
        if env.genai_client is not None:
            http = getattr(env.genai_client._api_client, "_httpx_client", None)
            notes.append(
                f"google-genai's HTTP client: {type(http).__mro__[1].__module__}."
                f"{type(http).__mro__[1].__name__} (GOOGLE_GENAI_HTTP_CLIENT="
                f"{os.environ.get('GOOGLE_GENAI_HTTP_CLIENT')}); its decodes use "
                f"{env.genai_decode_path or 'n/a'}."
            )
        env.ours_client.close()
        env.raw_http.close()
        if env.genai_client is not None:
            getattr(env.genai_client, "close", lambda: None)()

    print_table(rows)
    if keys is None or "load" in keys:
        print("measuring the served emulator under load...", file=sys.stderr)
        try:
            print_load(load_requests)
        except Exception:  # noqa: BLE001
            notes.append(f"emulator load run failed:\n{traceback.format_exc()}")
    notes.append(
        f"calls: median of {repeats} interleaved batches of at least {target_ns / 1e6:.0f} ms "
        "after a warm-up call; gc enabled (collected before each batch); loopback scenarios "
        "share one asyncio server thread in this process; raw = httpx + stdlib json."
    )
    notes.append(
        "every loopback scenario reads what a program would (the text, the embedding values, "
        "the model names) inside the timing; the decode rows use `from_json`."
    )
    print()
    for note in notes:
        print(f"- {note}")
    print(
        f"\ntotal run time: {time.perf_counter() - started:.0f} s; 1-minute load average "
        f"{load_before} before, {_load_average()} after (other work on the machine adds noise)."
    )
