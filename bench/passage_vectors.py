"""Can passage vectors be made from sentence vectors? Build time and dev-set quality, side by side.

``python -m bench.passage_vectors`` builds the library of the shared article, then of the
article plus the four shared SQuAD articles, once with every passage embedded (as today) and
once with passage vectors as the mean of their sentences' vectors, and scores each on the dev
questions (and each SQuAD article's questions). Writes ``bench/passage_vectors.json``.
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
from retrieval.index.embedders import load_embedder
from retrieval.index.embedding import Embedder

from .workload import ROOT, SHARED, bench_settings, dev_questions_path

SQUAD = sorted((SHARED / "squad").glob("*.txt"))
MODES = {"embedded": False, "sentence_mean": True}


def question_files(with_squad: bool) -> dict[str, Path]:
    """The dev questions, and each SQuAD article's questions when the library holds them."""
    files = {"dev": dev_questions_path()}
    for name in ("heldout_questions.jsonl",):
        if (ROOT / "tests" / "data" / name).exists():
            files["heldout"] = ROOT / "tests" / "data" / name
    if with_squad:
        files |= {path.stem: path.with_suffix(".jsonl") for path in SQUAD}
    return files


def _metrics(report: Any) -> dict[str, Any]:
    data = asdict(report)
    data.pop("misses", None)
    data.pop("followups", None)
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in data.items()}


def measure(settings: Settings, embedder: Embedder, work: Path, with_squad: bool) -> dict:
    """Both modes on one library: build seconds, texts embedded, metrics per question file."""
    results: dict[str, Any] = {}
    for mode, from_sentences in MODES.items():
        folder = work / f"{mode}-{with_squad}"
        local = bench_settings(settings, folder / "index", settings.model_cache_dir)
        engine = Engine(local, embedder=embedder)
        engine.builder.passages_from_sentences = from_sentences
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
                name: _metrics(evaluate(engine, read_questions(path)))
                for name, path in question_files(with_squad).items()
            },
        }
        print(f"bench: {mode}, squad={with_squad}: {results[mode]}", file=sys.stderr)
    return results


def main() -> int:
    """Run both libraries and write the JSON next to this file."""
    settings = Settings()
    embedder = load_embedder(settings)
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
