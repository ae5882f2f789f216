"""End to end: the real bot, engine and PTB Application long-polling the fake Bot API."""

import logging
import re
import socket

import httpx
import pytest

from botapi_fake import buttons, parse_html, utf16_len
from tgbot.admin import NOT_ADMIN
from tgbot.formatting import SOURCE_DATA_PREFIX as SOURCES
from tgbot.formatting import parse_callback
from tgbot.info import COMMANDS, USER_COMMANDS
from tgbot.questions import NEW_CONVERSATION, NON_TEXT_HINT, SLOW_DOWN, USAGE
from tgbot.sources import STALE_SOURCE
from wording import TOO_LONG

pytestmark = pytest.mark.asyncio(loop_scope="session")

QUESTION = "Who is the president of Iran?"
USER, OTHER = 1001, 1002
GROUP = -1001234567


# --- helpers ----------------------------------------------------------------------------------


def searched_note(record: dict) -> tuple[str, str | None]:
    """A reply's text without its "searched: ..." line, and that query (None if none)."""
    lines = record["text"].split("\n")
    notes = [i for i, line in enumerate(lines) if line.startswith("searched: ")]
    if not notes:
        return record["text"], None
    searched = lines.pop(notes[0]).removeprefix("searched: ")
    return "\n".join(lines), searched


# --- 1. questions in private chats --------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        QUESTION,
        "Did Iran send <drones> & missiles to Russia? Is 1 < 2 > 0 && x<b>y</b> &amp; ok?",
        "🚀 What did Putin say about working together in the international arena? 🤝",
    ],
)
async def test_private_question_gets_cited_answer(tg, question, assert_cited):
    reply = await tg.ask(USER, question)
    assert_cited(reply)
    assert reply["parse_mode"] == "HTML"
    await tg.server.wait_for(
        lambda: {"chat_id": USER, "action": "typing"} in tg.server.chat_actions
    )
    assert tg.server.errors == []


async def test_edited_question_is_answered_again(tg, assert_cited):
    pushed = tg.server.push_text(USER, USER, "Where is Ashgabat?")
    first = await tg.reply(pushed)
    tg.server.push_edited_text(USER, USER, pushed["message"]["message_id"], QUESTION)
    second = await tg.reply(pushed, nth=2)
    for reply in (first, second):
        assert_cited(reply)
    assert first["text"] != second["text"]
    assert tg.server.errors == []


# --- 2. source buttons --------------------------------------------------------------------------


async def test_source_buttons_open_the_passage_with_the_quote_underlined(tg, article_text, marked):
    answer = await tg.ask(USER, QUESTION)
    for n, button in enumerate(buttons(answer, SOURCES), 1):
        query_id = tg.server.push_callback(
            USER, USER, answer["message_id"], button["callback_data"]
        )
        passage = await tg.reply(answer, nth=n)
        request = parse_callback(button["callback_data"])
        assert marked(passage, "underline") == [article_text[request.start : request.end]]
        heading, _, body = passage["text"].partition("\n\n")
        assert body in article_text and article_text[request.start : request.end] in body
        # One article in the library: the passage's place is its section, not its title again.
        assert marked(passage, "bold") == [] and not heading.startswith(article_text[:20])
        assert "<u>" in passage["raw_text"] and buttons(passage, SOURCES) == []
        answered = await tg.server.wait_for(
            lambda qid=query_id: [
                a for a in tg.server.callback_answers if a["callback_query_id"] == qid
            ]
        )
        assert answered == [answered[0] | {"text": None, "show_alert": False}]
    assert tg.server.errors == []


