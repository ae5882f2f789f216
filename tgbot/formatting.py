"""Telegram HTML for answers, passages and info screens; every piece of article text escaped.

Messages are built from :class:`Block` pieces, each a run of text with at most one tag, so a
long message can be split between (or inside) blocks without ever cutting through a tag.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

import wording
from retrieval.store import Manifest
from retrieval.types import Answer, Citation, Passage
from usage import UsageRecorder, UsageSummary, summary_lines

MAX_LENGTH = MessageLimit.MAX_TEXT_LENGTH
SHORT_QUOTE = 160
CALLBACK_PREFIX = "src"
SOURCE_DATA_PREFIX = f"{CALLBACK_PREFIX}|"
SOURCE_BUTTON = re.compile(f"^{re.escape(SOURCE_DATA_PREFIX)}")  # its CallbackQueryHandler's
ANY_BUTTON = re.compile(".*", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Block:
    """Plain text shown inside one optional HTML tag (``b``, ``i``, ``u``, ``code``...)."""

    text: str
    tag: str | None = None

    def html(self) -> str:
        """The block as escaped Telegram HTML."""
        body = html.escape(self.text, quote=False)
        return f"<{self.tag}>{body}</{self.tag}>" if self.tag else body


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units of the text after entity parsing."""
    return len(text.encode("utf-16-le")) // 2


def paginate(blocks: Iterable[Block], limit: int = MAX_LENGTH) -> list[str]:
    """Join blocks into messages of at most ``limit`` visible characters each."""
    pages: list[list[Block]] = [[]]
    used = 0
    for block in (piece for b in blocks for piece in _pieces(b, limit)):
        size = telegram_length(block.text)
        if used + size > limit and pages[-1]:
            pages.append([])
            used = 0
        pages[-1].append(block)
        used += size
    rendered = ("".join(b.html() for b in page).strip() for page in pages)
    return [page for page in rendered if page]


def _pieces(block: Block, limit: int) -> list[Block]:
    """Split one over-long block at line breaks or spaces, keeping its tag on every piece."""
    pieces: list[Block] = []
    text = block.text
    while telegram_length(text) > limit:
        cut = _cut_point(text, limit)
        pieces.append(Block(text[:cut], block.tag))
        text = text[cut:]
    pieces.append(Block(text, block.tag))
    return pieces


def _cut_point(text: str, limit: int) -> int:
    window = limit
    while telegram_length(text[:window]) > limit:  # astral characters take two units
        window -= 1
    for separator in ("\n", " "):
        cut = text.rfind(separator, 0, window)
        if cut > window // 2:
            return cut + 1
    return window


