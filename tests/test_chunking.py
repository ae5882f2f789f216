"""Reading the article and cutting it into passages of whole, verbatim sentences."""

import itertools

import pytest

from retrieval import ArticleEmpty, ArticleNotFound, Passage
from retrieval.library.chunking import article_title, chunk_article
from retrieval.text.sentences import split_sentences

SENTENCE_ENDINGS = (".", "!", "?", "…", "”", '"', "’")


@pytest.fixture(scope="module")
def passages(article_text, embedder) -> list[Passage]:
    """The real article chunked exactly as the engine does it."""
    return chunk_article(
        article_text, max_tokens=embedder.max_tokens, count_tokens=embedder.count_tokens
    )


@pytest.fixture(scope="module")
def article_lines(article_text) -> list[str]:
    return [line.strip() for line in article_text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def headings(article_lines) -> list[str]:
    """Lines of the scraped article that end no sentence (the `Login` line aside)."""
    return [
        line for line in article_lines if not line.endswith(SENTENCE_ENDINGS) and line != "Login"
    ]


def test_passages_and_sentences_are_verbatim_at_their_spans(passages, article_text):
    for passage in passages:
        assert article_text[passage.start : passage.end] == passage.text
        for sentence in passage.sentences:
            assert article_text[sentence.start : sentence.end] == sentence.text
            assert passage.start <= sentence.start < sentence.end <= passage.end


def test_every_paragraph_is_split_into_whole_sentences(passages, article_lines, headings):
    paragraphs = [line for line in article_lines if line not in headings and line != "Login"]
    sentences: dict[int, dict[int, str]] = {}
    for passage in passages:
        for sentence in passage.sentences:
            sentences.setdefault(passage.paragraph, {})[sentence.start] = sentence.text
    assert len(sentences) == len(paragraphs)
    for number, paragraph in enumerate(paragraphs, start=1):
        ordered = [text for _, text in sorted(sentences[number].items())]
        assert " ".join(ordered) == paragraph
        assert all(text.endswith(SENTENCE_ENDINGS) for text in ordered)


def test_heading_lines_become_the_sections_of_the_passages_below(passages, article_text, headings):
    assert len(headings) >= 5
    assert list(dict.fromkeys(p.section for p in passages if p.section)) == headings
    for passage in passages:
        above = [h for h in headings if article_text.index(f"\n{h}\n") < passage.start]
        assert passage.section == (above[-1] if above else None)
        assert not any(f"{h}\n" in passage.text for h in headings)


def test_stray_login_line_is_dropped(passages, article_text):
    assert article_text.rstrip().endswith("\nLogin")
    assert max(p.end for p in passages) < article_text.rindex("Login")
    assert not any("Login" in p.text for p in passages)


def test_us_initialism_in_the_article_does_not_split_its_sentence(passages):
    sentences = {s.text for p in passages for s in p.sentences}
    assert any(s.startswith("Reports from U.S. officials") for s in sentences)


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Putin met Dr. Pezeshkian in Ashgabat. They talked for an hour.",
        "The U.S. Senate met on Friday. It voted against the sanctions.",
        "Gen. Smith arrived on Jan. 5 at St. Mary's. He left, e.g. Tehran, later.",
    ],
)
def test_abbreviations_do_not_end_a_sentence(text):
    sentences = split_sentences(text)
    assert len(sentences) == 2
    assert " ".join(s.text for s in sentences) == text


def test_sentence_ends_with_quotes_and_marks_split_with_spans_offset():
    text = "Is it over? Yes! “It is,” he said. “Talks continue.” 2024 was busy."
    sentences = split_sentences(text, offset=100)
    assert [s.text for s in sentences] == [
        "Is it over?",
        "Yes!",
        "“It is,” he said.",
        "“Talks continue.”",
        "2024 was busy.",
    ]
    assert all(text[s.start - 100 : s.end - 100] == s.text for s in sentences)