async def test_forged_and_stale_buttons_get_a_polite_answer(tg, caplog, assert_cited):
    answer = await tg.ask(USER, QUESTION)
    real = buttons(answer, SOURCES)[0]["callback_data"]
    prefix, build_id, passage_id, start, end = real.split("|")
    forged = [
        "src|bad",
        "definitely not ours",
        f"{prefix}|{build_id}|p999-00000000|{start}|{end}",  # no such passage
        f"{prefix}|{build_id}|{passage_id}|one|two",
        f"{prefix}|{'0' * len(build_id)}|{passage_id}|{start}|{end}",  # stale: another build
    ]
    for data in forged:
        query_id = tg.server.push_callback(
            USER, USER, answer["message_id"], data, check_button=False
        )
        [answered] = await tg.server.wait_for(
            lambda qid=query_id: [
                a for a in tg.server.callback_answers if a["callback_query_id"] == qid
            ]
        )
        assert answered["text"] == STALE_SOURCE and answered["show_alert"] is True
    later = await tg.ask(USER, "Where is Ashgabat?")  # still serving, and nothing else was sent
    assert_cited(later)
    assert [m["message_id"] for m in tg.server.sent_messages(USER)] == [
        answer["message_id"],
        later["message_id"],
    ]
    assert tg.server.errors == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# --- 3. groups --------------------------------------------------------------------------------


async def test_group_answers_only_what_is_addressed_to_the_bot(tg, assert_cited):
    server, mention = tg.server, f"@{tg.username}"
    ignored = [
        server.push_text(GROUP, USER, QUESTION),
        server.push_sticker(GROUP, USER),
        server.push_text(GROUP, OTHER, f"{QUESTION} @someone_else"),
    ]
    asked = await tg.ask(GROUP, f"/ask {QUESTION}", user_id=USER)
    assert_cited(asked)
    addressed = await tg.ask(GROUP, f"/ask{mention} Where is Ashgabat?", user_id=OTHER)
    assert_cited(addressed)
    mentioned = await tg.ask(
        GROUP, f"{mention}, what did Iran join earlier this year?", user_id=OTHER
    )
    assert_cited(mentioned)
    assert mentioned["text"].startswith(
        tg.engine.answer("what did Iran join earlier this year?").text
    )
    only_mention = await tg.ask(GROUP, mention, user_id=OTHER)  # nothing left once it is stripped
    assert only_mention["text"] == USAGE
    follow_up = await tg.ask(
        GROUP,
        "And who died in a helicopter crash?",
        user_id=OTHER,
        reply_to_message_id=asked["message_id"],
    )
    assert_cited(follow_up)
    ignored.append(
        server.push_text(
            GROUP, OTHER, QUESTION, reply_to_message_id=ignored[0]["message"]["message_id"]
        )
    )  # a reply to another user
    marker = await tg.ask(GROUP, "/ask Where is Ashgabat?", user_id=USER)
    assert_cited(marker)
    assert all(tg.replies_to(update) == [] for update in ignored)
    assert len(server.sent_messages(GROUP)) == 6
    assert server.errors == []


# --- 3b. follow-up questions -------------------------------------------------------------------


async def test_private_follow_up_leans_on_the_previous_turn_and_new_starts_over(
    tg, assert_cited, marked
):
    first = await tg.ask(USER, "Who is Ebrahim Raisi?")
    assert_cited(first)
    assert searched_note(first)[1] is None
    follow_up = await tg.ask(USER, "how did he die?")
    assert_cited(follow_up)
    _, searched = searched_note(follow_up)
    assert searched is not None and "Ebrahim Raisi" in searched
    assert "helicopter" in follow_up["text"].partition("\n\nSources")[0]
    assert f"\n<i>searched: {searched}</i>\n\n" in follow_up["raw_text"]
    declined = await tg.ask(USER, "what about Zorblax?")  # a decline shows its search too
    assert "never mentions Zorblax" in declined["text"] and buttons(declined, SOURCES) == []
    assert searched_note(declined)[1] == "how did Zorblax die?"
    assert (await tg.ask(USER, "/new"))["text"] == NEW_CONVERSATION
    again = await tg.ask(USER, "how did he die?")
    assert searched_note(again)[1] is None  # nothing left to lean on
    elsewhere = await tg.ask(OTHER, "how did he die?")  # another chat, its own conversation
    assert searched_note(elsewhere)[1] is None
    assert tg.server.errors == []


