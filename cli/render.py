"""Plain-text rendering of answers and reports for a terminal."""

from __future__ import annotations

import textwrap

from retrieval.evaluation import Report
from retrieval.types import Answer


def render_answer(answer: Answer) -> str:
    """The answer, then its numbered sources, wrapped for a terminal."""
    lines = textwrap.wrap(answer.text, 96) or [answer.text]
    if answer.citations:
        lines += ["", "Sources:"]
        for c in answer.citations:
            where = c.passage.section or "Introduction"
            lines.append(f"  [{c.n}] {where} (characters {c.start}-{c.end}, score {c.score:.2f})")
            lines += textwrap.wrap(
                c.quote, 92, initial_indent="      ", subsequent_indent="      "
            )
    return "\n".join(lines)


def render_report(report: Report, title: str | None = None) -> str:
    """The evaluation metrics as aligned lines, then the misses; follow-ups get their own
    block after the whole file's."""
    lines = [title] if title else []
    lines += _metric_lines(report)
    if report.followups is not None:
        lines += ["follow-ups only:"] + [f"  {line}" for line in _metric_lines(report.followups)]
    lines.append(f"misses: {len(report.misses)}")
    lines += [f"  - {miss}" for miss in report.misses]
    return "\n".join(lines)


def _metric_lines(report: Report) -> list[str]:
    rows = [
        ("answerable questions", f"{report.answerable}"),
        ("hit@1", f"{report.hit_at_1:.3f}"),
        ("hit@3", f"{report.hit_at_3:.3f}"),
        ("MRR", f"{report.mrr:.3f}"),
        ("answer-keyword rate", f"{report.keyword_rate:.3f} (on answers presented as answered)"),
        ("answerable declined", _count(report.answerable_declined, report.answerable)),
        ("answerable hedged", _count(report.answerable_hedged, report.answerable)),
    ]
    if report.unanswerable:
        rows.append(
            ("unanswerable answered", _count(report.unanswerable_answered, report.unanswerable))
        )
    if report.offtopic:
        rows.append(("off-topic declined", _count(report.offtopic_declined, report.offtopic)))
    return [f"{name:<26} {value}" for name, value in rows]


def _count(part: int, whole: int) -> str:
    share = part / whole if whole else 0.0
    return f"{part}/{whole} ({share:.3f})"
