"""Shared helpers for the benchmarks: timing, peak memory, JSON lines."""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def best_of(fn: Callable[[], T], repeat: int = 3) -> tuple[float, T]:
    """Best wall time of ``repeat`` runs (the least disturbed by a noisy machine)."""
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def emit(name: str, ours_s: float, baseline: str, baseline_s: float, **extra: Any) -> None:
    row = {
        "name": name,
        "ours_s": round(ours_s, 6),
        "baseline": baseline,
        "baseline_s": round(baseline_s, 6),
        "ratio": round(ours_s / baseline_s, 3) if baseline_s > 0 else None,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        **extra,
    }
    print(json.dumps(row, ensure_ascii=False), flush=True)
    sys.stdout.flush()
