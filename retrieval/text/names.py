"""Names in a question: the ones the article never uses, and small typos in the ones it does.

A name cannot be paraphrased the way other words can, so "the president of France" asked of an
article that never mentions France is not covered, however close the rest of the question is.
A name the article *almost* uses ("pezeshkain") is a typo, corrected before searching.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .aliases import country_of, in_capitals, normalised
from .sentences import ABBREVIATIONS, sentence_openings
from .words import STOPWORDS, stem, tokenize

# A form adds an ending to a name ("Iran"/"Iranian"); "Mona" is no form of "monastery".
MAX_ENDING = 3
MIN_STEM = 4  # shortest shared stem that makes two words forms of one name
MIN_TYPO_LENGTH = 5  # shorter words have too many near neighbours to correct safely
# A dotted initialism ("U.S.") is one word, known as "us", not the letters "u" and "s".
_INITIALISM = r"(?:[A-Za-z]\.){2,}"
_WORD = re.compile(rf"{_INITIALISM}|\w+(?:['’-]\w+)*")
_NAME = rf"(?:{_INITIALISM}|[A-Z][\w'’-]*)"
# A capitalised run that does not open the question or a sentence; a title ("Mr.") before a
# name does not count as a sentence end.
_CAPITALISED = re.compile(rf"\b{_NAME}(?:\s+{_NAME})*")
_POSSESSIVE = re.compile(r"['’]s?$")


def without_possessive(word: str) -> str:
    """The word without a possessive ending ("Iran's" -> "Iran", "Houthis'" -> "Houthis")."""
    return _POSSESSIVE.sub("", word)


def words_of(text: str) -> list[str]:
    """The text's words as written, without possessives ("U.S." is one word)."""
    return [without_possessive(m.group()) for m in _WORD.finditer(text)]


def is_form(name: str, word: str) -> bool:
    """Whether ``word`` writes ``name``: with at most a short ending added or taken off
    ("Iran"/"Iranian"), or as another name of the same country ("U.S." for "USA")."""
    typed = normalised(word)
    if is_ending_form(normalised(name), typed):
        return True
    country = country_of(name)
    if country is None:
        return False
    if in_capitals(word) and typed in country.codes:
        return True
    return any(is_ending_form(form, typed) for form in country.names)


def is_ending_form(name: str, word: str) -> bool:
    """The one name-form rule: ``word`` is ``name`` with at most a short ending added or taken
    off ("Syria"/"Syrian"), and the shorter of the two keeps a stem of its own ("Ira" is too
    short to mean "Iran")."""
    short, long = sorted((without_possessive(name), word), key=len)
    if short == long:
        return True
    return (
        len(short) >= MIN_STEM and long.startswith(short) and len(long) - len(short) <= MAX_ENDING
    )


class FormIndex:
    """A set of words that answers, by the name-form rule, whether it holds a form of a word."""

    def __init__(self, words: Iterable[str]) -> None:
        self._words = frozenset(words)
        self._sorted = sorted(self._words)

    def __contains__(self, word: str) -> bool:
        return word in self._words

    def has_form_of(self, word: str) -> bool:
        """Whether the set holds ``word`` or a form of it (see :func:`is_ending_form`)."""
        if word in self._words:
            return True
        if len(word) < MIN_STEM:
            return False
        following = bisect.bisect_left(self._sorted, word)
        longer = following < len(self._sorted) and is_ending_form(word, self._sorted[following])
        shortest = max(MIN_STEM, len(word) - MAX_ENDING)
        return longer or any(word[:end] in self._words for end in range(shortest, len(word)))


@dataclass(frozen=True, slots=True)
class Correction:
    """A word of the question replaced by the article's spelling of it."""

    typed: str
    corrected: str


