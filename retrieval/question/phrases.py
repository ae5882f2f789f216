"""Where a sentence holds a phrase of the kind a question asks for (see ``kinds``): a time, a
quantity, a person or organisation, a place, or the X of "which X". The phrase found is
highlighted inside the quote, and its absence tells the answerability model that the quote may
be about the topic without answering the question.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..text.names import without_possessive
from ..text.words import root
from .kinds import Kind, Wanted
from .question_words import MONEY_NOUNS


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
_CURRENCY = r"[$€£¥]"
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
    rf"(?:{_CURRENCY}\s?{_DIGITS}(?:\s+{_SCALE})?"
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
_IN_PLACE = re.compile(r"\b(?:in|at|near|into|across|throughout)\s+(?:the\s+)?$")
_NOT_ENTITIES = re.compile(
    rf"^(?:{_MONTH}|{_WEEKDAY}|The|A|An|This|That|These|Those|It|He|She|They|We|I|In|On|At|But"
    r"|And|However|During|Since|As|While)$"
)

_AGE = re.compile(
    r"\b(?:aged\s+\d+|\d+[- ]years?[- ]old|age\s+of\s+\d+|\d+\s+years\s+of\s+age"
    r"|born\s+(?:in|on)\s+[\w ,]+?\d{4})\b",
    re.I,
)
_MONEY = re.compile(
    rf"{_CURRENCY}|\b(?:dollars?|euros?|pounds?|rubles?|roubles?|yuan|yen|rials?)\b", re.I
)
COUNTED_REACH = 6  # words of a quantity phrase and after it that may name what it counts


def phrases(
    text: str, want: Wanted, question: str, known_name: Callable[[str], bool] = lambda _: False
) -> list[Phrase]:
    """The phrases of the wanted kind in ``text``, leaving out what the question already says.
    ``known_name`` tells a name the article writes with a capital inside a sentence, so that
    one opening ``text`` ("Mishustin even extended...") is a name too."""
    asked = {root(w) for w in re.findall(r"\w+", question.lower())}
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
        return found
    entities = _entities(text, known_name)
    if want.kind is Kind.PLACE:
        return [p for p in entities if _LOCATIVE.search(text[: p.start])]
    if want.kind is Kind.THING and want.noun:
        named = _noun_phrases(text, want.noun)
        if named or want.strict:
            return named
        # Any name may be the X ("which group": "the Houthis"), but not a place where something
        # happens ("in Ukraine"): a place answers "where" and "which country".
        return [p for p in entities if not _IN_PLACE.search(text[: p.start])]
    return entities


def _counts(text: str, phrase: Phrase, counted: tuple[str, ...]) -> bool:
    """Whether an X of ``counted`` is in the phrase or among the few words after it: "thousands
    of "Shahed" attack drones" counts Shaheds and drones, not soldiers."""
    after = re.findall(r"[a-z]+", text[phrase.start : phrase.end + 40].lower())[:COUNTED_REACH]
    return any(root(word) in counted for word in after)


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
    noun_root = root(noun)
    found = []
    for match in re.finditer(r"\w+", text):
        if root(match.group().lower()) != noun_root:
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
    """Whether every word of the phrase is one the question says ("Russia's" says "Russia")."""
    bare = (without_possessive(word) for word in phrase.lower().split())
    words = [w for word in bare for w in re.findall(r"\w+", word)]
    return bool(words) and all(root(w) in asked for w in words)
