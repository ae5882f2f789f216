"""Right-to-left replies: Persian lines marked RTL, the article's English kept in its order."""

import dataclasses

import pytest

import wording
from botapi_fake import parse_html
from retrieval import Answer, Citation, Passage
from retrieval.index.store import Manifest
from retrieval.library.catalog import ArticleRecord
from tgbot.formatting import abstention_blocks, answer_blocks, paginate, passage_blocks
from tgbot.library_format import articles_blocks
from wording.direction import FSI, LRI, PDI, RLM, is_rtl, isolate, isolate_runs, mark_lines

CONTROLS = (RLM, FSI, LRI, PDI)
QUOTE = "Iran sent <drones> & missiles, officials said."
PASSAGE = Passage("p1-0a1b2c3d", "Arms & <Trade>", 2, 0, 70, f"Before it. {QUOTE}", (), "a", "T")
CITATION = Citation(1, PASSAGE, QUOTE, 11, 11 + len(QUOTE), 0.9)
MANIFEST = Manifest(
    format_version=3, build_id="0a1b2c3d", model="m", dimension=384, passages=17,
    sentences=42, index_type="flat", library_version=1, library_fingerprint="0" * 64,
    articles=1, title="T", sections=("Arms & <Trade>", "Gold"), built_at="2026-01-01",
    build_seconds=0.5,
)  # fmt: skip


def lines(blocks) -> list[str]:
    [page] = paginate(blocks)
    return parse_html(page)[0].split("\n")


def test_isolate_wraps_each_line_and_leaves_blank_ones():
    assert isolate("a b\n\nc") == f"{FSI}a b{PDI}\n\n{FSI}c{PDI}"
    assert isolate("x", ltr=True) == f"{LRI}x{PDI}"
    assert mark_lines("a\nb") == f"{RLM}a\n{RLM}b"
    assert is_rtl("fa") and is_rtl("ar") and not is_rtl("ru") and not is_rtl(None)


@pytest.mark.parametrize(
    "runs", [["ab", "c\nd", "", "e"], ["", "x", ""], ["one ", "two", " three"], ["", "", ""]]
)
def test_runs_are_isolated_as_their_whole_with_their_boundaries_kept(runs):
    isolated = isolate_runs(runs)
    assert "".join(isolated) == isolate("".join(runs))
    assert [r.replace(FSI, "").replace(PDI, "") for r in isolated] == runs


def test_said_in_persian_every_line_starts_rtl_and_fields_and_commands_are_isolated():
    text = wording.say("fa", wording.NOT_MENTIONED, names="Peskov")
    assert text.startswith(RLM) and f"{FSI}Peskov{PDI}" in text
    hint = wording.say("fa", "I don't know that command. Try /help.")
    assert f"{LRI}/help{PDI}" in hint
    assert not any(c in wording.say("ru", wording.NOT_MENTIONED, names="X") for c in CONTROLS)


def test_a_persian_decline_reads_right_to_left():
    declined = Answer(
        "پسکوف کیست؟", "", (), 0.1, outcome="declined", reason="unknown_names",
        unknown_names=("Peskov",), language="fa",
    )  # fmt: skip
    shown = lines(abstention_blocks(declined, MANIFEST, "fa"))
    assert all(line.startswith(RLM) for line in shown)
    assert f"{FSI}Peskov{PDI}" in shown[0] and "Sorry" not in shown[0]
    assert f"{FSI}Arms & <Trade>, Gold{PDI}" in shown[-1]  # escaped, isolated, verbatim


def test_a_persian_answer_keeps_the_english_quote_whole_and_in_order():
    answer = Answer("ایران چه فرستاد؟", f"{QUOTE} [1]", (CITATION,), 0.9, language="fa")
    shown = lines(answer_blocks(answer, "fa", titled=False))
    assert all(line.startswith(RLM) for line in shown)
    assert shown[0] == f"{RLM}{FSI}{QUOTE} [1]{PDI}"
    assert shown[-1] == f"{RLM}[1] {FSI}Arms & <Trade>{PDI} — {FSI}“{QUOTE}”{PDI}"
    assert wording.translate("fa", wording.SOURCES) in shown[-2]


def test_a_persian_passage_underlines_exactly_the_quote_inside_one_isolate():
    [page] = paginate(passage_blocks(PASSAGE, CITATION.start, CITATION.end, "fa"))
    text, entities = parse_html(page)
    [underline] = [e for e in entities if e["type"] == "underline"]
    underlined = text[underline["offset"] : underline["offset"] + underline["length"]]
    assert underlined == QUOTE
    assert text.split("\n")[-1] == f"{RLM}{FSI}{PASSAGE.text}{PDI}"


def test_left_to_right_replies_carry_no_direction_marks():
    answer = Answer("What did Iran send?", f"{QUOTE} [1]", (CITATION,), 0.9, language="en")
    for language in ("en", "ru", "de"):
        [page] = paginate(answer_blocks(answer, language))
        assert not any(c in page for c in CONTROLS)


def test_the_article_list_in_persian_isolates_titles_and_names_languages():
    record = ArticleRecord("0a1b2c3d", "Q&A <Ledger>", "a.html", "0" * 64, "2026", 42, "x")
    record = dataclasses.replace(record, language="en")
    shown = lines(articles_blocks([record], {}, admin=False, chosen=None, language="fa"))
    assert all(line.startswith(RLM) for line in shown)
    assert f"{FSI}Q&A <Ledger>{PDI} · انگلیسی" in "\n".join(shown)
