"""The answering engine: article → passages → embeddings → FAISS + BM25 → cited answers.

It never imports Telegram; the CLI, the tests and the bot all use it the same way.
"""

from .engine import Engine, Snapshot, validate_question
from .errors import (
    ArticleEmpty,
    ArticleNotFound,
    IndexCorrupt,
    IndexStale,
    IndexUnavailable,
    InvalidQuestion,
    ModelNotFound,
    RebuildCancelled,
    ReindexInProgress,
    RetrievalError,
    SanityCheckFailed,
)
from .questions import normalize_question
from .settings import Settings
from .types import Answer, Citation, Hit, Passage, Sentence

__all__ = [
    "Answer",
    "ArticleEmpty",
    "ArticleNotFound",
    "Citation",
    "Engine",
    "Hit",
    "IndexCorrupt",
    "IndexStale",
    "IndexUnavailable",
    "InvalidQuestion",
    "ModelNotFound",
    "Passage",
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
