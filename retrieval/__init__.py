"""The answering engine: article → passages → embeddings → FAISS or Qdrant + BM25 → cited answers.

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
    QuestionTooLong,
    RebuildCancelled,
    ReindexInProgress,
    RetrievalError,
    SanityCheckFailed,
    UrlRefused,
    VectorStoreUnavailable,
)
from .core.settings import (
    DEFAULT_EMBEDDERS,
    DEFAULT_MODEL,
    DEFAULT_QDRANT_COLLECTION,
    EmbedderKey,
    EngineSettings,
    VectorStoreKind,
)
from .core.types import Answer, ArticleRef, Citation, Hit, Passage, Sentence
from .engine import Engine
from .evaluation import Report, evaluate, read_questions
from .index.intake import Preview, Upload, preview, read_document, read_link
from .index.store import Manifest
from .library.catalog import SERVER_FILE, ArticleRecord, Library, LibraryVersion, read_article
from .library.extract import document_kind
from .library.fetch import FetchPolicy
from .question.chatter import is_chatter
from .question.conversation import ConversationStore, Turn
from .question.validate import normalize_question, validate_question
from .snapshot import LibraryChange, Snapshot

__all__ = [
    "DEFAULT_EMBEDDERS",
    "DEFAULT_MODEL",
    "DEFAULT_QDRANT_COLLECTION",
    "SERVER_FILE",
    "Answer",
    "ArticleEmpty",
    "ArticleNotFound",
    "ArticleRecord",
    "ArticleRef",
    "ArticleUnknown",
    "Citation",
    "ConversationStore",
    "EmbedderKey",
    "Engine",
    "EngineSettings",
    "FetchPolicy",
    "Hit",
    "IndexCorrupt",
    "IndexStale",
    "IndexUnavailable",
    "InvalidQuestion",
    "Library",
    "LibraryChange",
    "LibraryUnavailable",
    "LibraryVersion",
    "Manifest",
    "ModelNotFound",
    "NothingToRollBack",
    "Passage",
    "Preview",
    "QuestionTooLong",
    "RebuildCancelled",
    "ReindexInProgress",
    "Report",
    "RetrievalError",
    "SanityCheckFailed",
    "Sentence",
    "Snapshot",
    "Turn",
    "Upload",
    "UrlRefused",
    "VectorStoreKind",
    "VectorStoreUnavailable",
    "document_kind",
    "evaluate",
    "is_chatter",
    "normalize_question",
    "preview",
    "read_article",
    "read_document",
    "read_link",
    "read_questions",
    "validate_question",
]
