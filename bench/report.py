"""The results as budget rows: a Markdown table for the README, and the JSON file."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .latency import STAGES

MS = "ms"


@dataclass(frozen=True, slots=True)
class Row:
    """One figure of the table, with its budget when it has one."""

    area: str
    metric: str
    value: float | str
    unit: str = ""
    budget: str = ""
    met: bool | None = None


def _row(
    area: str,
    metric: str,
    value: float | str,
    unit: str = "",
    limit: float | None = None,
    at_least: bool = False,
) -> Row:
    """A row; with a ``limit``, also its budget (``≤ limit``, or ``≥`` when ``at_least``)."""
    if limit is None or isinstance(value, str):
        return Row(area, metric, value, unit)
    sign = "≥" if at_least else "≤"
    met = value >= limit if at_least else value <= limit
    return Row(area, metric, value, unit, f"{sign} {limit:g} {unit}".strip(), met)


def _latency_rows(latency: dict[str, Any]) -> list[Row]:
    area = f"Warm answer ({latency['backend']})"
    answer = latency["answer"]
    rows = [
        _row(area, "engine.answer() median", answer["median_ms"], MS, 8),
        _row(area, "engine.answer() p95", answer["p95_ms"], MS, 25),
    ]
    for stage in STAGES:
        rows.append(
            Row(
                area,
                f"{stage} median / p95",
                f"{latency[stage]['median_ms']:.2f} / {latency[stage]['p95_ms']:.2f}",
                MS,
            )
        )
    batched = latency["answer_many_per_question"]["median_ms"]
    rows.append(Row(area, f"answer_many({latency['questions']}) per question", batched, MS))
    return rows


def _backend_rows(backends: dict[str, Any]) -> list[Row]:
    area = "Query embedding backend"
    rows = []
    for name, result in backends["backends"].items():
        rows.append(
            Row(area, f"{name}: encode 1 question median", result["encode"]["median_ms"], MS)
        )
        rows.append(
            Row(area, f"{name}: engine.answer() median", result["answer"]["median_ms"], MS)
        )
        if name == "torch":  # the reference
            continue
        rows.append(
            Row(area, f"{name}: encode speed-up vs torch", result["encode_speedup_vs_torch"], "×")
        )
        rows.append(
            Row(
                area,
                f"{name}: answers identical to torch",
                f"{result['identical_answers']}/{backends['questions']}",
            )
        )
    status = backends["sentence_transformers_backend_onnx"].split(". ")[0]
    rows.append(Row(area, "sentence-transformers' own backend='onnx'", status))
    return rows


def _cold_rows(cold: dict[str, Any], probe: dict[str, Any]) -> list[Row]:
    area = "Cold start"
    with_index, empty = cold["with_index"], cold["empty_index"]
    rows = [
        _row(
            area, "bot.py ask, persisted index (median)", with_index["to_answer_seconds"], "s", 5
        ),
        Row(area, "bot.py ask, empty INDEX_DIR (median)", empty["to_answer_seconds"], "s"),
    ]
    phases = " + ".join(
        f"{probe[key]:.2f}"
        for key in (
            "import_seconds",
            "load_model_seconds",
            "load_index_seconds",
            "first_answer_seconds",
        )
    )
    rows.append(Row(area, "in-process: imports + model + index + first answer", phases, "s"))
    rows.append(
        _row("Memory", f"peak RSS, {probe['answers']} answers", probe["peak_rss_mb"], "MB", 700)
    )
    return rows


def _telegram_rows(runs: list[dict[str, Any]]) -> list[Row]:
    rows = []
    for run in runs:
        rate = f"max {run['max_rate']:g} msg/s" if run["max_rate"] else "unthrottled"
        users = f"{run['users']} users" if run["users"] > 1 else "1 user alone"
        area = f"Telegram, {users} × {run['each']}, {run['mode']}, {rate}"
        latency = run["update_to_reply"]
        # Alone or paced, the askers set the pace: throughput says nothing of the bot's.
        capacity = None if run["users"] == 1 or run["pace"] else 30
        rows.append(
            _row(
                area,
                "answers per second",
                run["answers_per_second"],
                "/s",
                capacity,
                at_least=True,
            )
        )
        rows.append(Row(area, "update-to-reply p50", latency["median_ms"], MS))
        loopback = None if run["max_rate"] else 150  # behind Telegram's ceiling, queues are due
        rows.append(_row(area, "update-to-reply p95", latency["p95_ms"], MS, loopback))
        rows.append(
            Row(
                area,
                "engine batches (largest)",
                f"{run['engine_batches']} ({run['largest_batch']})",
            )
        )
    return rows


def _build_rows(build: dict[str, Any]) -> list[Row]:
    area = f"Index build, {build['passages']} passages of {build['articles']} real articles"
    return [
        Row(area, "passages per second", build["passages_per_second"], "/s"),
        Row(
            area,
            "texts (passages, sentences) embedded per second",
            build["texts_embedded_per_second"],
            "/s",
        ),
        Row(
            area,
            "cache + chunk and embed + index",
            f"{build['cache_seconds']:.1f} + "
            f"{build['chunk_and_embed_seconds']:.1f} + {build['index_seconds']:.1f}",
            "s",
        ),
    ]


def _usage_rows(usage: dict[str, Any]) -> list[Row]:
    area, rows = "usage database (SQLite, WAL)", usage["rows"]
    write, summary = usage["record_question"], usage["summary"]
    return [
        Row(area, "log one question (one transaction), median", write["median_ms"], MS),
        Row(area, "log one question, p95", write["p95_ms"], MS),
        Row(area, f"/stats summary at {rows:,} questions, median", summary["median_ms"], MS),
        Row(area, f"CSV export of {rows:,} questions", usage["export_seconds"], "s"),
        Row(area, f"file size at {rows:,} questions", usage["file_mb"], "MB"),
    ]


def ivf_choice(ivf: dict[str, Any]) -> dict[str, Any]:
    """The IVF sweep row to report: the cheapest meeting the recall target, else the best."""
    return ivf["smallest_meeting_target"] or ivf["sweep"][-1]


def hnsw_default(hnsw: dict[str, Any]) -> dict[str, Any]:
    """The HNSW sweep row at the engine's efSearch (``vectorstore.HNSW_EF_SEARCH``)."""
    return next(r for r in hnsw["sweep"] if r["ef_search"] == hnsw["ef_search_default"])


