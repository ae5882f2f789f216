"""Files on the fake Bot API server: documents users send, getFile, downloads, sendDocument."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import Any

from .validation import ApiError

# Bots may download files up to 20 MB through the Bot API; getFile refuses bigger ones.
DOWNLOAD_LIMIT = 20 * 1024 * 1024


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request (what ``sendDocument`` carries)."""

    filename: str
    data: bytes


class FileStore:
    """The bytes behind file ids, and a log of what the bot downloaded and sent."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._files: dict[str, tuple[bytes, int, str]] = {}  # file_id -> data, size, path
        self.downloads: list[str] = []  # file ids, in order
        self.sent: list[dict] = []

    def add(self, data: bytes, file_name: str | None, mime_type: str | None,
            file_size: int | None = None) -> dict:  # fmt: skip
        """Keep ``data`` and return the Document object a message carries; ``file_size`` may
        claim a bigger size than ``data`` has (a 25 MB upload without 25 MB of test data)."""
        number = next(self._ids)
        file_id = f"BQACAgIAAxkBAAI{number:06d}"
        size = len(data) if file_size is None else file_size
        suffix = (file_name or "").rpartition(".")[2] if "." in (file_name or "") else "bin"
        with self._lock:
            self._files[file_id] = (data, size, f"documents/file_{number}.{suffix}")
        document = {"file_id": file_id, "file_unique_id": f"AgAD{number:06d}", "file_size": size}
        document |= {"file_name": file_name} if file_name else {}
        return document | ({"mime_type": mime_type} if mime_type else {})

    def get_file(self, params: dict[str, Any]) -> dict:
        """``getFile``: the path to download a file from, as Telegram gives it."""
        file_id = str(params.get("file_id") or "")
        with self._lock:
            if file_id not in self._files:
                raise ApiError("Bad Request: invalid file_id")
            _, size, path = self._files[file_id]
        if size > DOWNLOAD_LIMIT:
            raise ApiError("Bad Request: file is too big")
        return {"file_id": file_id, "file_unique_id": f"AgAD{file_id[-6:]}", "file_size": size,
                "file_path": path}  # fmt: skip

    def download(self, file_path: str) -> bytes | None:
        """The bytes at ``file_path`` (None when no file has that path); logged."""
        with self._lock:
            for file_id, (data, _, path) in self._files.items():
                if path == file_path:
                    self.downloads.append(file_id)
                    return data
        return None

    def record_sent(self, chat_id: int, message_id: int, params: dict[str, Any]) -> dict:
        """Log a ``sendDocument`` and return the Document object of the new message."""
        upload = params.get("document")
        if not isinstance(upload, UploadedFile):
            raise ApiError("Bad Request: there is no document in the request")
        document = self.add(upload.data, upload.filename, "text/plain")
        with self._lock:
            self.sent.append({"chat_id": chat_id, "message_id": message_id,
                              "file_name": upload.filename, "data": upload.data,
                              "caption": params.get("caption")})  # fmt: skip
        return document
