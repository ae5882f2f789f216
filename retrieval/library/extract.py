"""Article text out of an uploaded document: HTML (trafilatura), PDF (pypdf), Markdown, text.

Every extractor returns an :class:`Extracted` or raises one of the intake errors of
``errors.py``; none of them knows where the bytes came from (a Telegram upload, a link, a file).
"""

from __future__ import annotations

import io
import logging
import re
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import PurePosixPath

import pypdf
import trafilatura
from lxml import etree
from pypdf.errors import PdfReadError

from ..core.errors import (
    DocumentEmpty,
    DocumentUnreadable,
    HtmlWithoutArticle,
    PdfWithoutText,
    UnsupportedDocumentType,
)
from .chunking import article_title, is_boilerplate

# An HTML page is an article only with at least this many words of main text outside the
# site chrome; a cookie banner or a product grid has fewer.
MIN_ARTICLE_WORDS = 20
# A PDF line that would have had room for the next line's first word within this share of a
# typical full line ended its paragraph.
FITS = 0.9
PLACEHOLDER_TITLES = frozenset({"", "untitled", "(unspecified)", "unknown", "document"})

SUFFIX_KINDS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}
MIME_KINDS = {
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
}
# Plain text is stored as it is; bump this if that ever changes, to re-extract old uploads.
TEXT_EXTRACTOR_VERSION = "1"
SUPPORTED = ".txt, .md, .html, .htm or .pdf"
_HEADING_LEVEL = re.compile(r"h([1-6])")
# trafilatura logs every page it cannot use at ERROR; here that is a bad upload, which
# HtmlWithoutArticle reports, not an error of the bot.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


@dataclass(frozen=True, slots=True)
class Extracted:
    """The article text of one document, with what the document says about itself."""

    text: str
    title: str
    date: str | None
    author: str | None
    extractor: str
    extractor_version: str


def document_kind(file_name: str | None = None, mime_type: str | None = None) -> str:
    """``text``, ``markdown``, ``html`` or ``pdf`` from a file name, else from a MIME type."""
    suffix = PurePosixPath(file_name or "").suffix.lower()
    if suffix in SUFFIX_KINDS:
        return SUFFIX_KINDS[suffix]
    mime = (mime_type or "").split(";")[0].strip().lower()
    if mime in MIME_KINDS and not suffix:
        return MIME_KINDS[mime]
    shown = suffix or mime or "unknown"
    raise UnsupportedDocumentType(f"{shown} documents are not supported; send {SUPPORTED}")


def extract(data: bytes, kind: str) -> Extracted:
    """The article in ``data``, read as ``kind`` (see :func:`document_kind`)."""
    if not data.strip():
        raise DocumentEmpty("the document is empty")
    extractors: dict[str, Callable[[bytes], Extracted]] = {
        "text": extract_text,
        "markdown": extract_text,
        "html": extract_html,
        "pdf": extract_pdf,
    }
    if kind not in extractors:
        raise UnsupportedDocumentType(f"{kind} documents are not supported; send {SUPPORTED}")
    return extractors[kind](data)


def extract_text(data: bytes) -> Extracted:
    """Plain text or Markdown, kept exactly as it is (offsets into it stay file offsets)."""
    text = _decode(data)
    if not text.lstrip("\ufeff").strip():
        raise DocumentEmpty("the document holds only white space")
    return Extracted(text, article_title(text), None, None, "text", TEXT_EXTRACTOR_VERSION)


def _decode(data: bytes) -> str:
    """UTF-8 text (the encoding of nearly all text today); anything else is refused, since a
    guessed legacy encoding silently garbles accented letters."""
    if b"\x00" in data:
        raise DocumentUnreadable("the document is binary, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentUnreadable("the text is not UTF-8; save it as UTF-8 and resend") from exc


def extract_html(data: bytes) -> Extracted:
    """The main text of a web page (headings as Markdown ``#`` lines), title, date, author."""
    try:
        document = trafilatura.bare_extraction(
            data, with_metadata=True, include_comments=False, include_tables=False
        )
    except (ValueError, etree.LxmlError) as exc:
        raise DocumentUnreadable(f"the page cannot be parsed: {exc}") from exc
    text = "\n\n".join(_html_blocks(document.body)) if document is not None else ""
    words = sum(len(line.split()) for line in text.splitlines() if not is_boilerplate(line))
    if words < MIN_ARTICLE_WORDS:
        raise HtmlWithoutArticle("the page has no article text, only navigation or site chrome")
    title = _real_title(document.title) or article_title(text)
    return Extracted(
        text, title, document.date, document.author, "trafilatura", version("trafilatura")
    )


def _html_blocks(body: etree._Element | None) -> Iterable[str]:
    """One string per heading, paragraph, quote or list item of trafilatura's XML body."""
    for element in body if body is not None else ():
        if element.tag == "list":
            yield from (line for item in element.iter("item") if (line := _inline(item)))
        elif line := _inline(element):
            rend = element.get("rend", "") if element.tag == "head" else ""
            level = _HEADING_LEVEL.fullmatch(rend)
            yield f"{'#' * int(level[1])} {line}" if level else line


def _inline(element: etree._Element) -> str:
    """The element's text on one line; a line break inside it reads as a space."""
    for line_break in element.iter("lb"):
        line_break.tail = " " + (line_break.tail or "")
    return " ".join("".join(element.itertext()).split())


def extract_pdf(data: bytes) -> Extracted:
    """The text layer of a PDF, its lines rejoined into paragraphs, and its metadata."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentUnreadable("the PDF is password-protected")
        lines = [line for page in reader.pages for line in page.extract_text().splitlines()]
        metadata = reader.metadata
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentUnreadable(f"the PDF cannot be read: {exc}") from exc
    text = reflow(lines)
    if not text.strip():
        raise PdfWithoutText("the PDF has no text layer (is it a scan?)")
    title = _real_title(metadata.title if metadata else None) or article_title(text)
    created = metadata.creation_date if metadata else None
    author = (metadata.author or None) if metadata else None
    date = created.date().isoformat() if created else None
    return Extracted(text, title, date, author, "pypdf", version("pypdf"))


def reflow(lines: list[str]) -> str:
    """Rejoin the wrapped lines of a PDF's pages into paragraphs, one per line.

    PDFs store visual lines, wrapped greedily: a line runs on into the next one unless the next
    line's first word would have fitted on it, which means the paragraph (or heading) ended.
    Widths are counted in characters, so only a clear fit counts (fonts are proportional).
    """
    lines = [" ".join(line.split()) for line in lines]
    lengths = sorted(len(line) for line in lines if line)
    if not lengths:
        return ""
    full = statistics.median(lengths[len(lengths) // 2 :])
    paragraphs: list[str] = []
    current = ""
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        if line:
            joiner = "" if not current or current.endswith("-") else " "
            current += joiner + line
        next_word = following.split(" ", 1)[0]
        if current and (not next_word or len(line) + 1 + len(next_word) <= FITS * full):
            paragraphs.append(current)
            current = ""
    return "\n\n".join(paragraphs) + "\n"


def _real_title(title: str | None) -> str | None:
    """A title from metadata, unless it is a placeholder such as "untitled"."""
    title = " ".join((title or "").split())
    return None if title.lower() in PLACEHOLDER_TITLES else title
