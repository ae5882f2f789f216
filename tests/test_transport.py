"""The Bot API connection's retry arithmetic, without a network."""

from tgbot.transport import next_poll_wait


def test_the_wait_between_failed_polls_grows_1_5x_to_30_s_and_stays():
    waits = [next_poll_wait(0.0)]
    while len(waits) < 12:
        waits.append(next_poll_wait(waits[-1]))
    assert waits[:5] == [1.0, 1.5, 2.25, 3.375, 5.0625]
    assert waits[8] < 30 and waits[9:] == [30.0] * 3  # the tenth failure reaches the cap