def test_passages_never_cross_paragraphs(passages, article_text):
    for passage in passages:
        assert "\n" not in passage.text
    lines = {}
    for passage in passages:
        line_start = article_text.rfind("\n", 0, passage.start)
        assert lines.setdefault(passage.paragraph, line_start) == line_start


def test_short_paragraphs_are_never_merged_into_one_passage():
    source = "First point here. Second point here.\nThird point here. Fourth point here.\n"
    passages = chunk_article(source, window=3, overlap=1)
    assert [p.text for p in passages] == [
        "First point here. Second point here.",
        "Third point here. Fourth point here.",
    ]
    assert [p.paragraph for p in passages] == [1, 2]


@pytest.mark.parametrize(("window", "overlap"), [(3, 1), (4, 2), (2, 0)])
def test_consecutive_passages_share_exactly_the_configured_overlap(article_text, window, overlap):
    passages = chunk_article(article_text, window=window, overlap=overlap, max_tokens=10_000)
    pairs = [(p, q) for p, q in itertools.pairwise(passages) if p.paragraph == q.paragraph]
    assert pairs, "the article should have paragraphs longer than one window"
    for p, q in pairs:
        tail = p.sentences[len(p.sentences) - overlap :]
        assert len(p.sentences) == window
        assert q.sentences[:overlap] == tail
        assert set(p.sentences) & set(q.sentences) == set(tail)


def test_passages_fit_the_model_limit_counted_with_its_tokenizer(passages, embedder):
    assert all(embedder.count_tokens(p.text) <= embedder.max_tokens for p in passages)


def test_a_small_token_limit_shrinks_passages_but_keeps_them_verbatim(article_text, embedder):
    limit = 48
    passages = chunk_article(article_text, max_tokens=limit, count_tokens=embedder.count_tokens)
    default = chunk_article(article_text, count_tokens=embedder.count_tokens)
    assert len(passages) > len(default)
    for passage in passages:
        assert embedder.count_tokens(passage.text) <= limit
        assert article_text[passage.start : passage.end] == passage.text


def test_over_long_sentence_is_cut_at_word_boundaries_within_the_limit(embedder):
    sentence = "The list: " + " ".join(f"sanctions{i}" for i in range(400)) + "."
    source = f"Intro sentence here. {sentence}\n"
    passages = chunk_article(
        source, max_tokens=embedder.max_tokens, count_tokens=embedder.count_tokens
    )
    pieces = sorted({s for p in passages for s in p.sentences}, key=lambda s: s.start)[1:]
    assert len(pieces) > 1
    assert " ".join(piece.text for piece in pieces) == sentence
    for piece in pieces:
        assert source[piece.start : piece.end] == piece.text
    assert all(embedder.count_tokens(p.text) <= embedder.max_tokens for p in passages)


def test_markdown_headings_become_sections_and_the_title():
    source = (
        "# Talks in Ashgabat\n\n"
        "Putin met Pezeshkian on Friday. They talked for an hour.\n\n"
        "## the next steps, as officials see them. ##\n"
        "More talks are planned. Officials expect a treaty.\n"
    )
    passages = chunk_article(source)
    assert [p.section for p in passages] == [
        "Talks in Ashgabat",
        "the next steps, as officials see them.",
    ]
    assert not any("#" in p.text for p in passages)
    assert article_title(source) == "Talks in Ashgabat"


def test_title_of_an_article_without_heading_is_its_shortened_first_sentence(article_text):
    title = article_title(article_text)
    assert title.endswith("…")
    assert len(title) <= 81
    assert article_text.startswith(title.removesuffix("…"))


def test_article_of_only_headings_and_boilerplate_raises_article_empty():
    with pytest.raises(ArticleEmpty):
        chunk_article("Breaking News\nLogin\nSubscribe\n")


@pytest.mark.parametrize("content", [None, "", "Login\n"])
def test_engine_refuses_a_missing_or_empty_article(engine_factory, tmp_path, content):
    path = tmp_path / "article.txt"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    error = ArticleNotFound if content is None else ArticleEmpty
    with pytest.raises(error):
        engine_factory(article_path=path).load_or_build()


