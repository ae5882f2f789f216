"""Telegram HTML formatting: escaping, paging within the length limit, source buttons."""

import dataclasses
import random
import re
import uuid

import pytest

from botapi_fake import parse_html, utf16_len
from retrieval import Answer, Citation, Passage
from retrieval.core.types import ArticleFact, ArticleRef, Highlight
from retrieval.index.store import Manifest
from retrieval.library.chunking import chunk_article
from tgbot.formatting import (
    MAX_LENGTH,
    Block,
    SourceRequest,
    abstention_blocks,
    answer_blocks,
    article_blocks,
    callback_data,
    paginate,
    parse_callback,
    passage_blocks,
    shorten,
    source_keyboard,
    telegram_length,
)

HOSTILE = "Q&A <b>not a tag</b> & &amp; x<y>z “quoted” 🚢🌊 naïve — "
WORDS = ["tariffs", "&", "<duties>", "a>b", "🚢", "🌊🌊", "&amp;", "</i>", "naïve", "x" * 30]


def visible(pages: list[str]) -> list[tuple[str, list[dict]]]:
    """Each page parsed as Telegram parses HTML: (text, entities); raises on invalid markup."""
    return [parse_html(page) for page in pages]


def squeeze(text: str) -> str:
    """``text`` without white space (paging may drop it at page boundaries)."""
    return re.sub(r"\s", "", text)


def random_blocks(seed: int, count: int) -> list[Block]:
    """Blocks of markup-hostile text, some long, some tagged, some with line breaks."""
    rng = random.Random(seed)
    blocks = []
    for _ in range(count):
        words = rng.choices(WORDS, k=rng.choice([1, 5, 40, 400, 1500]))
        separator = rng.choice([" ", "\n", ""])
        blocks.append(Block(separator.join(words), rng.choice([None, "b", "i", "u", "code"])))
    return blocks


def manifest(sections: tuple[str, ...], title: str = "Title") -> Manifest:
    return Manifest(
        format_version=3, build_id="0a1b2c3d", model="m", dimension=384, passages=17,
        sentences=42, index_type="flat", library_version=1, library_fingerprint="0" * 64,
        articles=1, title=title, sections=sections, built_at="2026-01-01T00:00:00+00:00",
        build_seconds=0.5,
    )  # fmt: skip


@pytest.fixture(scope="module")
def passages(article_text) -> list[Passage]:
    """The real article's passages, with the engine's ids (word counts stand in for tokens)."""
    return chunk_article(article_text)


def citation(passage: Passage, n: int = 1) -> Citation:
    sentence = passage.sentences[-1]
    return Citation(n, passage, sentence.text, sentence.start, sentence.end, 0.5)


# --- paging ---------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [MAX_LENGTH, 1000, 97])
@pytest.mark.parametrize("seed", range(4))
def test_paginate_keeps_every_page_within_the_limit_and_valid(seed, limit, entity_texts):
    blocks = random_blocks(seed, 30)
    pages = paginate(blocks, limit)
    parsed = visible(pages)  # every page is valid HTML: no tag or entity was cut
    assert all(utf16_len(text) <= limit for text, _ in parsed)
    assert squeeze("".join(text for text, _ in parsed)) == squeeze("".join(b.text for b in blocks))
    for tag, kind in (("b", "bold"), ("i", "italic"), ("u", "underline"), ("code", "code")):
        tagged = "".join("".join(entity_texts(text, found, kind)) for text, found in parsed)
        assert squeeze(tagged) == squeeze("".join(b.text for b in blocks if b.tag == tag))


def test_blocks_that_fit_are_never_split(entity_texts):
    blocks = [Block(f"{i}. Harbour & <Ledger> {'🚢' * (i % 7)}\n", "b" if i % 2 else None)
              for i in range(600)]  # fmt: skip
    pages = paginate(blocks)
    assert len(pages) > 1
    bold = [text for page, found in visible(pages) for text in entity_texts(page, found, "bold")]
    assert bold == [b.text for b in blocks if b.tag]
    assert all(telegram_length(text) <= MAX_LENGTH for text, _ in visible(pages))


@pytest.mark.parametrize(
    ("text", "pages"),
    [
        ("😀" * 2048, 1),  # exactly 4096 UTF-16 units
        ("😀" * 2049, 2),  # one unit too many, and no space to cut at
        ("a" * 4096, 1),
        ("&" * 5000, 2),  # escaping makes the HTML longer, not the message
        ("<>" * 3000, 2),
    ],
)
def test_limit_is_counted_in_utf16_units_of_the_visible_text(text, pages):
    result = paginate([Block(text, "i")])
    assert len(result) == pages
    parsed = visible(result)
    assert all(utf16_len(page) <= MAX_LENGTH for page, _ in parsed)
    assert "".join(page for page, _ in parsed) == text