def _approximate(methods: dict[str, Any]) -> list[tuple[str, dict[str, Any], float]]:
    """(label, reported sweep row, build seconds) of each approximate index measured."""
    found = []
    if "hnsw" in methods:
        hnsw = methods["hnsw"]
        label = f"HNSW M={hnsw['M']} efC={hnsw['ef_construction']} efS={hnsw['ef_search_default']}"
        found.append((label, hnsw_default(hnsw), hnsw["build_seconds"]))
    ivf = methods["ivf_flat"]
    choice = ivf_choice(ivf)
    label = f"IVF-Flat nlist={ivf['nlist']} nprobe={choice['nprobe']}"
    found.append((label, choice, ivf["build_seconds"]))
    return found


def _scale_rows(ann: dict[str, Any]) -> list[Row]:
    rows = []
    for entry in ann["sizes"]:
        methods, area = entry["methods"], f"Search, {entry['size']:,} vectors, k={ann['k']}"
        at_scale = entry["size"] >= 1_000_000  # where the speed and build budgets apply
        flat = methods["faiss_flat"]
        reference = methods["semantic_search"]["search"]["median_ms"]
        rows.append(Row(area, "faiss IndexFlatIP median", flat["search"]["median_ms"], MS))
        rows.append(Row(area, "faiss IndexFlatIP build", flat["build_seconds"], "s"))
        rows.append(Row(area, "util.semantic_search median", reference, MS))
        for name, row, build in _approximate(methods):
            speedup = round(reference / row["search"]["median_ms"], 1)
            rows.append(Row(area, f"{name} median", row["search"]["median_ms"], MS))
            rows.append(
                _row(
                    area,
                    f"{name} recall@10",
                    row["recall_at_10"],
                    "",
                    ann["target_recall"],
                    at_least=True,
                )
            )
            rows.append(_row(area, f"{name} build", build, "s", 600 if at_scale else None))
            rows.append(
                _row(
                    area,
                    f"{name} speed-up vs semantic_search",
                    speedup,
                    "×",
                    10 if at_scale else None,
                    at_least=True,
                )
            )
        if "hnsw" in methods:
            best = methods["hnsw"]["smallest_meeting_target"]
            value = (
                f"{best['ef_search']} (recall {best['recall_at_10']:g}, "
                f"{best['search']['median_ms']:.2f} ms)"
                if best
                else "none in sweep"
            )
            rows.append(Row(area, "HNSW smallest efSearch with recall@10 ≥ 0.95", value))
    return rows


