"""Shared fixtures: the engine's (below) first, then the bot's."""

import dataclasses
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from page_server import PageServer

from config import Settings
from retrieval import Answer, Engine
from retrieval.answer.answerability import FEATURES, AnswerabilityModel, Logistic
from retrieval.core.types import Outcome
from retrieval.evaluation import Question, read_questions
from retrieval.index.embedders import load_embedders
from retrieval.index.fusion import FusedEmbedder

# --- Engine fixtures ------------------------------------------------------------------------
# One model and one built index per session. Tests must not rebuild the shared `engine`;
# those that rebuild or break an index make their own with `engine_factory`.

REPO = Path(__file__).resolve().parents[1]
_MARKER = re.compile(r"\s*\[(\d+)\]\s*")
_ANSWER_TYPES = {
    "question": str,
    "searched": str,
    "answer": str,
    "abstained": bool,
    "citations": list,
}
_CITATION_TYPES = {
    "n": (int,),
    "passage_id": (str,),
    "section": (str, type(None)),
    "text": (str,),
    "quote": (str,),
    "start": (int,),
    "end": (int,),
    "score": (float,),
    "article": (dict,),
}


@pytest.fixture(scope="session")
def article_path() -> Path:
    """The real scraped article of the repo."""
    return REPO / "data" / "article.txt"


@pytest.fixture(scope="session")
def article_text(article_path) -> str:
    """The article's source text, exactly as the engine reads it."""
    return article_path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def vector_store(request) -> str:
    """The VECTOR_STORE of the settings: faiss, unless a module runs its tests on both with
    ``pytestmark = stores.BOTH`` (Qdrant in local mode, under INDEX_DIR); the session's shared
    engine and folders then exist once per store."""
    return getattr(request, "param", "faiss")


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory, vector_store) -> Path:
    """The INDEX_DIR of the shared engine."""
    return tmp_path_factory.mktemp(f"index-{vector_store}")


@pytest.fixture(scope="session")
def library_dir(tmp_path_factory, vector_store) -> Path:
    """The LIBRARY_DIR of the shared engine (seeded from the real article on first load)."""
    return tmp_path_factory.mktemp(f"library-{vector_store}")


