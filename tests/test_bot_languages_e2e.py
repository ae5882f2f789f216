"""End to end: readers writing in Russian and Persian get cited answers framed in their
language, over the English article and over a Russian one an admin uploads; a Persian decline
reads right to left. The real bot, engine and models, through the fake Bot API."""

import pytest
from samples import ORCHARD_RU
from test_library_e2e import add, upload

import wording
from botapi_fake import buttons
from tgbot.formatting import SOURCE_DATA_PREFIX as SOURCES
from wording.direction import RLM

pytestmark = pytest.mark.asyncio(loop_scope="session")

USER = 3001


def said(language: str, message: str) -> str:
    """One of the bot's fixed texts as the catalog of ``language`` words it."""
    return wording.translator(language).gettext(message)


@pytest.mark.parametrize(
    ("question", "language"),
    [("Где прошла встреча Путина и Пезешкиана?", "ru"), ("دیدار پوتین و پزشکیان کجا بود؟", "fa")],
)
async def test_a_question_in_russian_or_persian_gets_a_cited_answer_framed_in_it(
    tg, article_text, question, language
):
    reply = await tg.ask(USER, question)
    assert buttons(reply, SOURCES), reply["text"]
    assert said(language, wording.SOURCES) in reply["text"]
    assert "Ashgabat" in reply["text"]  # the quote: the article's own English words
    assert said(language, wording.NOT_COVERED) not in reply["text"]
    assert reply["text"].startswith(RLM) == (language == "fa")
    assert tg.server.errors == []


async def test_a_persian_decline_reads_right_to_left_in_persian(tg):
    reply = await tg.ask(USER, "بهترین دستور پخت پیتزا چیست؟")  # the best pizza recipe
    assert buttons(reply, SOURCES) == []
    assert reply["text"].startswith(RLM)
    assert said("fa", wording.NOT_COVERED) in reply["text"]
    assert tg.server.errors == []


async def test_an_off_topic_russian_question_is_declined_in_russian(tg):
    reply = await tg.ask(USER, "Какой рецепт лучшей пиццы?")
    assert buttons(reply, SOURCES) == []
    assert said("ru", wording.NOT_COVERED) in reply["text"]


@pytest.fixture
async def lib(bot_harness, small_engine):
    """The bot on an engine of its own (a short English article)."""
    await bot_harness.start(engine=small_engine)
    return bot_harness


async def upload_russian(lib, engine):
    """The admin uploads the Russian article; its record says Russian."""
    await add(lib, await upload(lib, ORCHARD_RU.encode(), "sad.md", "text/markdown"))
    [russian] = [a for a in engine.articles() if a.title == "Сад Вельдт"]
    assert russian.language == "ru"


async def test_a_russian_article_is_uploaded_then_asked_in_russian(lib, small_engine):
    await upload_russian(lib, small_engine)
    reply = await lib.ask(USER, "Сколько деревьев айвы растёт в саду?")
    assert "340 деревьев айвы" in reply["text"] and buttons(reply, SOURCES)
    assert said("ru", wording.SOURCES) in reply["text"]
    assert lib.server.errors == []


@pytest.mark.xfail(
    strict=True,
    reason="known gap: the search now finds the orchard article (tests/test_hybrid.py), but "
    "e5-small ranks the harvest sentence above the one with the 340 trees for this English "
    "question, and the relevance model declines that passage. Held out, 14 of the foreign "
    "tuning articles' 22 English questions get their passage first in a mixed library",
)
async def test_a_russian_article_is_asked_about_in_english(lib, small_engine):
    await upload_russian(lib, small_engine)
    reply = await lib.ask(USER, "How many quince trees grow in the orchard?")
    assert "340 деревьев айвы" in reply["text"] and buttons(reply, SOURCES)
