"""The kind of answer a question asks for.

"When" wants a time, "how many" a quantity, "who" a person or organisation, "where" a place,
"which X" an X; "why", "how" and yes/no questions want none. ``phrases`` finds a phrase of the
kind in a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from ..text.words import STOPWORDS, root
from .question_words import (
    GENERIC_NOUNS,
    MANNER_NOUNS,
    MEASURE_NOUNS,
    STOP_AFTER_NOUN,
    VERB_AFTER_WHAT,
)


class Kind(Enum):
    """What a question asks for."""

    TIME = "time"
    QUANTITY = "quantity"
    PERSON = "person"
    PLACE = "place"
    THING = "thing"  # "which X": an X, told apart by the noun X


@dataclass(frozen=True, slots=True)
class Wanted:
    """The kind a question asks for; ``noun`` is the X of "which X" / "what X" (for a quantity,
    "age" or the measure asked for: "what is the price of" wants an amount of money)."""

    kind: Kind
    noun: str | None = None
    strict: bool = False  # only a phrase naming the noun will do, not any entity
    counted: tuple[str, ...] = ()  # the X of "how many X": a quantity must count an X

    @property
    def typed(self) -> bool:
        """Whether the phrase's own form tells it (a date, a count, an age, an amount of money,
        a measure, a name): a quote without one rarely answers. A place or an X may be said in
        common words ("on the ground", "the condenser") that no pattern here finds."""
        return self.kind in (Kind.TIME, Kind.QUANTITY, Kind.PERSON)


_QUESTION_KIND = (
    (
        re.compile(
            r"\b(?:since when|until when|when|(?:what|which) (?:year|day|date|month|time|century"
            r"|decade|era|season|hour)|how long ago)\b",
            re.I,
        ),
        Kind.TIME,
    ),
    (
        re.compile(
            r"\b(?:how (?:many|much|old|far|long|large|big|tall|often)"
            r"|what (?:percentage|percent|proportion|number|amount))\b",
            re.I,
        ),
        Kind.QUANTITY,
    ),
    (
        re.compile(
            r"\b(?:where|what (?:country|city|place|region|town|state|continent)"
            r"|which (?:country|city|place|region|town|state|continent)"
            r"|in what (?:country|city|place|region))\b",
            re.I,
        ),
        Kind.PLACE,
    ),
    (re.compile(r"\b(?:who|whom|whose)\b", re.I), Kind.PERSON),
    (re.compile(r"\b(?:how|why)\b", re.I), None),  # a manner or a reason: no kind of phrase
)
# "When forces act on a body, what law...": the question is asked after the comma.
_LEADING_CLAUSE = re.compile(
    r"^\s*(?:when|where|if|while|after|before|once)\b[^?]*?,\s*"
    r"(?=(?:(?:in|at|on|of|to|from|for|by|with)\s+)?(?:what|which|who|whom|whose|how|where|when)\b)",
    re.I,
)
# "the capital of", "the boiling point of": the X of "what is the X of", one word or two.
_X_OF = r"\w+(?:\s+\w+)?\s+of\b"
_WHICH = re.compile(
    rf"\b(which|what)\s+(?:(?:is|was|are|were)\s+the\s+(?={_X_OF}))?"
    r"(?:kind of\s+|type of\s+)?([a-z]+)(?:\s+([a-z]+))?",
    re.I,
)
_HOW_MANY = re.compile(r"\bhow (?:many|much)\s+", re.I)
_THE_X_OF = re.compile(rf"\b(?:what|which)\s+(?:is|was|are|were)\s+the\s+{_X_OF}", re.I)
_YES_NO = re.compile(
    r"^\W*(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)\b", re.I
)
_DANGLING_PREPOSITION = re.compile(r"\b(?:of|with|to|for|in|on|at|from|by|about)\W*$", re.I)


def wanted(question: str) -> Wanted | None:
    """The kind of answer ``question`` asks for, or None ("why", "how", yes/no...).

    A yes/no question asks for none. Otherwise its first question word decides: in "What is
    the force called when two act?" or "Who led the troops when Cyprus fell?", "when" starts
    a clause, it does not ask for a time."""
    question = _LEADING_CLAUSE.sub("", question, count=1)
    if _YES_NO.match(question):
        return None
    which = _WHICH.search(question)
    first = _first_question_word(question, which)
    if first is None:
        return None
    start, kind = first
    if kind is Kind.QUANTITY and re.match(r"how old\b", question[start:], re.I):
        return Wanted(Kind.QUANTITY, "age")
    if kind is None:
        return None
    if kind is Kind.THING and which is not None:
        return _thing(question, which)
    if kind is Kind.QUANTITY:
        return Wanted(kind, counted=_counted(question))
    return Wanted(kind)


def _first_question_word(
    question: str, which: re.Match[str] | None
) -> tuple[int, Kind | None] | None:
    """Where the question's first question word is, and the kind it asks for (THING for
    ``which``, its "which/what X", None for "how"/"why"); a kind's own pattern wins a tie with
    "what X" ("what year")."""
    found = [
        (match.start(), order, kind)
        for order, (pattern, kind) in enumerate(_QUESTION_KIND)
        if (match := pattern.search(question))
    ]
    if which is not None:
        found.append((which.start(), len(_QUESTION_KIND), Kind.THING))
    if not found:
        return None
    start, _, kind = min(found, key=lambda f: (f[0], f[1]))
    return start, kind


def _thing(question: str, which: re.Match[str]) -> Wanted | None:
    """The X of "which X" / "what X" (or a quantity, for "what is the population of")."""
    if _not_a_noun(which.group(2)):
        return None
    noun = which.group(2).lower()
    second = which.group(3)
    if (
        second
        and not _not_a_noun(second)
        and second.lower() not in STOP_AFTER_NOUN
        and not _plural(noun)
    ):
        noun = second.lower()  # "what famous conductor", "which think tank": the noun comes last
    if noun in MANNER_NOUNS:
        return None
    if noun in MEASURE_NOUNS:
        return Wanted(Kind.QUANTITY, noun)
    # "which group" names a category its answer need not spell out ("the Houthis"); "what is
    # the capital of" wants that very thing, unless the question's object comes last ("what
    # was force an integral part of?").
    strict = (
        bool(_THE_X_OF.search(question))
        and noun not in GENERIC_NOUNS
        and not _DANGLING_PREPOSITION.search(question)
    )
    return Wanted(Kind.THING, noun, strict=strict)


def _not_a_noun(word: str) -> bool:
    """A verb, an auxiliary or an adverb where "what X" would have its noun X: "what
    doesn't", "what keeps", "what became", "what sometimes"."""
    word = word.lower()
    return word in VERB_AFTER_WHAT or (
        len(word) > 4 and word.endswith("ed") and not word.endswith("eed")
    )


def _plural(word: str) -> bool:
    """A plural noun is the X itself, not a modifier of the next word: "what plants create"."""
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))


def _counted(question: str) -> tuple[str, ...]:
    """The words of X in "how many X ..." up to its verb ("how many Russian soldiers are"),
    as stems; none for "how much is it worth"."""
    match = _HOW_MANY.search(question)
    if match is None:
        return ()
    words = []
    for word in re.findall(r"[a-z]+", question[match.end() :].lower()):
        if word in STOPWORDS or word in VERB_AFTER_WHAT:
            break
        words.append(root(word))
    return tuple(words)
