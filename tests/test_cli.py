"""The command line, run as `python bot.py ...` subprocesses with no Telegram token."""

import csv
import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from samples import ARTICLE, LONG, html_page, pdf_document

from config import Settings
from retrieval import Answer
from retrieval.evaluation import Question
from retrieval.index import store
from usage import QuestionEntry, UsageLog, database_path, summary_lines

BOT = Path(__file__).resolve().parents[1] / "bot.py"
DEV_FILE = BOT.parent / "tests" / "data" / "dev_questions.jsonl"


@dataclasses.dataclass(frozen=True)
class BotCli:
    """`python bot.py` run in an empty folder (no `.env`) with a settings-free environment."""

    workdir: Path
    env: dict[str, str]

    @property
    def index_dir(self) -> Path:
        return Path(self.env["INDEX_DIR"])

    @property
    def database(self) -> Path:
        return database_path(Path(self.env["DATA_DIR"]))

    def run(self, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(BOT), *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=self.workdir,
            env={**self.env, **env},
            timeout=600,
        )


@pytest.fixture(scope="module")
def cli(tmp_path_factory, article_path, model_cache_dir, embedder) -> BotCli:
    """The CLI with its own INDEX_DIR; it asks for `embedder` first so that the model
    export it shares through MODEL_CACHE_DIR is already made."""
    workdir = tmp_path_factory.mktemp("cli")
    env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    env |= {
        "ARTICLE_PATH": str(article_path),
        "INDEX_DIR": str(workdir / "index"),
        "LIBRARY_DIR": str(workdir / "library"),
        "MODEL_CACHE_DIR": str(model_cache_dir),
        "DATA_DIR": str(workdir / "data"),
        "HF_HUB_OFFLINE": "1",
    }
    return BotCli(workdir, env)


@pytest.fixture(scope="module")
def indexed(cli) -> subprocess.CompletedProcess[str]:
    """`python bot.py index`, run once: the other commands then load its index."""
    return cli.run("index")


@pytest.fixture(scope="module")
def answerable(dev_questions) -> list[Question]:
    return [q for q in dev_questions if not q.offtopic]


def test_index_prints_a_summary_with_passages_and_seconds(indexed, cli):
    assert indexed.returncode == 0, indexed.stderr
    summary = re.fullmatch(r"indexed (\d+) passages .* in (\d+\.\d+) s\n", indexed.stdout)
    assert summary, indexed.stdout
    assert int(summary[1]) == store.load(cli.index_dir).manifest.passages > 0


def test_ask_prints_the_answer_and_numbered_sources(indexed, cli, answerable):
    question = answerable[0]
    result = cli.run("ask", question.text)
    assert result.returncode == 0, result.stderr
    answer, sources = result.stdout.split("\nSources:\n")
    assert all(k.lower() in answer.lower() for k in question.keywords)
    assert re.findall(r"^  \[(\d)\] ", sources, re.MULTILINE) == ["1", "2", "3"]


def test_ask_json_prints_one_object_following_the_contract(
    indexed, cli, answerable, article_text, check_answer_json
):
    question = answerable[1]
    result = cli.run("ask", "--json", question.text)
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    data = json.loads(line)
    check_answer_json(data)
    assert (data["question"], data["abstained"]) == (question.text, False)
    assert all(k.lower() in data["answer"].lower() for k in question.keywords)
    for citation in data["citations"]:
        assert citation["quote"] == article_text[citation["start"] : citation["end"]]


def test_ask_json_answers_stdin_lines_in_order_and_flags_an_empty_one(
    indexed, cli, dev_questions, answerable, check_answer_json
):
    off_topic = next(q.text for q in dev_questions if q.offtopic)
    questions = [answerable[2].text, "", off_topic, answerable[3].text]
    result = cli.run("ask", "--json", stdin="".join(f"{q}\n" for q in questions))
    assert result.returncode == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    for data in objects:
        check_answer_json(data)
    assert [d["question"] for d in objects] == questions
    assert [d["abstained"] for d in objects] == [False, True, True, False]
    assert ["error" in d for d in objects] == [False, True, False, False]
    assert objects[1]["citations"] == objects[2]["citations"] == []


def test_eval_prints_the_metrics_of_a_question_file(indexed, cli, answerable):
    result = cli.run("eval", str(DEV_FILE))
    assert result.returncode == 0, result.stderr
    metrics = dict(re.findall(r"^(\S.*?)\s{2,}(\d[\d/.]*)", result.stdout, re.MULTILINE))
    assert int(metrics["answerable questions"]) == len(answerable)
    assert 0 <= float(metrics["hit@1"]) <= float(metrics["hit@3"]) <= 1
    assert 0 <= float(metrics["answer-keyword rate"]) <= 1
    assert metrics["off-topic declined"].endswith("/5")
    assert metrics["answerable declined"].endswith(f"/{len(answerable)}")
    assert re.search(r"^misses: \d+$", result.stdout, re.MULTILINE)


