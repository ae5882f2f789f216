"""Cold start of ``python bot.py ask`` (index persisted, or built first); a server's peak RSS."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from config import Settings

from .workload import ROOT, settings_env

QUESTION = "Who is the president of Iran?"


def _child_env(settings: Settings) -> dict[str, str]:
    """The bench's engine settings, offline, with output unbuffered so answers show at once."""
    fixed = {"HF_HUB_OFFLINE": "1", "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"}
    return os.environ | settings_env(settings) | fixed


def time_ask(settings: Settings) -> dict[str, float]:
    """Seconds from spawning ``bot.py ask`` to its first line of answer, and to its exit."""
    command = [sys.executable, "bot.py", "ask", QUESTION]
    with tempfile.TemporaryFile("w+") as errors:
        started = time.perf_counter()
        with subprocess.Popen(
            command,
            cwd=ROOT,
            env=_child_env(settings),
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        ) as child:
            assert child.stdout is not None
            first_line = child.stdout.readline()
            answered = time.perf_counter()
            child.stdout.read()
        exited = time.perf_counter()
        if child.returncode != 0 or not first_line.strip():
            errors.seek(0)
            raise RuntimeError(f"bot.py ask failed ({child.returncode}): {errors.read()[-2000:]}")
    return {"to_answer_seconds": answered - started, "to_exit_seconds": exited - started}


def median_of(runs: list[dict[str, float]]) -> dict[str, Any]:
    return {key: round(statistics.median(run[key] for run in runs), 3) for key in runs[0]} | {
        "runs": [round(run["to_answer_seconds"], 3) for run in runs]
    }


def cold_start(settings: Settings, empty_root: Path, runs: int) -> dict[str, Any]:
    """Median cold start with ``settings``' persisted index, and with an empty index folder.

    The empty case gets a fresh INDEX_DIR and model cache each run, so it includes whatever a
    first start does: exporting the model (ONNX backend), embedding and saving the index.
    """
    with_index = [time_ask(settings) for _ in range(runs)]
    empty = []
    for run in range(runs):
        index_dir = empty_root / f"empty-{run}"
        empty.append(
            time_ask(
                settings.model_copy(
                    update={"index_dir": index_dir, "model_cache_dir": index_dir / "models"}
                )
            )
        )
    return {"with_index": median_of(with_index), "empty_index": median_of(empty)}


def serving_probe(settings: Settings, rounds: int) -> dict[str, Any]:
    """Phase times and peak RSS of a process that loads the engine and answers ``rounds`` times."""
    started = time.perf_counter()
    output = subprocess.run(
        [sys.executable, "-m", "bench.probe", str(rounds)],
        cwd=ROOT,
        env=_child_env(settings),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.splitlines()[-1]) | {
        "wall_seconds": round(time.perf_counter() - started, 3)
    }
