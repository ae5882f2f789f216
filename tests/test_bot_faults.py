"""End to end under faults: bad restarts, a flaky or slow network, abuse and odd input.

Each test drives the real bot, engine and PTB Application against the fake Bot API server,
with the server injecting the fault (a 5xx, a slow response, a blocked chat, an expired
callback query, a failing getUpdates) or the files on disk holding it.
"""

import asyncio
import contextlib
import itertools
import logging
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from botapi_fake import buttons
from retrieval.index import store
from tgbot.errors import SOMETHING_WRONG
from tgbot.formatting import SOURCE_DATA_PREFIX as SOURCES
from tgbot.formatting import parse_callback
from tgbot.info import USER_COMMANDS
from tgbot.questions import SLOW_DOWN, USAGE
from tgbot.sources import ALREADY_SENT

pytestmark = pytest.mark.asyncio(loop_scope="session")

QUESTION = "Who is the president of Iran?"
USER, OTHER = 2001, 2002
GROUP = -1007654321


def build_ids(record: dict) -> set[str]:
    """The index builds that the source buttons of an answer point at."""
    return {parse_callback(b["callback_data"]).build_id for b in buttons(record, SOURCES)}


def records_at(caplog, level: int) -> list[logging.LogRecord]:
    """Log records at ``level`` or above from the bot and PTB."""
    return [r for r in caplog.records if r.levelno >= level]


def assert_no_tracebacks(caplog) -> None:
    assert records_at(caplog, logging.ERROR) == []
    assert [r for r in caplog.records if r.exc_info] == []


# --- 1.-3. restarts and shutdown around a rebuild ------------------------------------------


@pytest.mark.parametrize(
    ("bad_article", "reason"),
    [
        ("", "article file is empty"),
        ("The harbour is calm and the boats are in.\n\n" * 40, "find themselves"),
    ],
    ids=["empty", "fails-sanity-check"],
)
async def test_restart_after_a_bad_edit_serves_the_last_good_index_and_tells_admins(
    bot_harness, small_engine, engine_factory, caplog, assert_cited, bad_article, reason
):
    tg, admin = bot_harness, bot_harness.admin_id
    old = small_engine.snapshot.manifest
    small_engine.settings.article_path.write_text(bad_article, encoding="utf-8")
    tg.server.add_chat(admin)
    restarted = engine_factory(article_path=small_engine.settings.article_path)
    await tg.start(engine=restarted)
    answer = await tg.ask(USER, QUESTION)
    assert_cited(answer)
    assert build_ids(answer) == {old.build_id}
    [told] = await tg.server.wait_for_messages(admin, 1, timeout=tg.timeout)
    assert reason in told["text"] and "Still serving" in told["text"]
    assert old.built_at in told["text"]
    assert any("serving the index built at" in r.getMessage() for r in caplog.records)
    assert store.read_manifest(small_engine.settings.index_dir) == old
    assert tg.server.errors == []


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """``folder`` made unwritable: by its mode, or for root (whom modes don't stop) by the
    immutable attribute."""
    as_root = os.geteuid() == 0
    lock, unlock = (["chattr", "+i"], ["chattr", "-i"]) if as_root else (None, None)
    if lock is None:
        folder.chmod(0o555)
    elif subprocess.run([*lock, str(folder)], capture_output=True).returncode != 0:
        pytest.skip("cannot make a folder read-only for root here (no chattr)")
    try:
        yield
    finally:
        if unlock is None:
            folder.chmod(0o755)
        else:
            subprocess.run([*unlock, str(folder)], check=True)


async def test_restart_with_a_changed_article_and_a_read_only_index_dir_serves_the_old_one(
    bot_harness, small_engine, engine_factory, article_text, assert_cited
):
    tg, admin = bot_harness, bot_harness.admin_id
    old = small_engine.snapshot.manifest
    path = small_engine.settings.article_path
    path.write_text("\n".join(article_text.splitlines()[:9]) + "\n", encoding="utf-8")
    tg.server.add_chat(admin)
    with read_only(small_engine.settings.index_dir):
        await tg.start(engine=engine_factory(article_path=path))
        answer = await tg.ask(USER, QUESTION)
        assert_cited(answer)
        assert build_ids(answer) == {old.build_id}
        [told] = await tg.server.wait_for_messages(admin, 1, timeout=tg.timeout)
        assert "cannot write the index" in told["text"] and "article changed" in told["text"]
    assert store.read_manifest(small_engine.settings.index_dir) == old


