"""The answering engine: article → passages → embeddings → FAISS + BM25 → cited answers.

It never imports Telegram; the CLI, the tests and the bot all use it the same way.
"""

from .engine import Engine
from .errors import (
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
    QuestionTooLong,
    RebuildCancelled,
    ReindexInProgress,
    RetrievalError,
    SanityCheckFailed,
)
from .library import ArticleRecord, Library, LibraryVersion
from .questions import normalize_question, validate_question
from .settings import Settings
from .snapshot import LibraryChange, Snapshot
from .types import Answer, ArticleRef, Citation, Hit, Passage, Sentence

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
    "QuestionTooLong",
    "RebuildCancelled",
    "ReindexInProgress",
    "RetrievalError",
    "SanityCheckFailed",
    "Sentence",
    "Settings",
    "Snapshot",
    "normalize_question",
    "validate_question",
]
