"""The usage database: logging one question, the /stats summary and the CSV export, at size."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from usage import QuestionEntry, UsageLog
from usage.log import new_question_id

from .stats import summary_ms, timed

DAY = 86_400.0
OUTCOME_WEIGHTS = {"answered": 0.7, "hedged": 0.15, "declined": 0.15}
SUMMARY_ROUNDS = 5


def _entries(questions: Sequence[str], count: int, seed: int = 0) -> list[QuestionEntry]:
    """``count`` questions asked by 1,000 users over the last 90 days."""
    rng, now = random.Random(seed), time.time()
    outcomes = rng.choices(list(OUTCOME_WEIGHTS), list(OUTCOME_WEIGHTS.values()), k=count)
    return [
        QuestionEntry(
            id=new_question_id(),
            asked_at=now - rng.random() * 90 * DAY,
            chat_type=rng.choice(("private", "group")),
            outcome=outcome,
            latency_ms=rng.lognormvariate(1.5, 0.5),
            build_id="bench",
            user_id=rng.randrange(1000),
            question=rng.choice(questions),
            answer="A quoted sentence from the article. [1]",
        )
        for outcome in outcomes
    ]


def usage_database(folder: Path, questions: Sequence[str], rows: int) -> dict[str, Any]:
    """Log ``rows`` questions one transaction each (as the bot's worker thread does), then
    time the summary behind /stats and the CSV export of them all."""
    log = UsageLog.open(folder / "bot.sqlite3", retention_days=90)
    try:
        writes = [timed(lambda e=e: log.record_question(e))[1] for e in _entries(questions, rows)]
        summaries = [timed(log.summary)[1] for _ in range(SUMMARY_ROUNDS)]
        exported, export_seconds = timed(lambda: log.export_csv(folder / "questions.csv"))
    finally:
        log.close()
    return {
        "rows": rows,
        "record_question": summary_ms(writes),
        "summary": summary_ms(summaries),
        "export_rows": exported,
        "export_seconds": round(export_seconds, 2),
        "file_mb": round((folder / "bot.sqlite3").stat().st_size / 1e6, 1),
    }
