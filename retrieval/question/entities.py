"""The people, places and groups an article names, and finding them in a piece of text.

Learnt from the article itself, with no tagger: a name is a run of capitalised words past the
start of a sentence; it is a person when the article gives it a title or a role ("President
Ebrahim Raisi", "Viktor Bout, a notorious Russian arms dealer") or makes it speak ("she
noted"); the pronoun that follows a person tells "he" from "she".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..core.types import Passage
from ..text.names import FormIndex, without_possessive
from ..text.sentences import split_sentences

# Words, and the punctuation that ends a name ("On Monday, Harbour Mayor ...").
_WORD = re.compile(r"\w+(?:[-'’.]\w+)*|[,;:()“”\"—–]")
# Each personal pronoun and the person it refers to: "he" or "she".
PERSONAL = dict.fromkeys(("he", "him", "his", "himself"), "he") | dict.fromkeys(
    ("she", "her", "hers", "herself"), "she"
)
# A reply's lines and its citation markers ("[1]") part text that is not one paragraph.
_NOT_ONE_PARAGRAPH = re.compile(r"\s*\[\d+\]\s*|\n+")
# Capitalised words that introduce a person and are not part of the name.
TITLES = frozenset(
    {
        "president",
        "prime",
        "minister",
        "chancellor",
        "king",
        "queen",
        "prince",
        "princess",
        "pope",
        "sheikh",
        "emir",
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sir",
        "general",
        "senator",
        "governor",
        "mayor",
        "ambassador",
        "secretary",
        "chairman",
    }
)
# Lower-case words just before a name that make it a person ("spokesman Dmitry Peskov").
ROLES = TITLES | frozenset(
    {
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "leader",
        "official",
        "diplomat",
        "envoy",
        "commander",
        "founder",
        "director",
        "chief",
        "expert",
        "journalist",
        "researcher",
        "professor",
        "player",
        "actor",
        "singer",
        "writer",
        "author",
    }
)
SPEECH = frozenset(
    {
        "said",
        "says",
        "noted",
        "notes",
        "told",
        "added",
        "argued",
        "argues",
        "explained",
        "explains",
        "mentioned",
        "remarked",
        "stated",
        "warned",
        "warns",
        "claimed",
        "claims",
        "denied",
        "denies",
        "cautioned",
        "elaborated",
        "wrote",
        "believes",
        "thinks",
        "insisted",
        "insists",
    }
)
_APPOSITIVE = frozenset({"a", "an", "the", "who"})


@dataclass(frozen=True, slots=True)
class Name:
    """A name found in a text: as written (or as the article spells it) and what it names."""

    text: str
    person: bool
    plural: bool = False
    the: bool = False  # the article says "the Houthis", not "Houthis"

    @property
    def phrase(self) -> str:
        """The name as it reads in a sentence ("the Houthis")."""
        return f"the {self.text}" if self.the else self.text


@dataclass(frozen=True, slots=True)
class _Span:
    words: tuple[str, ...]
    start: int  # index of the first word in its sentence
    after_role: bool

    @property
    def key(self) -> str:
        return " ".join(self.words).lower()


class EntityLexicon:
    """The names of one article, with which of them are people and how they are referred to."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        sentences = list(dict.fromkeys(s.text for p in passages for s in p.sentences))
        split = [_words(s) for s in sentences]
        lower = {w.lower() for words in split for w in words[1:] if not _capitalised(w)}
        capital = {
            without_possessive(w).lower()
            for words in split
            for w in words[1:]
            if _capitalised(without_possessive(w))
        }
        self.words = frozenset(capital - lower - TITLES)
        self._forms = FormIndex(self.words)
        self.spelling: dict[str, str] = {}
        persons: set[str] = set()
        articled: Counter[str] = Counter()
        seen: Counter[str] = Counter()
        spans = [self._spans(words) for words in split]
        for words, found in zip(split, spans, strict=True):
            for span in found:
                key = span.key
                self.spelling.setdefault(key, " ".join(span.words))
                seen[key] += 1
                the = span.start > 0 and words[span.start - 1].lower() == "the"
                articled[key] += the
                if span.after_role or (not the and _speaks_or_described(words, span)):
                    persons.update(key.split())
        self.persons = frozenset(persons)
        self.with_article = frozenset(k for k, n in articled.items() if 2 * n > seen[k])
        self.genders = self._genders(split, spans)

    def _genders(
        self, split: Sequence[Sequence[str]], spans: Sequence[Sequence[_Span]]
    ) -> dict[str, str]:
        """The pronoun the article uses after a sentence that names one person."""
        votes: dict[str, Counter[str]] = {}
        for i, (words, found) in enumerate(zip(split, spans, strict=True)):
            people = [s for s in found if self.persons.intersection(s.key.split())]
            if len({p.key for p in people}) != 1:
                continue
            person = people[0]
            following = split[i + 1] if i + 1 < len(split) else []
            gender = _next_pronoun([*words[person.start + len(person.words) :], *following])
            if gender:
                votes.setdefault(person.key, Counter())[gender] += 1
        return {k: v.most_common(1)[0][0] for k, v in votes.items()}

    def names(self, text: str, phrase: bool = False) -> list[Name]:
        """The names in ``text``, in order of appearance, each once. A ``phrase`` ("Zorblax"
        in "what about Zorblax?") is no sentence: its first word is not capitalised anyway."""
        found: dict[str, Name] = {}
        sentences = (
            s.text for part in _NOT_ONE_PARAGRAPH.split(text) for s in split_sentences(part)
        )
        for sentence in sentences:
            words = _words(sentence)
            for span in self._spans(words, opening=not phrase):
                key = span.key
                if key in found:
                    continue
                person = span.after_role or any(w in self.persons for w in key.split())
                spelled = self.spelling.get(key, " ".join(span.words))
                plural = not person and key in self.with_article and _looks_plural(spelled)
                found[key] = Name(spelled, person, plural, key in self.with_article)
        return list(found.values())

    def uses(self, name: Name) -> bool:
        """Whether the article names this (so whether it is a person is known)."""
        return name.text.lower() in self.spelling

    def gender(self, name: Name) -> str | None:
        """ "he" or "she" when the article refers to this person so, else None."""
        # Word by word: "Raisi" is "Ebrahim Raisi", but the "I" of "William I" is no part of
        # "Ebrahim Raisi" (a library holds many people).
        words = set(name.text.lower().split())
        for known, gender in self.genders.items():
            named = set(known.split())
            if words <= named or named <= words:
                return gender
        return None

    def _spans(self, words: Sequence[str], opening: bool = True) -> list[_Span]:
        spans: list[_Span] = []
        current: list[str] = []
        after_role = False
        for i, word in enumerate([*words, ""]):
            bare = without_possessive(word)
            low = bare.lower()
            known = self._forms.has_form_of(low)
            is_name = known or (
                (i > 0 or not opening) and _capitalised(bare) and low not in TITLES
            )
            if is_name:
                current.append(bare)
                if bare != word:  # a possessive ends the name ("Iran's drones")
                    spans.append(_Span(tuple(current), i + 1 - len(current), after_role))
                    current, after_role = [], False
                continue
            if current:
                spans.append(_Span(tuple(current), i - len(current), after_role))
                current = []
            after_role = low in ROLES
        return spans


def _words(sentence: str) -> list[str]:
    return _WORD.findall(sentence)


def _capitalised(word: str) -> bool:
    body = word[3:] if word[:3].lower() in {"al-", "el-"} else word
    return body[:1].isupper()


def _looks_plural(name: str) -> bool:
    return name.endswith("s") and not name.isupper() and not name.endswith("ss")


def _speaks_or_described(words: Sequence[str], span: _Span) -> bool:
    """Whether the words after a name make it a person: "Putin remarked", "Bout, a ... dealer"."""
    after = [w.lower() for w in words[span.start + len(span.words) :]]
    if after[:1] and after[0] in SPEECH:
        return True
    described = after[:1] == [","] and after[1:2] and after[1] in _APPOSITIVE
    return bool(described) and any(w in ROLES for w in after[2:7])


def _next_pronoun(words: Iterable[str]) -> str | None:
    for word in words:
        gender = PERSONAL.get(word.lower())
        if gender:
            return gender
    return None
