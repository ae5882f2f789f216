"""A small web server on 127.0.0.1 that serves the pages a test puts on it (stdlib only)."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Page:
    """What one path answers: status, headers, body, and how slowly."""

    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # before the headers
    chunk: int = 0  # with chunk_delay: send the body in pieces this big, pausing between them
    chunk_delay: float = 0.0
    length: bool = True  # send Content-Length (False: the body ends when the connection does)


class _Handler(BaseHTTPRequestHandler):
    server: "PageServer"

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        page = self.server.request(self.path, dict(self.headers))
        time.sleep(page.delay)
        self.send_response(page.status)
        if page.content_type:
            self.send_header("Content-Type", page.content_type)
        for name, value in page.headers.items():
            self.send_header(name, value)
        if page.length:
            self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        size = page.chunk or len(page.body) or 1
        try:
            for start in range(0, len(page.body), size):
                self.wfile.write(page.body[start : start + size])
                self.wfile.flush()
                time.sleep(page.chunk_delay)
        except ConnectionError:  # the client gave up (too large, too slow): that is the test
            pass


class PageServer(ThreadingHTTPServer):
    """Serves ``pages`` on an ephemeral 127.0.0.1 port and records every request."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.pages: dict[str, Page] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()

    @property
    def root(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        """The full URL of ``path``."""
        return self.root + path

    def add(self, path: str, body: bytes | str = b"", **page: object) -> str:
        """Serve ``body`` (and the rest of a :class:`Page`) at ``path``; returns its URL."""
        data = body.encode() if isinstance(body, str) else body
        self.pages[path] = Page(data, **page)  # type: ignore[arg-type]
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        """Redirect ``path`` to ``to``; returns the URL of ``path``."""
        return self.add(path, content_type=None, status=status, headers={"Location": to})

    def request(self, path: str, headers: dict[str, str]) -> Page:
        """Record a request and return its page (404 when there is none)."""
        with self._lock:
            self.requests.append((path, headers))
        return self.pages.get(path, Page(b"not found", "text/plain", 404))

    def __enter__(self) -> "PageServer":
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()
        self.server_close()
