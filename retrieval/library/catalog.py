"""The library: what the bot knows, as stored articles and numbered versions of the whole set.

Layout of ``LIBRARY_DIR``::

    articles/<id>/<sha256>.txt     the text of one revision, exactly as extracted (UTF-8)
    articles/<id>/<sha256>.json    that revision's manifest (an :class:`ArticleRecord`)
    articles/<id>/<sha256>.orig    the original upload, kept for re-extraction (when given)
    versions/<n>.json              version n: every article record of the library at that time
    current -> versions/<n>.json   a symlink, replaced atomically to publish a version

Article files are content-addressed and never rewritten, so versions share them. A version
file is written under a temporary name and renamed; ``current`` is swapped last. A crash at
any point leaves ``current`` on a complete version (a version file newer than ``current`` is
an unpublished leftover and is ignored). Only the last ``keep`` versions are kept; rolling
back moves ``current`` to the version before it and drops the undone one.

Nothing here embeds or indexes: the engine builds an index from :meth:`Library.current`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..core.errors import (
    ArticleEmpty,
    ArticleNotFound,
    ArticleUnknown,
    DocumentUnreadable,
    LibraryUnavailable,
    NothingToRollBack,
)
from ..core.files import write_atomic
from ..text.language import article_language
from .extract import decode_text

log = logging.getLogger(__name__)

CURRENT = "current"
SERVER_FILE = "file"  # the extractor name of an article read from a file on the server
_VERSION_FILE = re.compile(r"^(\d{6})\.json$")


def text_sha256(text: str) -> str:
    """The sha256 of an article's text (UTF-8), its identity in caches and manifests."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_article(path: Path) -> str:
    """A text file on the server, byte for byte (no newline translation), so that character
    offsets into the stored text are offsets into the file."""
    try:
        text = decode_text(path.read_bytes(), str(path))
    except FileNotFoundError as exc:
        raise ArticleNotFound(f"article file not found: {path}") from exc
    except OSError as exc:
        raise ArticleNotFound(f"article file cannot be read: {path} ({exc})") from exc
    except DocumentUnreadable as exc:  # as for a missing file, a rebuild keeps the stored copy
        raise ArticleNotFound(str(exc)) from exc
    if not text.strip():
        raise ArticleEmpty(f"article file is empty: {path}")
    return text


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """One article of the library (its manifest). A replace keeps ``id`` and bumps ``version``.

    ``source`` is what the admin gave (a file name or a URL); ``server_path`` is set for an
    article read from a file on the server, which a rebuild reads again. ``author`` and
    ``published`` (an ISO date) are what the document says about itself, when it does (a web
    page's byline and meta tags, a PDF's metadata); manifests older than them load as None.
    """

    id: str
    title: str
    source: str
    sha256: str
    added_at: str
    added_by: int | None
    extractor: str
    version: int = 1
    chars: int = 0
    original_name: str | None = None
    server_path: str | None = None
    language: str | None = None  # ISO 639-1 code of the article's text, when identified
    author: str | None = None
    published: str | None = None

    def to_record(self) -> dict[str, Any]:
        """The record as JSON-serialisable data."""
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> ArticleRecord:
        """Rebuild a record from :meth:`to_record` output."""
        return cls(**record)