def budget_rows(results: dict[str, Any]) -> list[Row]:
    """Every reported figure, in the order of the benchmark."""
    return [
        *_latency_rows(results["latency"]),
        *_backend_rows(results["embedding_backends"]),
        *_cold_rows(results["cold_start"], results["serving_probe"]),
        *_telegram_rows(results["telegram"]),
        *_build_rows(results["build"]),
        *_usage_rows(results["usage_db"]),
        *_scale_rows(results["ann"]),
    ]


def _cell(value: float | str) -> str:
    """Three significant digits below 1, two decimals above; strings as they are."""
    if isinstance(value, str):
        return value
    text = f"{value:.3g}" if abs(value) < 1 else f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def markdown(results: dict[str, Any], rows: list[Row]) -> str:
    """The README table: every figure, its budget and whether the budget was met."""
    meta = results["meta"]
    lines = [
        f"Benchmark run of {meta['finished_at']} ({'quick' if meta['quick'] else 'full'}, "
        f"{meta['total_seconds']:.0f} s) on {meta['cpus']} CPUs, load average "
        f"{meta['load_before']:.1f} before and {meta['load_after']:.1f} after; medians unless "
        "stated. Regenerate with `python -m bench`.",
        "",
        "| Area | Metric | Value | Budget | Status |",
        "| --- | --- | ---: | --- | --- |",
    ]
    for row in rows:
        status = "—" if row.met is None else ("met" if row.met else "**missed**")
        value = f"{_cell(row.value)} {row.unit}".strip()
        lines.append(f"| {row.area} | {row.metric} | {value} | {row.budget or '—'} | {status} |")
    missed = sum(row.met is False for row in rows)
    lines += ["", f"{missed} of {sum(row.met is not None for row in rows)} budgets missed.", ""]
    lines += [f"- {note}" for note in _notes(results)]
    return "\n".join(lines) + "\n"


def _notes(results: dict[str, Any]) -> list[str]:
    """How each figure was measured, in a line each."""
    latency, ann = results["latency"], results["ann"]
    return [
        f"Warm answer: {latency['questions']} dev questions × {latency['rounds']} rounds, one "
        "at a time in one process; stages timed as `Engine.answer_many` runs them.",
        "Backends: every engine serves the same index, only the query embedding differs; int8 "
        "is onnxruntime dynamic quantisation with per-channel int8 weights.",
        "Cold start: from spawning `python bot.py ask …` to its answer on stdout (warm page "
        "cache); an empty INDEX_DIR adds the model export and the index build. Peak RSS is the "
        "VmHWM of a process that imports `bot.py`, loads the engine and answers.",
        "Telegram: the real Application polls the tests' fake Bot API server (in the same "
        "process, on loopback); latency runs from pushing an update to the server recording "
        "the reply. In a closed loop of N users, latency ≈ N ÷ throughput (queueing).",
        f"Search: {ann['queries']} queries one at a time, k={ann['k']}, recall against "
        "IndexFlatIP; vectors are noisy mixtures of real embeddings of the article "
        "(`bench/vectors.py`); `semantic_search` scores by dot product (unit vectors).",
    ]


def write(results: dict[str, Any], rows: list[Row], folder: Path) -> None:
    """Write ``results.json`` (the raw figures plus the rows) and ``results.md``."""
    document = results | {"budgets": [asdict(row) for row in rows]}
    (folder / "results.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    (folder / "results.md").write_text(markdown(results, rows), encoding="utf-8")
