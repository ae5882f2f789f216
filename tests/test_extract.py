"""The extractors on real small files made here: an HTML page with site chrome, real PDFs."""

import io
import logging

import pypdf
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from samples import ARTICLE, FIRST, LONG, SECOND, THIRD, drawing_only_pdf, html_page, pdf_document

from retrieval.core.errors import (
    DocumentEmpty,
    DocumentUnreadable,
    HtmlWithoutArticle,
    PdfWithoutText,
    UnsupportedDocumentType,
)
from retrieval.library.chunking import article_title, chunk_article
from retrieval.library.extract import document_kind, extract, extract_html, extract_pdf

# --- HTML -------------------------------------------------------------------------------------


def test_html_keeps_the_article_and_drops_the_site_chrome():
    extracted = extract(html_page(ARTICLE), "html")
    assert extracted.title == "The Lomira Timber Trade"
    assert extracted.author == "Jane Doe" and extracted.date == "2024-05-01"
    assert extracted.extractor == "trafilatura" and extracted.extractor_version
    text = extracted.text
    assert text.startswith("# The Lomira Timber Trade\n\n")
    assert "## The voyages south" in text
    for sentence in (FIRST, SECOND, THIRD):  # formatting and <br> leave the sentence whole
        assert sentence in text
    for chrome in ("Login", "Subscribe", "cookies", "rights reserved", "Most read", "Privacy"):
        assert chrome not in text


def test_html_headings_become_sections_of_the_chunked_article():
    passages = chunk_article(extract_html(html_page(ARTICLE)).text)
    assert [p.section for p in passages] == [
        "The Lomira Timber Trade",
        "The voyages south",
        "The voyages south",
    ]


@pytest.mark.parametrize(
    "body",
    [
        "",
        "<div><a href='/login'>Login</a> <a href='/subscribe'>Subscribe</a></div>",
        "<main><ul><li><a>Shoes</a></li><li><a>Hats</a></li></ul><p>Buy now.</p></main>",
    ],
)
def test_html_without_an_article_is_refused(body):
    with pytest.raises(HtmlWithoutArticle):
        extract(html_page(body), "html")


def test_html_page_in_another_encoding_is_read():
    page = html_page(ARTICLE.replace("ships", "navíos")).replace(b"utf-8", b"iso-8859-1")
    extracted = extract(page.decode().encode("iso-8859-1"), "html")
    assert "navíos" in extracted.text


# --- PDF --------------------------------------------------------------------------------------


def test_pdf_text_layer_is_read_with_paragraphs_rejoined():
    extracted = extract(pdf_document(LONG, FIRST, SECOND), "pdf")
    assert extracted.title == "The Lighthouse Keepers" and extracted.author == "Ann Smith"
    assert extracted.extractor == "pypdf" and extracted.date  # reportlab stamps the date
    paragraphs = extracted.text.strip().split("\n\n")
    # The long paragraph is wrapped over several lines in the PDF; it comes back as one.
    assert paragraphs == ["The Lighthouse Keepers", LONG, FIRST, SECOND]


def test_pdf_without_a_title_is_named_by_its_opening():
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.drawString(72, 760, THIRD)
    page.save()
    extracted = extract_pdf(buffer.getvalue())
    assert extracted.text.strip() == THIRD
    assert extracted.title == "By spring the town had built a new pier."


@pytest.mark.parametrize("make", [drawing_only_pdf, "blank"])
def test_pdf_without_a_text_layer_is_refused(make):
    if make == "blank":
        writer, buffer = pypdf.PdfWriter(), io.BytesIO()
        writer.add_blank_page(595, 842)
        writer.write(buffer)
        data = buffer.getvalue()
    else:
        data = make()
    with pytest.raises(PdfWithoutText):
        extract(data, "pdf")


def test_damaged_and_locked_pdfs_are_unreadable():
    whole = pdf_document(LONG, FIRST)
    locked = io.BytesIO()
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(whole)))
    writer.encrypt("s3cret")
    writer.write(locked)
    for data in (b"%PDF-1.7\nnot really a pdf", whole[: len(whole) // 3], locked.getvalue()):
        with pytest.raises(DocumentUnreadable):
            extract(data, "pdf")


# --- plain text and Markdown ------------------------------------------------------------------


def test_plain_text_is_kept_byte_for_byte(article_path):
    data = article_path.read_bytes()
    extracted = extract(data, "text")
    assert extracted.text.encode("utf-8") == data
    assert extracted.title == article_title(data.decode())
    assert (extracted.date, extracted.author, extracted.extractor) == (None, None, "text")


def test_markdown_is_kept_as_it_is():
    source = f"# Harbour notes\n\n{FIRST}\n\n## Trade\n\n*{SECOND}*\n"
    extracted = extract(source.encode(), "markdown")
    assert extracted.text == source and extracted.title == "Harbour notes"


def test_text_in_a_legacy_encoding_is_refused_not_garbled():
    source = f"Café society\n\n{FIRST} The crème brûlée was served at noon, à la française."
    with pytest.raises(DocumentUnreadable, match="UTF-8"):
        extract(source.encode("cp1252"), "text")


@pytest.mark.parametrize("data", [b"", b"   \n\t\n", "\ufeff  \n".encode()])
def test_empty_documents_are_refused(data):
    with pytest.raises(DocumentEmpty):
        extract(data, "text")


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04\x14\x00\x00\x00binary zip" * 20, bytes(range(1, 256)) * 8],
    ids=["with NUL bytes", "control bytes"],
)
def test_binary_data_sent_as_text_is_not_a_text_file(data):
    with pytest.raises(DocumentUnreadable, match="is not a text file"):
        extract(data, "text")


def test_text_in_another_encoding_is_refused_as_not_utf8_not_as_binary():
    with pytest.raises(DocumentUnreadable, match="not UTF-8 text; save it as UTF-8"):
        extract("Café crème: déjà vu.\n".encode("latin-1"), "text")


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (bytes(range(255, -1, -1)) * 8, "the file is not a PDF"),
        (b"%PDF-1.4\n" + bytes(range(256)) * 8, "the PDF is damaged and cannot be read"),
    ],
    ids=["random bytes", "a PDF header, then garbage"],
)
def test_a_broken_pdf_is_one_error_and_no_pypdf_warnings(caplog, data, says):
    with caplog.at_level(logging.DEBUG), pytest.raises(DocumentUnreadable, match=says):
        extract(data, "pdf")
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]


# --- document types ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "mime", "kind"),
    [
        ("story.txt", "text/plain", "text"),
        ("NOTES.MD", None, "markdown"),
        ("page.htm", "text/html", "html"),
        ("page.html", "application/octet-stream", "html"),
        ("paper.pdf", None, "pdf"),
        (None, "application/pdf", "pdf"),
        ("", "text/html; charset=utf-8", "html"),
    ],
)
def test_document_kind_from_name_then_type(name, mime, kind):
    assert document_kind(name, mime) == kind


@pytest.mark.parametrize(
    ("name", "mime"),
    [("report.docx", None), ("photo.png", "image/png"), (None, "image/jpeg"), (None, None)],
)
def test_other_document_types_are_unsupported(name, mime):
    with pytest.raises(UnsupportedDocumentType, match="not supported"):
        document_kind(name, mime)
    with pytest.raises(UnsupportedDocumentType):
        extract(b"data", "docx")
