"""The evidence the fitting scripts learn from: every tuning question asked of its own
article, of an unrelated one and of the library of all of them, with what it should have got.
Saved as JSONL (:func:`write_rows`) to refit without asking again.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

from config import Settings
from retrieval import Answer, Engine
from retrieval.answer.answerability import FEATURES, AnswerabilityModel
from retrieval.evaluation import Question, answer_all, gold_rank, has_keywords, read_questions

ROOT = Path(__file__).resolve().parent.parent
# SQuAD questions translated by hand: cross-lingual evidence held out with their article.
TRANSLATED = Path(__file__).resolve().parent / "data" / "squad_translated"
TRANSLATION = ":translated"
# Articles in other languages than English, with questions in English and in their own.
FOREIGN = Path(__file__).resolve().parent / "data" / "foreign"


@dataclass(frozen=True, slots=True)
class Row:
    """One question asked of one article, with its evidence and what it should have got."""

    tuning_set: str
    features: tuple[float, ...] | None  # None: declined before weighing (empty input)
    on_topic: bool
    answerable: bool
    # Of an answerable question asked of its own article: whether the top citation holds a
    # gold fragment, and whether the reply holds the keywords (as ``bot.py eval`` counts).
    hit: bool | None = None
    keywords: bool | None = None
    # Whether the phrase in bold holds a gold answer (None: nothing in bold).
    highlight: bool | None = None


def tuning_sets(shared: Path) -> dict[str, tuple[Path, list[Question]]]:
    """Each tuning file with the article its questions were written for."""
    news = shared / "article.txt"
    sets = {
        name: (news, read_questions(shared / f"{name}.jsonl"))
        for name in ("dev_questions", "dev_natural", "dev_followups", "dev_multilingual")
    }
    for path in sorted((shared / "squad").glob("*.jsonl")):
        sets[f"squad/{path.stem}"] = (path.with_suffix(".txt"), read_questions(path))
    for path in sorted(TRANSLATED.glob("*.jsonl")):
        article = shared / "squad" / f"{path.stem}.txt"
        sets[f"squad/{path.stem}{TRANSLATION}"] = (article, read_questions(path))
    for path in sorted(FOREIGN.glob("*.jsonl")):
        sets[f"foreign/{path.stem}"] = (path.with_suffix(".txt"), read_questions(path))
    return sets


def engine_for(article: Path, folder: Path, settings: Settings) -> Engine:
    """An engine seeded with ``article``, its library and index kept in ``folder`` between
    runs (the default library would hold whatever the bot serves). It collects evidence with
    the neutral model, so that it runs even when the features have changed."""
    update = {"article_path": article, "index_dir": folder, "library_dir": folder / "library"}
    return Engine(settings.model_copy(update=update), model=AnswerabilityModel.neutral())


def library_engine(articles: list[Path], index_root: Path, settings: Settings) -> Engine:
    """An engine over all the tuning articles at once: a bot's library holds several, and
    BM25's weights and the margins between passages change with it."""
    engine = engine_for(articles[0], index_root / "library", settings)
    engine.load_or_build()
    held = {record.source for record in engine.articles()}
    for article in articles[1:]:
        if article.name not in held:
            engine.add_article(article.read_text(encoding="utf-8"), source=article.name)
    return engine


def collect(shared: Path, index_root: Path, settings: Settings) -> list[Row]:
    """Evidence for every tuning question on its own article, on an unrelated one, and on
    the library of all of them."""
    sets = tuning_sets(shared)
    articles = sorted({article for article, _ in sets.values()})
    engines = {a: engine_for(a, index_root / a.stem, settings) for a in articles}
    library = library_engine(articles, index_root, settings)
    news = shared / "article.txt"
    rows: list[Row] = []
    for name, (article, questions) in sets.items():
        rows += _rows(f"{name}@library", library, questions, own=True)
        for asked_of in articles:
            own = asked_of == article
            if not own and news not in (article, asked_of):
                continue  # two SQuAD articles may share a topic (force and steam engines)
            set_name = name if own else f"{name}@{asked_of.stem}"
            rows += _rows(set_name, engines[asked_of], questions, own)
    return rows


def _rows(set_name: str, engine: Engine, questions: list[Question], own: bool) -> list[Row]:
    """The evidence of each question asked of ``engine``, which holds the questions' own
    article when ``own``."""
    rows = []
    for question, answer in zip(questions, answer_all(engine, questions), strict=True):
        signals = answer.signals
        on_topic = own and not question.offtopic
        answerable = on_topic and question.answerable
        rows.append(
            Row(
                set_name,
                tuple(signals.evidence.vector()) if signals else None,
                on_topic,
                answerable,
                hit=gold_rank(answer, question.gold) == 1 if answerable else None,
                keywords=has_keywords(answer, question) if answerable else None,
                highlight=_highlight_holds(answer, question) and answerable,
            )
        )
    return rows


def _highlight_holds(answer: Answer, question: Question) -> bool | None:
    """Whether the answer's bold phrase holds one of the question's answers, or lies inside
    one (a name's surname of the full name); None when nothing is in bold. Bold in the
    answer to an unanswerable question is always wrong."""
    if answer.highlight is None:
        return None
    bold = answer.highlight.text.lower()
    return any(k.lower() in bold or bold in k.lower() for k in question.keywords)


def write_rows(path: Path, rows: list[Row]) -> None:
    """Save collected evidence, one row a line, to refit without asking again."""
    lines = (json.dumps(dataclasses.asdict(row)) for row in rows)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_rows(path: Path) -> list[Row]:
    """Evidence saved by :func:`write_rows`; its features must be today's."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if any(r["features"] is not None and len(r["features"]) != len(FEATURES) for r in rows):
        raise SystemExit(f"{path} was collected with other features: delete it to collect")
    return [Row(**{**r, "features": r["features"] and tuple(r["features"])}) for r in rows]


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of every fitting script: where the tuning data and the fitting indexes
    are."""
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--index-root", type=Path, default=ROOT / "index" / "fitting")


def add_fitting_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of every script that collects evidence and fits: the data's, and the loss
    budget of the thresholds."""
    add_data_arguments(parser)
    parser.add_argument("--max-lost", type=float, default=0.05)