class NameBook:
    """What the article's words allow: known stems, and the names it spells with capitals.

    Built from the passages' texts, then the section titles (a name's spelling is the first
    one met, in that order). It is saved with the index (:meth:`to_record`) and extended by
    the texts of an added article (:meth:`extended`), never read from every passage again.
    """

    def __init__(self, texts: Iterable[str], sections: Iterable[str] = ()) -> None:
        self._words: set[str] = set()
        self._spelled: dict[str, str] = {}  # capitalised in a passage: lower case -> as written
        self._spelled_in_sections: dict[str, str] = {}
        # How often the passages write each word inside a sentence with a capital, and in
        # lower case: "school" in "Harvard Law School" is no name where "the school" is the
        # common way of writing it.
        self._capitals: Counter[str] = Counter()
        self._lower: Counter[str] = Counter()
        self._learn(texts, sections)

    def _learn(self, texts: Iterable[str], sections: Iterable[str]) -> None:
        for source, spelled in ((texts, self._spelled), (sections, self._spelled_in_sections)):
            in_passages = spelled is self._spelled
            for text in source:
                openings = sentence_openings(text)
                for match in _WORD.finditer(text):
                    word = match.group()
                    key = normalised(word)
                    self._words.add(key)
                    if word[0].isupper() and match.start() not in openings:
                        spelled.setdefault(key, word)
                        self._capitals[key] += in_passages
                    elif word[0].islower():
                        self._lower[key] += in_passages
        self._stems = FormIndex(stem(w) for w in self._words)
        capitalised = {k: v for k, v in self._spelled.items() if self._mostly_capitalised(k, v)}
        capitalised |= {
            k: v for k, v in self._spelled_in_sections.items() if k not in self._spelled
        }
        self._capitalised = frozenset(capitalised)
        self._initialisms = frozenset(k for k, v in capitalised.items() if in_capitals(v))
        self._names = {k: v for k, v in capitalised.items() if len(k) >= MIN_TYPO_LENGTH}
        self._name_keys = list(self._names)

    def _mostly_capitalised(self, key: str, spelled: str) -> bool:
        """Whether a word the passages capitalise inside a sentence is a name: written so at
        least as often as in lower case, or an initialism ("U.S." beside the pronoun "us")."""
        return in_capitals(spelled) or self._capitals[key] >= self._lower[key]

    def extended(self, texts: Iterable[str], sections: Iterable[str] = ()) -> NameBook:
        """A new book that also knows ``texts`` and ``sections`` (this one is unchanged)."""
        book = NameBook.__new__(NameBook)
        book._words = set(self._words)
        book._spelled = dict(self._spelled)
        book._spelled_in_sections = dict(self._spelled_in_sections)
        book._capitals, book._lower = Counter(self._capitals), Counter(self._lower)
        book._learn(texts, sections)
        return book

    def to_record(self) -> dict[str, object]:
        """JSON-serialisable form (words sorted, spellings and counts in the order they were
        met)."""
        return {
            "words": sorted(self._words),
            "spelled": self._spelled,
            "spelled_in_sections": self._spelled_in_sections,
            "capitals": dict(self._capitals),
            "lower": dict(self._lower),  # every word's: a later article may capitalise it
        }

    @classmethod
    def from_record(cls, record: dict) -> NameBook:
        """Rebuild a book from :meth:`to_record` output."""
        book = cls.__new__(cls)
        book._words = set(record["words"])
        book._spelled = dict(record["spelled"])
        book._spelled_in_sections = dict(record["spelled_in_sections"])
        book._capitals = Counter(record["capitals"])
        book._lower = Counter(record["lower"])
        book._learn((), ())
        return book

    def knows(self, word: str) -> bool:
        """Whether the article uses ``word``, a form of it ("Syria"/"Syrian", "Yemeni") or,
        for a country, another of its names ("USA" where it writes "U.S.")."""
        if self._knows_one(normalised(word)):
            return True
        country = country_of(word)
        return country is not None and (
            any(self._knows_one(name) for name in country.names)
            or any(code in self._initialisms for code in country.codes)
        )

    def _knows_one(self, lower: str) -> bool:
        if lower in self._words:
            return True
        terms = tokenize(lower)
        return bool(terms) and all(self._stems.has_form_of(t) for t in terms)

    def is_name(self, word: str) -> bool:
        """Whether the article writes ``word`` (or its possessive) with a capital inside a
        sentence, or the question capitalises a word the article knows."""
        bare = without_possessive(word)
        return self.written_as_name(bare) or (
            bare[:1].isupper() and self.knows(bare) and bare.lower() not in STOPWORDS
        )

    def written_as_name(self, word: str) -> bool:
        """Whether the article writes ``word`` with a capital inside a sentence, whatever its
        case here: a word opening a sentence of the article may then be a name too."""
        key = normalised(without_possessive(word))
        # "us" is a pronoun, though the article writes "U.S.": an initialism that spells a
        # common word is a name only when written in capitals.
        common = key in self._initialisms and key in STOPWORDS and not in_capitals(word)
        return key in self._capitalised and not common

    def corrections(
        self, question: str, is_word: Callable[[str], bool] = lambda _: False
    ) -> list[Correction]:
        """Words the article never uses, and that are no common word (``is_word``), one or
        two edits from a name it does use."""
        found: list[Correction] = []
        for match in _WORD.finditer(question):
            typed = match.group()
            lower = typed.lower()
            if (
                len(lower) < MIN_TYPO_LENGTH
                or lower in STOPWORDS
                or self.knows(lower)
                or is_word(lower)
            ):
                continue
            allowed = 1 if len(lower) < 8 else 2
            best = process.extract(
                lower,
                self._name_keys,
                scorer=Levenshtein.distance,
                limit=2,
                score_cutoff=allowed,
            )
            if best and (len(best) == 1 or best[1][1] > best[0][1]):
                found.append(Correction(typed, self._names[best[0][0]]))
        return found

    def unknown_names(self, question: str) -> list[str]:
        """Names in the question (capitalised past its start, whatever their case in the
        article) that the article never uses. Title Case questions are skipped: there
        capitals mark no names."""
        words = question.split()[1:]
        if sum(w[:1].isupper() for w in words) > len(words) / 2:
            return []
        unknown = []
        openings = sentence_openings(question)
        for match in _CAPITALISED.finditer(question):
            parts = match.group().split()
            if match.start() in openings:
                parts = parts[1:]  # the first word's capital marks the start ("Did France")
            parts = [p for p in parts if p.lower().rstrip(".") not in ABBREVIATIONS]
            name = " ".join(parts)
            if parts and not self.knows(name) and not all(self.knows(p) for p in parts):
                unknown.append(name)
        return unknown


def apply(question: str, corrections: Iterable[Correction]) -> str:
    """The question with each corrected word replaced by the article's spelling."""
    for correction in corrections:
        question = re.sub(rf"\b{re.escape(correction.typed)}\b", correction.corrected, question)
    return question