def test_eval_reports_each_language_a_file_names(indexed, cli, tmp_path):
    questions = tmp_path / "multilingual.jsonl"
    lines = [
        {"lang": "ru", "q": "Где прошла встреча?", "gold": ["Ashgabat"], "answer": ["Ashgabat"]},
        {"lang": "en", "q": "Where did they meet?", "gold": ["Ashgabat"], "answer": ["Ashgabat"]},
    ]
    questions.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines))
    result = cli.run("eval", str(questions))
    assert result.returncode == 0, result.stderr
    blocks = re.findall(r"^language (\w+):\n  answerable questions\s+(\d+)", result.stdout, re.M)
    assert blocks == [("en", "1"), ("ru", "1")]


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (("ask", ""), {}, "empty"),
        (("ask", " \t "), {}, "empty"),
        (("ask",), {}, "QUESTION"),
        (("eval", "/no/such/questions.jsonl"), {}, "/no/such/questions.jsonl"),
        (
            ("ask", "Who met?"),
            {"ARTICLE_PATH": "/nonexistent", "INDEX_DIR": "{new}", "LIBRARY_DIR": "{new}"},
            "/nonexistent",
        ),
        (("ask", "Who met?"), {"INDEX_DIR": "{file}"}, "{file}"),
        (("ask", "Who met?"), {"EMBEDDING_MODEL": "/no/such/model"}, "/no/such/model"),
        (("ask", "Who met?"), {"TOP_K": "11"}, "TOP_K: input should be less than"),
        (("stats",), {"DATA_DIR": "{new}"}, "no usage database at {new}/bot.sqlite3"),
        (("stats",), {"DATA_DIR": "{garbage}"}, "{garbage}/bot.sqlite3"),
    ],
    ids=[
        "empty question",
        "blank question",
        "no question",
        "missing question file",
        "missing article",
        "index dir is a file",
        "unknown model",
        "bad setting",
        "no usage database",
        "corrupt usage database",
    ],
)
def test_bad_input_exits_non_zero_with_one_error_line_and_no_traceback(
    cli, tmp_path, args, env, says
):
    file = tmp_path / "regular-file"
    file.write_text("not a folder")
    garbage = tmp_path / "garbage"
    garbage.mkdir()
    database_path(garbage).write_bytes(b"not a database" * 100)
    places = {"file": file, "new": tmp_path / "new-index", "garbage": garbage}
    result = cli.run(*args, **{k: v.format(**places) for k, v in env.items()})
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert result.stderr.endswith(f"{errors[0]}\n")
    assert says.format(**places) in errors[0]
    assert result.stdout == ""


def test_plain_run_without_a_token_chats_on_the_console(indexed, cli, dev_questions):
    question = next(q for q in dev_questions if q.text == "Who is the president of Iran?")
    result = cli.run(stdin=f"{question.text}\n")
    assert result.returncode == 0, result.stderr
    notice, greeting, reply = result.stdout.split("\n", 2)
    assert "TELEGRAM_BOT_TOKEN is not set" in notice
    assert "console chat" in notice
    assert greeting.startswith("Ask me about")
    assert all(k in reply for k in question.keywords)
    assert "Sources:" in reply


@pytest.fixture
def library_cli(cli, tmp_path) -> BotCli:
    """The CLI with a library and index of its own (sharing the model export)."""
    env = cli.env | {"INDEX_DIR": str(tmp_path / "index"), "LIBRARY_DIR": str(tmp_path / "lib")}
    return BotCli(tmp_path, env)