@pytest.fixture(scope="session")
def model_cache_dir(tmp_path_factory) -> Path:
    """Where the session's embedder keeps its model export (ONNX), shared with the CLI runs."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def settings_factory(
    article_path, index_dir, library_dir, model_cache_dir, vector_store, tmp_path_factory
) -> Callable[..., Settings]:
    """Settings from the defaults (real article, temp folders) and the given overrides, never
    from `.env` or the environment of whoever runs the tests."""
    defaults = {name: field.get_default() for name, field in Settings.model_fields.items()}
    defaults |= {
        "article_path": article_path,
        "index_dir": index_dir,
        "library_dir": library_dir,
        "model_cache_dir": model_cache_dir,
        "data_dir": tmp_path_factory.mktemp("data"),
        "vector_store": vector_store,
    }

    def make(**overrides: Any) -> Settings:
        return Settings(_env_file=None, **{**defaults, **overrides})

    return make


@pytest.fixture(scope="session")
def embedder(settings_factory) -> FusedEmbedder:
    """The real default models (e5 and MiniLM, MiniLM's default backend), loaded once."""
    return load_embedders(settings_factory())


@pytest.fixture(scope="session")
def engine(settings_factory, embedder) -> Engine:
    """An engine over the real article with its index built once (do not rebuild it)."""
    engine = Engine(settings_factory(), embedder=embedder)
    engine.rebuild()
    return engine


@pytest.fixture
def fixed_outcome_of(monkeypatch) -> Callable[[Engine, Outcome], None]:
    """Makes an engine's answerability model give one outcome to every question, for this
    test: the mechanics of an outcome, whatever the fitted model decides."""

    def fix(engine: Engine, outcome: Outcome) -> None:
        relevant = -30.0 if outcome == "declined" else 30.0
        answers = 30.0 if outcome == "answered" else -30.0
        zeros = (0.0,) * len(FEATURES)
        model = AnswerabilityModel(Logistic(zeros, relevant, 0.5), Logistic(zeros, answers, 0.5))
        monkeypatch.setattr(engine, "pipeline", dataclasses.replace(engine.pipeline, model=model))

    return fix


@pytest.fixture
def fixed_outcome(engine, fixed_outcome_of) -> Callable[[Outcome], None]:
    """:func:`fixed_outcome_of` for the shared engine."""
    return lambda outcome: fixed_outcome_of(engine, outcome)


@pytest.fixture
def engine_factory(settings_factory, embedder, tmp_path) -> Callable[..., Engine]:
    """Engines of their own (index and library in this test's tmp dir by default, else the
    shared library) sharing the model."""

    def make(**overrides: Any) -> Engine:
        # Given the shared index, the engine shares its library too (the index belongs to it).
        folders = {"index_dir": tmp_path / "index", "library_dir": tmp_path / "library"}
        if "index_dir" in overrides:
            folders = {}
        settings = settings_factory(**{**folders, **overrides})
        return Engine(settings, embedder=embedder)

    return make


@pytest.fixture(scope="session")
def dev_questions() -> list[Question]:
    """The tuning questions (a copy of ../shared/dev_questions.jsonl kept in the repo)."""
    return read_questions(REPO / "tests" / "data" / "dev_questions.jsonl")


@pytest.fixture(scope="session")
def dev_answers(engine, dev_questions) -> list[tuple[Question, Answer]]:
    """Every dev question with the shared engine's answer to it."""
    answers = engine.answer_many([q.text for q in dev_questions])
    return list(zip(dev_questions, answers, strict=True))


@pytest.fixture(scope="session")
def answer_parts() -> Callable[[str], list[tuple[str, int]]]:
    """Splits an answer's text into its quoted sentences and the `[n]` each one ends with."""

    def split(text: str) -> list[tuple[str, int]]:
        pieces = _MARKER.split(text.strip())
        assert pieces[-1] == "", f"answer does not end with a citation marker: {text!r}"
        return [(pieces[i], int(pieces[i + 1])) for i in range(0, len(pieces) - 1, 2)]

    return split


@pytest.fixture(scope="session")
def check_answer_json() -> Callable[[dict[str, Any]], None]:
    """Asserts that a decoded JSON object follows the public answer contract (`ask --json`):
    these keys with these exact types (extra keys allowed at the top level only)."""

    def check(obj: dict[str, Any]) -> None:
        assert obj.keys() >= _ANSWER_TYPES.keys()
        for key, kind in _ANSWER_TYPES.items():
            assert type(obj[key]) is kind, (key, obj[key])
        for citation in obj["citations"]:
            assert citation.keys() == _CITATION_TYPES.keys()
            for key, kinds in _CITATION_TYPES.items():
                assert type(citation[key]) in kinds, (key, citation[key])
            assert {k: type(v) for k, v in citation["article"].items()} == {
                "id": str,
                "title": str,
            }

    return check


@pytest.fixture
def pages() -> Iterator[PageServer]:
    """A web server on 127.0.0.1 serving the pages a test adds (links need ALLOW_PRIVATE_URLS)."""
    with PageServer() as server:
        yield server


# --- Bot fixtures ---------------------------------------------------------------------------
# A fake Bot API server per test and the real bot Application long-polling it over HTTP,
# answering from the shared `engine` unless a test starts it on an engine of its own.

import logging  # noqa: E402
from collections.abc import AsyncIterator  # noqa: E402

from telegram import Update  # noqa: E402
from telegram.ext import Application  # noqa: E402

from botapi_fake import BotApiServer  # noqa: E402
from tgbot.app import build_application  # noqa: E402
from tgbot.lifecycle import webhook_options  # noqa: E402
from tgbot.redaction import QUIET_LOGGERS, RedactSecret, redact_in_logs  # noqa: E402

BOT_TOKEN = "123456:TEST-token"
REPLY_TIMEOUT = 60.0  # generous: the model shares the CPU with whatever else is running


class BotHarness:
    """The fake Bot API server, the bots started against it and ways to wait for replies."""

    token = BOT_TOKEN
    timeout = REPLY_TIMEOUT
    admin_id = 42
    username = "article_test_bot"

    def __init__(
        self,
        server: BotApiServer,
        settings_factory: Callable[..., Settings],
        engine,
        data_dir: Path,
    ):
        self.server = server
        self.engine = engine
        self.data_dir = data_dir
        self._settings_factory = settings_factory
        self.apps: list[Application] = []

    def settings(self, **overrides: Any) -> Settings:
        """Bot settings pointing at the fake server, with one admin (``admin_id``) and a usage
        database of this test's own (kept across restarts within the test)."""
        bot = {
            "telegram_bot_token": self.token,
            "telegram_api_base_url": self.server.root_url,
            "admin_user_ids": str(self.admin_id),
            "data_dir": self.data_dir,
        }
        return self._settings_factory(**{**bot, **overrides})

    async def start(self, engine: Engine | None = None, **overrides: Any) -> Application:
        """Start the real Application as ``run_polling`` does (post_init included)."""
        app = await self._launch(self.settings(**overrides), engine)
        await app.updater.start_polling(
            poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES
        )
        return app

    async def start_webhook(self, settings: Settings) -> Application:
        """Start the real Application as ``run_webhook`` does, with bot.py's webhook options."""
        app = await self._launch(settings, None)
        await app.updater.start_webhook(
            **webhook_options(settings), allowed_updates=Update.ALL_TYPES
        )
        return app

    async def _launch(self, settings: Settings, engine: Engine | None) -> Application:
        app = build_application(settings, engine=engine or self.engine)
        await app.initialize()
        self.apps.append(app)
        await app.post_init(app)
        await app.start()
        return app

    async def stop(self) -> None:
        """Stop every started bot as ``run_polling`` does (post_shutdown included)."""
        while self.apps:
            app = self.apps.pop()
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await app.post_shutdown(app)
            await app.shutdown()

    def replies_to(self, target: dict) -> list[dict]:
        """The bot's replies so far to a pushed update or to a sent message record."""
        message = target.get("message") or target.get("edited_message") or target
        chat_id = message["chat"]["id"] if "chat" in message else message["chat_id"]
        return [
            sent
            for sent in self.server.sent_messages(chat_id)
            if sent["reply_to_message_id"] == message["message_id"]
        ]

    async def reply(self, target: dict, nth: int = 1) -> dict:
        """Wait for the ``nth`` reply to ``target`` (see ``replies_to``) and return it."""

        def arrived() -> dict | None:
            replies = self.replies_to(target)
            return replies[nth - 1] if len(replies) >= nth else None

        return await self.server.wait_for(arrived, self.timeout)

    async def ask(self, chat_id: int, text: str, **push: Any) -> dict:
        """Send ``text`` from the user ``chat_id`` (or ``user_id=``) and wait for the reply."""
        user_id = push.pop("user_id", chat_id)
        return await self.reply(self.server.push_text(chat_id, user_id, text, **push))


def _entity_texts(text: str, entities: list[dict], kind: str) -> list[str]:
    encoded = text.encode("utf-16-le")
    return [
        encoded[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in entities
        if e["type"] == kind
    ]


@pytest.fixture(scope="session")
def entity_texts() -> Callable[[str, list[dict], str], list[str]]:
    """The text under every entity of one kind (``bold``...); offsets count UTF-16 units."""
    return _entity_texts


@pytest.fixture
def botapi() -> Iterator[BotApiServer]:
    """A fresh fake Bot API server."""
    with BotApiServer(username=BotHarness.username) as server:
        yield server


@pytest.fixture
async def bot_harness(botapi, settings_factory, engine, tmp_path) -> AsyncIterator[BotHarness]:
    """The harness with no bot started yet; every bot it starts is stopped afterwards."""
    harness = BotHarness(botapi, settings_factory, engine, tmp_path / "data")
    try:
        yield harness
    finally:
        await harness.stop()


@pytest.fixture
async def tg(bot_harness) -> BotHarness:
    """The harness with the bot running on the shared engine and default settings."""
    await bot_harness.start()
    return bot_harness


@pytest.fixture
def redacted_logs(caplog) -> Iterator[pytest.LogCaptureFixture]:
    """``caplog`` at DEBUG with ``redact_in_logs(BOT_TOKEN)`` installed as bot.py does it,
    undone afterwards (the filter and the quieted HTTP loggers)."""
    caplog.set_level(logging.DEBUG)
    levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    handlers = list(logging.getLogger().handlers)
    redact_in_logs(BOT_TOKEN)
    try:
        yield caplog
    finally:
        for handler in handlers:
            for redactor in [f for f in handler.filters if isinstance(f, RedactSecret)]:
                handler.removeFilter(redactor)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


# --- Shared by the end-to-end modules -----------------------------------------------------
from e2e_helpers import RebuildGate, article_excerpt  # noqa: E402

from botapi_fake import buttons  # noqa: E402
from tgbot.formatting import SOURCE_DATA_PREFIX as SOURCES  # noqa: E402
from tgbot.formatting import parse_callback  # noqa: E402


@pytest.fixture(scope="session")
def marked(entity_texts) -> Callable[[dict, str], list[str]]:
    """The text under every entity of one kind in a sent message."""
    return lambda record, kind: entity_texts(record["text"], record["entities"], kind)


@pytest.fixture(scope="session")
def assert_cited(article_text, answer_parts, marked) -> Callable[[dict], None]:
    """Checks a cited answer (or a hedge's quote, after its warning): sentences verbatim from
    the article ending in ``[n]`` markers, a Sources block with a verbatim quote per source,
    one valid button per source."""

    def check(record: dict) -> None:
        answer, _, sources = record["text"].partition("\n\nSources\n")
        answer = answer.split(" The closest it comes: ", 1)[-1]  # a hedge quotes after this
        answer = answer.split("\nsearched: ", 1)[0]
        keyboard = buttons(record, SOURCES)
        parts = answer_parts(answer)
        assert parts and {n for _, n in parts} <= set(range(1, len(keyboard) + 1))
        assert all(sentence in article_text for sentence, _ in parts)
        assert "[1]" in answer and "Sources" in marked(record, "bold")
        quotes = [q for q in marked(record, "italic") if not q.startswith("searched: ")]
        assert len(quotes) == len(sources.splitlines()) == len(keyboard) >= 1
        for quote in quotes:
            assert quote.startswith("“") and quote.endswith("”")
            assert quote[1:-1].removesuffix("…") in article_text
        for n, button in enumerate(keyboard, 1):
            assert button["text"].startswith(f"[{n}]")
            assert len(button["callback_data"].encode()) <= 64
            assert parse_callback(button["callback_data"]) is not None

    return check


@pytest.fixture
def rebuild_gate(bot_harness) -> Iterator[RebuildGate]:
    """A closed gate on the engine's rebuilds, opened before the bots stop."""
    gate, logger = RebuildGate(bot_harness.timeout), logging.getLogger("retrieval.engine")
    level = logger.level
    logger.setLevel(logging.INFO)  # progress lines are logged at INFO
    logger.addFilter(gate)
    try:
        yield gate
    finally:
        gate.opened.set()
        logger.removeFilter(gate)
        logger.setLevel(level)


@pytest.fixture
def made_up_engine(engine_factory, tmp_path) -> Callable[[str, str], Engine]:
    """Engines over a made-up article (its text, and its file's name), built in tmp."""

    def make(text: str, name: str = "article.txt") -> Engine:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        engine = engine_factory(article_path=path)
        engine.load_or_build()
        return engine

    return make


@pytest.fixture
def small_engine(engine_factory, article_text, tmp_path) -> Engine:
    """An engine of its own over a short copy of the article in tmp (cheap to rebuild)."""
    path = tmp_path / "article.txt"
    path.write_text(article_excerpt(article_text, 7), encoding="utf-8")
    engine = engine_factory(article_path=path)
    engine.load_or_build()
    return engine
