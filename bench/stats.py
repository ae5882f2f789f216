"""Summaries of timing samples: medians and percentiles, in milliseconds."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile of ``samples`` (linear interpolation)."""
    return float(np.quantile(np.asarray(samples, dtype=np.float64), fraction))


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    """Median and p95 of samples given in seconds, as milliseconds, with the sample count."""
    return {
        "median_ms": round(percentile(seconds, 0.5) * 1000, 3),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 3),
        "n": len(seconds),
    }


def timed(call: Callable[[], T]) -> tuple[T, float]:
    """Run ``call`` once: its result and its wall time in seconds."""
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started
