"""Argument parsing and the commands behind ``python bot.py index|ask|eval|chat|bench|stats``
and the library's ``add|articles|remove|rollback``."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError

from config import Settings, invalid_settings
from retrieval import (
    ConversationStore,
    Engine,
    InvalidQuestion,
    QuestionTooLong,
    RetrievalError,
    evaluate,
    read_questions,
    validate_question,
)
from usage import UsageDatabaseError, UsageLog, database_path, summary_lines
from wording import TOO_LONG, translate

from .render import answer_json, render_answer, render_articles, render_change, render_report
from .sources import read_source

EMPTY_LINE_ANSWER = "Please ask a question."
BAD_OBJECT = 'a JSON line must be an object with a "question" string (and a "conversation" string)'
CONSOLE = "console"  # the console chat is one conversation


def build_parser() -> argparse.ArgumentParser:
    """The CLI's parser; no command means: serve Telegram, or chat when there is no token."""
    parser = argparse.ArgumentParser(prog="python bot.py", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("index", help="(re)build the index of the library")
    ask = commands.add_parser("ask", help="answer one question (or stdin lines with --json)")
    ask.add_argument("question", nargs="?", help="the question; omit with --json to read stdin")
    ask.add_argument("--json", action="store_true", help="print JSON instead of text")
    ask.add_argument("--article", metavar="ID", help="answer from this article only")
    add = commands.add_parser("add", help="add an article to the library")
    add.add_argument("target", metavar="PATH_OR_URL")
    add.add_argument("--replace", metavar="ID", help="replace this article instead")
    add.add_argument("--title", help="the title (default: the article's first heading)")
    commands.add_parser("articles", help="list the articles of the library")
    remove = commands.add_parser("remove", help="remove an article from the library")
    remove.add_argument("article", metavar="ID")
    commands.add_parser("rollback", help="undo the last change to the library")
    evaluation = commands.add_parser("eval", help="score the engine on a JSONL question file")
    evaluation.add_argument("file", type=Path)
    evaluation.add_argument(
        "--article", type=Path, help="evaluate against this article, indexed in a temp folder"
    )
    commands.add_parser("chat", help="a console chat through the same engine")
    bench = commands.add_parser("bench", help="run the benchmarks (see README)")
    bench.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    stats = commands.add_parser("stats", help="usage statistics from the bot's database")
    stats.add_argument(
        "--export", type=Path, metavar="FILE.csv", help="write the question log as CSV instead"
    )
    return parser


def load_settings() -> Settings | None:
    """The settings from the environment and ``.env``, or None once each bad one has been
    named on stderr (a secret's value never shown)."""
    try:
        return Settings()
    except ValidationError as exc:
        print("\n".join(f"error: {line}" for line in invalid_settings(exc)), file=sys.stderr)
        return None


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run one CLI command and return its exit code; engine errors become one clear line."""
    commands: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
        "index": _index,
        "ask": _ask,
        "add": _add,
        "articles": _articles,
        "remove": _remove,
        "rollback": _rollback,
        "eval": _eval,
        "chat": _chat,
        "bench": _bench,
        "stats": _stats,
    }
    try:
        return commands[args.command](args, settings)
    except (RetrievalError, UsageDatabaseError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): nothing left to say
        return 0


def _index(args: argparse.Namespace, settings: Settings) -> int:
    started = time.perf_counter()
    engine = Engine(settings)
    snapshot = engine.rebuild(progress=lambda line: print(line, file=sys.stderr))
    manifest = snapshot.manifest
    print(
        f"indexed {manifest.passages} passages ({manifest.sentences} sentences, "
        f"{manifest.index_type} index) of {manifest.articles} articles into "
        f"{settings.index_dir} in {time.perf_counter() - started:.2f} s"
    )
    return 0


def _add(args: argparse.Namespace, settings: Settings) -> int:
    source = read_source(args.target, settings.fetch_policy)
    engine = Engine(settings)
    engine.load_or_build()
    change = engine.add_article(
        source.text,
        source=source.source,
        title=args.title or source.title,
        extractor=source.extractor,
        original=source.original,
        original_name=source.original_name,
        replace=args.replace,
        server_path=source.server_path,
        progress=lambda line: print(line, file=sys.stderr),
        author=source.author,
        published=source.published,
    )
    print(render_change(change))
    return 0


def _articles(args: argparse.Namespace, settings: Settings) -> int:
    snapshot = Engine(settings).load_or_build()
    print(render_articles(snapshot.articles, snapshot.rows))
    return 0


def _remove(args: argparse.Namespace, settings: Settings) -> int:
    engine = Engine(settings)
    engine.load_or_build()
    print(render_change(engine.remove_article(args.article)))
    return 0


def _rollback(args: argparse.Namespace, settings: Settings) -> int:
    engine = Engine(settings)
    engine.load_or_build()
    print(render_change(engine.rollback()))
    return 0


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    if args.question is None and not args.json:
        print(
            "error: give a QUESTION, or use --json to read questions from stdin", file=sys.stderr
        )
        return 2
    if args.question is not None:
        validate_question(args.question, settings.max_question_chars)
        engine = Engine(settings)
        answer = engine.answer(args.question, article_id=args.article)
        titled = len(engine.snapshot.articles) > 1
        print(
            json.dumps(answer_json(answer), ensure_ascii=False)
            if args.json
            else render_answer(answer, titled=titled)
        )
        return 0
    engine = Engine(settings)
    engine.load_or_build().article_rows(args.article)  # an unknown id fails before any line
    conversations = ConversationStore.from_settings(settings)
    for line in sys.stdin:
        answer = _answer_line(engine, conversations, line.strip(), args.article)
        print(json.dumps(answer, ensure_ascii=False), flush=True)
    return 0


def _answer_line(
    engine: Engine, conversations: ConversationStore, line: str, article_id: str | None
) -> dict[str, object]:
    """One stdin line as a JSON object; a bad line gets an ``error`` and keeps its place.

    A line is a question, or a JSON object ``{"question": ..., "conversation": ...}``: the
    lines of one conversation are one chat, so a follow-up leans on the lines before it.
    """
    question, conversation = line, None
    try:
        if line.startswith("{"):
            question, conversation = _parse_object(line)
        history = conversations.history(conversation) if conversation is not None else ()
        answer = engine.answer(question, history, article_id=article_id)
    except (InvalidQuestion, ValueError) as exc:
        # The answer a reader sees says why, as the bot's reply does: too long, or no question.
        refusal = (
            translate(None, TOO_LONG, length=exc.length, limit=exc.limit)
            if isinstance(exc, QuestionTooLong)
            else EMPTY_LINE_ANSWER
        )
        return {
            "question": question,
            "searched": question,
            "answer": refusal,
            "abstained": True,
            "outcome": "declined",
            "answered": False,
            "citations": [],
            "error": str(exc),
        }
    if conversation is not None:
        conversations.record(conversation, answer)
    return answer_json(answer)


def _parse_object(line: str) -> tuple[str, str | None]:
    """The question and conversation of a JSON object line, or ValueError."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{BAD_OBJECT}: {exc}") from exc
    question = record.get("question") if isinstance(record, dict) else None
    conversation = record.get("conversation") if isinstance(record, dict) else None
    if not isinstance(question, str) or not isinstance(conversation, str | None):
        raise ValueError(BAD_OBJECT)
    return question, conversation


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    questions = read_questions(args.file)
    if args.article is None:
        print(render_report(evaluate(Engine(settings), questions)))
        return 0
    with tempfile.TemporaryDirectory(prefix="eval-index-") as index_dir:
        engine = Engine(
            settings.model_copy(
                update={
                    "article_path": args.article,
                    "index_dir": Path(index_dir),
                    "library_dir": Path(index_dir) / "library",
                }
            )
        )
        engine.rebuild()
        print(render_report(evaluate(engine, questions), title=f"article: {args.article}"))
    return 0


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    return chat(Engine(settings), sys.stdin, sys.stdout)


