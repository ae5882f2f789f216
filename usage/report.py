"""The usage summary in words, one line per figure: the same lines in Telegram and a terminal."""

from __future__ import annotations

from datetime import UTC, datetime

from .summary import UsageSummary


def summary_lines(summary: UsageSummary) -> list[str]:
    """The summary as short plain-text lines (the caller escapes or styles them)."""
    lines = [_questions(summary)]
    if summary.total:
        rates = ", ".join(f"{n / summary.total:.0%} {name}" for name, n in summary.outcomes)
        lines += [
            f"Outcomes: {rates}",
            f"Latency: {summary.median_ms:.1f} ms median, {summary.p95_ms:.1f} ms p95",
        ]
    lines.append(f"Feedback: {summary.thumbs_up} 👍, {summary.thumbs_down} 👎")
    if summary.top_unanswered:
        lines.append("Declined or hedged most often:")
        lines += [
            f"{i}. {question} ({times}×)"
            for i, (question, times) in enumerate(summary.top_unanswered, 1)
        ]
    return lines


def _questions(summary: UsageSummary) -> str:
    kept = f"rows are kept {summary.retention_days} days"
    if summary.first_asked_at is None:
        return f"Questions: none yet ({kept})"
    since = datetime.fromtimestamp(summary.first_asked_at, UTC).date().isoformat()
    return (
        f"Questions: {summary.today} today, {summary.this_week} this week, "
        f"{summary.total} in all (since {since}; {kept})"
    )
