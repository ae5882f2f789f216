"""How people type questions in a chat: shorthand and missing apostrophes, made standard.

Only the form changes ("whats" → "what is", "wat" → "what"); the words that carry meaning stay
as typed, so the searched query is still the reader's own question.
"""

from __future__ import annotations

import re

# Chat spellings of question words, with or without the apostrophe.
_SHORTHAND = {
    "whats": "what is",
    "what's": "what is",
    "wats": "what is",
    "wat": "what",
    "wut": "what",
    "whos": "who is",
    "who's": "who is",
    "wheres": "where is",
    "where's": "where is",
    "whens": "when is",
    "when's": "when is",
    "hows": "how is",
    "how's": "how is",
    "whys": "why is",
    "why's": "why is",
    "hw": "how",
    "u": "you",
    "abt": "about",
    "bc": "because",
    "cuz": "because",
    "pls": "please",
    "plz": "please",
    "govt": "government",
    "whose's": "whose is",
}
# A whole word only: never a letter of "U.S.", "U.N." or "e.g." (a dot between letters).
_WORD = re.compile(r"(?<![\w.'’])[A-Za-z]+(?:['’][A-Za-z]+)?(?![\w'’]|\.\w)")


def standardise(question: str) -> str:
    """The question with chat shorthand spelled out and curly apostrophes made straight."""

    def spell_out(match: re.Match[str]) -> str:
        word = match.group()
        expanded = _SHORTHAND.get(word.lower().replace("’", "'"))
        if expanded is None:
            return word
        return expanded.capitalize() if word[0].isupper() else expanded

    return _WORD.sub(spell_out, " ".join(question.split()))
