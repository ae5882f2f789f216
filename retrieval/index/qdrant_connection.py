"""One qdrant-client per Qdrant server or local-mode folder, and its failures as the engine's.

Local mode locks its folder for one client at a time, even within a process, so every store
of a folder shares one :class:`QdrantConnection` (see :func:`connect`). A call that fails
because Qdrant is gone raises :class:`VectorStoreUnavailable` and drops the client, so the
next call opens a new one: an engine whose Qdrant comes back answers again without a restart.
The API key is handed to the client only; no message names it.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx
from qdrant_client import QdrantClient
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from ..core.errors import CollectionMissing, VectorStoreUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")
TIMEOUT_SECONDS = 10
_REFUSED = {401: "refused the API key", 403: "refused the API key (forbidden)"}


class QdrantConnection:
    """A Qdrant server at ``url`` (with ``api_key``), or local mode in ``path`` when no URL is
    given. Calls are serialised in local mode, whose collections are plain Python objects
    (the lock is reentrant: a call opens the client under it)."""

    def __init__(
        self, url: str | None, api_key: str | None, path: Path, exact: bool = False
    ) -> None:
        self.url = url
        self._api_key = api_key
        self.path = path
        self.local = url is None
        # Local mode always scores every point; a server does when asked (QDRANT_EXACT).
        self.exact = exact or self.local
        self.where = f"Qdrant's local folder {path}" if self.local else f"Qdrant at {_shown(url)}"
        self._client: QdrantClient | None = None
        self._lock = threading.RLock()

    def call(self, what: str, request: Callable[[QdrantClient], T]) -> T:
        """``request(client)``, its failures raised as :class:`VectorStoreUnavailable` (Qdrant
        unreachable, closed or refusing the key) or :class:`CollectionMissing` (``what`` says
        what was being done, for the message)."""
        # A server's client is thread-safe: answers in parallel threads don't queue here.
        with self._lock if self.local else contextlib.nullcontext():
            client = self._open()
            try:
                return request(client)
            except UnexpectedResponse as exc:
                if exc.status_code == 404:
                    raise CollectionMissing(f"{self.where} has no {what}") from exc
                if exc.status_code in _REFUSED:
                    raise VectorStoreUnavailable(
                        f"{self.where} {_REFUSED[exc.status_code]}"
                    ) from exc
                self._drop()
                raise VectorStoreUnavailable(
                    f"{self.where} failed to {what}: HTTP {exc.status_code} {exc.reason_phrase}"
                ) from exc
            except (ResponseHandlingException, httpx.HTTPError, OSError) as exc:
                self._drop()
                raise VectorStoreUnavailable(f"cannot reach {self.where}: {_cause(exc)}") from exc
            except ValueError as exc:  # local mode names a missing collection so
                if self.local and "not found" in str(exc):
                    raise CollectionMissing(f"{self.where} has no {what}") from exc
                raise
            except RuntimeError as exc:  # local mode: the client was closed
                self._drop()
                raise VectorStoreUnavailable(f"{self.where} is closed: {exc}") from exc

    def _open(self) -> QdrantClient:
        with self._lock:
            return self._client_now()

    def _client_now(self) -> QdrantClient:
        if self._client is not None and not _closed(self._client):
            return self._client
        try:
            if self.local:
                self.path.mkdir(parents=True, exist_ok=True)
                self._client = QdrantClient(path=str(self.path))
            else:
                if self._api_key and urlsplit(self.url or "").scheme == "http":
                    log.warning("QDRANT_API_KEY goes to %s over plain HTTP", self.where)
                # No version check: it is a request of its own, made here, which only warns
                # when the server is down; the first real call says what is wrong.
                with warnings.catch_warnings():  # the plain-HTTP warning, as one log line
                    warnings.simplefilter("ignore", UserWarning)
                    self._client = QdrantClient(
                        url=self.url,
                        api_key=self._api_key,
                        timeout=TIMEOUT_SECONDS,
                        check_compatibility=False,
                    )
        except (RuntimeError, OSError) as exc:  # local mode: the folder is locked or unwritable
            raise VectorStoreUnavailable(
                f"cannot open {self.where}: {exc} (local mode serves one process at a time; "
                "a Qdrant server, QDRANT_URL, serves many)"
            ) from exc
        return self._client

    def _drop(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            # A broken client may fail to close; it is dropped all the same.
            with contextlib.suppress(Exception):
                client.close()

    def close(self) -> None:
        """Close the client (local mode: release the folder); the next call opens it again."""
        with self._lock:
            self._drop()


_connections: dict[tuple[str | None, str | None, str], QdrantConnection] = {}
_connections_lock = threading.Lock()


def connect(
    url: str | None, api_key: str | None, path: Path, exact: bool = False
) -> QdrantConnection:
    """The process's connection to this server or local folder, made on first use."""
    key = (url, api_key, str(path.resolve()) if url is None else "")
    with _connections_lock:
        connection = _connections.get(key)
        if connection is None or connection.exact != (exact or url is None):
            connection = _connections[key] = QdrantConnection(url, api_key, path, exact)
        return connection


@atexit.register
def _close_all() -> None:
    """Close every client before the interpreter tears down the modules that local mode's
    own clean-up (run from ``__del__``) still imports."""
    with _connections_lock:
        for connection in _connections.values():
            connection.close()


def _closed(client: QdrantClient) -> bool:
    """Whether the client was closed (a local one by :meth:`QdrantConnection.close`, say)."""
    return bool(getattr(client._client, "closed", False))


def _shown(url: str | None) -> str:
    """The URL without any user name or password in it."""
    parts = urlsplit(url or "")
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _cause(exc: BaseException) -> str:
    source = getattr(exc, "source", None) or exc
    return f"{type(source).__name__}: {source}".splitlines()[0]