async def test_restart_with_a_changed_article_serves_at_once_and_rebuilds_in_background(
    bot_harness, small_engine, engine_factory, article_text, rebuild_gate, assert_cited
):
    tg = bot_harness
    old = small_engine.snapshot.manifest
    path = small_engine.settings.article_path
    path.write_text("\n".join(article_text.splitlines()[:9]) + "\n", encoding="utf-8")
    restarted = engine_factory(article_path=path)
    rebuild_gate.armed.set()
    await tg.start(engine=restarted)  # returns while the new index is held mid-build
    await rebuild_gate.wait_reached()
    answer = await tg.ask(USER, QUESTION)
    assert_cited(answer)
    assert build_ids(answer) == {old.build_id} and restarted.rebuilding
    rebuild_gate.opened.set()
    await tg.server.wait_for(lambda: not restarted.rebuilding, tg.timeout)
    new = restarted.snapshot.manifest
    assert new.build_id != old.build_id and new.passages > old.passages
    assert build_ids(await tg.ask(USER, QUESTION)) == {new.build_id}
    assert tg.server.sent_messages(tg.admin_id) == []  # a rebuild that worked is only logged
    assert tg.server.errors == []


async def test_stopping_during_a_long_reindex_abandons_it_promptly(
    bot_harness, small_engine, article_text, caplog
):
    caplog.set_level(logging.INFO, logger="tgbot")
    tg, admin = bot_harness, bot_harness.admin_id
    old = small_engine.snapshot.manifest
    # Numbered copies, one paragraph a line (as the article is written): each copy's paragraphs
    # open with a new sentence, and a build embeds each distinct text once, so it takes seconds.
    paragraphs = [p for p in article_text.splitlines() if p.strip()]  # one per line
    long_article = "\n".join(f"Part {n}. {p}" for n in range(80) for p in paragraphs)
    small_engine.settings.article_path.write_text(long_article, encoding="utf-8")
    await tg.start(engine=small_engine)
    started = tg.server.push_text(admin, admin, "/reindex")
    assert (await tg.reply(started))["text"].startswith("Rebuilding")
    await tg.server.wait_for(lambda: small_engine.rebuilding, tg.timeout)
    await asyncio.sleep(1.0)  # well into chunking and embedding the 550 kB article
    began = time.monotonic()
    await tg.stop()
    assert time.monotonic() - began < 10
    assert not small_engine.rebuilding
    assert any("abandoned" in r.getMessage() for r in caplog.records)
    assert store.read_manifest(small_engine.settings.index_dir) == old
    assert small_engine.snapshot.manifest == old
    assert len(tg.replies_to(started)) == 1  # no "Reindex done"


# --- 4. and 5. a flaky and a slow network ---------------------------------------------------


async def test_bad_gateway_on_send_is_retried(tg, assert_cited):
    tg.server.fail_method("sendMessage", 502, "Bad Gateway", count=3)
    pushed = [tg.server.push_text(USER + i, USER + i, QUESTION) for i in range(4)]
    for update in pushed:
        assert_cited(await tg.reply(update))
    await asyncio.sleep(0.5)
    assert all(len(tg.replies_to(update)) == 1 for update in pushed)
    assert [e["error_code"] for e in tg.server.errors] == [502] * 3


async def test_an_answer_that_cannot_be_sent_is_logged_with_the_update_id(tg, caplog):
    tg.server.fail_method("sendMessage", 502, "Bad Gateway", count=100)
    pushed = tg.server.push_text(USER, USER, QUESTION)

    def given_up() -> list[logging.LogRecord]:
        return [
            r
            for r in records_at(caplog, logging.WARNING)
            if str(pushed["update_id"]) in r.getMessage()
        ]

    [warning] = await tg.server.wait_for(given_up, tg.timeout)
    assert warning.levelno == logging.WARNING and str(USER) in warning.getMessage()
    assert tg.server.calls.count("sendMessage") == 4  # the first try and three retries
    assert tg.server.sent_messages(USER) == []
    assert_no_tracebacks(caplog)


async def test_slow_network_gets_the_answer_once_and_no_apology(tg, caplog, assert_cited):
    tg.server.delay(5.5, "sendMessage")  # longer than PTB's default 5 s read timeout
    pushed = tg.server.push_text(USER, USER, QUESTION)
    assert_cited(await tg.reply(pushed))
    await asyncio.sleep(6.5)  # until the bot has its response and would have reacted
    assert [m["text"] for m in tg.replies_to(pushed)][1:] == []
    assert SOMETHING_WRONG not in [m["text"] for m in tg.server.sent_messages(USER)]
    assert_no_tracebacks(caplog)


