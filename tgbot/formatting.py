"""Telegram HTML for answers, passages and info screens; every piece of article text escaped.

Messages are built from :class:`Block` pieces, each a run of text with at most one tag, so a
long message can be split between (or inside) blocks without ever cutting through a tag. The
bot's words are in the reader's language (``language``, see :mod:`wording`); a right-to-left
one gets its lines marked and the article's text isolated inside them (:mod:`wording.direction`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

import wording
from retrieval import Answer, Citation, Manifest, Passage
from usage import UsageRecorder, UsageSummary, summary_lines
from wording import INTRODUCTION, N_, SOURCES, embed, translate
from wording.direction import RLM, isolate_runs

MAX_LENGTH = MessageLimit.MAX_TEXT_LENGTH
SHORT_QUOTE = 160
CALLBACK_PREFIX = "src"
SOURCE_DATA_PREFIX = f"{CALLBACK_PREFIX}|"
SOURCE_BUTTON = re.compile(f"^{re.escape(SOURCE_DATA_PREFIX)}")  # its CallbackQueryHandler's
ANY_BUTTON = re.compile(".*", re.DOTALL)
OPEN_SOURCE = N_("[{n}] Open source")
PARAGRAPH = N_("paragraph {n}")
COVERS = N_("The article covers:")
ARTICLE = N_("Article:")
SECTIONS = N_("Sections")
INDEX = N_("Index: {facts}")
STATS = N_("Stats")
USAGE_DATABASE = N_("⚠ Usage database:")
USAGE_PROBLEM = N_("{problem}. Questions not recorded since start-up: {unrecorded}.")
FAILED_EARLIER = N_("it failed earlier and works again")
INDEX_FACTS = N_(
    "{passages} passages, {sentences} sentences, {index_type} FAISS index of {model}, "
    "built {built_at}"
)


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


def directed(blocks: Sequence[Block], language: str | None) -> list[Block]:
    """``blocks`` as a message in ``language``: in a right-to-left one, every line starts
    with a RIGHT-TO-LEFT MARK."""
    if not wording.right_to_left(language):
        return list(blocks)
    marked = [Block(b.text.replace("\n", "\n" + RLM), b.tag) for b in blocks]
    return [Block(RLM), *marked]


def shorten(text: str, limit: int = SHORT_QUOTE) -> str:
    """``text`` cut at a word boundary with an ellipsis when longer than ``limit``."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def answer_blocks(
    answer: Answer, language: str | None = None, *, titled: bool = True
) -> list[Block]:
    """The answer (a hedge says first that the article doesn't say it), the phrase of the
    kind asked for in bold, what was searched in small print when it differs from the
    question, then a Sources block: number, article title (when the library has several
    articles: ``titled``), section and a short quote."""
    language = language or answer.language
    if answer.fact is not None:  # the article's record answered: there is no quote to cite
        message = wording.fact_message(answer.fact, language)
        source = Block(translate(language, wording.FACT_SOURCE), "i")
        return directed([Block(message), Block("\n\n"), source], language)
    hedged = answer.outcome == "hedged"
    blocks = [Block(wording.hedge_intro(answer, language) + " ")] if hedged else []
    blocks += _highlighted(answer, language) + _searched(answer, language)
    if answer.citations:
        blocks += [Block("\n\n"), Block(translate(language, SOURCES), "b")]
    for citation in answer.citations:
        blocks.append(Block(f"\n[{citation.n}] "))
        if titled:
            blocks += [Block(embed(citation.article.title, language), "b"), Block(" · ")]
        section = embed(citation.passage.section, language) if citation.passage.section else None
        quote = embed(f"“{shorten(citation.quote)}”", language)
        blocks += [Block(f"{section or translate(language, INTRODUCTION)} — "), Block(quote, "i")]
    return directed(blocks, language)


def _searched(answer: Answer, language: str | None) -> list[Block]:
    """What was searched, in small print on a line of its own, when it differs."""
    note = wording.searched_note(answer, language)
    return [Block("\n"), Block(note, "i")] if note else []


def _highlighted(answer: Answer, language: str | None) -> list[Block]:
    """The answer's text with its highlight (the date, amount, name... asked for) in bold."""
    text, highlight = embed(answer.text, language), answer.highlight
    if highlight is None or highlight.text not in text:
        return [Block(text)]
    before, _, after = text.partition(highlight.text)
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


