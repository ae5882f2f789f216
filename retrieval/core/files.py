"""Writing a file whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_atomic(path: Path, contents: bytes | Callable[[BinaryIO], object]) -> None:
    """Write ``contents`` (bytes, or a function writing to a binary file) into a temporary
    file beside ``path``, synced and then renamed over it: a reader sees the old file or the
    whole new one, and a failure leaves no partial file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            if isinstance(contents, bytes):
                out.write(contents)
            else:
                contents(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
