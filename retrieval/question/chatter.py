"""Chatter: a reply to the bot that is not a question ("thanks!", "lol 😂", "👍").

In a group the bot answers replies to its own messages, so it must tell a follow-up question
from an acknowledgement without answering "ok" as if it asked something.
"""

from __future__ import annotations

import re

from .followup import QUESTION_WORDS as FOLLOWUP_QUESTION_WORDS

# The words that open a question (the follow-up rules' list) and a few that open a request.
QUESTION_WORDS = FOLLOWUP_QUESTION_WORDS | {
    "summarize",
    "summarise",
    "show",
    "compare",
    "define",
}
ACKNOWLEDGEMENTS = frozenset(
    {
        "thanks",
        "thank",
        "you",
        "thx",
        "ty",
        "ok",
        "okay",
        "cool",
        "great",
        "nice",
        "good",
        "lol",
        "haha",
        "wow",
        "yes",
        "no",
        "yep",
        "nope",
        "sure",
        "got",
        "it",
        "awesome",
        "perfect",
        "right",
        "alright",
        "fine",
        "much",
        "a",
        "lot",
        "very",
        "so",
    }
)
_LETTERS = re.compile(r"[^\W\d_]+")


def is_chatter(text: str) -> bool:
    """A reply that is not a question ("thanks!", "lol 😂", "👍"): no question mark, no
    question word, and short or made only of acknowledgements."""
    if "?" in text:
        return False
    words = _LETTERS.findall(text.lower())
    if any(word in QUESTION_WORDS for word in words):
        return False
    return len(words) <= 3 or all(word in ACKNOWLEDGEMENTS for word in words)
