"""The fusion fit's signals and its choice, on made-up vectors and groups."""

import numpy as np

from retrieval.index.fusion import Calibration
from tools.fit_fusion import Group, _best_sentences, hit_at_1


def test_a_passage_scores_its_best_sentence_or_with_windows_its_best_pair():
    """Sentences 0 and 1 make one passage, 2 another: a query between 1 and 2 is nearer no
    single sentence than 0.71, and 1 and 2 are never read as a pair across passages."""
    vectors = np.eye(3, dtype=np.float32)
    queries = np.array([[1, 1, 0], [0, 1, 1]], dtype=np.float32) / np.sqrt(2)
    members = [[0, 1], [2]]
    alone, paired = _best_sentences(queries, vectors, members)
    assert np.allclose(alone, [[1 / np.sqrt(2), 0], [1 / np.sqrt(2), 1 / np.sqrt(2)]])
    assert np.allclose(paired, [[1, 0], [1 / np.sqrt(2), 1 / np.sqrt(2)]])


def test_hit_at_1_reads_the_windowed_sentence_column_only_when_asked():
    """One question, two passages: only the windowed sentence signal (column 2 for MiniLM)
    puts the gold passage first."""
    signals = np.zeros((1, 2, 7), dtype=np.float32)
    signals[0, :, 1] = [0.5, 0.6]  # MiniLM's best sentence: the other passage leads
    signals[0, :, 2] = [0.9, 0.6]  # its best sentence or window: the gold passage leads
    group = Group("g", signals, np.array([[True, False]]), (np.zeros(1), np.zeros(1)))
    weights, same = (1.0, 0.0, 0.0), Calibration(1.0, 0.0)
    assert hit_at_1(group, weights, same, windows=True) == 1.0
    assert hit_at_1(group, weights, same, windows=False) == 0.0
