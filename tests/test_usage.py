"""The usage database: a real SQLite file in a temp folder, written and read back."""

import csv
import sqlite3
from datetime import UTC, datetime

import pytest

from retrieval import Answer
from usage import (
    Feedback,
    QuestionEntry,
    UsageDatabaseError,
    UsageLog,
    UsageRecorder,
    summary_lines,
)
from usage.database import SCHEMA_VERSION, migrate
from usage.log import normalise

# Wednesday 2026-12-02 12:00 UTC; Monday midnight of that week is 2026-11-30 00:00.
NOW = datetime(2026, 12, 2, 12, tzinfo=UTC).timestamp()
HOUR, DAY = 3600.0, 86_400.0


def entry(
    n: int,
    *,
    at: float = NOW,
    outcome: str = "answered",
    latency_ms: float = 10.0,
    question: str | None = None,
    user_id: int | None = 7,
) -> QuestionEntry:
    return QuestionEntry(
        id=1000 + n,
        asked_at=at,
        chat_type="private",
        outcome=outcome,
        latency_ms=latency_ms,
        build_id="b1",
        user_id=user_id,
        question=question or f"question {n}?",
        answer=f"answer {n}",
    )


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "data" / "bot.sqlite3"


@pytest.fixture
def usage_log(db_path):
    log = UsageLog.open(db_path, retention_days=90)
    yield log
    log.close()


def test_a_new_database_is_created_in_wal_mode_at_the_current_schema(usage_log, db_path):
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert {"meta", "questions", "feedback"} <= tables


def test_reopening_keeps_rows_and_salt_and_migrating_again_changes_nothing(db_path):
    first = UsageLog.open(db_path, retention_days=90)
    first.record_question(entry(1))
    hashed = first.hash_user(7)
    first.close()
    again = UsageLog.open(db_path, retention_days=90)
    assert again.hash_user(7) == hashed
    assert again.summary(NOW).total == 1
    assert migrate(again._db) == SCHEMA_VERSION
    again.close()


def test_a_database_from_a_newer_bot_is_refused(db_path, usage_log):
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(UsageDatabaseError, match="newer"):
        UsageLog.open(db_path, retention_days=90)


def test_user_ids_are_stored_only_as_salted_hashes(usage_log, db_path, tmp_path):
    user_id = 987654321
    usage_log.record_question(entry(1, user_id=user_id))
    usage_log.record_feedback(1001, user_id, 1)
    other = UsageLog.open(tmp_path / "other.sqlite3", retention_days=90)
    assert other.hash_user(user_id) != usage_log.hash_user(user_id)  # each database its salt
    other.close()
    usage_log.close()
    with sqlite3.connect(db_path) as db:
        dump = "\n".join(db.iterdump())
    assert str(user_id) not in dump
    assert usage_log.hash_user(user_id) in dump


def test_feedback_counts_once_per_user_and_needs_a_known_question(usage_log):
    usage_log.record_question(entry(1))
    assert usage_log.record_feedback(1001, user_id=5, vote=1) is Feedback.RECORDED
    assert usage_log.record_feedback(1001, user_id=5, vote=-1) is Feedback.ALREADY_GIVEN
    assert usage_log.record_feedback(1001, user_id=6, vote=-1) is Feedback.RECORDED
    assert usage_log.record_feedback(999, user_id=5, vote=1) is Feedback.UNKNOWN_QUESTION
    summary = usage_log.summary(NOW)
    assert (summary.thumbs_up, summary.thumbs_down) == (1, 1)


def test_prune_deletes_old_questions_with_their_feedback(db_path):
    usage_log = UsageLog.open(db_path, retention_days=30)
    usage_log.record_question(entry(1, at=NOW - 31 * DAY))
    usage_log.record_question(entry(2, at=NOW - 29 * DAY))
    usage_log.record_feedback(1001, 5, 1)
    assert usage_log.prune(NOW) == 1
    summary = usage_log.summary(NOW)
    assert (summary.total, summary.thumbs_up) == (1, 0)
    usage_log.close()