@dataclass(frozen=True, slots=True)
class LibraryVersion:
    """The whole library at one moment: its articles in order. Never mutated."""

    number: int
    created_at: str
    change: str
    articles: tuple[ArticleRecord, ...]

    def article(self, article_id: str) -> ArticleRecord:
        """The article with this id, or :class:`ArticleUnknown`."""
        for record in self.articles:
            if record.id == article_id:
                return record
        raise ArticleUnknown(f"no article with id {article_id!r}")

    @property
    def fingerprint(self) -> str:
        """A hash of the articles' ids and texts: an index built from another is stale."""
        parts = "\n".join(f"{a.id} {a.sha256}" for a in self.articles)
        return hashlib.sha256(parts.encode()).hexdigest()

    def with_article(self, record: ArticleRecord, change: str) -> LibraryVersion:
        """The next version, with ``record`` added or replacing the article of its id."""
        articles = [a for a in self.articles if a.id != record.id]
        position = next((i for i, a in enumerate(self.articles) if a.id == record.id), None)
        articles.insert(len(articles) if position is None else position, record)
        return LibraryVersion(self.number + 1, _now(), change, tuple(articles))

    def without(self, article_id: str, change: str) -> LibraryVersion:
        """The next version, without the article of this id."""
        self.article(article_id)
        articles = tuple(a for a in self.articles if a.id != article_id)
        return LibraryVersion(self.number + 1, _now(), change, articles)

    def to_record(self) -> dict[str, Any]:
        """The version as JSON-serialisable data."""
        return {
            "number": self.number,
            "created_at": self.created_at,
            "change": self.change,
            "articles": [a.to_record() for a in self.articles],
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> LibraryVersion:
        """Rebuild a version from :meth:`to_record` output."""
        articles = tuple(ArticleRecord.from_record(a) for a in record["articles"])
        return cls(int(record["number"]), record["created_at"], record["change"], articles)


EMPTY = LibraryVersion(0, "", "empty", ())


class Library:
    """Articles and versions in one folder. Readers may run alongside one writer; the engine
    serialises writers (one rebuild or library change at a time)."""

    def __init__(self, folder: Path, keep: int = 5) -> None:
        self.folder = folder
        self.keep = max(2, keep)

    # --- reading ----------------------------------------------------------------------------

    def current(self) -> LibraryVersion:
        """The published version (:data:`EMPTY`, number 0, when nothing was ever added)."""
        link = self.folder / CURRENT
        if not link.is_symlink() and not link.exists():
            return EMPTY
        return self._read_version(link)

    def articles(self) -> tuple[ArticleRecord, ...]:
        """The articles of the published version, in library order."""
        return self.current().articles

    def versions(self) -> tuple[LibraryVersion, ...]:
        """The kept versions up to the published one, oldest first."""
        number = self.current().number
        return tuple(self._read_version(self._version_path(n)) for n in self._numbers(number))

    def text(self, article_id: str, version: LibraryVersion | None = None) -> str:
        """The stored text of an article (of the published version unless one is given)."""
        record = (version or self.current()).article(article_id)
        return self.stored_text(record)

    def stored_text(self, record: ArticleRecord) -> str:
        """The text stored for this revision of an article."""
        path = self._article_file(record, ".txt")
        try:
            return path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise LibraryUnavailable(f"cannot read the stored text {path}: {exc}") from exc

    def original(self, article_id: str) -> bytes | None:
        """The original upload of an article, when one was kept."""
        record = self.current().article(article_id)
        path = self._article_file(record, ".orig")
        return path.read_bytes() if record.original_name and path.exists() else None

    # --- writing ----------------------------------------------------------------------------

    def store(
        self,
        text: str,
        *,
        title: str,
        source: str,
        added_by: int | None = None,
        extractor: str = "text",
        original: bytes | None = None,
        original_name: str | None = None,
        server_path: Path | None = None,
        replaces: ArticleRecord | None = None,
        author: str | None = None,
        published: str | None = None,
    ) -> ArticleRecord:
        """Write an article's files (not yet part of any version) and return its record.

        A replacement keeps the id of the article it ``replaces`` and the next version number.
        """
        if not text.strip():
            raise ArticleEmpty("the article holds no text")
        record = ArticleRecord(
            id=replaces.id if replaces else uuid.uuid4().hex[:8],
            title=title,
            source=source,
            sha256=text_sha256(text),
            added_at=_now(),
            added_by=added_by,
            extractor=extractor,
            version=replaces.version + 1 if replaces else 1,
            chars=len(text),
            language=article_language(text),
            original_name=original_name if original is not None else None,
            server_path=str(server_path) if server_path else None,
            author=author,
            published=published,
        )
        try:
            self._write_once(self._article_file(record, ".txt"), text.encode("utf-8"))
            if original is not None:
                self._write_once(self._article_file(record, ".orig"), original)
            manifest = json.dumps(record.to_record(), indent=2, ensure_ascii=False)
            write_atomic(self._article_file(record, ".json"), manifest.encode("utf-8"))
        except OSError as exc:
            raise LibraryUnavailable(f"cannot write to the library {self.folder}: {exc}") from exc
        return record

    def publish(self, version: LibraryVersion) -> LibraryVersion:
        """Make ``version`` the current one (atomically), keeping the last ``keep`` versions."""
        try:
            data = json.dumps(version.to_record(), indent=2, ensure_ascii=False)
            write_atomic(self._version_path(version.number), data.encode("utf-8"))
            self._point_current_at(version.number)
        except OSError as exc:
            raise LibraryUnavailable(f"cannot write to the library {self.folder}: {exc}") from exc
        self._forget_old_versions(version.number)
        log.info("library version %d: %s", version.number, version.change)
        return version

    def add(self, text: str, **fields: Any) -> ArticleRecord:
        """Store an article and publish a version with it (see :meth:`store` for fields)."""
        record = self.store(text, **fields)
        self.publish(self.current().with_article(record, f"add {record.id}"))
        return record

    def replace(self, article_id: str, text: str, **fields: Any) -> ArticleRecord:
        """Store a new revision of an article and publish a version with it."""
        current = self.current()
        record = self.store(text, replaces=current.article(article_id), **fields)
        self.publish(current.with_article(record, f"replace {article_id}"))
        return record

    def remove(self, article_id: str) -> ArticleRecord:
        """Publish a version without the article; returns the removed record."""
        current = self.current()
        record = current.article(article_id)
        self.publish(current.without(article_id, f"remove {article_id}"))
        return record

    def previous(self) -> LibraryVersion:
        """The version a rollback would publish, or :class:`NothingToRollBack`."""
        current = self.current()
        older = [n for n in self._numbers(current.number) if n < current.number]
        if not older:
            raise NothingToRollBack("there is no earlier version of the library to go back to")
        return self._read_version(self._version_path(older[-1]))

    def rollback(self) -> LibraryVersion:
        """Publish the previous version again and drop the undone one; the version now current."""
        undone, target = self.current(), self.previous()
        try:
            self._point_current_at(target.number)
            self._version_path(undone.number).unlink(missing_ok=True)
        except OSError as exc:
            raise LibraryUnavailable(f"cannot write to the library {self.folder}: {exc}") from exc
        log.info("library rolled back from version %d to %d", undone.number, target.number)
        return target

    # --- files ------------------------------------------------------------------------------

    def _article_file(self, record: ArticleRecord, suffix: str) -> Path:
        return self.folder / "articles" / record.id / f"{record.sha256}{suffix}"

    def _version_path(self, number: int) -> Path:
        return self.folder / "versions" / f"{number:06d}.json"

    def _read_version(self, path: Path) -> LibraryVersion:
        try:
            return LibraryVersion.from_record(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LibraryUnavailable(f"unreadable library version {path}: {exc}") from exc

    def _numbers(self, up_to: int) -> list[int]:
        """Numbers of the version files on disk up to ``up_to``, in order."""
        folder = self.folder / "versions"
        names = (_VERSION_FILE.match(p.name) for p in folder.iterdir()) if folder.exists() else ()
        return sorted(n for n in (int(m.group(1)) for m in names if m) if n <= up_to)

    def _point_current_at(self, number: int) -> None:
        link = self.folder / f".{CURRENT}-{uuid.uuid4().hex[:8]}"
        link.symlink_to(self._version_path(number).relative_to(self.folder))
        os.replace(link, self.folder / CURRENT)

    def _forget_old_versions(self, current: int) -> None:
        folder = self.folder / "versions"
        for path in folder.iterdir():
            match = _VERSION_FILE.match(path.name)
            number = int(match.group(1)) if match else None
            stale = number is None and path.name.startswith(".")
            if stale or (number is not None and (number <= current - self.keep)):
                path.unlink(missing_ok=True)

    def _write_once(self, path: Path, data: bytes) -> None:
        """Content-addressed files are written once; an existing one already holds ``data``."""
        if not path.exists():
            write_atomic(path, data)
