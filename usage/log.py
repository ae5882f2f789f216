"""The question log and the feedback on its answers, in the usage database.

User ids are never stored: each is replaced by an HMAC-SHA256 keyed with a random salt that
is generated on first start and kept in the database (``meta.stats_salt``).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path

from retrieval.core.types import Answer

from .database import connect, failures_as, transaction
from .summary import UsageSummary, summarise

SALT_KEY = "stats_salt"
DAY = 86_400.0
EXPORT_COLUMNS = (
    "id",
    "asked_at",
    "chat_type",
    "outcome",
    "latency_ms",
    "build_id",
    "user_hash",
    "question",
    "answer",
    "thumbs_up",
    "thumbs_down",
)


def normalise(question: str) -> str:
    """The question as a key for counting repeats: case-folded words, no punctuation."""
    return " ".join(re.findall(r"\w+", question.casefold()))


def new_question_id() -> int:
    """A random 62-bit id (19 digits): unguessable, so a feedback button can't be forged."""
    return secrets.randbits(61) | 1 << 61


@dataclass(frozen=True, slots=True)
class QuestionEntry:
    """One question the bot answered, as it is logged."""

    id: int
    asked_at: float  # seconds since the epoch
    chat_type: str
    outcome: str
    latency_ms: float
    build_id: str
    user_id: int | None  # hashed before it is stored
    question: str
    answer: str

    @classmethod
    def of(
        cls,
        answer: Answer,
        *,
        chat_type: str,
        user_id: int | None,
        seconds: float,
        build_id: str,
    ) -> QuestionEntry:
        """The entry for ``answer``, given now with a fresh id."""
        return cls(
            id=new_question_id(),
            asked_at=time.time(),
            chat_type=chat_type,
            outcome=answer.outcome,
            latency_ms=seconds * 1000,
            build_id=build_id,
            user_id=user_id,
            question=answer.question,
            answer=answer.text,
        )


class Feedback(Enum):
    """What became of a 👍/👎 press."""

    RECORDED = "recorded"
    ALREADY_GIVEN = "already given"
    UNKNOWN_QUESTION = "unknown question"  # pruned, or never recorded


class UsageLog:
    """The usage database behind one connection; use it from one thread at a time.

    Every method raises :class:`~usage.database.UsageDatabaseError` when SQLite fails.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path, retention_days: int) -> None:
        self._db = connection
        self.path = path
        self.retention_days = retention_days
        with failures_as(f"cannot read the salt from {path}"):
            self._salt = self._salt_or_new()

    @classmethod
    def open(cls, path: Path, retention_days: int) -> UsageLog:
        """Open (creating and migrating) the database at ``path``."""
        return cls(connect(path), path, retention_days)

    def _salt_or_new(self) -> bytes:
        with transaction(self._db):
            self._db.execute(
                "INSERT OR IGNORE INTO meta VALUES (?, ?)", (SALT_KEY, secrets.token_hex(32))
            )
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (SALT_KEY,))
            salt = row.fetchone()[0]
        try:
            return bytes.fromhex(salt)
        except ValueError as exc:
            raise sqlite3.DatabaseError(f"the {SALT_KEY} in the meta table is not hex") from exc

    def hash_user(self, user_id: int) -> str:
        """The salted hash that stands for ``user_id`` in the database."""
        return hmac.new(self._salt, str(user_id).encode(), hashlib.sha256).hexdigest()

    def record_question(self, entry: QuestionEntry) -> int:
        """Log one answered question; its id."""
        user_hash = None if entry.user_id is None else self.hash_user(entry.user_id)
        with failures_as(f"cannot record a question in {self.path}"), transaction(self._db):
            self._db.execute(
                "INSERT INTO questions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry.id,
                    entry.asked_at,
                    entry.chat_type,
                    entry.outcome,
                    entry.latency_ms,
                    entry.build_id,
                    user_hash,
                    entry.question,
                    normalise(entry.question),
                    entry.answer,
                ),
            )
        return entry.id

    def record_feedback(
        self, question_id: int, user_id: int, vote: int, now: float | None = None
    ) -> Feedback:
        """Record a 👍 (``vote=1``) or 👎 (``-1``) on one answer; each user's first one counts."""
        given_at = time.time() if now is None else now
        if not 0 < question_id < 1 << 63:  # forged: SQLite integers are 64-bit
            return Feedback.UNKNOWN_QUESTION
        with failures_as(f"cannot record feedback in {self.path}"), transaction(self._db):
            known = self._db.execute("SELECT 1 FROM questions WHERE id = ?", (question_id,))
            if known.fetchone() is None:
                return Feedback.UNKNOWN_QUESTION
            added = self._db.execute(
                "INSERT OR IGNORE INTO feedback VALUES (?, ?, ?, ?)",
                (question_id, self.hash_user(user_id), vote, given_at),
            )
        return Feedback.RECORDED if added.rowcount else Feedback.ALREADY_GIVEN

    def prune(self, now: float | None = None) -> int:
        """Delete questions (and their feedback) older than the retention; how many went."""
        cutoff = (time.time() if now is None else now) - self.retention_days * DAY
        with failures_as(f"cannot prune {self.path}"), transaction(self._db):
            deleted = self._db.execute("DELETE FROM questions WHERE asked_at < ?", (cutoff,))
        return deleted.rowcount

    def summary(self, now: float | None = None) -> UsageSummary:
        """The figures of ``/stats`` and ``bot.py stats``."""
        with failures_as(f"cannot read {self.path}"):
            return summarise(self._db, time.time() if now is None else now, self.retention_days)

    def export_csv(self, destination: Path) -> int:
        """Write the question log, oldest first, as CSV (written aside, then renamed); the
        number of rows."""
        query = """
            SELECT q.id, q.asked_at, q.chat_type, q.outcome, round(q.latency_ms, 2),
                   q.build_id, q.user_hash, q.question, q.answer,
                   count(f.vote) FILTER (WHERE f.vote = 1),
                   count(f.vote) FILTER (WHERE f.vote = -1)
            FROM questions AS q LEFT JOIN feedback AS f ON f.question_id = q.id
            GROUP BY q.id ORDER BY q.asked_at, q.id
        """
        folder = destination.resolve().parent
        handle, staging = tempfile.mkstemp(prefix=".export-", suffix=".csv", dir=folder)
        rows = 0
        try:
            with (
                failures_as(f"cannot read {self.path}"),
                open(handle, "w", newline="", encoding="utf-8") as out,
            ):
                writer = csv.writer(out)
                writer.writerow(EXPORT_COLUMNS)
                for row in self._db.execute(query):
                    writer.writerow((row[0], _iso(row[1]), *row[2:]))
                    rows += 1
            os.replace(staging, destination)
        finally:
            Path(staging).unlink(missing_ok=True)
        return rows

    def close(self) -> None:
        """Close the connection (SQLite folds the write-ahead log back into the file)."""
        self._db.close()


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")