def test_long_text_is_cut_at_line_breaks_or_spaces():
    text = "\n".join(f"Line {i}: " + "word " * 12 for i in range(400))
    pages = [page for page, _ in visible(paginate([Block(text)]))]
    assert len(pages) > 1
    assert all(page.startswith("Line ") and page.rstrip().endswith("word") for page in pages)


def test_paginate_drops_empty_pages():
    assert paginate([]) == []
    assert paginate([Block("\n\n"), Block("   ")]) == []
    assert paginate([Block("\n\n"), Block("hi", "b"), Block("\n")]) == ["<b>hi</b>"]


def test_telegram_length_counts_utf16_units():
    assert telegram_length("abc") == 3
    assert telegram_length("🚢") == 2 and telegram_length("é") == 1
    assert telegram_length("👩‍👩‍👧") == 8  # three astral characters and two joiners


# --- escaping -------------------------------------------------------------------------------


def test_block_escapes_article_text():
    block = Block(HOSTILE, "b")
    text, entities = parse_html(block.html())
    assert text == HOSTILE and entities[0]["type"] == "bold"
    assert parse_html(Block(HOSTILE).html())[0] == HOSTILE


def test_answer_with_hostile_text_renders_verbatim(passages):
    hostile = Passage(
        "p1-0a1b2c3d", "Trade & <Tariffs>", 1, 0, len(HOSTILE), HOSTILE, (), "0a1b2c3d", "A & <B>"
    )
    citations = (
        Citation(1, hostile, HOSTILE, 0, len(HOSTILE), 0.9),
        citation(dataclasses.replace(passages[0], article_title="Harbour Notes"), 2),
    )
    answer = Answer("q", f"{HOSTILE}[1] more [2]", citations, 0.9)
    [page] = paginate(answer_blocks(answer))
    text, entities = parse_html(page)
    assert text.startswith(answer.text.strip())
    assert "[1] A & <B> · Trade & <Tariffs> — “" in text and "Sources" in text
    kinds = [e["type"] for e in entities]
    assert kinds.count("italic") == 2 and kinds.count("bold") == 3  # Sources and 2 titles
    assert f"[2] Harbour Notes · {passages[0].section or 'Introduction'} — “" in text


def test_with_one_article_a_source_line_does_not_repeat_its_title(passages):
    cited = citation(dataclasses.replace(passages[0], article_title="The Opening Words"), 1)
    answer = Answer("q", f"{cited.quote} [1]", (cited,), 0.9)
    [titled] = paginate(answer_blocks(answer, "en"))
    [untitled] = paginate(answer_blocks(answer, "en", titled=False))
    assert "The Opening Words" in titled and "The Opening Words" not in untitled
    section = passages[0].section or "Introduction"
    assert f"\n[1] {section} — “" in parse_html(untitled)[0]
    start, end = cited.start, cited.end
    [page] = paginate(passage_blocks(cited.passage, start, end, "en", titled=False))
    assert "The Opening Words" not in page and f"{section} · paragraph" in page


def test_an_answer_from_the_articles_record_names_it_and_its_source_escaped():
    fact = ArticleFact("author", "Jane <Doe> & Co", ArticleRef("a1", "Q&A <b>"))
    answer = Answer("who wrote this story?", fact.value, (), 1.0, language="en", fact=fact)
    [page] = paginate(answer_blocks(answer))
    assert "“Q&amp;A &lt;b&gt;” was written by Jane &lt;Doe&gt; &amp; Co." in page
    assert "<i>Source: the document's byline and metadata</i>" in page
    [russian] = paginate(answer_blocks(answer, "ru"))
    assert "Автор статьи «Q&amp;A &lt;b&gt;» — Jane &lt;Doe&gt; &amp; Co." in russian


def test_the_passage_view_shows_who_wrote_the_article_and_when(passages):
    cited = citation(dataclasses.replace(passages[0], article_title="The Opening Words"), 1)
    line = "by Jane <Doe> · published 2024-05-01"
    [page] = paginate(passage_blocks(cited.passage, cited.start, cited.end, byline=line))
    text, _ = parse_html(page)
    assert text.startswith("The Opening Words · by Jane <Doe> · published 2024-05-01 · ")
    [plain] = paginate(passage_blocks(cited.passage, cited.start, cited.end, titled=False))
    assert "published" not in plain


def test_the_frame_is_in_the_replys_language_and_the_quote_stays_verbatim(passages):
    cited = citation(passages[0], 1)
    answer = Answer("Что прислал Иран?", f"{cited.quote} [1]", (cited,), 0.9, language="ru")
    [page] = paginate(answer_blocks(answer))  # no language given: the question's
    text, _ = parse_html(page)
    assert text.startswith(f"{cited.quote} [1]") and "\n\nИсточники\n[1] " in text
    [row] = source_keyboard("0a1b2c3d", [cited], "ru").inline_keyboard
    assert row[0].text == "[1] Открыть источник"
    [info] = paginate(article_blocks(manifest(("A",)), "ru"))
    assert "Разделы" in info and "фрагментов: 17" in info


