"""The library as published, with every article that came from a file on the server read
again: editing ``data/article.txt`` and sending /reindex still works."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ArticleEmpty, ArticleNotFound
from .catalog import SERVER_FILE, ArticleRecord, Library, LibraryVersion, read_article, text_sha256
from .chunking import article_title

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CurrentLibrary:
    """The library version to serve, and why its index may be out of date (a server file that
    became empty keeps its stored copy)."""

    version: LibraryVersion
    outdated: str | None = None


def current_library(library: Library, article_path: Path, strict: bool = False) -> CurrentLibrary:
    """The published library, seeded from ``article_path`` when empty, with every article from
    a server file read again (a changed file gets a new revision, published)."""
    version = library.current()
    if not version.articles:
        text = read_article(article_path)
        record = library.store(
            text,
            title=article_title(text),
            source=article_path.name,
            extractor=SERVER_FILE,
            server_path=article_path,
        )
        return CurrentLibrary(library.publish(version.with_article(record, f"add {record.id}")))
    outdated = None
    changed = False
    for article in version.articles:
        record, emptied = _reread(library, article, strict)
        outdated = emptied or outdated
        if record is not None:
            version = version.with_article(record, f"reread {record.source}")
            changed = True
    return CurrentLibrary(library.publish(version) if changed else version, outdated)


def _reread(
    library: Library, record: ArticleRecord, strict: bool
) -> tuple[ArticleRecord | None, str | None]:
    """A new revision of an article read from a server file that changed (else None), and
    why the stored copy serves when the file became empty.

    A file gone or unreadable keeps its stored copy, with a warning; ``strict`` (a rebuild)
    raises instead.
    """
    if record.server_path is None:
        return None, None
    try:
        text = read_article(Path(record.server_path))
    except ArticleNotFound as missing:
        if strict:
            raise
        log.warning("%s; serving its stored copy", missing)
        return None, None
    except ArticleEmpty as empty:
        if strict:
            raise
        log.warning("%s; serving its stored copy", empty)
        return None, str(empty)
    if text_sha256(text) == record.sha256:
        return None, None
    revision = library.store(
        text,
        title=article_title(text),
        source=record.source,
        added_by=record.added_by,
        extractor=record.extractor,
        server_path=Path(record.server_path),
        replaces=record,
    )
    return revision, None