def chat(engine: Engine, stdin: TextIO, stdout: TextIO) -> int:
    """A console chat: one question per line until EOF or ``quit``."""
    manifest = engine.load_or_build().manifest
    conversations = ConversationStore.from_settings(engine.settings)
    print(f"Ask me about “{manifest.title}”. Empty line or Ctrl-D to quit.", file=stdout)
    while True:
        print("> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line.strip() or line.strip().lower() in {"quit", "exit"}:
            return 0
        try:
            answer = engine.answer(line, conversations.history(CONSOLE))
        except InvalidQuestion as exc:
            print(f"Sorry: {exc}.", file=stdout)
            continue
        conversations.record(CONSOLE, answer)
        print(render_answer(answer, titled=len(engine.snapshot.articles) > 1) + "\n", file=stdout)


def _stats(args: argparse.Namespace, settings: Settings) -> int:
    path = database_path(settings.data_dir)
    if not path.is_file():
        print(f"error: no usage database at {path}; the bot creates it on start", file=sys.stderr)
        return 1
    usage = UsageLog.open(path, settings.stats_retention_days)
    try:
        if args.export is None:
            print("\n".join(summary_lines(usage.summary())))
            return 0
        rows = usage.export_csv(args.export)
    except OSError as exc:
        print(f"error: cannot write {args.export}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:
        usage.close()
    print(f"exported {rows} questions to {args.export}", file=sys.stderr)
    return 0


def _bench(args: argparse.Namespace, settings: Settings) -> int:
    from bench.runner import run_benchmarks

    return run_benchmarks(settings, quick=args.quick)
