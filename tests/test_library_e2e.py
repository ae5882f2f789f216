"""End to end: admins add, replace, remove and roll back articles from the chat; readers
choose one. The real bot, engine and library, a document served by the fake Bot API server,
links served by a web server on 127.0.0.1."""

import re

import pytest
from samples import ARTICLE, FIRST, LONG, SECOND, drawing_only_pdf, html_page, pdf_document

from botapi_fake import buttons
from retrieval import SanityCheckFailed
from tgbot import library_admin
from tgbot.admin import NOT_ADMIN
from tgbot.formatting import SOURCE_DATA_PREFIX as SOURCES
from tgbot.formatting import parse_callback, shorten
from tgbot.library_admin import BUSY, EXPIRED
from tgbot.library_format import quoted_title
from tgbot.questions import NON_TEXT_HINT

pytestmark = pytest.mark.asyncio(loop_scope="session")

USER = 1001
NOTES = (
    "# Orchard Notes\n\n"
    "The Veldt orchard grows 340 quince trees on the northern slope. The trees were planted "
    "by Mara Ellison in 1962, after the great frost.\n\n"
    "## Harvest\n\n"
    "Each October the pickers bring in about nine tonnes of quinces. Most of the fruit is "
    "sold to a jam maker in Dunmore, and the rest goes to the village market.\n"
)
ADDED = re.compile(
    r"(Added|Replaced) “(.+)”: (\d+) passages in \d+\.\d s\. "
    r"The library now has \d+ articles, \d+ passages\."
)


def press(tg, record: dict, label: str, user: int | None = None) -> str:
    """Press the button of ``record`` (as it was sent) whose text starts with ``label``; the
    query id. The button may be gone from the message since: a stale press."""
    [button] = [b for b in buttons(record) if b["text"].startswith(label)]
    user = user or tg.admin_id
    return tg.server.push_callback(
        record["chat_id"], user, record["message_id"], button["callback_data"], check_button=False
    )


async def callback_answer(tg, query_id: str) -> dict:
    """What the bot answered to a button press (the alert or toast)."""
    [answer] = await tg.server.wait_for(
        lambda: [a for a in tg.server.callback_answers if a["callback_query_id"] == query_id],
        tg.timeout,
    )
    return answer


async def upload(tg, data: bytes, name: str, mime: str | None = None, **kwargs) -> dict:
    """An admin sends a document; the bot's first reply (a preview, or a refusal)."""
    pushed = tg.server.push_document(tg.admin_id, tg.admin_id, data, name, mime, **kwargs)
    return await tg.reply(pushed)


async def send_link(tg, url: str, user: int | None = None) -> dict:
    """A user (the admin by default) sends a link; the bot's reply."""
    user = user or tg.admin_id
    return await tg.reply(tg.server.push_text(user, user, f"Please add {url}"))


async def add(tg, preview: dict, label: str = "Add as a new article") -> re.Match:
    """Press Add (or a Replace) on a preview and wait for the outcome line."""
    press(tg, preview, label)
    started = await tg.reply(preview)
    assert "I keep answering from the current library" in started["text"]
    done = await tg.reply(preview, nth=2)
    match = ADDED.fullmatch(done["text"])
    assert match, done["text"]
    return match


@pytest.fixture
async def lib(bot_harness, small_engine, pages):
    """The bot on an engine of its own (a small article), links to 127.0.0.1 allowed."""
    await bot_harness.start(
        engine=small_engine, allow_private_urls=True, fetch_timeout=1.0, max_document_bytes=200_000
    )
    return bot_harness


def library_state(engine) -> tuple:
    """What must not change after a refused upload: the articles and the serving build."""
    return engine.articles(), engine.snapshot.manifest.build_id


