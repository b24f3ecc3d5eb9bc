"""Twenty people at once on one real chat server, each with their own 5-turn
conversation (tests/load.py): everyone gets exactly the answers a lone user
gets, so no history leaks between sessions. And an overloaded server says
"busy, try again" at once instead of hanging. Speed is printed, not asserted."""

from __future__ import annotations

import time

import pytest
from gradio_client import Client

import app
from answer.assistant import Conversation
from load import conversations, run, summary

REFUSALS = ("không có thông tin", "không nêu", "không tìm thấy")


@pytest.fixture(scope="module")
def convs():
    return conversations(sessions=20, turns=5)


def test_the_conversations_are_different_and_end_on_a_follow_up(convs):
    assert len(convs) == 20 and all(len(c["turns"]) == 5 for c in convs)
    assert len({tuple(c["turns"]) for c in convs}) == 20
    assert len({c["turns"][-1] for c in convs}) > 10


def test_twenty_concurrent_sessions_each_get_their_own_answers(app_url, assistant, convs, capsys):
    # What a lone user gets, turn by turn (the same assistant, one at a time).
    expected = []
    for conv in convs:
        conversation = Conversation()
        expected.append([app.render_answer(assistant.ask(t, conversation), t) for t in conv["turns"]])

    results, wall = run(app_url, convs)
    with capsys.disabled():
        print(f"\n20 sessions x 5 turns: {summary(results, wall)}")

    for conv, result, want in zip(convs, results, expected):
        assert result.error is None, (conv["id"], result.error)
        assert result.replies == want, f"{conv['id']}: a reply differs from a lone user's"
        last = result.replies[-1]
        if conv["answers"]:
            right = any(a in last for a in conv["answers"]) and any(s in last for s in conv["sources"])
            alone = any(a in want[-1] for a in conv["answers"])
            assert right == alone
        else:  # the gold says the articles cannot answer this follow-up
            assert any(p in last for p in REFUSALS), last


class SlowAssistant:
    """The real assistant, one second slower per question: enough to fill a
    small queue (the answers themselves are the real ones)."""

    def __init__(self, inner, delay: float = 1.0):
        self.inner, self.delay = inner, delay
        self.settings = inner.settings

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def ask(self, *args, **kwargs):
        time.sleep(self.delay)
        return self.inner.ask(*args, **kwargs)

    def stream(self, *args, **kwargs):
        time.sleep(self.delay)
        yield from self.inner.stream(*args, **kwargs)


def test_overload_says_busy_instead_of_hanging(assistant):
    from conftest import free_port

    demo = app.build_app(SlowAssistant(assistant), concurrency=1, queue_size=2)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        clients = [Client(url, verbose=False, download_files=False) for _ in range(8)]
        started = time.perf_counter()
        jobs = [c.submit("Hà Tĩnh có bao nhiêu HTX năm 2023?", api_name="/ask") for c in clients]
        answered, busy = 0, []
        for job in jobs:
            try:
                assert "1.025" in job.result(timeout=60)
                answered += 1
            except Exception as err:  # gradio_client's QueueError
                busy.append(str(err))
        elapsed = time.perf_counter() - started
    finally:
        demo.close()
    assert busy, "8 requests into a queue of 2 with 1 worker: some must be turned away"
    assert all("Queue is full" in m and "try again" in m for m in busy), busy
    assert answered >= 2  # the queue itself was served
    assert answered + len(busy) == 8
    assert elapsed < 45  # turned away at once, not after a hang
