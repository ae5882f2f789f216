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


def render_report(report: Report) -> str:
    """The evaluation metrics as aligned lines, then the misses."""
    rows = [
        ("answerable questions", f"{report.answerable}"),
        ("off-topic questions", f"{report.offtopic}"),
        ("hit@1", f"{report.hit_at_1:.3f}"),
        ("hit@3", f"{report.hit_at_3:.3f}"),
        ("MRR", f"{report.mrr:.3f}"),
        ("answer-keyword rate", f"{report.keyword_rate:.3f}"),
        ("off-topic abstention rate", f"{report.offtopic_abstained:.3f}"),
        ("false-abstention rate", f"{report.false_abstentions:.3f}"),
    ]
    lines = [f"{name:<26} {value}" for name, value in rows]
    lines.append(f"misses: {len(report.misses)}")
    lines += [f"  - {miss}" for miss in report.misses]
    return "\n".join(lines)
