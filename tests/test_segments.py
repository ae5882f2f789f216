"""The segmented matrix of sentence vectors: reads, growth, merging, saving by links."""

import shutil

import numpy as np
import pytest

from retrieval.index.segments import MAX_SEGMENTS, RowFile, SegmentedMatrix, segment_name


def _rows(count: int, start: int = 0) -> np.ndarray:
    return np.arange(start, start + count * 3, dtype=np.float32).reshape(count, 3)


def test_rows_of_a_file_read_as_saved_in_the_order_asked_repeats_and_runs_included(tmp_path):
    np.save(tmp_path / "a.npy", _rows(50))
    rows = RowFile(tmp_path / "a.npy")
    assert rows.shape == (50, 3) and len(rows) == 50
    asked = [7, 8, 9, 49, 0, 8, 30]
    assert np.array_equal(rows[asked], _rows(50)[asked])
    assert np.array_equal(np.asarray(rows), _rows(50))
    assert rows[[]].shape == (0, 3)
    with pytest.raises(IndexError):
        rows[[3, 50]]


def test_a_truncated_npy_file_is_an_error_not_garbage(tmp_path):
    np.save(tmp_path / "a.npy", _rows(50))
    data = (tmp_path / "a.npy").read_bytes()
    (tmp_path / "a.npy").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError):
        RowFile(tmp_path / "a.npy")


def test_a_file_of_no_rows_reads_as_none(tmp_path):
    np.save(tmp_path / "a.npy", np.zeros((0, 3), np.float32))
    assert np.asarray(RowFile(tmp_path / "a.npy")).shape == (0, 3)


def test_rows_are_read_across_segments_in_the_order_asked():
    grown = SegmentedMatrix.of(_rows(4)).appended(_rows(2, 100)).appended(_rows(3, 200))
    whole = np.vstack([_rows(4), _rows(2, 100), _rows(3, 200)])
    assert grown.shape == whole.shape and len(grown.segments) == 3
    asked = [8, 0, 4, 5, 3, 8]
    assert np.array_equal(grown[asked], whole[asked])
    assert np.array_equal(np.asarray(grown), whole)


def test_growing_leaves_the_matrix_grown_from_unchanged():
    first = SegmentedMatrix.of(_rows(4))
    first.appended(_rows(2, 100))
    assert first.shape == (4, 3) and len(first.segments) == 1
    assert first.appended(np.zeros((0, 3), np.float32)) is first


def test_past_the_most_segments_the_small_ones_are_merged_and_the_rows_kept():
    parts = [_rows(10)]
    grown = SegmentedMatrix.of(parts[0])
    for number in range(MAX_SEGMENTS + 3):
        parts.append(_rows(2, 1000 * (number + 1)))
        grown = grown.appended(parts[-1])
        assert len(grown.segments) <= MAX_SEGMENTS
    assert grown.segments[0] is parts[0]  # the large first segment is never copied
    assert np.array_equal(np.asarray(grown), np.vstack(parts))


def test_segments_of_mixed_widths_are_refused():
    with pytest.raises(ValueError):
        SegmentedMatrix([_rows(2), np.zeros((2, 4), np.float32)])


def _saved_and_loaded(tmp_path):
    """Four rows saved in a served build folder and read back, and an empty folder beside."""
    served, grown_in = tmp_path / "build-a", tmp_path / "build-b"
    served.mkdir()
    grown_in.mkdir()
    SegmentedMatrix.of(_rows(4)).save(served, "sentences")
    return served, grown_in, SegmentedMatrix.load(served, "sentences")


def test_a_saved_matrix_loads_back_and_a_grown_one_links_the_segments_it_read(tmp_path):
    served, grown_in, loaded = _saved_and_loaded(tmp_path)
    assert loaded.on_disk == (True,)
    grown = loaded.appended(_rows(2, 100))
    grown.save(grown_in, "sentences", linked_from=served)
    first, second = (grown_in / segment_name("sentences", n) for n in (0, 1))
    assert first.stat().st_ino == (served / "sentences.npy").stat().st_ino  # linked
    assert second.exists()
    shutil.rmtree(served)  # the served build is removed once the new one is published
    again = SegmentedMatrix.load(grown_in, "sentences")
    assert np.array_equal(np.asarray(again), np.vstack([_rows(4), _rows(2, 100)]))


def test_a_segment_whose_folder_is_gone_is_written_from_memory(tmp_path):
    served, grown_in, loaded = _saved_and_loaded(tmp_path)
    (served / "sentences.npy").unlink()  # still open, as a served index's file would be
    loaded.save(grown_in, "sentences", linked_from=served)
    assert np.array_equal(np.load(grown_in / "sentences.npy"), _rows(4))