def test_summary_counts_periods_outcomes_latency_and_what_was_not_answered(usage_log):
    rows = [
        entry(1, at=NOW - HOUR, latency_ms=5),
        entry(2, at=NOW - 2 * HOUR, outcome="declined", question="Who is Macron?", latency_ms=7),
        entry(3, at=NOW - DAY, outcome="declined", question="who is  MACRON", latency_ms=9),
        entry(
            4, at=NOW - 2.4 * DAY, outcome="hedged", question="When was Putin born?", latency_ms=11
        ),
        entry(5, at=NOW - 3 * DAY, outcome="declined", question="Who is Macron!", latency_ms=100),
    ]
    for row in rows:
        usage_log.record_question(row)
    summary = usage_log.summary(NOW)
    assert (summary.today, summary.this_week, summary.total) == (2, 4, 5)
    assert summary.outcomes == (("answered", 1), ("hedged", 1), ("declined", 3))
    assert (summary.median_ms, summary.p95_ms) == (9, 100)
    assert summary.top_unanswered == (("Who is Macron?", 3), ("When was Putin born?", 1))
    lines = summary_lines(summary)
    assert lines[0].startswith("Questions: 2 today, 4 this week, 5 in all")
    assert "Outcomes: 20% answered, 20% hedged, 60% declined" in lines
    assert "Latency: 9.0 ms median, 100.0 ms p95" in lines
    assert lines[-2:] == ["1. Who is Macron? (3×)", "2. When was Putin born? (1×)"]


def test_an_empty_log_says_so(usage_log):
    assert summary_lines(usage_log.summary(NOW)) == [
        "Questions: none yet (rows are kept 90 days)",
        "Feedback: 0 👍, 0 👎",
    ]


def test_export_writes_every_question_with_its_feedback(usage_log, tmp_path):
    usage_log.record_question(entry(2, at=NOW, question='A "quoted", question?'))
    usage_log.record_question(entry(1, at=NOW - HOUR, outcome="declined"))
    usage_log.record_feedback(1002, 5, 1)
    usage_log.record_feedback(1002, 6, -1)
    usage_log.record_feedback(1002, 8, 1)
    out = tmp_path / "log.csv"
    assert usage_log.export_csv(out) == 2
    with out.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["id"] for r in rows] == ["1001", "1002"]
    assert rows[1]["question"] == 'A "quoted", question?'
    assert rows[1]["asked_at"] == "2026-12-02T12:00:00+00:00"
    assert (rows[1]["thumbs_up"], rows[1]["thumbs_down"]) == ("2", "1")
    assert rows[0]["outcome"] == "declined" and rows[0]["user_hash"] == usage_log.hash_user(7)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".export")] == []


def test_a_file_that_is_not_a_database_is_refused_with_its_path(db_path):
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not an SQLite file " * 100)
    with pytest.raises(UsageDatabaseError, match=r"bot\.sqlite3"):
        UsageLog.open(db_path, retention_days=90)


def test_a_locked_database_fails_the_write_instead_of_hanging(usage_log, db_path):
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(UsageDatabaseError, match="locked"):
            usage_log.record_question(entry(1))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    usage_log.record_question(entry(1))  # works again once the lock is gone


def test_an_entry_takes_the_answers_outcome_text_and_latency():
    answer = Answer("Who is Macron?", "", citations=(), confidence=0.1, outcome="declined")
    entry = QuestionEntry.of(answer, chat_type="group", user_id=3, seconds=0.25, build_id="b")
    assert (entry.outcome, entry.question, entry.answer) == ("declined", "Who is Macron?", "")
    assert (entry.latency_ms, entry.chat_type, entry.build_id) == (250, "group", "b")
    assert (
        entry.id
        != QuestionEntry.of(answer, chat_type="group", user_id=3, seconds=0.25, build_id="b").id
    )


def test_normalised_questions_ignore_case_spacing_and_punctuation():
    assert normalise("  Who is MACRON?! ") == normalise("who is macron") == "who is macron"


# --- the recorder: the bot's side, in its worker thread --------------------------------------


async def test_recorder_logs_in_order_and_closes(db_path):
    recorder = UsageRecorder(db_path, retention_days=90)
    await recorder.start()
    assert recorder.recording and recorder.problem is None
    recorder.record(entry(1))
    assert await recorder.feedback(1001, 5, 1) is Feedback.RECORDED  # queued after the record
    assert (await recorder.summary()).total == 1
    await recorder.close()
    recorder.record(entry(2))  # after close: dropped, no error
    usage_log = UsageLog.open(db_path, retention_days=90)
    assert usage_log.summary().total == 1
    usage_log.close()


async def test_recorder_on_a_corrupt_file_reports_and_never_raises(db_path, caplog):
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"garbage" * 1000)
    recorder = UsageRecorder(db_path, retention_days=90)
    await recorder.start()
    assert not recorder.recording
    assert "bot.sqlite3" in recorder.problem
    recorder.record(entry(1))
    recorder.record(entry(2))
    assert await recorder.feedback(1001, 5, 1) is None
    assert await recorder.summary() is None
    assert recorder.unrecorded == 2
    warnings = [
        r for r in caplog.records if r.name == "usage.recorder" and r.levelname == "WARNING"
    ]
    assert len(warnings) == 1  # once, not once per question
    await recorder.close()
    assert db_path.read_bytes() == b"garbage" * 1000  # left for the operator to look at
