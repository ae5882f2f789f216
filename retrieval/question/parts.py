"""Two questions in one: "where did they meet and what did putin say there".

Each part is answered on its own and the answers are joined (``answer.combine``), so that a
sentence is quoted for each part. Only an English "and" before a second question that has
its own verb splits ("what did X say and what did Y say"); "the difference between what X
says and what Y says" has none and stays whole.
"""

from __future__ import annotations

import re

_WH = r"(?:what|where|when|who|whom|whose|which|why|how)"
_AUXILIARY = r"(?:is|are|was|were|did|does|do|has|have|had|will|would|can|could|should)"
# ", and" or "and" before a question word, at most one word and an auxiliary: "and how old is
# he", "and which country did", "and what weapons did".
_SECOND_QUESTION = re.compile(
    rf",?\s+and\s+(?={_WH}(?:\s+[\w'’-]+)?\s+{_AUXILIARY}\b)", re.IGNORECASE
)
_OPENS_QUESTION = re.compile(rf"^(?:{_WH}|{_AUXILIARY})\b", re.IGNORECASE)
MIN_PART_WORDS = 3  # "what and where is it" is one question about one thing


def parts_of(question: str) -> tuple[str, ...]:
    """The question's parts: two when it joins two questions with "and", else itself."""
    match = _SECOND_QUESTION.search(question)
    if match is None:
        return (question,)
    first, second = question[: match.start()].strip(), question[match.end() :].strip()
    if not _OPENS_QUESTION.match(first) or min(len(first.split()), len(second.split())) < (
        MIN_PART_WORDS
    ):
        return (question,)
    return first, second