# --- adding --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "mime", "title", "question", "answer"),
    [
        (NOTES.encode(), "orchard.txt", "text/plain", "Orchard Notes",
         "How many quince trees grow in the Veldt orchard?", "340 quince trees"),
        (html_page(ARTICLE), "lomira.html", "text/html", "The Lomira Timber Trade",
         "How many crates of pinewood did the harbour of Lomira ship?", "420 crates"),
        (pdf_document(LONG, FIRST), "keepers.pdf", "application/pdf", "The Lighthouse Keepers",
         "Which family kept the lighthouse on Vell Island?", "Marr family"),
    ],
)  # fmt: skip
async def test_admin_adds_a_document_after_a_preview(
    lib, small_engine, entity_texts, data, name, mime, title, question, answer
):
    before = small_engine.articles()
    preview = await upload(lib, data, name, mime)
    text = preview["text"]
    assert text.startswith(f"Preview: {title}\nSource: {name}\nLength: ")
    assert re.search(r"\nPassages: \d+\n", text) and "\nOpens with: “" in text
    assert "Nothing changes until you choose below." in text
    labels = [b["text"] for b in buttons(preview)]
    replace = [f"Replace {quoted_title(a.title)}" for a in before]
    assert labels == ["Add as a new article", *replace, "Cancel"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons(preview))
    assert small_engine.articles() == before  # nothing changes before the admin confirms
    outcome = await add(lib, preview)
    assert outcome[2] == title
    after = small_engine.articles()
    assert [a.title for a in after] == [a.title for a in before] + [title]
    assert int(outcome[3]) == len(small_engine.snapshot.rows[after[-1].id]) > 0
    assert after[-1].added_by == lib.admin_id and after[-1].source == name
    assert not lib.server.message(lib.admin_id, preview["message_id"]).get("reply_markup")

    reply = await lib.ask(USER, question)
    assert answer in reply["text"]
    bold = entity_texts(reply["text"], reply["entities"], "bold")
    assert title in bold  # the Sources block names the article
    source = buttons(reply, SOURCES)[0]
    lib.server.push_callback(USER, USER, reply["message_id"], source["callback_data"])
    passage = await lib.reply(reply)
    assert passage["text"].startswith(f"{title} · ")
    if name.endswith(".html"):  # its byline and meta tags, kept in the library
        assert passage["text"].startswith(f"{title} · by Jane Doe · published 2024-05-01 · ")
    assert (
        parse_callback(source["callback_data"]).build_id == small_engine.snapshot.manifest.build_id
    )
    assert lib.server.errors == []


async def test_admin_adds_a_page_from_a_link(lib, small_engine, pages):
    url = pages.add("/2024/05/lomira", html_page(ARTICLE))
    preview = await send_link(lib, pages.redirect("/s/lomira", url))
    assert preview["text"].startswith(f"Preview: The Lomira Timber Trade\nSource: {url}\n")
    await add(lib, preview)
    assert small_engine.articles()[-1].source == url
    reply = await lib.ask(USER, "What sank two ships near the cape?")
    assert "storms" in reply["text"] and "The Lomira Timber Trade" in reply["text"]


async def test_cancel_changes_nothing(lib, small_engine):
    before = library_state(small_engine)
    preview = await upload(lib, NOTES.encode(), "orchard.md")
    press(lib, preview, "Cancel")
    assert (await lib.reply(preview))["text"] == "Cancelled. Nothing was added."
    assert library_state(small_engine) == before
    again = press(lib, preview, "Add as a new article")  # the message still has it in Telegram
    assert (await callback_answer(lib, again))["text"] == EXPIRED
    assert library_state(small_engine) == before


# --- replace, remove, rollback -------------------------------------------------------------------


async def test_replace_remove_and_rollback(lib, small_engine):
    first = small_engine.articles()[0]
    await add(lib, await upload(lib, html_page(ARTICLE), "lomira.html"))
    lomira = small_engine.articles()[-1]

    preview = await upload(lib, pdf_document(LONG, SECOND), "keepers.pdf")
    outcome = await add(lib, preview, "Replace “The Lomira Timber Trade”")
    assert outcome[1] == "Replaced"
    replaced = small_engine.articles()[-1]
    assert (replaced.id, replaced.title, replaced.version) == (
        lomira.id,
        "The Lighthouse Keepers",
        2,
    )
    assert len(small_engine.articles()) == 2
    assert "Marr family" in (await lib.ask(USER, "Which family kept the lighthouse?"))["text"]

    listing = await lib.ask(lib.admin_id, "/articles")
    for article in small_engine.articles():
        assert (
            f"id {article.id}" in listing["text"]
            and f"source: {article.source}" in listing["text"]
        )
    assert f"added {replaced.added_at} by {lib.admin_id}" in listing["text"]
    press(lib, listing, "Remove 2")
    removing = await lib.reply(listing)
    assert removing["text"].startswith("Removing")
    removed = await lib.reply(listing, nth=2)
    assert removed["text"].startswith("Removed “The Lighthouse Keepers”")
    assert [a.id for a in small_engine.articles()] == [first.id]

    rolled = await lib.ask(lib.admin_id, "/rollback")
    assert rolled["text"].startswith("Rolling back")
    done = await lib.server.wait_for(
        lambda: [
            m
            for m in lib.server.sent_messages(lib.admin_id)
            if m["text"].startswith("Rolled back")
        ],
        lib.timeout,
    )
    assert "The library now has 2 articles" in done[0]["text"]
    assert [a.title for a in small_engine.articles()] == [first.title, "The Lighthouse Keepers"]
    assert lib.server.errors == []


async def test_admin_sees_an_articles_extracted_text(lib, small_engine):
    await add(lib, await upload(lib, NOTES.encode(), "orchard.txt"))
    listing = await lib.ask(lib.admin_id, "/articles")
    press(lib, listing, "Text 2")
    [sent] = await lib.server.wait_for(lambda: lib.server.files.sent, lib.timeout)
    assert sent["data"].decode() == NOTES and "Orchard Notes" in sent["caption"]


