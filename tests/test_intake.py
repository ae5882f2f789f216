"""Uploads and links turned into articles, and the preview an admin confirms."""

import pytest
from samples import ARTICLE, FIRST, LONG, SECOND, html_page, pdf_document

from retrieval.core.errors import HtmlWithoutArticle, UnsupportedDocumentType, UrlRefused
from retrieval.index.intake import preview, read_document, read_link
from retrieval.library.chunking import chunk_article
from retrieval.library.fetch import FetchPolicy


@pytest.mark.parametrize(
    ("name", "mime", "data", "extractor"),
    [
        ("lomira.html", "text/html", html_page(ARTICLE), "trafilatura"),
        ("keepers.pdf", "application/pdf", pdf_document(LONG, FIRST), "pypdf"),
        ("notes.md", None, f"# Notes\n\n{FIRST}\n".encode(), "text"),
    ],
)
def test_an_uploaded_document_becomes_an_article(name, mime, data, extractor):
    upload = read_document(data, name, mime)
    assert (upload.source, upload.original_name, upload.original) == (name, name, data)
    assert upload.article.extractor == extractor
    assert upload.extractor.startswith(f"{extractor} ") and FIRST in upload.article.text


def test_an_unnamed_upload_is_named_by_its_type():
    upload = read_document(pdf_document(LONG), None, "application/pdf")
    assert upload.source == upload.original_name == "document.pdf"


def test_an_upload_of_another_type_is_refused():
    with pytest.raises(UnsupportedDocumentType):
        read_document(b"\x89PNG", "photo.png", "image/png")


def test_a_link_becomes_an_article_named_by_its_final_url(pages):
    url = pages.add("/2024/lomira", html_page(ARTICLE))
    short = pages.redirect("/s/1", url)
    upload = read_link(short, FetchPolicy(allow_private=True))
    assert upload.source == url and upload.original_name == "page.html"
    assert upload.article.title == "The Lomira Timber Trade"
    url = pages.add("/files/keepers.pdf", pdf_document(LONG), content_type="application/pdf")
    pdf = read_link(url, FetchPolicy(allow_private=True))
    assert pdf.original_name == "keepers.pdf" and LONG in pdf.article.text


def test_a_link_to_a_page_without_an_article_or_to_this_machine_is_refused(pages):
    with pytest.raises(HtmlWithoutArticle):
        read_link(pages.add("/shop", html_page("")), FetchPolicy(allow_private=True))
    with pytest.raises(UrlRefused):
        read_link(pages.url("/shop"), FetchPolicy())


def test_preview_counts_what_the_index_will_hold(embedder):
    upload = read_document(html_page(ARTICLE), "lomira.html")
    shown = preview(upload, embedder)
    passages = chunk_article(
        upload.article.text, max_tokens=embedder.max_tokens, count_tokens=embedder.count_tokens
    )
    assert shown.passages == len(passages) == 3
    assert shown.sections == ("The Lomira Timber Trade", "The voyages south")
    assert shown.opening == FIRST.split(". ")[0] + "."
    assert shown.chars == len(upload.article.text) and shown.words > 40
    assert (shown.title, shown.source) == ("The Lomira Timber Trade", "lomira.html")
    assert SECOND.split(". ")[0] in upload.article.text