@pytest.mark.parametrize(
    ("paragraph", "sentences"),
    [
        (
            "Путин встретился с Пезешкианом. «Это важно», — сказал он. Встреча прошла в Ашхабаде.",
            [
                "Путин встретился с Пезешкианом.",
                "«Это важно», — сказал он.",
                "Встреча прошла в Ашхабаде.",
            ],
        ),
        (
            "پوتین با پزشکیان دیدار کرد. آیا این مهم است؟ بله مهم است.",
            ["پوتین با پزشکیان دیدار کرد.", "آیا این مهم است؟", "بله مهم است."],
        ),
        (
            "普京会见了总统。他说：“很重要。”会议在阿什哈巴德举行！",
            ["普京会见了总统。", "他说：“很重要。”", "会议在阿什哈巴德举行！"],
        ),
        ("Er sagte: „Das ist gut.“ Dann ging er.", ["Er sagte: „Das ist gut.“", "Dann ging er."]),
    ],
)
def test_sentences_of_other_scripts_end_at_their_own_marks_with_their_quotes(paragraph, sentences):
    assert [s.text for s in split_sentences(paragraph)] == sentences


TITLED = (
    "Russia and Iran move closer as their presidents meet\n\n"
    "On Friday, Putin met Pezeshkian in Ashgabat. They talked for an hour about trade.\n\n"
    "Why the deal matters\n\n"
    "The treaty binds both countries for twenty years. It was signed in January.\n"
)


def test_a_plain_text_title_line_is_the_title_and_section_not_a_passage():
    title = "Russia and Iran move closer as their presidents meet"
    passages = chunk_article(TITLED)
    assert article_title(TITLED) == title
    assert passages[0].section == title
    assert not any(title in p.text or title in s.text for p in passages for s in p.sentences)


@pytest.mark.parametrize(
    "opening",
    [
        "Putin met Pezeshkian on Friday.",  # a sentence, not a headline
        "the talks went on for hours and",  # text that continues below it
        "On Friday, Putin met Pezeshkian in Ashgabat, where the two men talked for hours "
        "about trade and arms, and then about the war in Ukraine and the sanctions",
    ],
)
def test_an_opening_line_that_reads_as_text_stays_a_passage(opening):
    source = f"{opening}\nthey said it went well. Both sides want more talks.\n"
    assert chunk_article(source)[0].text.startswith(opening.split()[0])
    assert all(p.section is None for p in chunk_article(source))


def test_sentence_case_headings_between_paragraphs_become_sections():
    assert [p.section for p in chunk_article(TITLED)][-1] == "Why the deal matters"


@pytest.mark.parametrize(
    "line",
    [
        "He left the room",  # after a paragraph, but a list item follows it
        "It was over and",  # a sentence cut at a line break
        "Two items here",  # after another short line: a list
    ],
)
def test_ordinary_short_lines_are_not_sentence_case_headings(line):
    source = (
        "Putin met Pezeshkian on Friday. They talked for an hour.\n"
        + ("Some short line\n" if line == "Two items here" else "")
        + f"{line}\n"
        + ("then something\n" if line == "He left the room" else "")
        + "The treaty binds both countries for twenty years. It was signed in January.\n"
    )
    passages = chunk_article(source)
    assert all(p.section is None for p in passages)
    assert any(p.text == line for p in passages)


def test_the_engine_never_quotes_an_article_title_line(engine_factory, tmp_path):
    path = tmp_path / "titled.txt"
    path.write_text(TITLED, encoding="utf-8")
    engine = engine_factory(article_path=path)
    answer = engine.answer("Are Russia and Iran moving closer as their presidents meet?")
    assert answer.citations
    assert all("move closer" not in c.quote for c in answer.citations)
    assert engine.articles()[0].title == "Russia and Iran move closer as their presidents meet"
