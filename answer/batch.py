"""The `batch` path: one conversation per line, asked turn by turn.

The chat, ``python -m answer batch`` and the evaluation all go through
:func:`answer_conversation`, so they answer identically. Any object with
``ask(text, conversation) -> Answer`` works (the assistant, the baseline).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator

from .question import Conversation


def answer_conversation(system, turns: list[str]):
    """Ask each turn in one conversation; return (last answer, conversation, seconds)."""
    conversation = Conversation()
    started = time.perf_counter()
    answer = None
    for turn in turns:
        answer = system.ask(turn, conversation)
    return answer, conversation, time.perf_counter() - started


def run_batch(system, lines: Iterable[str]) -> Iterator[dict]:
    """{"id", "turns"} lines in; {"id", "answer", "found", "citations", "seconds"} out."""
    for line in lines:
        if not line.strip():
            continue
        item = json.loads(line)
        answer, _, seconds = answer_conversation(system, item["turns"])
        yield {"id": item["id"], **answer.to_json(), "seconds": round(seconds, 4)}
