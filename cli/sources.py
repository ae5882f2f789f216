"""What ``bot.py add`` reads: a plain-text or Markdown file on this machine.

This is the seam for the extractors (HTML through trafilatura, PDF through pypdf, and links
through the safe fetcher): they turn any other PATH_OR_URL into the same :class:`Source`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import UnsupportedSource
from retrieval.library import read_server_file

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})


@dataclass(frozen=True, slots=True)
class Source:
    """An article ready for the library: its text and where it came from."""

    text: str
    source: str
    extractor: str
    server_path: Path | None = None


def read_source(target: str) -> Source:
    """The article at ``target``, or :class:`UnsupportedSource` saying why it can't be read."""
    if target.startswith(("http://", "https://")):
        raise UnsupportedSource(f"links are not supported yet: {target}")
    path = Path(target)
    if path.suffix.lower() not in TEXT_SUFFIXES:
        raise UnsupportedSource(
            f"unsupported file type {path.suffix or '(none)'!r}: use a .txt or .md file"
        )
    return Source(read_server_file(path), path.name, "file", path.resolve())
