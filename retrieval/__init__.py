"""The answering engine: article → passages → embeddings → FAISS + BM25 → cited answers.

It never imports Telegram; the CLI, the tests and the bot all use it the same way.
"""

from .core.errors import (
    ArticleEmpty,
    ArticleNotFound,
    ArticleUnknown,
    IndexCorrupt,
    IndexStale,
    IndexUnavailable,
    InvalidQuestion,
    LibraryUnavailable,
    ModelNotFound,
    NothingToRollBack,
    RebuildCancelled,
    ReindexInProgress,
    RetrievalError,
    SanityCheckFailed,
)
from .core.types import Answer, ArticleRef, Citation, Hit, Passage, Sentence
from .engine import Engine
from .library.catalog import ArticleRecord, Library, LibraryVersion
from .question.validate import normalize_question, validate_question
from .snapshot import LibraryChange, Snapshot

__all__ = [
    "Answer",
    "ArticleEmpty",
    "ArticleNotFound",
    "ArticleRecord",
    "ArticleRef",
    "ArticleUnknown",
    "Citation",
    "Engine",
    "Hit",
    "IndexCorrupt",
    "IndexStale",
    "IndexUnavailable",
    "InvalidQuestion",
    "Library",
    "LibraryChange",
    "LibraryUnavailable",
    "LibraryVersion",
    "ModelNotFound",
    "NothingToRollBack",
    "Passage",
    "RebuildCancelled",
    "ReindexInProgress",
    "RetrievalError",
    "SanityCheckFailed",
    "Sentence",
    "Snapshot",
    "normalize_question",
    "validate_question",
]
