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
        return HEDGE_SAYS.format(clause=_clause(*asked.groups()))
    return HEDGE_ASKS.format(question=question)


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
