"""From an upload or a link to an article ready to add: read, extract, preview.

Nothing here touches the library: the admin sees the preview and confirms first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from ..library.chunking import chunk_article
from ..library.extract import SUFFIX_KINDS, Extracted, document_kind, extract
from ..library.fetch import FetchPolicy, fetch
from .embedding import Embedder

KIND_SUFFIXES = {kind: suffix for suffix, kind in reversed(SUFFIX_KINDS.items())}


@dataclass(frozen=True, slots=True)
class Upload:
    """A document turned into an article: where it came from, its original bytes, its text."""

    source: str  # the file name or the URL the admin sent
    original: bytes
    original_name: str
    article: Extracted

    @property
    def extractor(self) -> str:
        """The extractor and its version, as the library records them."""
        return f"{self.article.extractor} {self.article.extractor_version}"


@dataclass(frozen=True, slots=True)
class Preview:
    """What the admin is shown before confirming: the article as the index would see it."""

    title: str
    source: str
    chars: int
    words: int
    sections: tuple[str, ...]
    passages: int
    opening: str


def read_document(data: bytes, file_name: str | None, mime_type: str | None = None) -> Upload:
    """An uploaded file as an article (intake errors for a bad type, empty or unreadable)."""
    kind = document_kind(file_name, mime_type)
    name = file_name or f"document{KIND_SUFFIXES[kind]}"
    return Upload(name, data, name, extract(data, kind))


def read_link(url: str, policy: FetchPolicy) -> Upload:
    """The document behind an http(s) link as an article (SSRF-checked, see ``fetch``)."""
    fetched = fetch(url, policy)
    path = PurePosixPath(urlsplit(fetched.url).path)
    name = (
        path.name if path.suffix.lower() in SUFFIX_KINDS else f"page{KIND_SUFFIXES[fetched.kind]}"
    )
    return Upload(fetched.url, fetched.data, name, extract(fetched.data, fetched.kind))


def preview(upload: Upload, embedder: Embedder) -> Preview:
    """Chunk the article as the index will (the model's tokenizer) and describe the result."""
    text = upload.article.text
    passages = chunk_article(
        text, max_tokens=embedder.max_tokens, count_tokens=embedder.count_tokens
    )
    sections = tuple(dict.fromkeys(p.section for p in passages if p.section))
    return Preview(
        title=upload.article.title,
        source=upload.source,
        chars=len(text),
        words=len(text.split()),
        sections=sections,
        passages=len(passages),
        opening=passages[0].sentences[0].text,
    )