# --- readers -------------------------------------------------------------------------------------


async def test_readers_see_titles_and_pick_an_article_for_their_chat(lib, small_engine):
    await add(lib, await upload(lib, NOTES.encode(), "orchard.txt"))
    first, _ = small_engine.articles()
    listing = await lib.ask(USER, "/articles")
    assert first.title in listing["text"] and "Orchard Notes" in listing["text"]
    assert "id " not in listing["text"] and "source:" not in listing["text"]
    labels = [f"1. {shorten(first.title, 40)}", "2. Orchard Notes", "All articles ✓"]
    assert [b["text"] for b in buttons(listing)] == labels

    overview = await lib.ask(USER, "What is the article about?")  # two articles: which one?
    assert overview["text"].startswith("I know 2 articles:") and "Which one" in overview["text"]
    assert [b["text"] for b in buttons(overview)][1] == "2. Orchard Notes"

    press(lib, listing, "2. Orchard Notes", user=USER)
    assert "“Orchard Notes” only" in (await lib.reply(listing))["text"]
    answer = await lib.ask(USER, "What is the article about?")
    assert "Veldt orchard" in answer["text"]
    author = await lib.ask(USER, "who wrote this story?")  # a Markdown file: it doesn't say
    assert author["text"].startswith("“Orchard Notes” doesn't say who wrote it.")
    other = await lib.ask(USER, "Who met for the first time?")  # from the chosen article only
    assert (
        "Orchard Notes" in other["text"] and first.title not in other["text"].split("Sources")[-1]
    )
    elsewhere = await lib.ask(USER + 1, "What is the article about?")  # another chat: unchanged
    assert elsewhere["text"].startswith("I know 2 articles:")

    press(lib, listing, "All articles", user=USER)
    assert "all articles" in (await lib.reply(listing, nth=2))["text"]
    assert (await lib.ask(USER, "What is the article about?"))["text"].startswith("I know 2")


async def test_readers_cannot_remove_or_read_out_articles(lib, small_engine):
    listing = await lib.ask(lib.admin_id, "/articles")
    data = next(b["callback_data"] for b in buttons(listing) if b["text"].startswith("Remove"))
    chat = lib.server.push_text(USER, USER, "/articles")  # a reader's own copy of the message
    reader = await lib.reply(chat)
    query = lib.server.push_callback(USER, USER, reader["message_id"], data, check_button=False)
    assert (await callback_answer(lib, query))["text"] == NOT_ADMIN
    assert len(small_engine.articles()) == 1


# --- who may upload ------------------------------------------------------------------------------


async def test_a_readers_document_or_link_is_not_downloaded(lib, small_engine, pages):
    url = pages.add("/page", html_page(ARTICLE))
    pushed = lib.server.push_document(USER, USER, NOTES.encode(), "orchard.txt", "text/plain")
    assert (await lib.reply(pushed))["text"] == NON_TEXT_HINT
    assert (await send_link(lib, url, user=USER))["text"] == NON_TEXT_HINT
    assert lib.server.files.downloads == [] and pages.requests == []
    assert len(small_engine.articles()) == 1


# --- bad input -----------------------------------------------------------------------------------


async def test_bad_uploads_get_one_line_and_leave_the_library_as_it_was(lib, small_engine, pages):
    before = library_state(small_engine)
    pdf, text = "application/pdf", "text/plain"
    cases = [  # (document, name, type, claimed size), what the reply says
        ((b"x", "huge.pdf", pdf, 25 * 1024 * 1024), "That file is 26.2 MB"),
        ((b"x" * 10, "big.txt", text, 300_000), "That file is 0.3 MB"),
        ((b"PK\x03\x04", "report.docx", None, None), ".docx documents are not supported"),
        ((b"", "empty.txt", text, None), "the document is empty"),
        ((drawing_only_pdf(), "scan.pdf", pdf, None), "no text layer"),
        ((html_page("<nav><a>Login</a></nav>"), "shop.html", "text/html", None), "no article"),
        ((bytes(range(1, 256)) * 8, "notes.txt", text, None), "is not a text file"),
        ((bytes(range(255, -1, -1)) * 8, "random.pdf", pdf, None), "the file is not a PDF"),
    ]
    for (data, name, mime, size), expected in cases:
        reply = await upload(lib, data, name, mime, file_size=size)
        assert expected in reply["text"] and "\n" not in reply["text"], reply["text"]
        assert buttons(reply) == []
    assert len(lib.server.files.downloads) == 6  # the two oversized files were never fetched

    slow = pages.add("/slow", html_page(ARTICLE), delay=2.0)
    for hop in range(8):
        pages.redirect(f"/hop{hop}", f"/hop{hop + 1}")
    links = [
        (slow, "did not answer in 1 s"),
        (pages.url("/hop0"), "redirects more than 5 times"),
        (pages.add("/big", b"y" * 300_000, content_type="text/plain"), "larger than 0.2 MB"),
        (pages.add("/logo", b"\x89PNG", content_type="image/png"), "serves image/png"),
    ]
    for url, expected in links:
        reply = await send_link(lib, url)
        assert reply["text"].startswith("I can't add that: ") and expected in reply["text"]
        assert "\n" not in reply["text"]
    assert library_state(small_engine) == before
    assert lib.server.errors == []


