"""timeit-style measurement: auto-ranged batches, interleaved contenders, median per op.

Each contender runs once as a warm-up (first-call costs such as compiling converters are
left out), then its batch size is grown until one batch takes at least `target_ns`. The
contenders of a scenario then take turns, batch by batch, for `repeats` rounds (the order
rotating every round), so slow drifts of the machine hit all of them alike. The garbage
collector stays on, as it is in real programs; a collection runs before every batch.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_STEPS = (1, 2, 5)


def run_batch(fn: Callable[[], Any], number: int) -> int:
    """Nanoseconds that `number` calls of `fn` take."""
    gc.collect()
    clock = time.perf_counter_ns
    start = clock()
    for _ in range(number):
        fn()
    return clock() - start


def autorange(fn: Callable[[], Any], target_ns: int) -> int:
    """The smallest 1, 2, 5, 10, 20, 50... calls per batch that take at least `target_ns`."""
    scale = 1
    while True:
        for step in _STEPS:
            number = step * scale
            if run_batch(fn, number) >= target_ns:
                return number
        scale *= 10


@dataclass
class Stat:
    median: float  # ns per call
    spread: float  # interquartile range of the batches / median


def measure(
    contenders: dict[str, Callable[[], Any]], *, repeats: int, target_ns: int
) -> dict[str, Stat]:
    """Median nanoseconds per call of each contender, and how much its batches varied."""
    numbers: dict[str, int] = {}
    for name, fn in contenders.items():
        fn()
        numbers[name] = autorange(fn, target_ns)
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    for round_ in range(repeats):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(run_batch(contenders[name], numbers[name]) / numbers[name])
    return {name: _stat(values) for name, values in samples.items()}


def _stat(values: list[float]) -> Stat:
    median = statistics.median(values)
    if len(values) < 4:
        return Stat(median, 0.0)
    low, _, high = statistics.quantiles(values, n=4)
    return Stat(median, (high - low) / median if median else 0.0)


def format_ns(ns: float) -> str:
    if ns >= 1e9:
        return f"{ns / 1e9:.2f} s"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns:.0f} ns"
