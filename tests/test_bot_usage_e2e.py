"""End to end: the usage database behind the real bot (question log, 👍/👎, /stats), on a
real SQLite file, across a restart and with the file broken."""

import logging
import re
import sqlite3

import pytest

from tgbot.feedback import TOASTS
from tgbot.sources import STALE_SOURCE
from usage import Feedback, database_path

pytestmark = pytest.mark.asyncio(loop_scope="session")

USER, OTHER, THIRD = 2001, 2002, 2003


@pytest.fixture(scope="module")
def asked(dev_answers) -> tuple[str, str, str]:
    """An answered dev question, a declined one, and the declined one worded differently."""
    answered = next(q.text for q, a in dev_answers if a.outcome == "answered")
    declined = next(q.text for q, a in dev_answers if a.outcome == "declined")
    return answered, declined, declined.rstrip("?") + "?!"


def keyboard(record: dict, prefix: str) -> list[dict]:
    rows = (record["reply_markup"] or {}).get("inline_keyboard", [])
    return [b for row in rows for b in row if b["callback_data"].startswith(prefix)]


async def press(tg, record: dict, user_id: int, data: str, **push) -> dict:
    """Press a button of ``record`` as ``user_id``; the callback answer (the toast)."""
    query_id = tg.server.push_callback(
        record["chat_id"], user_id, record["message_id"], data, **push
    )
    [answered] = await tg.server.wait_for(
        lambda: [a for a in tg.server.callback_answers if a["callback_query_id"] == query_id],
        tg.timeout,
    )
    return answered


def vote(record: dict, label: str) -> str:
    [button] = [b for b in keyboard(record, "fb|") if b["text"] == label]
    return button["callback_data"]


def usage_lines(stats: dict) -> list[str]:
    """The usage part of a /stats reply: between the heading and the index line."""
    lines = stats["text"].splitlines()
    assert lines[0] == "Stats" and lines[-1].startswith("Index: ")
    return lines[1:-1]


async def test_question_log_feedback_and_stats_survive_a_restart(bot_harness, asked):
    tg, (answered, declined_question, variant) = bot_harness, asked
    assert tg.engine.answer(variant).outcome == "declined"
    await tg.start()
    answer = await tg.ask(USER, answered)
    assert len(keyboard(answer, "src|")) >= 1
    assert [b["text"] for b in keyboard(answer, "fb|")] == ["👍", "👎"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in keyboard(answer, ""))
    declined = await tg.ask(USER, declined_question)
    await tg.ask(OTHER, variant)  # the same question once normalised
    assert (await press(tg, answer, USER, vote(answer, "👍")))["text"] == TOASTS[Feedback.RECORDED]
    assert (await press(tg, answer, OTHER, vote(answer, "👎")))["text"] == TOASTS[
        Feedback.RECORDED
    ]
    assert (await press(tg, declined, USER, vote(declined, "👎")))["text"] == TOASTS[
        Feedback.RECORDED
    ]

    before = usage_lines(await tg.ask(tg.admin_id, "/stats"))
    assert before[0].startswith("Questions: 3 today, 3 this week, 3 in all")
    assert before[1] == "Outcomes: 33% answered, 0% hedged, 67% declined"
    latency = re.fullmatch(r"Latency: ([\d.]+) ms median, ([\d.]+) ms p95", before[2])
    median, p95 = map(float, latency.groups())
    assert 0 < median <= p95
    assert before[3] == "Feedback: 1 👍, 2 👎"
    assert before[4:] == ["Declined or hedged most often:", f"1. {variant} (2×)"]

    await tg.stop()  # post_shutdown closes the database
    await tg.start()
    after = usage_lines(await tg.ask(tg.admin_id, "/stats"))
    assert after == before
    again = await press(tg, answer, USER, vote(answer, "👎"))  # a button from before the restart
    assert again["text"] == TOASTS[Feedback.ALREADY_GIVEN]
    assert (await press(tg, answer, THIRD, vote(answer, "👍")))["text"] == TOASTS[
        Feedback.RECORDED
    ]
    assert usage_lines(await tg.ask(tg.admin_id, "/stats"))[3] == "Feedback: 2 👍, 2 👎"
    assert tg.server.errors == []


async def test_feedback_counts_once_per_user_and_only_shows_a_toast(tg, asked):
    answer = await tg.ask(USER, asked[0])
    sent = len(tg.server.sent_messages(USER))
    toasts = [
        await press(tg, answer, USER, vote(answer, "👍")),
        await press(tg, answer, USER, vote(answer, "👍")),
        await press(tg, answer, USER, vote(answer, "👎")),
    ]
    assert [t["text"] for t in toasts] == [
        TOASTS[Feedback.RECORDED],
        TOASTS[Feedback.ALREADY_GIVEN],
        TOASTS[Feedback.ALREADY_GIVEN],
    ]
    assert not any(t["show_alert"] for t in toasts)
    for forged_id in ("1234567", "9" * 19):  # no such question; beyond SQLite's integers
        unknown = await press(tg, answer, USER, f"fb|{forged_id}|up", check_button=False)
        assert unknown["text"] == TOASTS[Feedback.UNKNOWN_QUESTION]
    forged = await press(tg, answer, USER, "fb|12x|up", check_button=False)
    assert forged["text"] == STALE_SOURCE  # not a feedback button at all
    assert len(tg.server.sent_messages(USER)) == sent  # nothing posted in the chat
    assert usage_lines(await tg.ask(tg.admin_id, "/stats"))[-1] == "Feedback: 1 👍, 0 👎"
    with sqlite3.connect(database_path(tg.data_dir)) as db:
        assert db.execute("SELECT count(*) FROM feedback").fetchone() == (1,)
    assert tg.server.errors == []


async def test_a_corrupt_database_leaves_the_bot_answering_and_admins_told(
    bot_harness, caplog, asked
):
    tg = bot_harness
    path = database_path(tg.data_dir)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"definitely not SQLite " * 500)
    caplog.set_level(logging.WARNING, logger="usage")
    await tg.start()
    answer = await tg.ask(USER, asked[0])
    assert keyboard(answer, "src|") and keyboard(answer, "fb|") == []  # no buttons that can't work
    await tg.ask(USER, asked[1])
    stats = (await tg.ask(tg.admin_id, "/stats"))["text"]
    assert "⚠ Usage database: " in stats and "not a database" in stats and str(path) in stats
    assert "Questions not recorded since start-up: 2." in stats
    assert "Index: " in stats
    warnings = [r.getMessage() for r in caplog.records if r.name.startswith("usage")]
    assert len(warnings) == 1 and str(path) in warnings[0]
    assert tg.server.errors == []


async def test_a_locked_database_delays_no_answer_and_recovers(tg, caplog, asked):
    caplog.set_level(logging.WARNING, logger="usage")
    recorder = tg.apps[-1].bot_data["services"].usage
    holder = sqlite3.connect(database_path(tg.data_dir), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process writing, for longer than the bot waits
    try:
        answer = await tg.ask(USER, asked[0])  # answered at once, the write waits behind it
        assert keyboard(answer, "fb|")
        problem = await tg.server.wait_for(lambda: recorder.problem, tg.timeout)
        assert "locked" in problem
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    await tg.ask(USER, asked[1])
    stats = (await tg.ask(tg.admin_id, "/stats"))["text"]
    assert "Questions not recorded since start-up: 1." in stats
    assert "Questions: 1 today" in stats  # the one asked after the lock went
    assert any("works again" in r.getMessage() for r in caplog.records)
