"""What a reader is told about an answer, in plain words, for the CLI and the bot alike.

The engine says *what* happened (an outcome, a reason, the names it never found); this package
says it in English. Neither the CLI nor the bot words an outcome on its own.
"""

from __future__ import annotations

import re

from retrieval.answer import OTHER_LANGUAGE, UNKNOWN_NAMES
from retrieval.types import Answer

NOT_COVERED = "Sorry, the article doesn't cover that."
NOT_MENTIONED = "Sorry, the article doesn't cover that: it never mentions {names}."
ENGLISH_ONLY = (
    "Sorry, I can only answer questions in English, and this looks like {language}. "
    "Please ask in English."
)
HEDGE_SAYS = "The article doesn't say {clause}. The closest it comes:"
HEDGE_ASKS = "The article doesn't answer “{question}” directly. The closest it comes:"
# "How old is Putin?" → "how old Putin is": the question turned into the clause it asks about.
_COPULA_QUESTION = re.compile(
    r"^(how (?:old|many \w+|much(?: \w+)?|long|far)|who|what|when|where|which \w+|why)"
    r"\s+(is|are|was|were)\s+(.+?)[\s?.!]*$",
    re.IGNORECASE,
)
SEARCHED = "searched: {searched}"


_PREPOSITIONS = frozenset(
    {"to", "of", "with", "for", "in", "on", "at", "from", "by", "about", "into", "after"}
)


def decline_message(answer: Answer) -> str:
    """Why nothing in the article answers the question, in one sentence."""
    if answer.reason == OTHER_LANGUAGE:
        return ENGLISH_ONLY.format(language=answer.language or "another language")
    if answer.reason == UNKNOWN_NAMES and answer.unknown_names:
        return NOT_MENTIONED.format(names=", ".join(answer.unknown_names))
    return NOT_COVERED


def hedge_intro(answer: Answer) -> str:
    """The line before a hedge's quote: the article is on topic but does not say this."""
    question = " ".join(answer.question.split())
    asked = _COPULA_QUESTION.match(question)
    if asked and asked.group(3).split()[-1].lower() not in _PREPOSITIONS:
        wh, verb, rest = asked.groups()
        return HEDGE_SAYS.format(clause=f"{wh.lower()} {rest} {verb.lower()}")
    return HEDGE_ASKS.format(question=question)


def searched_note(answer: Answer) -> str | None:
    """The query actually searched, when it differs from what the reader typed."""
    searched = answer.searched
    if not searched or " ".join(searched.split()).casefold() == answer.question.casefold():
        return None
    return SEARCHED.format(searched=searched)


def reply_text(answer: Answer) -> str:
    """The whole reply as plain text: the quote, a hedge's warning before it, or a decline."""
    if answer.outcome == "declined":
        return decline_message(answer)
    if answer.outcome == "hedged":
        return f"{hedge_intro(answer)} {answer.text}"
    return answer.text
