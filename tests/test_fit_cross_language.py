import pytest

from tools.fit_cross_language import Similarities, similarity_map


def test_the_map_takes_both_crossing_means_onto_the_same_language_ones():
    """A translation loses 0.26 to its answering passage but 0.14 to the others: the line
    through both points stretches the crossing scale rather than only shifting it."""
    same = Similarities(answering=[0.6, 0.7], others=[0.3, 0.31, 0.29])
    crossing = Similarities(answering=[0.39], others=[0.15, 0.19])
    scale, shift = similarity_map(same, crossing)
    assert scale * 0.39 + shift == pytest.approx(0.65)
    assert scale * 0.17 + shift == pytest.approx(0.30)
    assert scale > 1
