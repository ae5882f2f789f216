"""Reading an article and cutting it into passages of whole sentences."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..core.errors import ArticleEmpty
from ..core.types import Passage, Sentence
from ..text.sentences import split_sentences

BOILERPLATE = frozenset(
    {
        "login",
        "log in",
        "sign in",
        "sign up",
        "subscribe",
        "register",
        "advertisement",
        "share",
        "share this",
        "read more",
        "menu",
        "search",
        "close",
        "comments",
        "skip to content",
        "cookie settings",
        "accept cookies",
    }
)


_MARKDOWN_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
# Sentence and headline limits of the heading rules below.
SENTENCE_MARKS = ".!?…؟।。！？"
MAX_TITLE_WORDS, MAX_TITLE_CHARS = 20, 150
MAX_SENTENCE_CASE_WORDS = 8
# Words a heading never ends with: a line ending in one is a sentence cut at a line break.
DANGLING = frozenset(
    {"a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "for", "with", "at", "by"}
)
_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class Line:
    """One non-empty line of the source with its span and role."""

    text: str
    start: int
    end: int
    is_heading: bool


def is_boilerplate(line: str) -> bool:
    """Site chrome such as a lone ``Login`` that is not part of the article."""
    return line.strip().strip("|·•-–—").strip().lower() in BOILERPLATE


def looks_like_heading(line: str) -> bool:
    """A short title-like line that does not end a sentence is a section heading."""
    words = line.split()
    if not 1 <= len(words) <= 12 or len(line) > 90:
        return False
    if line.rstrip()[-1] in '.!?,;:"”’)…':
        return False
    capitalised = sum(1 for w in words if w[0].isupper() or not w[0].isalpha())
    return words[0][0].isupper() and capitalised >= len(words) / 2


def looks_like_title(line: str) -> bool:
    """An opening line short enough for a headline, in one piece and ending no sentence or
    clause: the article's title, in sentence case or not (a headline may ask a question)."""
    words = line.split()
    if not 1 <= len(words) <= MAX_TITLE_WORDS or len(line) > MAX_TITLE_CHARS:
        return False
    return not words[0][0].islower() and _last_mark(line) not in ".,;:…" and _one_sentence(line)


def looks_like_sentence_case_heading(line: str, previous: str | None, following: str) -> bool:
    """A short capitalised line that ends no sentence, between two paragraphs ("Why the deal
    matters"). A line after anything but a finished sentence (a list item, a heading) is part
    of a list, and one ending in a word such as "and" or "the" is a sentence cut short, so
    neither is a heading."""
    words = line.split()
    if not 2 <= len(words) <= MAX_SENTENCE_CASE_WORDS or len(line) > 60:
        return False
    if not words[0][0].isupper() or _last_mark(line) in SENTENCE_MARKS + ",;:":
        return False
    if words[-1].lower() in DANGLING or not _one_sentence(line):
        return False
    return (previous is None or _ends_sentence(previous)) and _is_paragraph(following)


def _last_mark(line: str) -> str:
    """The last character of a line, behind any closing quotes or brackets."""
    bare = line.rstrip().rstrip("\"'”’»)]")
    return bare[-1] if bare else ""


def _ends_sentence(line: str) -> bool:
    return _last_mark(line) in SENTENCE_MARKS


def _is_paragraph(line: str) -> bool:
    """Body text: a line that opens a sentence and ends one."""
    return not _continues(line) and _ends_sentence(line) and len(line.split()) > 3


def _continues(line: str) -> bool:
    """A line that goes on with the sentence above it (hard-wrapped text), not a new one."""
    return line.lstrip()[:1].islower()


def _one_sentence(line: str) -> bool:
    return len(split_sentences(line)) == 1