def _article_ids(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0, result.stderr
    return re.findall(r"^  (\w+) ", result.stdout, re.MULTILINE)


def test_add_remove_and_rollback_change_what_the_cli_answers_from(library_cli, tmp_path):
    (seeded,) = _article_ids(library_cli.run("articles"))
    extra = tmp_path / "gardens.md"
    extra.write_text(
        "# Gardens\n\nThe Tabriz garden holds four hundred rose bushes. Its gate is blue.\n",
        encoding="utf-8",
    )
    added = library_cli.run("add", str(extra))
    assert added.returncode == 0, added.stderr
    assert re.fullmatch(r"added \w+ “Gardens”: library version 2, 2 articles, .*\n", added.stdout)
    ids = _article_ids(library_cli.run("articles"))
    new = next(i for i in ids if i != seeded)
    asked = library_cli.run("ask", "--json", "--article", new, "How many rose bushes?")
    answer = json.loads(asked.stdout)
    (first, *_) = answer["citations"]
    assert first["article"] == {"id": new, "title": "Gardens"}
    assert extra.read_text()[first["start"] : first["end"]] == first["quote"]
    assert "four hundred" in answer["answer"]
    removed = library_cli.run("remove", new)
    assert removed.returncode == 0, removed.stderr
    assert _article_ids(library_cli.run("articles")) == [seeded]
    rolled = library_cli.run("rollback")
    assert rolled.returncode == 0, rolled.stderr
    assert _article_ids(library_cli.run("articles")) == ids


def test_add_reads_html_and_pdf_files_and_links_like_the_chat(library_cli, tmp_path, pages):
    page = tmp_path / "lomira.html"
    page.write_bytes(html_page(ARTICLE))
    assert library_cli.run("add", str(page)).returncode == 0
    url = pages.add("/keepers.pdf", pdf_document(LONG), content_type="application/pdf")
    library_cli.env["ALLOW_PRIVATE_URLS"] = "true"
    added = library_cli.run("add", url)
    assert added.returncode == 0, added.stderr
    listing = library_cli.run("articles").stdout
    page_line = "The Lomira Timber Trade · English · by Jane Doe · published 2024-05-01"
    assert f"{page_line} (lomira.html)" in listing
    assert "The Lighthouse Keepers · English · by Ann Smith · published " in listing
    (page_id,) = re.findall(r"^  (\w+) .* The Lomira Timber Trade", listing, re.MULTILINE)
    asked = library_cli.run("ask", "--article", page_id, "who wrote this story?")
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout == (
        "“The Lomira Timber Trade” was written by Jane Doe.\n\n"
        "Source: the document's byline and metadata\n"
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("remove", "nosuchid"), "no article with id 'nosuchid'"),
        (("ask", "--article", "nosuchid", "Who met?"), "no article with id 'nosuchid'"),
        (("add", "/no/such/file.txt"), "not found: /no/such/file.txt"),
        (("add", "report.docx"), ".docx documents are not supported"),
        (("add", "/no/such/file.pdf"), "file not found: /no/such/file.pdf"),
        (("add", "ftp://example.com/a.txt"), "ftp links are not supported"),
        (("add", "not a url"), "no such file: not a url (and it is not an http(s) link)"),
        (("add", "http://127.0.0.1:9/article"), "not a public address"),
        (("rollback",), "no earlier version"),
    ],
    ids=[
        "remove unknown",
        "ask unknown article",
        "add missing file",
        "add docx",
        "add missing pdf",
        "add ftp link",
        "add neither file nor link",
        "add private link",
        "rollback",
    ],
)
def test_library_commands_refuse_bad_input_with_one_error_line(library_cli, args, says):
    result = library_cli.run(*args)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and says in errors[0], result.stderr


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("random.txt", bytes(range(1, 256)) * 8, "random.txt is not a text file (it holds binary"),
        ("latin.txt", "Café crème au lait.".encode("latin-1"), "latin.txt is not UTF-8 text"),
        ("random.pdf", bytes(range(255, -1, -1)) * 8, "the file is not a PDF"),
        ("cut.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 8, "the PDF is damaged"),
    ],
)
def test_add_says_in_one_line_why_a_file_cannot_be_read(library_cli, tmp_path, name, data, says):
    path = tmp_path / name
    path.write_bytes(data)
    result = library_cli.run("add", str(path))
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert says in result.stderr and "codec" not in result.stderr


def test_ask_json_says_a_question_is_too_long_and_gives_the_limit(indexed, cli):
    question = "why " * 399 + "abc"  # 1,599 characters
    result = cli.run("ask", "--json", stdin=f"{question}\n\n", MAX_QUESTION_CHARS="1000")
    assert result.returncode == 0, result.stderr
    long, empty = (json.loads(line) for line in result.stdout.splitlines())
    assert long["answer"] == (
        "That question is 1599 characters long. Please shorten it to 1000 or fewer."
    )
    assert long["outcome"] == "declined" and "the limit is 1000" in long["error"]
    assert empty["answer"] == "Please ask a question."
    single = cli.run("ask", question, MAX_QUESTION_CHARS="1000")
    assert single.returncode == 1
    assert single.stderr == "error: the question is 1599 characters long; the limit is 1000\n"


def test_ask_json_lines_of_one_conversation_are_one_chat(indexed, cli, check_answer_json):
    lines = [
        {"question": "Who is Ebrahim Raisi?", "conversation": "a"},
        {"question": "Who is Dmitry Peskov?", "conversation": "b"},
        {"question": "how did he die?", "conversation": "a"},
        "how did he die?",  # a plain line is a chat of its own
        {"question": "what will the agenda focus on according to him?", "conversation": "b"},
        {"question": 42, "conversation": "a"},
        "{not json",
    ]
    stdin = "".join(f"{json.dumps(x) if isinstance(x, dict) else x}\n" for x in lines)
    result = cli.run("ask", "--json", stdin=stdin)
    assert result.returncode == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(objects) == len(lines)
    for data in objects:
        check_answer_json(data)
    raisi, peskov, died, alone, agenda, number, broken = objects
    assert raisi["searched"] == raisi["question"] and peskov["searched"] == peskov["question"]
    assert "Ebrahim Raisi" in died["searched"] and "helicopter" in died["answer"]
    assert alone["searched"] == alone["question"] == "how did he die?"
    assert "Dmitry Peskov" in agenda["searched"] and "bilateral" in agenda["answer"]
    assert "question" in number["error"] and "question" in broken["error"]


