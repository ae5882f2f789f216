"""The kind of answer a question asks for, and where a sentence holds a phrase of that kind.

"When" wants a time, "how many" a quantity, "who" a person or organisation, "where" a place,
"which X" an X. The phrase found is highlighted inside the quote, and its absence tells the
answerability model that the quote may be about the topic without answering the question.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from .lexical import STOPWORDS, stem
from .question_words import (
    GENERIC_NOUNS,
    MANNER_NOUNS,
    MEASURE_NOUNS,
    MONEY_NOUNS,
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
    per: str | None = None  # the Y of "how many X each Y": a quantity must be a rate per Y

    @property
    def typed(self) -> bool:
        """Whether the phrase's own form tells it (a date, a count, an age, an amount of money,
        a measure, a name): a quote without one rarely answers. A place or an X may be said in
        common words ("on the ground", "the condenser") that no pattern here finds."""
        return self.kind in (Kind.TIME, Kind.QUANTITY, Kind.PERSON)


@dataclass(frozen=True, slots=True)
class Phrase:
    """A phrase of some kind inside a text, with its span in that text."""

    text: str
    start: int
    end: int


_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
    r"|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy"
    r"|eighty|ninety|hundred|a hundred|a dozen|dozens|several|a few|a thousand|hundreds"
    r"|thousands|millions|billions|half)"
)
_SCALE = r"(?:hundred|thousand|million|billion|trillion)"
_VAGUE = re.compile(r"(?:several|a few|dozens|hundreds|thousands|millions|billions)", re.I)
_DIGITS = r"\d+(?:[.,]\d+)*"
_TIME = re.compile(
    rf"\b(?:{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\.?(?:,?\s+\d{{4}})?"
    rf"|(?:(?:early|mid|late)[- ])?{_MONTH}\.?\s+\d{{4}}"
    rf"|(?:(?:early|mid|late)[- ])?{_MONTH}\b(?!\s+[A-Z])"
    rf"|(?:last |next |this )?{_WEEKDAY}"
    r"|\d{1,2}(?:st|nd|rd|th)(?:\s+(?:and|to|or)\s+\d{1,2}(?:st|nd|rd|th))?\s+centur(?:y|ies)"
    r"|(?:the\s+)?(?:(?:early|mid|late)[- ])?\d{3,4}s"
    r"|\d{3,4}(?:\s?(?:AD|BC|BCE|CE))?(?:\s?(?:–|-|to|and)\s?\d{2,4})?"
    r"|(?:earlier|later) this (?:year|month|week)|(?:last|next|this) (?:year|month|week)"
    r"|yesterday|today|tomorrow|(?:\w+ )?(?:years?|months?|weeks?|days?|decades?|centuries) "
    r"(?:ago|later|earlier|before|after))\b"
)
_QUANTITY = re.compile(
    rf"(?:[$€£]\s?{_DIGITS}(?:\s+{_SCALE})?"
    rf"|\b{_DIGITS}\s?(?:%|percent|per cent)"
    rf"|\b{_DIGITS}(?:\s+{_SCALE})?(?:\s+(?!of\b|and\b|the\b|in\b|to\b)[a-z]+)?"
    rf"|\b{_NUMBER_WORD})\b",
    re.IGNORECASE,
)
_NAME_WORD = r"[A-Z][\w’'-]*"
_ENTITY = re.compile(
    rf"\b{_NAME_WORD}(?:(?:\s+(?:of|for|de|al|bin|von|van|the)\s+|\s+|-){_NAME_WORD})*"
)
_LOCATIVE = re.compile(r"\b(?:in|at|from|to|near|into|across|throughout|on|of)\s+(?:the\s+)?$")
_NOT_ENTITIES = re.compile(
    rf"^(?:{_MONTH}|{_WEEKDAY}|The|A|An|This|That|These|Those|It|He|She|They|We|I|In|On|At|But"
    r"|And|Moreover|However|Interestingly|During|Since|As|While|Reports|According)$"
)

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
_UNIT_OF_TIME = r"(?:second|minute|hour|day|week|month|year|decade|century)"
# "each month", "per year", "a day": the question asks for a rate.
_PER = re.compile(rf"\b(?:each|every|per|a)\s+({_UNIT_OF_TIME})\b", re.I)
_RATE_WORD = {"day": "daily", "week": "weekly", "month": "monthly", "year": "yearly"}
COUNTED_REACH = 6  # words of a quantity phrase and after it that may name what it counts
_THE_X_OF = re.compile(rf"\b(?:what|which)\s+(?:is|was|are|were)\s+the\s+{_X_OF}", re.I)
_AGE = re.compile(
    r"\b(?:aged\s+\d+|\d+[- ]years?[- ]old|age\s+of\s+\d+|\d+\s+years\s+of\s+age"
    r"|born\s+(?:in|on)\s+[\w ,]+?\d{4})\b",
    re.I,
)
_YES_NO = re.compile(
    r"^\W*(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)\b", re.I
)
_DANGLING_PREPOSITION = re.compile(r"\b(?:of|with|to|for|in|on|at|from|by|about)\W*$", re.I)
_MONEY = re.compile(
    r"[$€£¥]|\b(?:dollars?|euros?|pounds?|rubles?|roubles?|yuan|yen|rials?)\b", re.I
)


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
        return Wanted(kind, counted=_counted(question), per=_per(question))
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
    return bool(VERB_AFTER_WHAT.match(word)) or (
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
        if word in STOPWORDS or VERB_AFTER_WHAT.match(word):
            break
        words.append(stem(word))
    return tuple(words)


def _per(question: str) -> str | None:
    """The unit of time of a rate asked for ("how many drones each month"), if any."""
    match = _PER.search(question)
    return match.group(1).lower() if match else None


def _is_rate(text: str, phrase: Phrase, per: str) -> bool:
    """Whether the phrase is a quantity per ``per``: "300 a month", "monthly output of 50"."""
    around = text[max(0, phrase.start - 40) : phrase.end + 40].lower()
    rate = rf"\b(?:each|every|per|a|an)\s+{per}\b|\b{_RATE_WORD.get(per, per + 'ly')}\b"
    return re.search(rate, around) is not None


def _counts(text: str, phrase: Phrase, counted: tuple[str, ...]) -> bool:
    """Whether an X of ``counted`` is in the phrase or among the few words after it: "thousands
    of "Shahed" attack drones" counts Shaheds and drones, not soldiers."""
    after = re.findall(r"[a-z]+", text[phrase.start : phrase.end + 40].lower())[:COUNTED_REACH]
    return any(stem(word) in counted for word in after)


