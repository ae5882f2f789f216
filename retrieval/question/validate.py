"""Cleaning a question before it is answered: invisible characters out, white space folded.

Text that only looks blank (zero-width spaces, the Hangul filler U+3164, a byte-order mark)
must count as empty, and a lone surrogate (not valid Unicode, but possible in JSON) must not
reach the tokenizer, which would fail the whole batch it is in.
"""

from __future__ import annotations

import unicodedata

from ..core.errors import InvalidQuestion, QuestionTooLong

INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
# Letters and symbols that render as blank space but are not white space to Python.
BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")


def normalize_question(text: str) -> str:
    """``text`` without invisible characters, its white space folded to single spaces."""
    visible = "".join(
        char
        for char in text
        if char.isspace()
        or (char not in BLANK_LOOKING and unicodedata.category(char) not in INVISIBLE_CATEGORIES)
    )
    return " ".join(visible.split())


def validate_question(question: str, max_chars: int) -> str:
    """The question cleaned by :func:`normalize_question`, or :class:`InvalidQuestion`."""
    question = normalize_question(question)
    if not question:
        raise InvalidQuestion("the question is empty")
    if len(question) > max_chars:
        raise QuestionTooLong(len(question), max_chars)
    return question
