"""Downloading an article from an http(s) link, safely.

A link sent to the bot could point it at the machine it runs on or its network (SSRF). Every
hop is resolved first and refused when any of its addresses is not public; the request then
goes to the checked address itself (the host name travels in the Host header and TLS SNI), so
a second DNS answer cannot swap in another address. Redirects are followed by hand, each hop
checked the same way; the body is streamed and cut off at the size limit.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from ..core.errors import (
    DocumentTooLarge,
    FetchFailed,
    FetchTimeout,
    TooManyRedirects,
    UnsupportedDocumentType,
    UrlRefused,
)
from .extract import MIME_KINDS, SUFFIX_KINDS

if TYPE_CHECKING:
    import httpx

USER_AGENT = "article-qa-bot/0.1 (fetches one article an admin sent)"
# Where cloud providers serve instance credentials; most are link-local or private anyway.
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "instance-data"})
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """How far the fetcher goes: size, time, redirects, and whether private hosts are allowed."""

    max_bytes: int = 10_000_000
    timeout: float = 20.0
    max_redirects: int = 5
    allow_private: bool = False


@dataclass(frozen=True, slots=True)
class Fetched:
    """A downloaded document: the URL it finally came from, its bytes and its kind."""

    url: str
    data: bytes
    content_type: str
    kind: str


def fetch(url: str, policy: FetchPolicy) -> Fetched:
    """Download ``url`` within ``policy``; every refusal is an intake error (``errors.py``)."""
    import httpx  # on first use: answering never needs it, and it is slow to import

    deadline = time.monotonic() + policy.timeout
    timeout = httpx.Timeout(policy.timeout)
    try:
        target = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise UrlRefused(f"not a valid link: {exc}") from exc
    with httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT}) as client:
        for _ in range(policy.max_redirects + 1):
            request = pinned_request(client, target, policy.allow_private)
            try:
                response = client.send(request, stream=True)
            except httpx.TimeoutException as exc:
                raise FetchTimeout(
                    f"{target.host} did not answer in {policy.timeout:g} s"
                ) from exc
            except httpx.HTTPError as exc:
                raise FetchFailed(f"{target.host} could not be reached ({exc})") from exc
            try:
                if not response.is_redirect:
                    return _read(target, response, policy, deadline)
                target = target.join(response.headers["location"])
            finally:
                response.close()
    raise TooManyRedirects(f"the link redirects more than {policy.max_redirects} times")


def pinned_request(client: httpx.Client, url: httpx.URL, allow_private: bool) -> httpx.Request:
    """A GET of ``url`` sent to the checked address of its host, not to a fresh DNS answer."""
    if url.scheme not in ("http", "https"):
        links = f"{url.scheme} links" if url.scheme else "links without http(s)"
        raise UrlRefused(f"{links} are not supported; give an http(s) link or a file")
    if not url.host:
        raise UrlRefused("the link has no host")
    if not allow_private and url.host.lower().rstrip(".") in METADATA_HOSTS:
        raise UrlRefused(f"{url.host} is a cloud metadata service")
    addresses = resolve(url.host, url.port or (443 if url.scheme == "https" else 80))
    if not allow_private:
        _refuse_private(url.host, addresses)
    host_header = url.netloc.decode("ascii")
    return client.build_request(
        "GET",
        url.copy_with(host=str(addresses[0])),
        headers={"Host": host_header},
        extensions={"sni_hostname": url.host},
    )


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to, in the resolver's order of preference."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchFailed(f"{host} cannot be resolved") from exc
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def _refuse_private(host: str, addresses: list[IPAddress]) -> None:
    """Refuse a host that is, or resolves to anything, not on the public internet."""
    for ip in addresses:
        mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
        if not is_public(mapped or ip):
            raise UrlRefused(f"{host} resolves to {ip}, which is not a public address")


def is_public(ip: IPAddress) -> bool:
    """Whether ``ip`` is a global unicast address: not loopback, private, link-local (cloud
    metadata at 169.254.169.254), shared, multicast, reserved or unspecified."""
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def _read(
    url: httpx.URL, response: httpx.Response, policy: FetchPolicy, deadline: float
) -> Fetched:
    """The body of a final (non-redirect) response, within the size and time limits."""
    import httpx

    if response.status_code >= 400:
        raise FetchFailed(f"the server answered {response.status_code} {response.reason_phrase}")
    content_type = response.headers.get("content-type", "")
    kind = _kind(content_type, url.path)
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise DocumentTooLarge(_too_large(policy.max_bytes))
    chunks, size = [], 0
    try:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > policy.max_bytes:
                raise DocumentTooLarge(_too_large(policy.max_bytes))
            if time.monotonic() > deadline:
                raise FetchTimeout(f"the download took longer than {policy.timeout:g} s")
            chunks.append(chunk)
    except httpx.TimeoutException as exc:
        raise FetchTimeout(f"{url.host} stopped sending for {policy.timeout:g} s") from exc
    except httpx.HTTPError as exc:
        raise FetchFailed(f"the download broke off ({exc})") from exc
    return Fetched(str(url), b"".join(chunks), content_type, kind)


def _kind(content_type: str, path: str) -> str:
    """The document kind from the Content-Type, or the path's suffix when it says nothing."""
    mime = content_type.split(";")[0].strip().lower()
    if mime in MIME_KINDS:
        return MIME_KINDS[mime]
    suffix = PurePosixPath(path).suffix.lower()
    if mime in ("", "application/octet-stream") and suffix in SUFFIX_KINDS:
        return SUFFIX_KINDS[suffix]
    raise UnsupportedDocumentType(
        f"the link serves {mime or 'an unknown type'}, not HTML, text or PDF"
    )


def _too_large(limit: int) -> str:
    return f"the document is larger than {limit / 1_000_000:g} MB"
