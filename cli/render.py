"""Plain-text rendering of answers and reports for a terminal."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

from retrieval import Answer, ArticleRecord, LibraryChange, Report
from wording import (
    FACT_SOURCE,
    INTRODUCTION,
    SOURCES,
    byline,
    language_name,
    reply_text,
    searched_note,
    translate,
)


def answer_json(answer: Answer) -> dict[str, object]:
    """The answer's JSON object, its ``answer`` worded as the reader would be told it."""
    return answer.to_json(reply_text(answer))


def render_answer(answer: Answer, *, titled: bool = True) -> str:
    """The answer (a hedge's warning first, the highlight between asterisks), what was
    searched when it differs from the question, then the numbered sources: each with its
    article's title when the library has several (``titled``), its section and its quote.
    The words around the quotes are in the question's language."""
    text = reply_text(answer)
    if answer.highlight and answer.highlight.text in text:
        text = text.replace(answer.highlight.text, f"*{answer.highlight.text}*", 1)
    lines = textwrap.wrap(text, 96) or [text]
    note = searched_note(answer)
    if note:
        lines.append(f"({note})")
    if answer.fact is not None and answer.answered:
        lines += ["", translate(answer.language, FACT_SOURCE)]
    if answer.citations:
        lines += ["", translate(answer.language, SOURCES) + ":"]
        for c in answer.citations:
            where = c.passage.section or translate(answer.language, INTRODUCTION)
            where = f"{c.article.title} · {where}" if titled else where
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
    for language, part in report.by_language:
        lines += [f"language {language}:"] + [f"  {line}" for line in _metric_lines(part)]
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


def render_articles(articles: Sequence[ArticleRecord], rows: Mapping[str, range]) -> str:
    """One line per article: id, passages, when and by whom it was added, title, language,
    author and publication date (when known) and source."""
    lines = [f"{len(articles)} articles"]
    for a in articles:
        by = f" by {a.added_by}" if a.added_by is not None else ""
        language = f" · {language_name(a.language, None)}" if a.language else ""
        written = byline(a.author, a.published)
        about = f"{language} · {written}" if written else language
        lines.append(
            f"  {a.id}  {len(rows.get(a.id, ())):>5} passages  v{a.version}  "
            f"added {a.added_at}{by}  {a.title}{about} ({a.source})"
        )
    return "\n".join(lines)


def render_change(change: LibraryChange) -> str:
    """One line: what changed, and the index now serving."""
    manifest = change.snapshot.manifest
    what = f" {change.article.id} “{change.article.title}”" if change.article else ""
    return (
        f"{change.action}{what}: library version {manifest.library_version}, "
        f"{manifest.articles} articles, {manifest.passages} passages, "
        f"in {change.seconds:.2f} s"
    )