# --- 6.-8. groups, buttons and chatter ------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "who is the Kremlin spokesman {m}?",
        "{m}! who is the Kremlin spokesman",
        "({m}) who is the Kremlin spokesman?",
        "🇷🇺🚀 {m}: who is the Kremlin spokesman?",
    ],
)
async def test_mention_next_to_punctuation_is_stripped(bot_harness, assert_cited, template):
    tg = bot_harness
    tg.server.username = "YourArticleBot"  # capitalised, as most are: it looks like a name
    await tg.start()
    reply = await tg.ask(GROUP, template.format(m="@YourArticleBot"), user_id=USER)
    assert_cited(reply)
    assert "Peskov" in reply["text"] and "YourArticleBot" not in reply["text"]


async def test_source_button_pressed_again_and_again_sends_one_passage(tg, assert_cited):
    answer = await tg.ask(USER, QUESTION)
    data = buttons(answer, SOURCES)[0]["callback_data"]
    presses = [tg.server.push_callback(USER, USER, answer["message_id"], data) for _ in range(30)]
    answered = await tg.server.wait_for(
        lambda: len(tg.server.callback_answers) == len(presses) and tg.server.callback_answers,
        tg.timeout,
    )
    assert len(tg.server.sent_messages(USER)) == 2  # the answer and one passage
    texts = [a["text"] for a in answered]
    assert texts.count(None) == 1 and set(texts) == {None, ALREADY_SENT, SLOW_DOWN}
    assert (await tg.ask(USER, "Where is Ashgabat?"))["text"] == SLOW_DOWN  # presses count
    assert_cited(await tg.ask(OTHER, QUESTION))
    assert tg.server.errors == []


async def test_group_replies_that_are_not_questions_get_no_answer(tg, assert_cited):
    asked = await tg.ask(GROUP, f"/ask {QUESTION}", user_id=USER)
    chatter = [
        tg.server.push_text(GROUP, user, text, reply_to_message_id=asked["message_id"])
        for user, text in [(USER, "thanks!"), (OTHER, "lol 😂"), (OTHER, "👍"), (USER, "ok cool")]
    ]
    follow_up = await tg.ask(
        GROUP,
        "who died in a helicopter crash",
        user_id=OTHER,
        reply_to_message_id=asked["message_id"],
    )
    assert_cited(follow_up)
    assert all(tg.replies_to(update) == [] for update in chatter)
    assert tg.server.errors == []


# --- 9. and 10. refused callback answers and blocked users ----------------------------------


async def test_expired_callback_query_still_opens_the_source_quietly(tg, caplog, marked):
    answer = await tg.ask(USER, QUESTION)
    data = buttons(answer, SOURCES)[0]["callback_data"]
    tg.server.push_callback(USER, USER, answer["message_id"], data, expired=True)
    passage = await tg.reply(answer)
    assert marked(passage, "underline")
    tg.server.push_callback(USER, USER, answer["message_id"], "forged", False, expired=True)
    await tg.server.wait_for(lambda: len(tg.server.errors) == 2, tg.timeout)
    assert {e["method"] for e in tg.server.errors} == {"answerCallbackQuery"}
    assert SOMETHING_WRONG not in [m["text"] for m in tg.server.sent_messages(USER)]
    assert_no_tracebacks(caplog)


async def test_a_user_who_blocked_the_bot_is_logged_once(tg, caplog, assert_cited):
    tg.server.push_text(USER, USER, "hello")  # the chat is known, then the user blocks the bot
    tg.server.block_chat(USER)
    pushed = tg.server.push_text(USER, USER, QUESTION)

    def logged() -> list[logging.LogRecord]:
        return [r for r in records_at(caplog, logging.INFO) if "refuses" in r.getMessage()]

    await tg.server.wait_for(lambda: len(logged()) >= 2, tg.timeout)  # "hello", the question
    assert_cited(await tg.ask(OTHER, QUESTION))  # everything for USER is handled by now
    assert [r for r in logged() if str(pushed["update_id"]) in r.getMessage()] != []
    assert len(logged()) == 2 and all(str(USER) in r.getMessage() for r in logged())
    assert tg.server.sent_messages(USER) == []
    assert all(e["error_code"] == 403 for e in tg.server.errors)
    assert len(tg.server.errors) <= 4  # at most "typing…" and the reply, per update
    assert_no_tracebacks(caplog)


# --- 11. getUpdates failing -----------------------------------------------------------------


