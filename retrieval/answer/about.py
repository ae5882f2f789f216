"""Answers about the article itself, from its record in the library rather than its text:
who wrote it and when it was published are in a web page's byline and meta tags or a PDF's
metadata, which extraction keeps out of the text (see ``extract.py``)."""

from __future__ import annotations

from ..core.types import Answer, ArticleFact, ArticleRef
from ..library.catalog import ArticleRecord
from ..question.analysis import Analysis
from ..question.overview import Request

NOT_RECORDED = "not_recorded"  # the reason of a decline: the document did not say


def about_article(analysis: Analysis, asked: Request, record: ArticleRecord) -> Answer:
    """The author or publication date of ``record`` (``asked``), as its record gives it; a
    decline when the document did not say, rather than a quote that only looks like one."""
    field = "author" if asked == "author" else "published"
    value = record.author if field == "author" else record.published
    fact = ArticleFact(field, value, ArticleRef(record.id, record.title))
    return Answer(
        analysis.question,
        value or "",
        (),
        1.0 if value else 0.0,
        outcome="answered" if value else "declined",
        reason=None if value else NOT_RECORDED,
        language=analysis.language,
        searched=analysis.searched,
        fact=fact,
    )
