"""Follow-up questions: a question that leans on the previous turn, rewritten to stand alone.

Deterministic, no language model. A question depends on the previous turn when it
- asks "what about X?" or continues with "and ...?" ("and before that?", "and Iran?");
- uses he/she/they with no name of its own to refer to ("how did he die?");
- has nothing left to search without the previous turn: no name and at most one content word
  beside a "that"/"it" ("when was that?", "why?").
Pronouns resolve to the names of the previous turn (its searched query first, then its
answer): he/she to a person of the right gender, they/them to a group or a pair. Anything
else is left alone: a question that stands on its own is never rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..text.words import tokenize
from .conversation import Turn
from .entities import PERSONAL, EntityLexicon, Name

_WHAT_ABOUT = re.compile(
    r"^(?:(?:and|but|so)\s+)?(?:what|how)\s+about\s+(?P<rest>.+?)[\s?.!]*$", re.I
)
_LEADING = re.compile(r"^(?:and|but|also|so|then|ok(?:ay)?)\b[\s,]*(?P<rest>.*?)[\s?.!]*$", re.I)
_PRONOUN = re.compile(
    r"\b(?P<word>he|him|his|himself|she|her|hers|herself|they|them|their|theirs|themselves)\b"
    r"(?P<after>\s+\w+)?",
    re.I,
)
QUESTION_WORDS = frozenset(
    {
        "what",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "which",
        "is",
        "are",
        "was",
        "were",
        "do",
        "does",
        "did",
        "can",
        "could",
        "will",
        "would",
        "should",
        "has",
        "have",
        "had",
        "tell",
        "give",
        "list",
        "name",
        "explain",
        "describe",
    }
)
POSSESSIVE = frozenset({"his", "their", "hers", "theirs"})
OBJECTS = frozenset({"him", "her"})
DEMONSTRATIVES = frozenset({"it", "its", "that", "this", "there", "those", "these"})
# Words that ask for something next to the previous answer rather than for a topic.
SEQUENCE = frozenset(
    {
        "before",
        "after",
        "earlier",
        "later",
        "then",
        "else",
        "next",
        "another",
        "other",
        "previously",
        "besides",
        "more",
    }
)
# Words that shape a question without saying what it is about ("how much", "what happened").
FILLERS = frozenset({"much", "many", "long", "often", "far", "happen", "happened", "exactly"})
_NOT_CONTENT = frozenset(tokenize(" ".join(SEQUENCE | FILLERS)))
# Between a question that needs context and the previous query: two questions, so the
# previous one's first word still opens a sentence and is not taken for a name.
CONTEXT = "? "
MAX_BESIDE_THAT = 2  # "which outlet reported it?" still needs to know what "it" is
MAX_ELLIPSIS_WORDS = 5  # "and before that?", "and in the Middle East?"
MAX_SWAPPED_WORDS = 4  # "what about Iran?", "what about the Kremlin spokesman?"


@dataclass(frozen=True, slots=True)
class Rewrite:
    """What to search for a question, given the conversation so far."""

    query: str
    avoid: tuple[str, ...] = ()  # sentences already given, when another one is asked for


def rewrite(question: str, history: Sequence[Turn], lexicon: EntityLexicon) -> Rewrite:
    """``question`` as a standalone query: unchanged unless it leans on the previous turn."""
    if not history:
        return Rewrite(question)
    previous = history[-1]
    text = question.strip()
    words = [w.lower() for w in re.findall(r"\w+", text)]
    avoid = previous.quotes[:1] if SEQUENCE.intersection(words) else ()
    about = _WHAT_ABOUT.match(text)
    if about and len(about["rest"].split()) <= MAX_SWAPPED_WORDS and tokenize(about["rest"]):
        return Rewrite(_swap(previous.searched, about["rest"], lexicon))
    leading = _LEADING.match(text)
    if leading and leading["rest"] and len(leading["rest"].split()) <= MAX_ELLIPSIS_WORDS:
        rest = leading["rest"]
        if rest.split()[0].lower() not in QUESTION_WORDS:
            if lexicon.names(rest, phrase=True) and len(rest.split()) <= MAX_SWAPPED_WORDS - 1:
                return Rewrite(_swap(previous.searched, rest, lexicon))
            return Rewrite(f"{_bare(previous.searched)} {rest}?", avoid=avoid)
        text = rest
    resolved = _resolve_pronouns(text, history, lexicon)
    if _needs_context(resolved, lexicon):
        context = previous.searched.split(CONTEXT)[-1]  # its own context, not a chain of them
        return Rewrite(f"{_bare(resolved)}{CONTEXT}{context}", avoid=avoid)
    if resolved != text:
        return Rewrite(resolved, avoid=avoid)
    return Rewrite(question)


def _bare(text: str) -> str:
    return text.strip().rstrip("?.! ")


def _needs_context(text: str, lexicon: EntityLexicon) -> bool:
    """No name, and nothing or one word to search beside a "that"/"it": "when was that?"."""
    if lexicon.names(text):
        return False
    content = [t for t in tokenize(text) if t not in _NOT_CONTENT]
    words = {w.lower() for w in re.findall(r"\w+", text)}
    return not content or (len(content) <= MAX_BESIDE_THAT and bool(words & DEMONSTRATIVES))


def _swap(previous: str, subject: str, lexicon: EntityLexicon) -> str:
    """The previous query about ``subject`` instead of its name of the same kind ("what
    about Iran?"), or about the previous query regarding ``subject`` when it has none."""
    subject = _bare(subject)
    wanted = lexicon.names(subject, phrase=True)
    regarding = f"{_bare(previous)}, regarding {subject}?"
    if not wanted:
        return regarding
    own = [n for n in lexicon.names(previous) if n.text.lower() != subject.lower()]
    kind = wanted[0]  # of a name the article never uses, nobody knows the kind: any will do
    same = [n for n in own if n.person == kind.person or not lexicon.uses(kind)]
    target = same[0] if same else None
    if target is None:
        return regarding
    pattern = re.compile(rf"(?:\bthe\s+)?\b{re.escape(target.text)}\b(?P<s>['’]s?)?", re.I)
    match = pattern.search(previous)
    if match is None:
        return regarding
    replacement = f"{subject}'s" if match["s"] else subject
    return previous[: match.start()] + replacement + previous[match.end() :]


def _resolve_pronouns(text: str, history: Sequence[Turn], lexicon: EntityLexicon) -> str:
    """he/she/they replaced by whom they most likely mean, when the question names nobody.
    Two different pronouns mean two different people ("did he invite her?")."""
    own = lexicon.names(text)
    meant: dict[str, str] = {}

    def replace(match: re.Match[str]) -> str:
        word, after = match["word"].lower(), match["after"] or ""
        possessive = word in POSSESSIVE or (word == "her" and _content_word(after))
        if word in PERSONAL:  # "he ... his" is one person, "he ... him" two
            key = f"{PERSONAL[word]} {'object' if word in OBJECTS and not possessive else ''}"
            taken = {v for k, v in meant.items() if k != key}
            referent = meant.get(key) or (
                None if any(n.person for n in own) else _person(history, lexicon, word, taken)
            )
        else:
            key = "they"
            referent = meant.get(key) or (None if own else _group(history[-1], lexicon))
        if referent is None:
            return match.group()
        meant[key] = referent
        if not possessive:
            return referent + after
        plural = referent.startswith("the ") and referent.endswith("s")  # "the Houthis'"
        return referent + ("'" if plural else "'s") + after

    return _PRONOUN.sub(replace, text)


def _content_word(after: str) -> bool:
    """Whether "her" is followed by a noun it owns ("her view") rather than a new phrase."""
    word = after.strip().lower()
    return bool(word) and bool(tokenize(word)) and word not in QUESTION_WORDS


def _person(
    history: Sequence[Turn], lexicon: EntityLexicon, pronoun: str, taken: set[str]
) -> str | None:
    """The latest person named (question before answer) whose gender fits the pronoun."""
    gender = PERSONAL[pronoun]
    taken_words = {w.lower() for phrase in taken for w in phrase.split()}
    for turn in reversed(history):
        for name in (*lexicon.names(turn.searched), *lexicon.names(turn.answer)):
            other = not taken_words.intersection(name.text.lower().split())
            if name.person and other and lexicon.gender(name) in (None, gender):
                return name.phrase
    return None


def _group(turn: Turn, lexicon: EntityLexicon) -> str | None:
    """Who "they" are: a group or two people the previous question names, else the group or
    two people of its answer, else two things the question names ("Iran and Russia")."""
    asked, answered = lexicon.names(turn.searched), lexicon.names(turn.answer)
    for found in (
        _first([n for n in asked if n.plural]),
        _pair([n for n in asked if n.person]),
        _first([n for n in answered if n.plural]),
        _pair([n for n in (*asked, *answered) if n.person]),
        _pair(asked),
    ):
        if found:
            return found
    return None


def _first(names: Sequence[Name]) -> str | None:
    return names[0].phrase if names else None


def _pair(names: Sequence[Name]) -> str | None:
    unique = list(dict.fromkeys(n.phrase for n in names))
    return f"{unique[0]} and {unique[1]}" if len(unique) >= 2 else None