def shorten(text: str, limit: int = SHORT_QUOTE) -> str:
    """``text`` cut at a word boundary with an ellipsis when longer than ``limit``."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def answer_blocks(answer: Answer) -> list[Block]:
    """The answer (a hedge says first that the article doesn't say it), the phrase of the
    kind asked for in bold, what was searched in small print when it differs from the
    question, then a Sources block: number, article title, section and a short quote."""
    blocks = [Block(wording.hedge_intro(answer) + " ")] if answer.outcome == "hedged" else []
    blocks += _highlighted(answer) + _searched(answer)
    if answer.citations:
        blocks += [Block("\n\n"), Block("Sources", "b")]
    for citation in answer.citations:
        section = citation.passage.section or "Introduction"
        blocks += [Block(f"\n[{citation.n}] "), Block(citation.article.title, "b")]
        blocks += [Block(f" · {section} — "), Block(f"“{shorten(citation.quote)}”", "i")]
    return blocks


def _searched(answer: Answer) -> list[Block]:
    """What was searched, in small print on a line of its own, when it differs."""
    note = wording.searched_note(answer)
    return [Block("\n"), Block(note, "i")] if note else []


def _highlighted(answer: Answer) -> list[Block]:
    """The answer's text with its highlight (the date, amount, name... asked for) in bold."""
    highlight = answer.highlight
    if highlight is None or highlight.text not in answer.text:
        return [Block(answer.text)]
    before, _, after = answer.text.partition(highlight.text)
    return [Block(before), Block(highlight.text, "b"), Block(after)]


def callback_data(build_id: str, citation: Citation) -> str:
    """What a source button carries: the index build, the passage and the quote's span."""
    return f"{CALLBACK_PREFIX}|{build_id}|{citation.passage.id}|{citation.start}|{citation.end}"


@dataclass(frozen=True, slots=True)
class SourceRequest:
    """A parsed source button: which build, passage and quoted span it points at."""

    build_id: str
    passage_id: str
    start: int
    end: int


def parse_callback(data: str | None) -> SourceRequest | None:
    """The source request in ``data``, or None when it is not one of ours (forged, garbled)."""
    parts = (data or "").split("|")
    if len(parts) != 5 or parts[0] != CALLBACK_PREFIX:
        return None
    try:
        return SourceRequest(parts[1], parts[2], int(parts[3]), int(parts[4]))
    except ValueError:
        return None


def source_keyboard(build_id: str, citations: Sequence[Citation]) -> InlineKeyboardMarkup | None:
    """One button per citation that opens the full passage."""
    if not citations:
        return None
    buttons = [
        InlineKeyboardButton(f"[{c.n}] Open source", callback_data=callback_data(build_id, c))
        for c in citations
    ]
    return InlineKeyboardMarkup([buttons])


def passage_blocks(passage: Passage, start: int, end: int) -> list[Block]:
    """The article's title, then the whole passage with the quoted span underlined."""
    begin = max(0, start - passage.start)
    finish = max(begin, min(len(passage.text), end - passage.start))
    section = passage.section or "Introduction"
    return [
        Block(passage.article_title, "b"),
        Block(f" · {section} · paragraph {passage.paragraph}\n\n"),
        Block(passage.text[:begin]),
        Block(passage.text[begin:finish], "u"),
        Block(passage.text[finish:]),
    ]


def abstention_blocks(answer: Answer, manifest: Manifest) -> list[Block]:
    """A plain "not covered" (and why), what was searched when it differs from the question,
    and a pointer to what the article does cover."""
    topics = ", ".join(manifest.sections[:6]) or manifest.title
    return [
        Block(wording.decline_message(answer)),
        *_searched(answer),
        Block("\n\nThe article covers: "),
        Block(topics, "i"),
    ]


def article_blocks(manifest: Manifest) -> list[Block]:
    """The article's title, sections and index facts, for /sources."""
    blocks = [Block("Article: ", "b"), Block(manifest.title), Block("\n\nSections", "b")]
    blocks += [Block(f"\n{i}. {name}") for i, name in enumerate(manifest.sections, 1)]
    blocks.append(Block(f"\n\nIndex: {index_facts(manifest)}"))
    return blocks


def stats_blocks(
    summary: UsageSummary | None, recorder: UsageRecorder, manifest: Manifest
) -> list[Block]:
    """/stats: the usage summary, what is wrong with the usage database if anything, the index."""
    blocks = [Block("Stats", "b")]
    if recorder.problem or recorder.unrecorded:
        problem = recorder.problem or "it failed earlier and works again"
        blocks += [
            Block("\n⚠ Usage database: ", "b"),
            Block(f"{problem}. Questions not recorded since start-up: {recorder.unrecorded}."),
        ]
    if summary is not None:
        blocks += [Block(f"\n{line}") for line in summary_lines(summary)]
    blocks.append(Block(f"\nIndex: {index_facts(manifest)}"))
    return blocks


def index_facts(manifest: Manifest) -> str:
    """Size, kind and build time of the index, in one line."""
    return (
        f"{manifest.passages} passages, {manifest.sentences} sentences, "
        f"{manifest.index_type} FAISS index of {manifest.model}, built {manifest.built_at}"
    )