def test_long_quotes_are_shortened_at_a_word():
    quote = "word " * 100
    short = shorten(quote)
    assert short.endswith("…") and len(short) <= 161 and quote.startswith(short[:-1])
    assert shorten("short one") == "short one"


def test_passage_underlines_exactly_the_quoted_span(passages):
    for passage in passages:
        for sentence in passage.sentences:
            [page] = paginate(passage_blocks(passage, sentence.start, sentence.end))
            text, entities = parse_html(page)
            [underline] = [e for e in entities if e["type"] == "underline"]
            start = underline["offset"]
            encoded = text.encode("utf-16-le")
            quoted = encoded[2 * start : 2 * (start + underline["length"])].decode("utf-16-le")
            assert quoted == sentence.text.strip()
            assert text.endswith(passage.text.strip())


def test_out_of_range_spans_still_render(passages):
    passage = passages[0]
    for start, end in ((-5, 10**9), (10**9, 10**9 + 1), (passage.end, passage.start)):
        [page] = paginate(passage_blocks(passage, start, end))
        assert parse_html(page)[0].endswith(passage.text.strip())


def test_abstention_and_article_screens_escape_section_names():
    sections = tuple(f"Part {i} & <{i}>" for i in range(10))
    info = manifest(sections, title="Q&A <Title>")
    abstain = Answer("q", "", (), 0.1, outcome="declined", reason="not_covered")
    text, _ = parse_html(paginate(abstention_blocks(abstain, info))[0])
    assert text.startswith("Sorry, the article doesn't cover that.")
    assert text.endswith(", ".join(sections[:6]))
    [page] = paginate(article_blocks(info))
    text, _ = parse_html(page)
    assert "Q&A <Title>" in text and all(f"{i}. {s}" in text for i, s in enumerate(sections, 1))
    assert "17 passages, 42 sentences" in text


# --- source buttons -------------------------------------------------------------------------


def test_callback_data_round_trips_within_64_bytes(passages):
    build_id = uuid.uuid4().hex[:8]
    for passage in passages:
        cited = citation(passage)
        data = callback_data(build_id, cited)
        assert len(data.encode()) <= 64
        assert parse_callback(data) == SourceRequest(build_id, passage.id, cited.start, cited.end)


def test_callback_data_fits_for_huge_articles():
    big = Passage("p999999-0a1b2c3d", "S", 999_999, 999_999_000, 999_999_999, "x", ())
    data = callback_data("ffffffff", Citation(10, big, "x", 999_999_000, 999_999_999, 1.0))
    assert len(data.encode()) <= 64


def test_keyboard_has_one_button_per_citation(passages):
    citations = [citation(p, n) for n, p in enumerate(passages[:3], 1)]
    keyboard = source_keyboard("0a1b2c3d", citations)
    [row] = keyboard.inline_keyboard
    assert [b.text for b in row] == ["[1] Open source", "[2] Open source", "[3] Open source"]
    assert all(len(b.callback_data.encode()) <= 64 for b in row)
    assert source_keyboard("0a1b2c3d", []) is None


@pytest.mark.parametrize(
    "data",
    [None, "", "src", "src|bad", "garbage", "src|a|b|1", "src|a|b|1|2|3", "src|a|b|x|2",
     "src|a|b|1|2.5", "dst|a|b|1|2", "SRC|a|b|1|2", "src|a|b|1|二"],
)  # fmt: skip
def test_parse_callback_rejects_garbage(data):
    assert parse_callback(data) is None


def test_a_hedge_says_the_article_does_not_say_it_before_the_closest_quote(passages):
    quote = citation(passages[0], 1)
    hedge = Answer("How old is Putin?", f"{quote.quote} [1]", (quote,), 0.5, outcome="hedged")
    [page] = paginate(answer_blocks(hedge))
    text, _ = parse_html(page)
    assert text.startswith("The article doesn't say how old Putin is. The closest it comes: ")
    assert f"{quote.quote} [1]" in text


def test_the_highlight_is_bold_inside_the_verbatim_quote_and_searched_is_small_print(passages):
    quote = citation(passages[0], 1)
    word = quote.quote.split()[2]
    start = quote.start + quote.quote.index(word)
    answer = Answer(
        "q",
        f"{quote.quote} [1]",
        (quote,),
        0.9,
        highlight=Highlight(word, start, start + len(word)),
        searched="q corrected",
    )
    [page] = paginate(answer_blocks(answer))
    text, entities = parse_html(page)
    assert text.startswith(f"{quote.quote} [1]\nsearched: q corrected")
    spans = {kind: [] for kind in ("bold", "italic")}
    for e in entities:
        spans.setdefault(e["type"], []).append(text[e["offset"] : e["offset"] + e["length"]])
    assert spans["bold"][0] == word
    assert spans["italic"][0] == "searched: q corrected"