def slot_busy_at_each_reply(app, monkeypatch) -> list[bool]:
    """Whether the upload slot is claimed as each of the admin handlers' plain replies is
    sent, in order (filled as they are)."""
    uploads, sent = app.bot_data["services"].uploads, library_admin.reply_plain
    busy: list[bool] = []

    async def reply_plain(message, text):
        busy.append(uploads.busy)
        return await sent(message, text)

    monkeypatch.setattr(library_admin, "reply_plain", reply_plain)
    return busy


async def test_the_upload_slot_is_free_before_the_refusal_is_sent(
    bot_harness, small_engine, monkeypatch
):
    """An admin may send the next file as soon as the refusal arrives: no "still working"."""
    app = await bot_harness.start(engine=small_engine)
    busy_when_replying = slot_busy_at_each_reply(app, monkeypatch)
    reply = await upload(bot_harness, b"", "empty.txt", "text/plain")
    assert "the document is empty" in reply["text"]
    assert busy_when_replying == [False]


async def test_a_failed_add_says_so_with_the_slot_free_and_the_library_as_it_was(
    lib, small_engine, monkeypatch
):
    """The build fails (its check, say): one line says so, and the next upload is taken."""
    before = library_state(small_engine)

    def failing_add(*args, **kwargs):
        raise SanityCheckFailed("the new index answers nothing")

    preview = await upload(lib, NOTES.encode(), "orchard.txt", "text/plain")
    monkeypatch.setattr(small_engine, "add_article", failing_add)
    busy_when_replying = slot_busy_at_each_reply(lib.apps[-1], monkeypatch)
    press(lib, preview, "Add as a new article")
    await lib.reply(preview)
    failed = await lib.reply(preview, nth=2)
    assert failed["text"] == (
        "Adding failed: the new index answers nothing. The library is unchanged."
    )
    assert busy_when_replying == [True, False]  # "Adding …" while it builds, then the outcome
    assert library_state(small_engine) == before and lib.server.errors == []


async def test_a_link_to_this_machine_is_refused_by_default(bot_harness, small_engine, pages):
    await bot_harness.start(engine=small_engine)
    url = pages.add("/admin", html_page(ARTICLE))
    reply = await send_link(bot_harness, url)
    assert reply["text"] == (
        "I can't add that: 127.0.0.1 resolves to 127.0.0.1, which is not a public address."
    )
    assert pages.requests == [] and len(small_engine.articles()) == 1


async def test_a_second_upload_while_one_is_read_is_refused(lib, small_engine, pages):
    slow = pages.add("/slowish", html_page(ARTICLE), delay=0.8)
    first = lib.server.push_text(lib.admin_id, lib.admin_id, slow)
    await lib.server.wait_for(lambda: pages.requests, lib.timeout)  # the bot is fetching it
    second = await upload(lib, NOTES.encode(), "orchard.txt")
    assert second["text"] == BUSY
    assert (await lib.reply(first))["text"].startswith("Preview: The Lomira Timber Trade")


# --- answers keep coming -------------------------------------------------------------------------


async def test_questions_are_answered_while_an_article_is_added(
    lib, small_engine, rebuild_gate, assert_cited
):
    old = small_engine.snapshot.manifest
    preview = await upload(lib, NOTES.encode(), "orchard.txt")
    rebuild_gate.armed.set()
    press(lib, preview, "Add as a new article")
    await rebuild_gate.wait_reached()  # the new index is being built, and held there
    busy = await upload(lib, html_page(ARTICLE), "lomira.html")
    assert busy["text"] == BUSY
    reply = await lib.ask(USER, "Who met for the first time?")
    assert_cited(reply)
    sources = buttons(reply, SOURCES)
    assert all(parse_callback(b["callback_data"]).build_id == old.build_id for b in sources)
    assert len(small_engine.articles()) == 1 and small_engine.rebuilding
    rebuild_gate.opened.set()
    assert ADDED.fullmatch((await lib.reply(preview, nth=2))["text"])
    assert len(small_engine.articles()) == 2
    assert small_engine.snapshot.manifest.build_id != old.build_id
