"""``bot.py bench``: the optional dependency is checked first, results written only at the end."""

import json
import subprocess
import sys

import pytest

from bench import runner


@pytest.fixture
def out(tmp_path, monkeypatch):
    """The benchmark's output folder, in tmp, holding the previous run's files."""
    monkeypatch.setattr(runner, "BENCH_DIR", tmp_path)
    for name in runner.OUTPUTS:
        (tmp_path / name).write_text("previous run")
    return tmp_path


def _never_measure(*args):
    raise AssertionError("the benchmark ran")


def test_without_matplotlib_it_fails_at_once_and_touches_nothing(
    out, monkeypatch, settings_factory, capsys
):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now fails
    monkeypatch.setattr(runner, "measure", _never_measure)
    assert runner.run_benchmarks(settings_factory(), quick=False) == 2
    assert capsys.readouterr().err.startswith("error: the benchmark needs matplotlib: ")
    assert all((out / name).read_text() == "previous run" for name in runner.OUTPUTS)


def test_a_failure_while_writing_leaves_the_previous_results(out, monkeypatch, settings_factory):
    monkeypatch.setattr(runner, "missing_dependencies", list)
    monkeypatch.setattr(runner, "measure", lambda *args: {"meta": {}, "ann": {}})
    monkeypatch.setattr(runner.report, "budget_rows", lambda results: [])

    def broken_plot(ann, path):
        raise RuntimeError("no display")

    monkeypatch.setattr(runner, "plot_latency", broken_plot)
    monkeypatch.setattr(runner.report, "markdown", lambda results, rows: "table\n")
    with pytest.raises(RuntimeError, match="no display"):
        runner.run_benchmarks(settings_factory(), quick=False)
    assert all((out / name).read_text() == "previous run" for name in runner.OUTPUTS)
    assert sorted(p.name for p in out.iterdir()) == sorted(runner.OUTPUTS)  # no staging left


def test_a_run_keeps_the_scale_figures_that_bench_scale_wrote(out, monkeypatch, settings_factory):
    """`python -m bench.scale` merges its figures into results.json; a full run keeps them."""
    (out / "results.json").write_text(json.dumps({"scale": {"add_seconds": 5.2}, "ann": "old"}))
    monkeypatch.setattr(runner, "missing_dependencies", list)
    monkeypatch.setattr(runner, "measure", lambda *args: {"meta": {}, "ann": {}})
    monkeypatch.setattr(runner.report, "budget_rows", lambda results: [])
    monkeypatch.setattr(runner, "plot_latency", lambda ann, path: path.write_bytes(b"png"))
    monkeypatch.setattr(runner.report, "markdown", lambda results, rows: "table\n")
    assert runner.run_benchmarks(settings_factory(), quick=False) == 0
    written = json.loads((out / "results.json").read_text())
    assert written["scale"] == {"add_seconds": 5.2} and written["ann"] == {}


def test_python_m_bench_is_the_benchmark_command():
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "--quick" in done.stdout
