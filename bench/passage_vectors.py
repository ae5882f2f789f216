"""Can passage vectors be made from sentence vectors? Build time and quality, side by side.

``python -m bench.passage_vectors`` builds the library of the shared article, then of the
article plus the eight shared SQuAD articles, with the configured models (EMBEDDERS): once with
every passage embedded (as today), once with e5's passage vectors the mean of its sentences'
vectors (e5 embeds about 4 times slower than MiniLM), and once with every model's. It scores
each on the news sets (the multilingual one is e5's alone) and each SQuAD article's questions.
The answerability model is the one shipped, fitted on embedded passages. Writes
``bench/passage_vectors.json``.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from config import Settings
from retrieval import Engine
from retrieval.evaluation import evaluate, read_questions
from retrieval.index.embedders import load_embedders
from retrieval.index.fusion import FusedEmbedder

from .workload import ROOT, SHARED, bench_settings, dev_questions_path

SQUAD = sorted((SHARED / "squad").glob("*.txt"))
MODES = {"embedded": (), "e5_sentence_mean": ("e5",), "sentence_mean": ("e5", "minilm")}


def question_files(with_squad: bool) -> dict[str, Path]:
    """The dev questions, and each SQuAD article's questions when the library holds them."""
    files = {"dev": dev_questions_path()}
    files |= {name: SHARED / f"dev_{name}.jsonl" for name in ("natural", "multilingual")}
    for name in ("heldout_questions.jsonl",):
        if (ROOT / "tests" / "data" / name).exists():
            files["heldout"] = ROOT / "tests" / "data" / name
    if with_squad:
        files |= {path.stem: path.with_suffix(".jsonl") for path in SQUAD}
    return files


def _figures(data: dict[str, Any]) -> dict[str, Any]:
    """A report's figures, rounded, per language too, without its misses."""
    data = {k: v for k, v in data.items() if k not in ("misses", "followups")}
    data["by_language"] = {language: _figures(part) for language, part in data["by_language"]}
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in data.items()}


def measure(settings: Settings, embedder: FusedEmbedder, work: Path, with_squad: bool) -> dict:
    """Both modes on one library: build seconds, texts embedded, metrics per question file."""
    results: dict[str, Any] = {}
    for mode, from_sentences in MODES.items():
        folder = work / f"{mode}-{with_squad}"
        local = bench_settings(settings, folder / "index", settings.model_cache_dir)
        engine = Engine(local, embedder=embedder)
        engine.builder.passages_from_sentences = frozenset(from_sentences)
        started = time.perf_counter()
        engine.load_or_build()
        for path in SQUAD if with_squad else ():
            engine.add_article(path.read_text(encoding="utf-8"), source=path.name)
        seconds = time.perf_counter() - started
        manifest = engine.snapshot.manifest
        results[mode] = {
            "build_seconds": round(seconds, 2),
            "passages": manifest.passages,
            "passages_per_second": round(manifest.passages / seconds, 1),
            "quality": {
                name: _figures(asdict(evaluate(engine, read_questions(path))))
                for name, path in question_files(with_squad).items()
            },
        }
        print(f"bench: {mode}, squad={with_squad}: {results[mode]}", file=sys.stderr)
    return results


def main() -> int:
    """Run both libraries and write the JSON next to this file."""
    settings = Settings()
    embedder = load_embedders(settings)
    with tempfile.TemporaryDirectory(prefix="passage-vectors-") as work:
        results = {
            "article": measure(settings, embedder, Path(work), with_squad=False),
            "article_and_squad": measure(settings, embedder, Path(work), with_squad=True),
        }
    out = Path(__file__).with_name("passage_vectors.json")
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