async def test_failing_get_updates_is_one_warning_a_poll_and_stops_promptly(
    bot_harness, caplog, assert_cited
):
    tg = bot_harness
    tg.server.fail_method("getUpdates", 500, "Internal Server Error", count=3)
    await tg.start()
    pushed = tg.server.push_text(USER, USER, QUESTION)
    assert_cited(await tg.reply(pushed))  # polling recovered after the backoff
    warnings = [r.getMessage() for r in records_at(caplog, logging.WARNING)]
    assert sum("getUpdates failed" in line for line in warnings) == 3
    tg.server.fail_method("getUpdates", 500, "Internal Server Error", count=1000)
    await tg.server.wait_for(
        lambda: tg.server.errors[-1:] and tg.server.errors[-1]["method"] == "getUpdates"
    )
    await asyncio.sleep(1.5)  # in the backoff between two failed polls
    began = time.monotonic()
    await tg.stop()
    assert time.monotonic() - began < 2
    assert_no_tracebacks(caplog)


async def test_failed_polls_back_off_1_5x_so_five_failures_are_over_in_about_13_s(
    bot_harness, assert_cited
):
    tg = bot_harness
    tg.server.fail_method("getUpdates", 502, "Bad Gateway", count=5)
    pushed = tg.server.push_text(USER, USER, QUESTION)  # asked as the hiccup begins
    await tg.start()

    def six_polls() -> list[float]:
        polls = tg.server.called_at("getUpdates")
        return polls[:6] if len(polls) >= 6 else []

    polls = await tg.server.wait_for(six_polls, timeout=30)
    gaps = [later - earlier for earlier, later in itertools.pairwise(polls)]
    waits = [1.0, 1.5, 2.25, 3.375, 5.0625]  # 1.5x from 1 s, as in PTB's network loop
    # Each gap is its wait plus two round trips to 127.0.0.1; the slack is for a busy CPU.
    assert all(w - 0.02 <= gap <= w + 0.75 for gap, w in zip(gaps, waits, strict=True)), gaps
    assert all(1.25 <= b / a <= 1.75 for a, b in itertools.pairwise(gaps)), gaps
    assert polls[-1] - polls[0] < 15.0, gaps  # doubling waited 31 s
    assert_cited(await tg.reply(pushed))


async def test_a_bot_without_admins_warns_at_start_up_and_scopes_no_admin_menu(
    bot_harness, caplog
):
    await bot_harness.start(admin_user_ids="")
    assert any("ADMIN_USER_IDS is empty" in r.getMessage() for r in caplog.records)
    assert [c["command"] for c in bot_harness.server.commands] == [
        c.command for c in USER_COMMANDS
    ]
    assert "reindex" not in [c["command"] for c in bot_harness.server.commands]
    assert bot_harness.server.commands_for({"type": "chat", "chat_id": bot_harness.admin_id}) == []


# --- 12. invisible text and broken Unicode --------------------------------------------------


@pytest.mark.parametrize("text", ["\u200b", "\u3164", "\u2060\ufeff", "\u200b \u3164 \u200d"])
async def test_invisible_text_gets_the_usage_hint(tg, text):
    assert (await tg.ask(USER, text))["text"] == USAGE


async def test_a_lone_surrogate_does_not_fail_the_questions_batched_with_it(
    tg, dev_answers, assert_cited
):
    answerable = [q.text for q, a in dev_answers if not a.abstained][:6]
    texts = [*answerable[:3], f"{QUESTION}\ud800", *answerable[3:]]
    pushed = [tg.server.push_text(USER + i, USER + i, text) for i, text in enumerate(texts)]
    for update in pushed:
        assert_cited(await tg.reply(update))
    assert tg.server.errors == []


# --- the same probe's load: 200 users x 3 questions at once ---------------------------------


async def test_two_hundred_users_three_questions_each_all_answered_once(bot_harness, dev_answers):
    tg = bot_harness
    await tg.start(telegram_max_rate=0)  # Telegram's 30/s would make this a 20 s test
    answerable = [q.text for q, a in dev_answers if not a.abstained]
    chats = range(60_000, 60_200)
    pushed = [
        tg.server.push_text(chat, chat, answerable[(chat + n) % len(answerable)])
        for n in range(3)
        for chat in chats
    ]
    await tg.server.wait_for(lambda: len(tg.server.sent_messages()) >= 600, 3 * tg.timeout)
    await asyncio.sleep(0.5)  # room for a duplicate to show
    replied = [m["reply_to_message_id"] for m in tg.server.sent_messages()]
    assert sorted(replied) == sorted(u["message"]["message_id"] for u in pushed)
    assert all(len(tg.server.sent_messages(chat)) == 3 for chat in chats)
    assert all("[1]" in m["text"] for m in tg.server.sent_messages())
    assert tg.server.errors == []