async def test_group_reply_to_an_answer_continues_its_conversation(tg, assert_cited):
    mention, third = f"@{tg.username}", OTHER + 1
    asked = await tg.ask(GROUP, "/ask Who is Dmitry Peskov?", user_id=USER)
    assert_cited(asked)
    follow_up = "what will the agenda focus on according to him?"
    replied = await tg.ask(
        GROUP, follow_up, user_id=OTHER, reply_to_message_id=asked["message_id"]
    )
    assert_cited(replied)
    assert "Dmitry Peskov" in (searched_note(replied)[1] or "")
    assert "bilateral" in replied["text"].partition("\n\nSources")[0]
    own = await tg.ask(GROUP, f"{mention} {follow_up}", user_id=USER)  # USER's own context
    assert "Dmitry Peskov" in (searched_note(own)[1] or "")
    stranger = await tg.ask(GROUP, f"{mention} {follow_up}", user_id=third)  # no context
    assert searched_note(stranger)[1] is None
    assert tg.server.errors == []


# --- 4. /reindex ------------------------------------------------------------------------------


async def test_admin_reindex_keeps_answering_while_it_runs(
    bot_harness, small_engine, rebuild_gate, assert_cited
):
    tg, admin = bot_harness, bot_harness.admin_id
    await tg.start(engine=small_engine)
    old = small_engine.snapshot.manifest
    rebuild_gate.armed.set()
    started = tg.server.push_text(admin, admin, "/reindex")
    assert (await tg.reply(started))["text"].startswith("Rebuilding")
    await rebuild_gate.wait_reached()  # the rebuild is running, and held there
    again = await tg.ask(admin, "/reindex")
    assert "already running" in again["text"]
    questions = [QUESTION, "Where is Ashgabat?", "Who met for the first time?"]
    pushed = [tg.server.push_text(USER + i, USER + i, q) for i, q in enumerate(questions)]
    for update in pushed:
        assert_cited(await tg.reply(update))
    assert small_engine.rebuilding and not rebuild_gate.opened.is_set()
    rebuild_gate.opened.set()
    done = await tg.reply(started, nth=2)
    match = re.fullmatch(r"Reindex done: (\d+) passages in \d+\.\d s\.", done["text"])
    new = small_engine.snapshot.manifest
    assert match and int(match[1]) == new.passages == old.passages
    assert new.build_id != old.build_id
    after = await tg.ask(USER, QUESTION)
    assert_cited(after)
    assert all(
        parse_callback(b["callback_data"]).build_id == new.build_id
        for b in buttons(after, SOURCES)
    )
    assert tg.server.errors == []


async def test_two_reindex_commands_at_once_start_one_rebuild(
    bot_harness, small_engine, rebuild_gate
):
    tg, admin = bot_harness, bot_harness.admin_id
    await tg.start(engine=small_engine)
    rebuild_gate.armed.set()
    first, second = (tg.server.push_text(admin, admin, "/reindex") for _ in range(2))
    replies = sorted([(await tg.reply(first))["text"], (await tg.reply(second))["text"]])
    assert "already running" in replies[0] and replies[1].startswith("Rebuilding")


async def test_reindex_refused_to_non_admin_and_logged(tg, caplog):
    caplog.set_level(logging.WARNING, logger="tgbot")
    for command in ("/reindex", "/stats"):
        refusal = await tg.ask(USER, command)
        assert refusal["text"] == NOT_ADMIN
    refused = [r.getMessage() for r in caplog.records if r.name.startswith("tgbot")]
    assert len(refused) == 2 and all(str(USER) in line for line in refused)
    assert "/reindex" in refused[0] and "/stats" in refused[1]
    assert not tg.engine.rebuilding
    assert tg.server.errors == []


