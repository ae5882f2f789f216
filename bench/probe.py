"""A serving process in miniature, run as ``python -m bench.probe ROUNDS`` by the cold-start bench.

It imports what ``bot.py`` imports, loads the engine from the environment's settings, answers
the dev questions ROUNDS times and prints one JSON line: phase times and peak RSS.

Peak RSS is the kernel's ``VmHWM`` of this process. ``getrusage().ru_maxrss`` is reported too,
but Linux carries it over fork and exec, so in a child it is at least its parent's peak.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()


def main(rounds: int) -> dict[str, float]:
    """Time each start-up phase, then serve ``rounds`` passes of the dev questions."""
    phases: dict[str, float] = {}
    mark = STARTED

    def phase(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        phases[name] = round(now - mark, 3)
        mark = now

    import bot  # noqa: F401  (the imports of a serving process: telegram, cli, engine)
    from config import Settings
    from retrieval import Engine

    from .workload import dev_questions

    phase("import_seconds")
    engine = Engine(Settings(_env_file=None))
    phase("load_model_seconds")
    engine.snapshot  # noqa: B018  (loads the index)
    phase("load_index_seconds")
    questions = dev_questions()
    engine.answer(questions[0])
    phase("first_answer_seconds")
    for _ in range(rounds):
        for question in questions:
            engine.answer(question)
    return phases | {
        "answers": rounds * len(questions),
        "peak_rss_mb": round(high_water_kib() / 1024, 1),
        "ru_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def high_water_kib() -> int:
    """``VmHWM`` from ``/proc/self/status``: this process's peak resident set, in KiB."""
    status = Path("/proc/self/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1])


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))
