"""What a reader is told about an answer, in plain words, for the CLI and the bot alike.

The engine says *what* happened (an outcome, a reason, the names it never found); this package
says it in the reader's language (:mod:`wording.catalog`). Neither the CLI nor the bot words an
outcome on its own. A function given no language speaks the question's.
"""

from __future__ import annotations

import re

from retrieval.answer.compose import UNKNOWN_NAMES
from retrieval.core.types import Answer, ArticleFact

from .catalog import (
    N_,
    SOURCE_LANGUAGE,
    catalog_language,
    embed,
    language_name,
    mark,
    primary_language,
    reply_language,
    right_to_left,
    say,
    translate,
    translated_languages,
    translator,
)

__all__ = [
    "FACT_SOURCE",
    "INTRODUCTION",
    "N_",
    "SOURCES",
    "TOO_LONG",
    "byline",
    "catalog_language",
    "decline_message",
    "embed",
    "fact_message",
    "hedge_intro",
    "language_name",
    "mark",
    "primary_language",
    "reply_language",
    "reply_text",
    "right_to_left",
    "say",
    "searched_note",
    "translate",
    "translated_languages",
    "translator",
]

SOURCES = N_("Sources")
INTRODUCTION = N_("Introduction")  # the section of an article's text before its first heading
NOT_COVERED = N_("Sorry, the article doesn't cover that.")
NOT_MENTIONED = N_("Sorry, the article doesn't cover that: it never mentions {names}.")
HEDGE_SAYS = "The article doesn't say {clause}. The closest it comes:"  # English questions only
HEDGE_ASKS = N_("The article doesn't answer “{question}” directly. The closest it comes:")
# "How old is Putin?" → "how old Putin is": the question turned into the clause it asks about.
_COPULA_QUESTION = re.compile(
    r"^(how (?:old|many(?: \w+){1,2}|much(?: \w+){0,2}|long|far)|who|what|when|where"
    r"|which(?: \w+){1,2}|why)"
    r"\s+(is|are|was|were)\s+(.+?)[\s?.!]*$",
    re.IGNORECASE,
)
# "How many drones are built...?": a question word with its noun is the subject, and so is one
# before a participle ("what is built there"): the clause keeps the question's order.
_SUBJECT_WH = re.compile(r"^(?:how (?:many|much)|which)(?: \w+){1,2}$", re.IGNORECASE)
_PARTICIPLE = re.compile(
    r"^(?:\w+(?:ed|en|ing)|built|made|held|known|sent|sold|told|found|led|kept|paid|put|set)$",
    re.IGNORECASE,
)
_TRAILING = re.compile(r"\s+(?:worth|exactly|now|today|currently|again|then)$", re.IGNORECASE)
SEARCHED = N_("searched: {searched}")
# The answer to a question about the article itself, from its record (``retrieval/about.py``).
WRITTEN_BY = N_("“{title}” was written by {author}.")
PUBLISHED_ON = N_("“{title}” was published on {date}.")
NO_AUTHOR = N_("“{title}” doesn't say who wrote it.")
NO_DATE = N_("“{title}” doesn't say when it was published.")
FACT_SOURCE = N_("Source: the document's byline and metadata")
BY_AUTHOR = N_("by {author}")
PUBLISHED = N_("published {date}")
TOO_LONG = N_("That question is {length} characters long. Please shorten it to {limit} or fewer.")


_PREPOSITIONS = frozenset(
    {"to", "of", "with", "for", "in", "on", "at", "from", "by", "about", "into", "after"}
)


def decline_message(answer: Answer, language: str | None = None) -> str:
    """Why nothing in the article answers the question, in one sentence."""
    language = language or answer.language
    if answer.fact is not None:
        missing = NO_AUTHOR if answer.fact.field == "author" else NO_DATE
        return translate(language, missing, title=answer.fact.article.title)
    if answer.reason == UNKNOWN_NAMES and answer.unknown_names:
        return translate(language, NOT_MENTIONED, names=", ".join(answer.unknown_names))
    return translate(language, NOT_COVERED)


def hedge_intro(answer: Answer, language: str | None = None) -> str:
    """The line before a hedge's quote: the article is on topic but does not say this."""
    language = language or answer.language
    question = " ".join(answer.question.split())
    english = primary_language(answer.language) in (None, SOURCE_LANGUAGE)
    # Turning a question into a clause is English grammar: other replies quote the question.
    asked = _COPULA_QUESTION.match(question)
    if (
        english
        and catalog_language(language) == SOURCE_LANGUAGE
        and asked
        and asked.group(3).split()[-1].lower() not in _PREPOSITIONS
    ):
        return HEDGE_SAYS.format(clause=_clause(*asked.groups()))
    return translate(language, HEDGE_ASKS, question=question)


def _clause(wh: str, verb: str, rest: str) -> str:
    """The clause a copula question asks about: "how old Putin is", "how much the deal is
    worth", "how many soldiers are in Syria"."""
    wh, verb = wh[:1].lower() + wh[1:], verb.lower()  # "How many Russian soldiers"
    if _SUBJECT_WH.match(wh) or _PARTICIPLE.match(rest.split()[0]):
        return f"{wh} {verb} {rest}"
    # A word that ends the question after its subject stays last: "how much the deal is
    # worth", "when the summit is exactly".
    last = _TRAILING.search(rest)
    if last is None:
        return f"{wh} {rest} {verb}"
    return f"{wh} {rest[: last.start()]} {verb}{last.group()}"


def searched_note(answer: Answer, language: str | None = None) -> str | None:
    """The query actually searched, when it differs from what the reader typed."""
    searched = answer.searched
    if not searched or " ".join(searched.split()).casefold() == answer.question.casefold():
        return None
    return translate(language or answer.language, SEARCHED, searched=searched)


def reply_text(answer: Answer, language: str | None = None) -> str:
    """The whole reply as plain text: the quote, a hedge's warning before it, or a decline."""
    language = language or answer.language
    if answer.outcome == "declined":
        return decline_message(answer, language)
    if answer.fact is not None:
        return fact_message(answer.fact, language)
    if answer.outcome == "hedged":
        return f"{hedge_intro(answer, language)} {embed(answer.text, language)}"
    return answer.text


def fact_message(fact: ArticleFact, language: str | None = None) -> str:
    """Who wrote the article or when it was published, as its record says."""
    title = fact.article.title
    if fact.field == "author":
        return translate(language, WRITTEN_BY, title=title, author=fact.value)
    return translate(language, PUBLISHED_ON, title=title, date=fact.value)


def byline(author: str | None, published: str | None, language: str | None = None) -> str:
    """ "by Jane Doe · published 2024-05-01", or as much of it as is known ("" for nothing)."""
    parts = [translate(language, BY_AUTHOR, author=author)] if author else []
    parts += [translate(language, PUBLISHED, date=published)] if published else []
    return " · ".join(parts)