def source_keyboard(
    build_id: str, citations: Sequence[Citation], language: str | None = None
) -> InlineKeyboardMarkup | None:
    """One button per citation that opens the full passage."""
    if not citations:
        return None
    buttons = [
        InlineKeyboardButton(
            translate(language, OPEN_SOURCE, n=c.n), callback_data=callback_data(build_id, c)
        )
        for c in citations
    ]
    return InlineKeyboardMarkup([buttons])


def passage_blocks(
    passage: Passage,
    start: int,
    end: int,
    language: str | None = None,
    *,
    titled: bool = True,
    byline: str = "",
) -> list[Block]:
    """The article's title (when the library has several: ``titled``), its ``byline`` (who
    wrote it and when, see :func:`wording.byline`), section and paragraph, then the whole
    passage with the quoted span underlined."""
    begin = max(0, start - passage.start)
    finish = max(begin, min(len(passage.text), end - passage.start))
    section = embed(passage.section, language) if passage.section else None
    paragraph = translate(language, PARAGRAPH, n=passage.paragraph)
    where = [Block(embed(passage.article_title, language), "b"), Block(" · ")] if titled else []
    where += [Block(f"{byline} · ")] if byline else []
    where.append(Block(f"{section or translate(language, INTRODUCTION)} · {paragraph}\n\n"))
    text = passage.text
    runs = [text[:begin], text[begin:finish], text[finish:]]
    if wording.right_to_left(language):
        runs = isolate_runs(runs)
    body = [Block(runs[0]), Block(runs[1], "u"), Block(runs[2])]
    return directed(where + body, language)


def abstention_blocks(
    answer: Answer, manifest: Manifest, language: str | None = None
) -> list[Block]:
    """A plain "not covered" (and why), what was searched when it differs from the question,
    and a pointer to what the article does cover."""
    language = language or answer.language
    topics = ", ".join(manifest.sections[:6]) or manifest.title
    blocks = [
        Block(wording.decline_message(answer, language)),
        *_searched(answer, language),
        Block(f"\n\n{translate(language, COVERS)} "),
        Block(embed(topics, language), "i"),
    ]
    return directed(blocks, language)


def article_blocks(manifest: Manifest, language: str | None = None) -> list[Block]:
    """The article's title, sections and index facts, for /sources."""
    blocks = [
        Block(translate(language, ARTICLE) + " ", "b"),
        Block(embed(manifest.title, language)),
    ]
    blocks.append(Block("\n\n" + translate(language, SECTIONS), "b"))
    blocks += [
        Block(f"\n{i}. {embed(name, language)}") for i, name in enumerate(manifest.sections, 1)
    ]
    facts = index_facts(manifest, language)
    blocks.append(Block("\n\n" + translate(language, INDEX, facts=facts)))
    return directed(blocks, language)


def stats_blocks(
    summary: UsageSummary | None,
    recorder: UsageRecorder,
    manifest: Manifest,
    language: str | None = None,
) -> list[Block]:
    """/stats: the usage summary, what is wrong with the usage database if anything, the index."""
    blocks = [Block(translate(language, STATS), "b")]
    if recorder.problem or recorder.unrecorded:
        problem = recorder.problem or translate(language, FAILED_EARLIER)
        blocks += [
            Block("\n" + translate(language, USAGE_DATABASE) + " ", "b"),
            Block(
                translate(language, USAGE_PROBLEM, problem=problem, unrecorded=recorder.unrecorded)
            ),
        ]
    if summary is not None:  # the usage package's lines, in English
        blocks += [Block("\n" + embed(line, language)) for line in summary_lines(summary)]
    facts = index_facts(manifest, language)
    blocks.append(Block("\n" + translate(language, INDEX, facts=facts)))
    return directed(blocks, language)


def index_facts(manifest: Manifest, language: str | None = None) -> str:
    """Size, kind and build time of the index, in one line."""
    return translate(
        language,
        INDEX_FACTS,
        passages=manifest.passages,
        sentences=manifest.sentences,
        index_type=manifest.index_type,
        model=manifest.model,
        built_at=manifest.built_at,
    )