def iter_lines(text: str) -> Iterator[Line]:
    """The meaningful lines of the source, headings marked, boilerplate dropped.

    A heading is a Markdown ``#`` line, a title-case line, the opening line when it reads as
    the title (so the title is no passage to quote), or a sentence-case line between two
    paragraphs.
    """
    kept = list(_kept_lines(text))
    previous: str | None = None
    for i, (body, start) in enumerate(kept):
        following = kept[i + 1][0] if i + 1 < len(kept) else None
        heading = _MARKDOWN_HEADING.match(body)
        if heading:
            title_start = start + heading.start(2)
            yield Line(heading.group(2), title_start, title_start + len(heading.group(2)), True)
            previous = body
            continue
        stripped = body.strip()
        is_heading = looks_like_heading(body) or (
            following is not None
            and (
                (i == 0 and looks_like_title(stripped) and not _continues(following))
                or looks_like_sentence_case_heading(stripped, previous, following)
            )
        )
        lead = len(body) - len(body.lstrip())
        yield Line(stripped, start + lead, start + lead + len(stripped), is_heading)
        previous = stripped


def _kept_lines(text: str) -> Iterator[tuple[str, int]]:
    """Each non-blank line that is not site chrome, without its line break, and its offset."""
    offset = 0
    for raw in text.splitlines(keepends=True):
        start, offset = offset, offset + len(raw)
        body = raw.rstrip("\r\n")
        if body.strip() and not is_boilerplate(body.strip()):
            yield body, start


def _word_windows(
    sentence: Sentence, max_tokens: int, count: Callable[[str], int]
) -> list[Sentence]:
    """Cut a sentence longer than the model's limit at word boundaries (a last resort)."""
    pieces: list[Sentence] = []
    words = list(_WORD.finditer(sentence.text))
    first = 0
    while first < len(words):
        last = first + 1
        while (
            last < len(words)
            and count(sentence.text[words[first].start() : words[last].end()]) <= max_tokens
        ):
            last += 1
        start, end = words[first].start(), words[last - 1].end()
        pieces.append(
            Sentence(sentence.text[start:end], sentence.start + start, sentence.start + end)
        )
        first = last
    return pieces


def _passage(source: str, section: str | None, paragraph: int, group: list[Sentence]) -> Passage:
    start, end = group[0].start, group[-1].end
    text = source[start:end]
    digest = hashlib.sha1(f"{section}|{text}".encode()).hexdigest()[:8]
    return Passage(f"p{paragraph}-{digest}", section, paragraph, start, end, text, tuple(group))


def chunk_article(
    source: str,
    *,
    window: int = 3,
    overlap: int = 1,
    max_tokens: int = 256,
    count_tokens: Callable[[str], int] | None = None,
) -> list[Passage]:
    """Cut the source into passages of ``window`` sentences sharing ``overlap`` sentences.

    Passages never cross a paragraph or section and never exceed ``max_tokens`` as counted
    by ``count_tokens`` (the embedding model's tokenizer; a word count when not given).
    """
    count = count_tokens or (lambda s: len(s.split()))
    passages: list[Passage] = []
    section: str | None = None
    paragraph = 0
    for line in iter_lines(source):
        if line.is_heading:
            section = line.text
            continue
        paragraph += 1
        sentences: list[Sentence] = []
        for sentence in split_sentences(line.text, line.start):
            fits = count(sentence.text) <= max_tokens
            sentences.extend([sentence] if fits else _word_windows(sentence, max_tokens, count))
        for group in _windows(sentences, window, overlap, max_tokens, count):
            passages.append(_passage(source, section, paragraph, group))
    if not passages:
        raise ArticleEmpty("the article has no sentences to index")
    return passages


def _windows(
    sentences: list[Sentence],
    window: int,
    overlap: int,
    max_tokens: int,
    count: Callable[[str], int],
) -> Iterator[list[Sentence]]:
    step = max(1, window - overlap)
    first = 0
    while first < len(sentences):
        group = sentences[first : first + window]
        while len(group) > 1 and count(" ".join(s.text for s in group)) > max_tokens:
            group = group[:-1]
        yield group
        if first + len(group) >= len(sentences):
            return
        first += max(1, min(step, len(group) - overlap))


def article_title(source: str, limit: int = 80) -> str:
    """A short title: the first heading if the article opens with one, else its first words."""
    lines = list(iter_lines(source))
    if not lines:
        raise ArticleEmpty("the article has no text, only blank lines or site chrome")
    if lines[0].is_heading:
        return lines[0].text
    first = split_sentences(lines[0].text)[0].text
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0] + "…"
