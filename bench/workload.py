"""What the benchmarks share: the project root, the dev questions and isolated settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from config import Settings
from retrieval.evaluation import read_questions

ROOT = Path(__file__).resolve().parent.parent
# The shared folder beside the checkout (/work/main) or beside the worktrees (/work/wt/x).
SHARED = next(
    (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.exists()), ROOT
)
ENGINE_FIELDS = ("embedders", "embedding_model", "embedding_backend", "top_k")
DEV_QUESTIONS = (
    ROOT / "tests" / "data" / "dev_questions.jsonl",
    SHARED / "dev_questions.jsonl",
)


def real_articles(article: Path) -> list[Path]:
    """``article`` and the shared SQuAD articles: distinct real texts, nothing downloaded."""
    return [article, *sorted((SHARED / "squad").glob("*.txt"))]


def dev_questions_path() -> Path:
    """The dev question file: the tests' copy if there is one, else the shared one."""
    return next((path for path in DEV_QUESTIONS if path.exists()), DEV_QUESTIONS[-1])


def dev_questions() -> list[str]:
    """The text of every dev question, in file order."""
    return [question.text for question in read_questions(dev_questions_path())]


def bench_settings(
    base: Settings, index_dir: Path, model_cache_dir: Path, **overrides: Any
) -> Settings:
    """Settings that ignore `.env`: ``base``'s article and engine knobs, a private index, a
    library (beside the index unless given) and a private usage database beside it."""
    values: dict[str, Any] = {name: getattr(base, name) for name in ENGINE_FIELDS}
    values.update(
        article_path=base.article_path.resolve(),
        index_dir=index_dir,
        library_dir=index_dir.with_name(f"{index_dir.name}-library"),
        model_cache_dir=model_cache_dir,
        data_dir=index_dir.parent / "data",
    )
    return Settings(_env_file=None, **(values | overrides))


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment variables that make a child process read the same engine settings."""
    names = ("article_path", "index_dir", "library_dir", "model_cache_dir", *ENGINE_FIELDS)
    return {name.upper(): _env_value(getattr(settings, name)) for name in names}


def _env_value(value: object) -> str:
    """A setting as the environment writes it ("e5,minilm" for a tuple)."""
    return ",".join(map(str, value)) if isinstance(value, tuple) else str(value)


def merge_results(section: str, figures: dict[str, Any]) -> None:
    """Write one benchmark's ``figures`` under ``section`` of bench/results.json (the other
    sections kept) and print them."""
    out = ROOT / "bench" / "results.json"
    results = json.loads(out.read_text()) if out.exists() else {}
    results[section] = figures
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