async def test_failed_reindex_reports_and_keeps_the_old_index(
    bot_harness, small_engine, assert_cited
):
    tg, admin = bot_harness, bot_harness.admin_id
    await tg.start(engine=small_engine)
    old = small_engine.snapshot.manifest
    (small_engine.settings.library_dir / "current").resolve().write_text("{not json")
    started = tg.server.push_text(admin, admin, "/reindex")
    assert (await tg.reply(started))["text"].startswith("Rebuilding")
    failed = await tg.reply(started, nth=2)
    assert failed["text"].startswith("Reindex failed:") and "previous index" in failed["text"]
    answer = await tg.ask(USER, QUESTION)
    assert_cited(answer)
    assert all(
        parse_callback(b["callback_data"]).build_id == old.build_id
        for b in buttons(answer, SOURCES)
    )
    assert small_engine.snapshot.manifest == old
    assert tg.server.errors == []


# --- 5. bad input and limits ------------------------------------------------------------------


async def test_bad_input_gets_a_one_line_hint(tg):
    server, limit = tg.server, tg.settings().max_question_chars
    expected = [
        (server.push_sticker(USER, USER), NON_TEXT_HINT),
        (server.push_photo(USER, USER, caption="what is this?"), NON_TEXT_HINT),
        (server.push_voice(USER, USER), NON_TEXT_HINT),
        (server.push_text(USER, USER, "/ask"), USAGE),
        (server.push_text(USER, USER, "/ask    "), USAGE),
        (
            server.push_text(USER, USER, "why " * (limit // 4) + "?"),
            TOO_LONG.format(length=limit + 1, limit=limit),
        ),
    ]
    for pushed, text in expected:
        assert (await tg.reply(pushed))["text"] == text
    unknown = await tg.ask(USER, "/frobnicate now")
    assert "/help" in unknown["text"] and "\n" not in unknown["text"]
    assert all(len(tg.replies_to(pushed)) == 1 for pushed, _ in expected)
    assert server.errors == []


async def test_rate_limit_asks_the_user_to_slow_down(bot_harness, assert_cited):
    tg = bot_harness
    await tg.start(rate_limit_per_minute=3)
    questions = [QUESTION, "Where is Ashgabat?", "Who died in a helicopter crash?", QUESTION]
    pushed = [tg.server.push_text(USER, USER, q) for q in questions]
    replies = [await tg.reply(update) for update in pushed]
    for reply in replies[:3]:
        assert_cited(reply)
    assert replies[3]["text"] == SLOW_DOWN
    assert_cited(await tg.ask(OTHER, QUESTION))  # per user
    assert tg.server.errors == []


# --- 6. and 7. flood control and load ---------------------------------------------------------


@pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")
async def test_flood_control_429_on_an_answer_is_retried(tg, assert_cited):
    tg.server.fail_next("sendMessage", count=1, retry_after=1)
    assert_cited(await tg.ask(USER, QUESTION))
    assert tg.server.rate_limited_count == 1
    assert [(e["method"], e["error_code"]) for e in tg.server.errors] == [("sendMessage", 429)]
    assert len(tg.server.sent_messages(USER)) == 1


@pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")
async def test_flood_control_429_on_typing_delays_only_the_typing(tg, assert_cited):
    tg.server.fail_next("sendChatAction", count=1, retry_after=1)
    assert_cited(await tg.ask(USER, QUESTION))
    assert tg.server.rate_limited_count == 1 and tg.server.chat_actions == []  # not waited for
    retried = await tg.server.wait_for(lambda: tg.server.chat_actions, tg.timeout)
    assert retried == [{"chat_id": USER, "action": "typing"}]


@pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")
async def test_flood_control_429_on_a_callback_answer_does_not_delay_the_source(tg, marked):
    answer = await tg.ask(USER, QUESTION)
    tg.server.fail_next("answerCallbackQuery", count=1, retry_after=3)
    data = buttons(answer, SOURCES)[0]["callback_data"]
    tg.server.push_callback(USER, USER, answer["message_id"], data)
    passage = await tg.reply(answer)
    assert marked(passage, "underline")
    assert tg.server.callback_answers == []  # the passage did not wait for the retry
    await tg.server.wait_for(lambda: tg.server.callback_answers, tg.timeout)


async def test_fifty_users_at_once_are_all_answered(tg, dev_answers, assert_cited, monkeypatch):
    batches: list[int] = []
    answer_many = tg.engine.answer_many

    def counting(questions, histories=None, article_id=None):
        batches.append(len(questions))
        return answer_many(questions, histories, article_id)

    monkeypatch.setattr(tg.engine, "answer_many", counting)
    answerable = [q.text for q, a in dev_answers if not a.abstained]
    chats = range(50_000, 50_050)
    pushed = [
        tg.server.push_text(chat, chat, answerable[i % len(answerable)])
        for i, chat in enumerate(chats)
    ]
    for update in pushed:
        assert_cited(await tg.reply(update))
    assert sum(batches) == 50 and len(batches) < 50  # batched into few model calls
    assert all(len(tg.server.sent_messages(chat)) == 1 for chat in chats)
    assert tg.server.errors == []


# --- 8. information commands ------------------------------------------------------------------


async def test_start_help_sources_and_commands(tg):
    manifest = tg.engine.snapshot.manifest
    start = await tg.ask(USER, "/start")
    assert manifest.built_at in start["text"]
    titles = [a.title for a in tg.engine.snapshot.articles]
    assert [f"{i}. {t}" for i, t in enumerate(titles, 1)] == [
        line for line in start["text"].splitlines() if re.match(r"\d+\. ", line)
    ]
    examples = [line for line in start["text"].splitlines() if line.startswith("• ")]
    assert len(examples) == 3
    sections = zip(manifest.sections[:2], examples[1:], strict=True)
    assert all(name in line for name, line in sections)
    help_text = (await tg.ask(USER, "/help"))["text"]
    assert all(f"/{c.command}" in help_text for c in COMMANDS)
    for command in ("/sources", "/article"):
        text = (await tg.ask(USER, command))["text"]
        assert all(f". {name}" in text for name in manifest.sections)
        assert f"{manifest.passages} passages" in text and manifest.built_at in text
    assert tg.server.commands == [
        {"command": c.command, "description": c.description} for c in USER_COMMANDS
    ]
    admin_scope = {"type": "chat", "chat_id": tg.admin_id}
    assert tg.server.commands_for(admin_scope) == [
        {"command": c.command, "description": c.description} for c in COMMANDS
    ]
    assert tg.server.errors == []


# --- 9. long messages -------------------------------------------------------------------------


def synthetic_article(sections: int) -> str:
    """Markdown with many short, markup-hostile section headings, one sentence under each."""
    syllables = ["ka", "lo", "mi", "ru", "te", "vo", "zi", "na", "pe", "so"]
    lines = ["# The Harbour Almanac & <Ledger>", ""]
    for i in range(1, sections + 1):
        name = "".join(syllables[int(d)] for d in f"{i:03d}").capitalize()
        lines += [
            f"## {name} & <dock> 🚢",
            f"The {name} harbour shipped {i * 7} crates of {name.lower()}wood in {1800 + i}.",
            "",
        ]
    return "\n".join(lines)


async def test_long_sources_message_is_split_cleanly(bot_harness, engine_factory, tmp_path):
    path = tmp_path / "almanac.md"
    path.write_text(synthetic_article(400), encoding="utf-8")
    engine = engine_factory(article_path=path)
    engine.load_or_build()
    manifest = engine.snapshot.manifest
    tg = bot_harness
    await tg.start(engine=engine)
    pushed = tg.server.push_text(USER, USER, "/sources")
    await tg.server.wait_for(
        lambda: any("Index:" in m["text"] for m in tg.server.sent_messages(USER)), tg.timeout
    )
    pages = tg.server.sent_messages(USER)
    assert len(pages) >= 3 and tg.replies_to(pushed) == pages[:1]
    assert all(utf16_len(page["text"]) <= 4096 for page in pages)
    assert all(parse_html(page["raw_text"])[0] == page["text"] for page in pages)
    lines = [line for page in pages for line in page["text"].splitlines()]
    assert [f"{i}. {name}" for i, name in enumerate(manifest.sections, 1)] == [
        line for line in lines if re.match(r"\d+\. ", line)
    ]  # every section listed once, in order, none cut between pages
    assert tg.server.errors == []


# --- 10. abstention ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question", ["Who won the World Cup in 2018?", "Who is <b>Zorblax</b> & Quintavius?"]
)
async def test_abstention_says_so_and_lists_the_sections(tg, marked, fixed_outcome, question):
    fixed_outcome("declined")
    answer = tg.engine.answer(question)
    assert answer.abstained
    reply = await tg.ask(USER, question)
    assert reply["text"].startswith(answer.text) and "doesn't cover" in reply["text"]
    [topics] = marked(reply, "italic")
    assert topics.split(", ") == list(tg.engine.snapshot.manifest.sections[:6])
    assert buttons(reply, SOURCES) == [] and "[1]" not in reply["text"]
    assert tg.server.errors == []


# --- 11. the token stays out of the logs ------------------------------------------------------


async def test_token_never_reaches_the_logs(bot_harness, redacted_logs):
    # Let httpx log request URLs, which carry the token (redacted_logs restores its level).
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    tg = bot_harness
    await tg.start()
    await tg.ask(USER, QUESTION)
    await tg.ask(USER, "/reindex")
    answer = await tg.ask(USER, "Where is Ashgabat?")
    tg.server.push_callback(USER, USER, answer["message_id"], "src|bad", check_button=False)
    await tg.server.wait_for(lambda: tg.server.callback_answers)
    await tg.stop()
    records = redacted_logs.records
    assert any("/bot<token>/" in r.getMessage() for r in records if r.name == "httpx")
    assert any(r.name.startswith("telegram") for r in records)
    refusals = [r.getMessage() for r in records if r.name.startswith("tgbot")]
    assert any(str(USER) in line and "reindex" in line for line in refusals)  # kept intact
    assert tg.token not in redacted_logs.text
    for record in records:
        assert tg.token not in record.getMessage()
        assert tg.token not in repr(record.args) and tg.token not in str(record.exc_text)


# --- Webhook mode: PTB's webhook server in front of the same Application, secret checked ---

SECRET = "webhook-s3cret"
WEBHOOK_USER = 555


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def webhook(bot_harness):
    """The bot serving a webhook on 127.0.0.1 (registered with the fake server) and its URL."""
    port = _free_port()
    # Telegram posts to the public HTTPS URL; a TLS proxy forwards it to the local listener.
    settings = bot_harness.settings(
        webhook_url=f"https://bot.example.org:{port}/telegram-hook",
        webhook_secret=SECRET,
        webhook_listen="127.0.0.1",
        webhook_port=port,
    )
    await bot_harness.start_webhook(settings)
    yield bot_harness, f"http://127.0.0.1:{port}/telegram-hook"


def _update(update_id: int, text: str) -> dict:
    chat = {"id": WEBHOOK_USER, "type": "private", "first_name": "User"}
    sender = {"id": WEBHOOK_USER, "is_bot": False, "first_name": "User"}
    message = {"message_id": update_id, "date": 0, "chat": chat, "from": sender, "text": text}
    return {"update_id": update_id, "message": message}


async def test_webhook_refuses_a_request_without_the_secret(webhook):
    harness, url = webhook
    async with httpx.AsyncClient() as client:
        missing = await client.post(url, json=_update(1, "Who is Mishustin?"))
        wrong = await client.post(
            url,
            json=_update(2, "Who is Mishustin?"),
            headers={"X-Telegram-Bot-Api-Secret-Token": "guess"},
        )
    assert missing.status_code == wrong.status_code == 403
    assert harness.server.sent_messages(WEBHOOK_USER) == []


async def test_webhook_answers_an_update_carrying_the_secret(webhook, assert_cited):
    harness, url = webhook
    # Recorded by the fake server (so the reply can quote it), delivered by webhook instead.
    update = harness.server.push_text(WEBHOOK_USER, WEBHOOK_USER, "Who is Mikhail Mishustin?")
    async with httpx.AsyncClient() as client:
        response = await client.post(
            url,
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
    assert response.status_code == 200
    [reply] = await harness.server.wait_for_messages(WEBHOOK_USER, 1, timeout=harness.timeout)
    assert_cited(reply)
    assert "setWebhook" in harness.server.calls
