"""The per-chat store of recent turns: how many, how long, per key, safe across threads."""

from concurrent.futures import ThreadPoolExecutor

from retrieval import Answer
from retrieval.question.conversation import ConversationStore, Turn


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def answer(question: str, abstained: bool = False) -> Answer:
    if abstained:
        return Answer(question, "", (), 0.1, outcome="declined")
    return Answer(question, f"About {question} [1]", (), 0.5)


def test_keeps_the_last_turns_of_each_key_in_order():
    store = ConversationStore(turns=2, minutes=10)
    for question in ("one", "two", "three"):
        store.record("chat", answer(question))
    store.record("other", answer("elsewhere"))
    assert [t.question for t in store.history("chat")] == ["two", "three"]
    assert [t.question for t in store.history("other")] == ["elsewhere"]
    assert store.history("nobody") == ()


def test_turns_expire_after_the_minutes_given():
    clock = Clock()
    store = ConversationStore(turns=5, minutes=10, clock=clock)
    store.record("chat", answer("old"))
    clock.now += 9 * 60
    store.record("chat", answer("recent"))
    clock.now += 2 * 60  # "old" is 11 minutes old now, "recent" 2
    assert [t.question for t in store.history("chat")] == ["recent"]
    clock.now += 10 * 60
    assert store.history("chat") == ()


def test_reset_starts_over_and_a_given_history_replaces_the_key():
    store = ConversationStore()
    store.record("chat", answer("one"))
    store.reset("chat")
    assert store.history("chat") == ()
    elsewhere = store.record("a", answer("first"))
    store.record("b", answer("unrelated"))
    continued = store.record("b", answer("follow-up"), history=elsewhere)
    assert [t.question for t in continued] == ["first", "follow-up"]
    assert store.history("b") == continued


def test_a_turn_records_the_search_and_a_decline_leaves_nothing_to_quote():
    declined = Turn.of(answer("Who is Zorblax?", abstained=True))
    assert (declined.question, declined.searched, declined.answer) == (
        "Who is Zorblax?",
        "Who is Zorblax?",
        "",
    )
    assert declined.quotes == declined.passage_ids == ()


def test_memory_is_bounded_by_the_number_of_conversations():
    store = ConversationStore(max_conversations=3)
    for key in range(5):
        store.record(key, answer(f"q{key}"))
    assert [k for k in range(5) if store.history(k)] == [2, 3, 4]


def test_concurrent_records_lose_nothing():
    store = ConversationStore(turns=50)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: store.record(i % 4, answer(f"q{i}")), range(200)))
    assert sorted(len(store.history(k)) for k in range(4)) == [50, 50, 50, 50]
