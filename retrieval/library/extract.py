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

from lxml import etree

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
# A text file with more than this share of control characters (other than tabs, line and
# page breaks) is binary data, not text in some other encoding.
MAX_CONTROL_SHARE = 0.01
_CONTROL = bytes(b for b in range(32) if chr(b) not in "\t\n\r\f") + b"\x7f"
# The date a page was first published, from its meta tags and byline only: the extensive
# search also reads dates in the text, and takes a footer's "© 2024" for 1 January 2024.
PUBLICATION_DATE = {"original_date": True, "extensive_search": False}
# Where a PDF's "%PDF-" header may start (readers allow some junk before it).
PDF_HEADER_WITHIN = 1024
# trafilatura logs every page it cannot use at ERROR, and pypdf warns of each flaw of a broken
# file it reads; here those are a bad upload, which one intake error reports, not news for
# the bot's log.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("pypdf").setLevel(logging.ERROR)


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
    if not suffix and not mime:
        raise UnsupportedDocumentType(
            f"files without an extension are not supported; send {SUPPORTED}"
        )
    raise UnsupportedDocumentType(
        f"{suffix or mime} documents are not supported; send {SUPPORTED}"
    )


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
    text = decode_text(data)
    if not text.lstrip("\ufeff").strip():
        raise DocumentEmpty("the document holds only white space")
    return Extracted(text, article_title(text), None, None, "text", TEXT_EXTRACTOR_VERSION)


def decode_text(data: bytes, name: str = "the document") -> str:
    """UTF-8 text (the encoding of nearly all text today); anything else is refused, since a
    guessed legacy encoding silently garbles accented letters. ``name`` is the file the
    message names."""
    if looks_binary(data):
        raise DocumentUnreadable(f"{name} is not a text file (it holds binary data)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentUnreadable(
            f"{name} is not UTF-8 text; save it as UTF-8 and try again"
        ) from exc


def looks_binary(data: bytes) -> bool:
    """Whether ``data`` is binary (an image, an archive, random bytes), not text: it holds a
    NUL byte or more control characters than text in any encoding would."""
    sample = data[:8192]
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    return b"\x00" in data or controls > MAX_CONTROL_SHARE * len(sample)


def extract_html(data: bytes) -> Extracted:
    """The main text of a web page (headings as Markdown ``#`` lines), title, date, author."""
    import trafilatura  # on first use: importing it adds a tenth of a second to every start

    try:
        document = trafilatura.bare_extraction(
            data,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            date_extraction_params=PUBLICATION_DATE,
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
    if b"%PDF-" not in data[:PDF_HEADER_WITHIN]:
        raise DocumentUnreadable("the file is not a PDF (it has no PDF header)")
    import pypdf  # on first use, as trafilatura
    from pypdf.errors import PdfReadError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentUnreadable("the PDF is password-protected")
        lines = [line for page in reader.pages for line in page.extract_text().splitlines()]
        metadata = reader.metadata
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentUnreadable(f"the PDF is damaged and cannot be read ({exc})") from exc
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
