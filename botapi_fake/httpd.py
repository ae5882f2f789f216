"""The HTTP side of the fake Bot API server: parsing requests the way PTB sends them."""

from __future__ import annotations

import email.parser
import email.policy
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qsl

from .files import UploadedFile

_RAW = {"text", "parse_mode", "callback_query_id", "url", "action", "language_code"}


def _decode(key: str, value: Any) -> Any:
    """Form values are raw strings for string parameters and JSON for everything else."""
    if not isinstance(value, str) or key in _RAW:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def parse_params(content_type: str, body: bytes, query: str) -> dict[str, Any]:
    """The request's parameters, from the query string and a form, multipart or JSON body."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json" and body:
        params.update(json.loads(body))
    elif kind == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        form = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        for part in form.iter_parts():
            data = part.get_payload(decode=True)
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            params[name] = UploadedFile(filename, data) if filename else data.decode()
    elif body:
        params.update(parse_qsl(body.decode(), keep_blank_values=True))
    return {key: _decode(key, value) for key, value in params.items()}


class Api(Protocol):
    """What the HTTP side hands requests to: the fake Bot API (``BotApiServer``)."""

    def dispatch(self, path: str, content_type: str, body: bytes) -> tuple[int, dict[str, Any]]:
        """Answer one API request: ``(status, JSON payload)``."""

    def response_delay(self, method: str) -> float:
        """How long to hold the response to a call of ``method``."""

    def download(self, path: str) -> bytes | None:
        """The file at a ``/file/bot<token>/<file_path>`` path (None: not served)."""


class _Handler(BaseHTTPRequestHandler):
    server: HttpServer

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        content_type = self.headers.get("Content-Type", "")
        status, payload = self.server.api.dispatch(self.path, content_type, body)
        data = json.dumps(payload).encode()
        time.sleep(self.server.api.response_delay(self.path.partition("?")[0].split("/")[-1]))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if not self.path.startswith("/file/"):
            self.do_POST()
            return
        data = self.server.api.download(self.path)
        self.send_response(200 if data is not None else 404)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data or b"")))
        self.end_headers()
        self.wfile.write(data or b"")


class HttpServer(ThreadingHTTPServer):
    """A threaded HTTP server on an ephemeral 127.0.0.1 port handing requests to ``api``."""

    daemon_threads = True
    request_queue_size = 128  # a burst of concurrent bot requests must not overflow the backlog
    api: Api

    def __init__(self, api: Api) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.api = api

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a long poll cancelled at shutdown) is not worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):  # BrokenPipe, ConnectionReset
            super().handle_error(request, client_address)
