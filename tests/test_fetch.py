"""The link fetcher against a real local web server: limits, redirects, types and SSRF."""

import ipaddress

import pytest
from samples import ARTICLE, html_page, pdf_document

from retrieval.core.errors import (
    DocumentTooLarge,
    FetchFailed,
    FetchTimeout,
    TooManyRedirects,
    UnsupportedDocumentType,
    UrlRefused,
)
from retrieval.library import fetch as fetching
from retrieval.library.fetch import FetchPolicy, fetch, is_public

LOCAL = FetchPolicy(timeout=2.0, allow_private=True)


def test_fetches_a_page_and_names_its_kind(pages):
    page = html_page(ARTICLE)
    url = pages.add("/news/lomira", page)
    fetched = fetch(url, LOCAL)
    assert (fetched.url, fetched.data, fetched.kind) == (url, page, "html")
    assert fetched.content_type.startswith("text/html")
    [(path, headers)] = pages.requests
    assert path == "/news/lomira" and headers["Host"] == pages.root.removeprefix("http://")
    assert headers["User-Agent"].startswith("article-qa-bot")


@pytest.mark.parametrize(
    ("path", "content_type", "kind"),
    [
        ("/paper", "application/pdf", "pdf"),
        ("/notes", "text/plain; charset=utf-8", "text"),
        ("/readme", "text/markdown", "markdown"),
        ("/paper.pdf", "application/octet-stream", "pdf"),
        ("/story.txt", None, "text"),
    ],
)
def test_kind_comes_from_the_content_type_then_the_path(pages, path, content_type, kind):
    url = pages.add(path, pdf_document("One short paragraph."), content_type=content_type)
    assert fetch(url, LOCAL).kind == kind


def test_redirects_are_followed_to_the_page(pages):
    url = pages.add("/final", html_page(ARTICLE))
    pages.redirect("/moved", "/final", status=301)
    start = pages.redirect("/short", pages.url("/moved"))
    fetched = fetch(start, LOCAL)
    assert fetched.url == url and [p for p, _ in pages.requests] == ["/short", "/moved", "/final"]


def test_too_many_redirects_are_refused(pages):
    for hop in range(10):
        pages.redirect(f"/hop{hop}", f"/hop{hop + 1}")
    with pytest.raises(TooManyRedirects, match="more than 5"):
        fetch(pages.url("/hop0"), LOCAL)
    assert len(pages.requests) == 6
    pages.redirect("/loop", "/loop")
    with pytest.raises(TooManyRedirects):
        fetch(pages.url("/loop"), FetchPolicy(max_redirects=2, allow_private=True))


def test_a_server_that_does_not_answer_times_out(pages):
    url = pages.add("/slow", html_page(ARTICLE), delay=1.5)
    with pytest.raises(FetchTimeout):
        fetch(url, FetchPolicy(timeout=0.5, allow_private=True))


def test_a_download_that_drips_past_the_deadline_times_out(pages):
    body = html_page(ARTICLE)
    url = pages.add("/drip", body, chunk=len(body) // 8, chunk_delay=0.2)
    with pytest.raises(FetchTimeout, match="longer than"):
        fetch(url, FetchPolicy(timeout=0.6, allow_private=True))


@pytest.mark.parametrize("declared", [True, False])
def test_a_document_over_the_size_limit_is_refused(pages, declared):
    url = pages.add("/big", b"x" * 300_000, content_type="text/plain", length=declared)
    with pytest.raises(DocumentTooLarge, match=r"larger than 0\.1 MB"):
        fetch(url, FetchPolicy(max_bytes=100_000, allow_private=True))
    assert fetch(url, FetchPolicy(max_bytes=300_000, allow_private=True)).data == b"x" * 300_000


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/photo", "image/png"), ("/data", "application/json"), ("/blob", None), ("/x.zip", None)],
)
def test_other_content_types_are_refused(pages, path, content_type):
    url = pages.add(path, b"\x89PNG....", content_type=content_type)
    with pytest.raises(UnsupportedDocumentType, match="not HTML, text or PDF"):
        fetch(url, LOCAL)


@pytest.mark.parametrize("status", [404, 500])
def test_an_error_status_fails(pages, status):
    url = pages.add("/gone", "gone", status=status)
    with pytest.raises(FetchFailed, match=str(status)):
        fetch(url, LOCAL)


def test_unreachable_and_malformed_links_fail_cleanly(pages):
    with pytest.raises(FetchFailed):
        fetch("http://no-such-host.invalid/article", LOCAL)
    port = pages.server_address[1]
    pages.server_close()  # nothing listens on the port any more
    with pytest.raises(FetchFailed):
        fetch(f"http://127.0.0.1:{port}/", LOCAL)
    for url in ("ftp://example.org/a.txt", "file:///etc/passwd", "http://", "not a link"):
        with pytest.raises(UrlRefused):
            fetch(url, LOCAL)


# --- SSRF ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "[::1]", "[::ffff:127.0.0.1]", "0.0.0.0", "127.1"],
)
def test_local_hosts_are_refused_by_default(pages, host):
    pages.add("/secret", "internal")
    port = pages.server_address[1]
    with pytest.raises(UrlRefused, match="not a public address"):
        fetch(f"http://{host}:{port}/secret", FetchPolicy())
    assert pages.requests == []  # refused before any request was sent


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # the cloud metadata service
        "100.100.100.200",  # Alibaba's metadata service, in the shared 100.64/10 block
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "fe80::1",
        "fd00:ec2::254",  # AWS's IPv6 metadata service
        "ff02::1",
        "::",
    ],
)
def test_private_link_local_multicast_and_reserved_addresses_are_not_public(address):
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111"])
def test_global_addresses_are_public(address):
    assert is_public(ipaddress.ip_address(address))


def test_metadata_host_names_are_refused():
    with pytest.raises(UrlRefused, match="metadata"):
        fetch("http://metadata.google.internal/computeMetadata/v1/", FetchPolicy())


def test_every_redirect_hop_is_checked(pages, monkeypatch):
    """A public page that redirects to a private address is refused at that hop."""
    monkeypatch.setattr(fetching, "is_public", lambda ip: str(ip) == "127.0.0.1")
    port = pages.server_address[1]
    pages.add("/internal", "the router's admin page")
    start = pages.redirect("/innocent", f"http://127.0.0.2:{port}/internal")
    with pytest.raises(UrlRefused, match=r"127\.0\.0\.2"):
        fetch(start, FetchPolicy())
    assert [path for path, _ in pages.requests] == ["/innocent"]


def test_the_request_goes_to_the_checked_address(pages, monkeypatch):
    """The host is resolved once; a second DNS answer cannot move the request elsewhere."""
    answers = iter([[ipaddress.ip_address("127.0.0.1")]])
    monkeypatch.setattr(fetching, "resolve", lambda host, port: next(answers))
    url = pages.add("/article", html_page(ARTICLE)).replace("127.0.0.1", "news.example")
    fetched = fetch(url, LOCAL)  # news.example does not exist: only the pinned address works
    assert fetched.url == url
    assert pages.requests[0][1]["Host"] == url.split("/")[2]
