"""The SQLite file itself: opened in WAL mode, created and migrated to the current schema.

Each migration is a script that takes the schema from version n to n + 1; ``schema_version``
holds how many have run, so an old database is upgraded in place on start-up.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DATABASE_NAME = "bot.sqlite3"
BUSY_TIMEOUT_SECONDS = 2.0  # how long a write waits for a lock held by another process

MIGRATIONS = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        asked_at REAL NOT NULL,
        chat_type TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('answered', 'hedged', 'declined')),
        latency_ms REAL NOT NULL,
        build_id TEXT NOT NULL,
        user_hash TEXT,
        question TEXT NOT NULL,
        normalised TEXT NOT NULL,
        answer TEXT NOT NULL
    );
    CREATE INDEX questions_by_time ON questions (asked_at);
    CREATE INDEX questions_by_latency ON questions (latency_ms);
    CREATE TABLE feedback (
        question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
        user_hash TEXT NOT NULL,
        vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
        given_at REAL NOT NULL,
        PRIMARY KEY (question_id, user_hash)
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class UsageDatabaseError(Exception):
    """The usage database cannot be opened, read or written (corrupt, locked, unwritable)."""


def database_path(data_dir: Path) -> Path:
    """Where the usage database of ``DATA_DIR`` lives."""
    return data_dir / DATABASE_NAME


def connect(path: Path) -> sqlite3.Connection:
    """Open (or create) the database at ``path`` and bring its schema up to date."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise UsageDatabaseError(f"cannot open {path}: {exc}") from exc
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        # Safe with WAL: a crash loses no committed row; a power cut may lose the last few.
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        migrate(connection)
    except sqlite3.Error as exc:
        connection.close()
        raise UsageDatabaseError(f"cannot use {path}: {exc}") from exc
    return connection


def migrate(connection: sqlite3.Connection) -> int:
    """Run the migrations this database has not had yet; the schema version afterwards."""
    with transaction(connection):
        connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = connection.execute("SELECT version FROM schema_version").fetchone()
        version = row[0] if row else 0
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"schema version {version} is newer than this bot's ({SCHEMA_VERSION})"
            )
        for script in MIGRATIONS[version:]:
            # executescript() would commit on its own; the scripts hold no ';' in strings.
            for statement in filter(str.strip, script.split(";")):
                connection.execute(statement)
        connection.execute("DELETE FROM schema_version")
        connection.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
    return SCHEMA_VERSION


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` on any error.

    The connection is in autocommit mode so that transactions are explicit; IMMEDIATE takes
    the write lock up front instead of failing half-way through.
    """
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        if connection.in_transaction:  # SQLite may have rolled back already (disk full)
            connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


@contextmanager
def failures_as(action: str) -> Iterator[None]:
    """Turn any SQLite error inside the block into :class:`UsageDatabaseError`, saying what
    was being done."""
    try:
        yield
    except sqlite3.Error as exc:
        raise UsageDatabaseError(f"{action}: {exc}") from exc
