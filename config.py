"""Every setting of the project, read once from the environment and `.env`.

The engine sees only its part (:class:`~retrieval.core.settings.EngineSettings`): the Telegram
token and webhook options stay here, with the bot and the CLI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from retrieval import (
    DEFAULT_EMBEDDERS,
    DEFAULT_MODEL,
    DEFAULT_QDRANT_COLLECTION,
    EmbedderKey,
    EngineSettings,
    FetchPolicy,
    VectorStoreKind,
)

# The default paths are in the project folder, wherever the bot is started from; relative
# paths given in the environment or `.env` are taken from the working folder as usual.
PROJECT_DIR = Path(__file__).resolve().parent
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class Settings(BaseSettings):
    """Configuration for the engine, the CLI and the Telegram bot (see `.env.example`)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    article_path: Path = PROJECT_DIR / "data" / "article.txt"
    index_dir: Path = PROJECT_DIR / "index"
    library_dir: Path = PROJECT_DIR / "data" / "library"
    library_versions: int = Field(5, ge=2, le=100)
    embedders: Annotated[tuple[EmbedderKey, ...], NoDecode] = DEFAULT_EMBEDDERS
    embedding_model: str = DEFAULT_MODEL
    embedding_backend: Literal["onnx", "torch"] = "onnx"
    model_cache_dir: Path = PROJECT_DIR / "index" / "models"
    top_k: int = Field(3, ge=1, le=10)
    max_question_chars: int = Field(1000, ge=10)
    max_document_bytes: int = Field(10_000_000, ge=1)
    fetch_timeout: float = Field(20.0, gt=0)
    allow_private_urls: bool = False
    conversation_turns: int = Field(5, ge=1, le=50)
    conversation_minutes: float = Field(10.0, gt=0)
    vector_store: VectorStoreKind = "faiss"
    qdrant_url: str | None = None
    qdrant_api_key: SecretStr | None = None
    qdrant_path: Path | None = None
    # Qdrant's rules for collection names, and room for the build id after a dash.
    qdrant_collection: str = Field(DEFAULT_QDRANT_COLLECTION, pattern=r"^[A-Za-z0-9_.-]{1,200}$")
    qdrant_exact: bool = False

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    admin_user_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    rate_limit_per_minute: int = Field(20, ge=1)
    telegram_max_rate: float = Field(30.0, ge=0)
    log_level: LogLevel | None = None

    data_dir: Path = PROJECT_DIR / "data"
    stats_retention_days: int = Field(90, ge=1)

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> object:
        """Accept ``"123, 456"`` as well as a list of ids."""
        if not isinstance(value, str):
            return value
        parts = [part for part in value.replace(" ", "").split(",") if part]
        if not all(part.isdecimal() for part in parts):
            raise ValueError("expected numeric user ids separated by commas")
        return frozenset(int(part) for part in parts)

    @field_validator("embedders", mode="before")
    @classmethod
    def _parse_embedders(cls, value: object) -> object:
        """Accept ``"e5,minilm"``, ``"minilm"`` or ``"e5"``: one model at most once."""
        if not isinstance(value, str):
            return value
        keys = [part.strip().lower() for part in value.split(",") if part.strip()]
        if not keys or len(set(keys)) != len(keys):
            raise ValueError("expected e5, minilm or both, separated by a comma")
        return tuple(keys)

    @field_validator("log_level", mode="before")
    @classmethod
    def _any_case(cls, value: object) -> object:
        """``info`` is as good as ``INFO``."""
        if not isinstance(value, str) or not value.strip():
            return value
        if value.strip().upper() not in get_args(LogLevel):
            raise ValueError(f"expected one of {', '.join(get_args(LogLevel))}, in any case")
        return value.strip().upper()

    @field_validator(
        "telegram_bot_token",
        "webhook_url",
        "webhook_secret",
        "log_level",
        "qdrant_url",
        "qdrant_api_key",
        "qdrant_path",
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        """An empty line in `.env` means the setting is not set."""
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def engine(self) -> EngineSettings:
        """The engine's part of the settings (see :class:`EngineSettings`)."""
        return EngineSettings(
            **{name: getattr(self, name) for name in EngineSettings.model_fields}
        )

    @property
    def fetch_policy(self) -> FetchPolicy:
        """The download limits the settings ask for (MAX_DOCUMENT_BYTES, FETCH_TIMEOUT, ...)."""
        return FetchPolicy(
            max_bytes=self.max_document_bytes,
            timeout=self.fetch_timeout,
            allow_private=self.allow_private_urls,
        )


def invalid_settings(error: ValidationError) -> list[str]:
    """One ``SETTING: what is wrong`` line per bad setting, never echoing a secret's value."""
    secrets = {n for n, f in Settings.model_fields.items() if "SecretStr" in str(f.annotation)}
    lines = []
    for problem in error.errors(include_url=False):
        name = str(problem["loc"][0]) if problem["loc"] else "settings"
        message = problem["msg"].removeprefix("Value error, ")
        shown = "" if name in secrets else f" (got {problem['input']!r})"
        lines.append(f"{name.upper()}: {message[:1].lower()}{message[1:]}{shown}")
    return lines
