"""Argument parsing and the commands behind ``python bot.py index|ask|eval|chat|bench`` and
the library's ``add|articles|remove|rollback``."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from retrieval import Engine, InvalidQuestion, RetrievalError, Settings, validate_question
from retrieval.evaluation import evaluate, read_questions
from retrieval.fetch import FetchPolicy

from .render import answer_json, render_answer, render_articles, render_change, render_report
from .sources import read_source

EMPTY_LINE_ANSWER = "Please ask a question."


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
    return parser


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
    }
    try:
        return commands[args.command](args, settings)
    except RetrievalError as exc:
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
    source = read_source(args.target, FetchPolicy.of(settings))
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
        answer = Engine(settings).answer(args.question, args.article)
        print(
            json.dumps(answer_json(answer), ensure_ascii=False)
            if args.json
            else render_answer(answer)
        )
        return 0
    engine = Engine(settings)
    engine.load_or_build().article_rows(args.article)  # an unknown id fails before any line
    for line in sys.stdin:
        answer = _answer_line(engine, line.strip(), args.article)
        print(json.dumps(answer, ensure_ascii=False), flush=True)
    return 0


def _answer_line(engine: Engine, question: str, article_id: str | None) -> dict[str, object]:
    """One stdin line as a JSON object; a bad line gets an ``error`` and keeps its place."""
    try:
        return answer_json(engine.answer(question, article_id))
    except InvalidQuestion as exc:
        return {
            "question": question,
            "answer": EMPTY_LINE_ANSWER,
            "abstained": True,
            "outcome": "declined",
            "answered": False,
            "citations": [],
            "error": str(exc),
        }


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    questions = read_questions(args.file)
    if args.article is None:
        print(render_report(evaluate(Engine(settings), questions)))
        return 0
    with tempfile.TemporaryDirectory(prefix="eval-index-") as index_dir:
        engine = Engine(
            settings.model_copy(
                update={"article_path": args.article, "index_dir": Path(index_dir)}
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
    print(f"Ask me about “{manifest.title}”. Empty line or Ctrl-D to quit.", file=stdout)
    while True:
        print("> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line.strip() or line.strip().lower() in {"quit", "exit"}:
            return 0
        try:
            print(render_answer(engine.answer(line)) + "\n", file=stdout)
        except InvalidQuestion as exc:
            print(f"Sorry: {exc}.", file=stdout)


def _bench(args: argparse.Namespace, settings: Settings) -> int:
    from bench.runner import run_benchmarks

    return run_benchmarks(settings, quick=args.quick)
