"""What ``bot.py add`` reads: a link, or a file on this machine.

Plain text and Markdown files are read byte for byte and remembered as server files (a
rebuild reads them again); HTML and PDF files and links go through the same extractors and
safe fetcher as the chat's uploads, with the same errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from retrieval import (
    SERVER_FILE,
    ArticleNotFound,
    FetchPolicy,
    Upload,
    document_kind,
    read_article,
    read_document,
    read_link,
)


@dataclass(frozen=True, slots=True)
class Source:
    """An article ready for the library: its text and where it came from."""

    text: str
    source: str
    extractor: str
    title: str | None = None
    server_path: Path | None = None
    original: bytes | None = None
    original_name: str | None = None


def read_source(target: str, policy: FetchPolicy) -> Source:
    """The article at ``target`` (a path or an http(s) link), or an intake error saying why
    it can't be read (the bot's uploads raise the same ones)."""
    if target.lower().startswith(("http://", "https://")):
        return _from_upload(read_link(target, policy))
    path = Path(target)
    if document_kind(path.name) in ("text", "markdown"):
        return Source(read_article(path), path.name, SERVER_FILE, server_path=path.resolve())
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleNotFound(f"cannot read {path}: {exc}") from exc
    return _from_upload(read_document(data, path.name))


def _from_upload(upload: Upload) -> Source:
    return Source(
        upload.article.text,
        upload.source,
        upload.extractor,
        title=upload.article.title,
        original=upload.original,
        original_name=upload.original_name,
    )