def phrases(
    text: str, want: Wanted, question: str, known_name: Callable[[str], bool] = lambda _: False
) -> list[Phrase]:
    """The phrases of the wanted kind in ``text``, leaving out what the question already says.
    ``known_name`` tells a name the article writes with a capital inside a sentence, so that
    one opening ``text`` ("Mishustin even extended...") is a name too."""
    asked = {stem(w) for w in re.findall(r"\w+", question.lower())}
    found = [p for p in _find(text, want, known_name) if not _said_already(p.text, asked)]
    return found


def _find(text: str, want: Wanted, known_name: Callable[[str], bool]) -> list[Phrase]:
    if want.kind is Kind.TIME:
        return _matches(_TIME, text)
    if want.kind is Kind.QUANTITY and want.noun == "age":
        return _matches(_AGE, text)
    if want.kind is Kind.QUANTITY:
        found = [p for p in _matches(_QUANTITY, text) if not _TIME.fullmatch(p.text)]
        if want.noun in MONEY_NOUNS:
            return [p for p in found if _MONEY.search(p.text)]
        if want.noun:  # a measure: a number ("four", not "thousands"), or for a duration a span
            spans = _matches(_TIME, text) if want.noun == "duration" else []
            return [p for p in found if not _VAGUE.fullmatch(p.text)] + spans
        if want.counted:
            found = [p for p in found if _counts(text, p, want.counted)]
        return [p for p in found if _is_rate(text, p, want.per)] if want.per else found
    entities = _entities(text, known_name)
    if want.kind is Kind.PLACE:
        return [p for p in entities if _LOCATIVE.search(text[: p.start])]
    if want.kind is Kind.THING and want.noun:
        named = _noun_phrases(text, want.noun)
        return named if named or want.strict else entities
    return entities


def _matches(pattern: re.Pattern[str], text: str) -> list[Phrase]:
    return [
        Phrase(m.group().strip(), m.start() + _lead(m.group()), m.end() - _trail(m.group()))
        for m in pattern.finditer(text)
        if m.group().strip()
    ]


def _lead(piece: str) -> int:
    return len(piece) - len(piece.lstrip())


def _trail(piece: str) -> int:
    return len(piece) - len(piece.rstrip())


def _entities(text: str, known_name: Callable[[str], bool]) -> list[Phrase]:
    """Capitalised runs that are not a month or a pronoun, nor a sentence's first word alone
    unless it is a ``known_name``."""
    found = []
    for match in _ENTITY.finditer(text):
        words = match.group().split()
        if match.start() == 0 and len(words) == 1 and not known_name(words[0]):
            continue
        if all(_NOT_ENTITIES.match(w) for w in words):
            continue
        if _NOT_ENTITIES.match(words[0]) and len(words) > 1:
            start = match.start() + len(words[0]) + 1
            found.append(Phrase(text[start : match.end()], start, match.end()))
            continue
        found.append(Phrase(match.group(), match.start(), match.end()))
    return found


def _noun_phrases(text: str, noun: str) -> list[Phrase]:
    """The entity or phrase the noun of "which X" names in ``text`` ("think tank Chatham
    House" for "which think tank"): the words right around a form of X."""
    root = stem(noun)
    found = []
    for match in re.finditer(r"\w+", text):
        if stem(match.group().lower()) != root:
            continue
        after = _ENTITY.match(text, match.end() + 1) if match.end() < len(text) else None
        if after:
            found.append(Phrase(after.group(), after.start(), after.end()))
            continue
        before = re.search(r"(?:\b[\w'’-]+\s+){0,2}$", text[: match.start()])
        start = before.start() if before else match.start()
        found.append(Phrase(text[start : match.end()], start, match.end()))
    return found


def _said_already(phrase: str, asked: set[str]) -> bool:
    words = re.findall(r"\w+", phrase.lower())
    return bool(words) and all(stem(w) in asked for w in words)