def test_the_console_chat_is_one_conversation(indexed, cli):
    result = cli.run("chat", stdin="Who is Ebrahim Raisi?\nhow did he die?\n")
    assert result.returncode == 0, result.stderr
    assert "(searched: how did Ebrahim Raisi die?)" in result.stdout
    assert result.stdout.count("(searched:") == 1


def test_eval_of_a_conversation_file_scores_the_follow_ups_on_their_own(indexed, cli):
    result = cli.run("eval", str(DEV_FILE.parent / "dev_followups.jsonl"))
    assert result.returncode == 0, result.stderr
    overall, _, followups = result.stdout.partition("\nfollow-ups only:")
    follow = dict(re.findall(r"^  (\S.*?)\s{2,}(\d+(?:\.\d+)?)", followups, re.MULTILINE))
    assert int(re.search(r"^answerable questions\s+(\d+)$", overall, re.M)[1]) == 12
    assert int(follow["answerable questions"]) == 6
    assert 0 <= float(follow["hit@1"]) <= 1


def test_a_bad_setting_exits_2_before_anything_else(cli):
    result = cli.run("ask", "Who met?", LOG_LEVEL="chatty", INDEX_DIR="/nonexistent/index")
    assert result.returncode == 2
    assert result.stderr == (
        "error: LOG_LEVEL: expected one of DEBUG, INFO, WARNING, ERROR, in any case"
        " (got 'chatty')\n"
    )


def test_log_level_in_lower_case_is_accepted(indexed, cli):
    result = cli.run("ask", "Who is the president of Iran?", LOG_LEVEL="info")
    assert result.returncode == 0, result.stderr


def test_a_missing_article_is_reported_before_the_model_is_loaded(cli, tmp_path):
    models, index = tmp_path / "new-models", tmp_path / "new-index"
    result = cli.run(
        "ask",
        "Who met?",
        ARTICLE_PATH=str(tmp_path / "missing.txt"),
        INDEX_DIR=str(index),
        LIBRARY_DIR=str(tmp_path / "new-library"),
        MODEL_CACHE_DIR=str(models),
    )
    assert result.returncode == 1
    assert result.stderr == f"error: article file not found: {tmp_path / 'missing.txt'}\n"
    assert not models.exists() and not index.exists()  # no model export, no index folder


def test_stats_prints_the_summary_and_exports_the_question_log(cli, tmp_path):
    answers = [
        Answer("Who is Macron?", "", citations=(), confidence=0.1, outcome="declined"),
        Answer("Who met?", "Putin met Pezeshkian. [1]", citations=(), confidence=0.8),
    ]
    usage = UsageLog.open(cli.database, retention_days=90)
    entries = [
        QuestionEntry.of(a, chat_type="private", user_id=1, seconds=0.01, build_id="b")
        for a in answers
    ]
    for entry in entries:
        usage.record_question(entry)
    usage.record_feedback(entries[1].id, user_id=2, vote=1)
    expected = summary_lines(usage.summary())
    usage.close()

    shown = cli.run("stats")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines() == expected
    assert "Feedback: 1 👍, 0 👎" in expected and "1. Who is Macron? (1×)" in expected

    out = tmp_path / "questions.csv"
    exported = cli.run("stats", "--export", str(out))
    assert exported.returncode == 0, exported.stderr
    assert exported.stderr == f"exported 2 questions to {out}\n"
    with out.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {r["question"]: r["outcome"] for r in rows} == {
        "Who is Macron?": "declined",
        "Who met?": "answered",
    }
    assert all(r["user_hash"] and r["user_hash"] != "1" for r in rows)

    nowhere = cli.run("stats", "--export", str(tmp_path / "no" / "such" / "dir.csv"))
    assert nowhere.returncode == 1
    assert nowhere.stderr.startswith("error: cannot write ") and "Traceback" not in nowhere.stderr


def test_the_articlebot_console_script_runs_the_same_cli(cli):
    script = Path(sys.executable).with_name("articlebot")
    result = subprocess.run(
        [str(script), "stats", "--help"], capture_output=True, text=True, cwd=cli.workdir
    )
    assert result.returncode == 0, result.stderr
    assert "--export" in result.stdout
