"""The focus of a question, and how much of it a quote covers.

The focus is what the question asks *about* beyond the names it shares with the article: in
"How old is Putin?" it is "old". A quote about Putin that never touches age does not answer
it. Words are soft-matched through the embedding model, so "hope to learn" can meet
"knowledge" and "sped up" can meet "accelerated".
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ..index.wordcache import WordCache
from ..text.names import NameBook
from ..text.words import STOPWORDS, root, words

_CLITIC = re.compile(r"'(?:s|re|ll|ve|d)$")
# Words that shape a question without saying what it is about.
_FILLER = frozenset(
    {
        "mention",
        "mentioned",
        "mentions",
        "according",
        "describe",
        "described",
        "exactly",
        "happen",
        "happened",
        "know",
        "known",
        "think",
        "thing",
        "things",
        "kind",
        "type",
        "way",
        "ways",
        "called",
        "name",
        "named",
        "please",
        "write",
        "writes",
        "wrote",
        "story",
        "text",
        "piece",
        "many",
        "much",
        # Verbs and nouns so general that a quote needs none of them to answer.
        "make",
        "made",
        "makes",
        "become",
        "became",
        "part",
        "come",
        "came",
        "comes",
        "get",
        "got",
        "getting",
        "take",
        "took",
        "taken",
        "put",
        "use",
        "used",
        "like",
        "also",
        # Reporting words: a quote is what someone said, so these ask nothing of it.
        "cite",
        "cited",
    }
)
Encode = Callable[[list[str]], np.ndarray]
TEXTS_KEPT = 2048  # passages and sentences whose word vectors stay stacked (~50 kB each)


@dataclass(frozen=True, slots=True)
class Coverage:
    """How well a quote covers the focus: the mean and the weakest of its words' matches, and
    the share of the focus that the article never uses and the quote does not paraphrase
    either ("married" in "who is griner married to")."""

    mean: float
    weakest: float
    absent: float = 0.0


def focus_words(question: str, names: NameBook) -> list[str]:
    """The question's content words, less question words, filler and names the article uses."""
    return list(
        dict.fromkeys(
            w.lower()
            for w in _cased_words(question)
            if w.lower() not in _FILLER and not names.is_name(w)
        )
    )


def question_names(question: str, names: NameBook) -> list[str]:
    """The names of the question that the article uses, in lower case: the rest of its content
    words beside the focus."""
    return list(dict.fromkeys(w.lower() for w in _cased_words(question) if names.is_name(w)))


def _cased_words(question: str) -> list[str]:
    """The question's words as typed, less numbers, short words and stop words."""
    return [
        w
        for w in words(question, cased=True)
        if len(w) > 2 and w[0].isalpha() and w.lower() not in STOPWORDS
    ]


def asked_words(question: str) -> list[str]:
    """The question's content words that a quote should use: less the filler that shapes the
    question ("many" in "how many shaheds"), which no answer needs to repeat."""
    return [w for w in content_words(question) if w not in _FILLER]


def content_words(text: str) -> list[str]:
    """The words of a quote that can match a focus word."""
    # "what's" is "what": a contraction of a stop word asks nothing ("Iran's" is "Iran").
    bare = (_CLITIC.sub("", w) for w in words(text))
    return list(
        dict.fromkeys(w for w in bare if (len(w) > 2 or w[0].isdigit()) and w not in STOPWORDS)
    )


class WordVectors:
    """Unit vectors of single words, embedded once each and kept: an article has few words.
    With a ``cache``, the words saved there are known from the start and :meth:`learn` saves
    what it embeds."""

    def __init__(self, encode: Encode, cache: WordCache | None = None) -> None:
        self._encode = encode
        self._cache = cache
        self._vectors: dict[str, np.ndarray] = cache.load() if cache else {}
        self._texts: OrderedDict[str, TextWords] = OrderedDict()
        self._lock = threading.Lock()

    def __contains__(self, word: object) -> bool:
        return word in self._vectors

    def of(self, words: Sequence[str]) -> np.ndarray:
        """One row per word, embedding in one call the words not seen before."""
        missing = [w for w in dict.fromkeys(words) if w not in self._vectors]
        if missing:
            vectors = dict(zip(missing, self._encode(missing), strict=True))
            with self._lock:
                self._vectors.update(vectors)
        return np.stack([self._vectors[w] for w in words])

    def learn(self, texts: Iterable[str], limit: int) -> int:
        """Embed the content words of ``texts`` not known yet (the first ``limit`` of them),
        so that no answer waits for them, and save them all to the cache; how many were new."""
        words = dict.fromkeys(w for text in texts for w in content_words(text))
        new = [w for w in words if w not in self._vectors][:limit]
        if new:
            self.of(new)
            if self._cache is not None:
                with self._lock:
                    everything = dict(self._vectors)
                self._cache.save(everything)
        return len(new)

    def of_text(self, text: str) -> TextWords:
        """The content words of ``text``, their roots and vectors, kept for the texts seen
        last: the same passages come back question after question."""
        with self._lock:
            known = self._texts.get(text)
            if known is not None:
                self._texts.move_to_end(text)
                return known
        words = content_words(text)
        found = TextWords({root(w) for w in words}, self.of(words) if words else None)
        with self._lock:
            self._texts[text] = found
            while len(self._texts) > TEXTS_KEPT:
                self._texts.popitem(last=False)
        return found


@dataclass(frozen=True, slots=True)
class TextWords:
    """A text's content words as :func:`matches` needs them."""

    roots: set[str]
    vectors: np.ndarray | None


def matches(asked: Sequence[str], text: str, vectors: WordVectors) -> np.ndarray:
    """Each asked word's best match in ``text``: 1 for a form of the word itself, else the
    cosine of the nearest word of the text."""
    if not asked:
        return np.zeros(0)
    found = vectors.of_text(text)
    if found.vectors is None:
        return np.zeros(len(asked))
    similarity = (vectors.of(list(asked)) @ found.vectors.T).max(axis=1)
    exact = np.array([root(word) in found.roots for word in asked])
    return np.where(exact, 1.0, np.maximum(similarity, 0.0))


def coverage(
    focus: Sequence[str],
    quote: str,
    vectors: WordVectors,
    floor: float,
    unfamiliar: Sequence[str] = (),
) -> Coverage:
    """How well the quote matches each focus word (see :func:`matches`); ``unfamiliar`` are
    the focus words the article never uses, counted absent where they match below ``floor``.
    No focus at all is fully covered."""
    if not focus:
        return Coverage(1.0, 1.0)
    scores = matches(focus, quote, vectors)
    absent = sum(
        score < floor for word, score in zip(focus, scores, strict=True) if word in unfamiliar
    )
    return Coverage(float(scores.mean()), float(scores.min()), absent / len(focus))
