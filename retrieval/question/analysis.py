"""Reading a question before searching: its language, names, typos, kind and focus."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..text.language import detect_language, english
from ..text.names import Correction, NameBook, apply
from .focus import asked_words, focus_words, question_names
from .kinds import Wanted, wanted


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the engine makes of a question before it searches the article."""

    question: str
    searched: str
    language: str | None  # ISO 639-1 code of the question's language (None: no letters)
    unknown_names: tuple[str, ...]
    corrections: tuple[Correction, ...]
    wanted: Wanted | None
    focus: tuple[str, ...]
    names: tuple[str, ...] = ()  # the names of the question that the article uses
    asked: tuple[str, ...] = ()  # its content words, names included, that quotes are matched on
    # The focus words that the article answering never uses in any form: known only once the
    # search has found the article (see ``LexicalIndex.unused``).
    unfamiliar: tuple[str, ...] = ()
    # Whether the question is in another language than the article answering it (no BM25
    # term can match then): also known once the search has found the article.
    cross_lingual: bool = False
    # Whether that article is in another language than English, which the English rules
    # cannot read (known once the search has found it, too).
    foreign_article: bool = False

    @property
    def focus_unknown(self) -> float:
        """The share of the focus the article never uses."""
        return len(self.unfamiliar) / len(self.focus) if self.focus else 0.0


def analyse(
    question: str, names: NameBook, is_word: Callable[[str], bool] = lambda _: False
) -> Analysis:
    """Correct near-miss names (not ``is_word`` words), and find what the question asks.
    The rules are English: a question in another language is searched as it is, by the
    multilingual model."""
    language = detect_language(question)
    if not english(language):
        return Analysis(question, question, language, (), (), None, ())
    corrections = tuple(names.corrections(question, is_word))
    searched = apply(question, corrections)
    focus = tuple(focus_words(searched, names))
    return Analysis(
        question=question,
        searched=searched,
        language=language,
        unknown_names=tuple(dict.fromkeys(names.unknown_names(searched))),
        corrections=corrections,
        wanted=wanted(searched),
        focus=focus,
        names=tuple(question_names(searched, names)),
        asked=tuple(asked_words(searched)),
    )
