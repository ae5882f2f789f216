"""The figures ``/stats`` and ``bot.py stats`` show, read from the usage database."""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

OUTCOMES = ("answered", "hedged", "declined")
TOP_UNANSWERED = 10


@dataclass(frozen=True, slots=True)
class UsageSummary:
    """Counts, rates and latencies over every question still in the log."""

    today: int  # since midnight UTC
    this_week: int  # since Monday midnight UTC
    total: int
    outcomes: tuple[tuple[str, int], ...]  # (outcome, count) for each of OUTCOMES
    median_ms: float | None
    p95_ms: float | None
    thumbs_up: int
    thumbs_down: int
    top_unanswered: tuple[tuple[str, int], ...]  # (latest wording, times asked), declined/hedged
    first_asked_at: float | None
    retention_days: int


def summarise(db: sqlite3.Connection, now: float, retention_days: int) -> UsageSummary:
    """Read every figure of the summary in one read transaction (a consistent snapshot)."""
    midnight = datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    monday = midnight - timedelta(days=midnight.weekday())
    db.execute("BEGIN")
    try:
        total, today, week, first, *counts = db.execute(
            f"""SELECT count(*), count(*) FILTER (WHERE asked_at >= ?),
                       count(*) FILTER (WHERE asked_at >= ?), min(asked_at),
                       {", ".join(f"count(*) FILTER (WHERE outcome = '{o}')" for o in OUTCOMES)}
                FROM questions""",
            (midnight.timestamp(), monday.timestamp()),
        ).fetchone()
        votes = dict(db.execute("SELECT vote, count(*) FROM feedback GROUP BY vote"))
        # SQLite takes the bare column `question` from the row holding max(asked_at).
        top = db.execute(
            """SELECT question, count(*) AS times, max(asked_at) FROM questions
               WHERE outcome IN ('declined', 'hedged') GROUP BY normalised
               ORDER BY times DESC, max(asked_at) DESC LIMIT ?""",
            (TOP_UNANSWERED,),
        ).fetchall()
        median, p95 = (_latency_percentile(db, total, p) for p in (0.5, 0.95))
    finally:
        db.execute("COMMIT")
    return UsageSummary(
        today=today,
        this_week=week,
        total=total,
        outcomes=tuple(zip(OUTCOMES, counts, strict=True)),
        median_ms=median,
        p95_ms=p95,
        thumbs_up=votes.get(1, 0),
        thumbs_down=votes.get(-1, 0),
        top_unanswered=tuple((question, times) for question, times, _ in top),
        first_asked_at=first,
        retention_days=retention_days,
    )


def _latency_percentile(db: sqlite3.Connection, count: int, fraction: float) -> float | None:
    """The nearest-rank percentile of the logged latencies, in milliseconds (a walk along
    the latency index, no sort)."""
    if count == 0:
        return None
    rank = max(1, math.ceil(fraction * count))
    row = db.execute(
        "SELECT latency_ms FROM questions ORDER BY latency_ms LIMIT 1 OFFSET ?", (rank - 1,)
    ).fetchone()
    return row[0]
