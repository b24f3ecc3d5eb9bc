"""The evaluation harness: ask every question of a QA file through the same
code the chat uses and print one table.

    python -m answer eval tests/data/qa_seeds.jsonl [--corpus DIR] [--baseline]

A QA line is a batch line plus gold fields: {"id", "turns", "answers": [...],
"sources": [...]}; no sources means the articles cannot answer it.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from vietnamese.text import NUMBER_RE, fold, nfc, normalize_number


def _normalize(text: str) -> str:
    """Compare answers after unifying Vietnamese number formats and case."""
    text = nfc(text).lower()
    text = NUMBER_RE.sub(lambda m: normalize_number(m.group()), text)
    return re.sub(r"\s+", " ", text.replace("–", "-").replace(" - ", "-"))


def answer_matches(answer_text: str, golds: list[str]) -> bool:
    got = _normalize(answer_text)
    return any(_normalize(g) in got or fold(_normalize(g)) in fold(got) for g in golds)


@dataclass
class Row:
    """One system's results over a QA set."""

    name: str
    answerable: int = 0
    unanswerable: int = 0
    hit1: int = 0
    hit5: int = 0
    rr: float = 0.0
    correct: int = 0
    refused_ok: int = 0
    false_refusals: int = 0
    wrong_answers: int = 0  # answered with confidence, and wrong: the worst outcome
    quotes: int = 0
    quotes_valid: int = 0
    seconds: list[float] = field(default_factory=list)
    wrong: list[dict] = field(default_factory=list)

    def metrics(self) -> dict:
        a, u = max(self.answerable, 1), max(self.unanswerable, 1)
        secs = sorted(self.seconds) or [0.0]
        return {
            "hit@1": self.hit1 / a, "hit@5": self.hit5 / a, "MRR": self.rr / a,
            "answer acc": self.correct / a,
            "refusal acc": self.refused_ok / u if self.unanswerable else float("nan"),
            "false refusals": self.false_refusals / a,
            "wrong answers": (self.wrong_answers + self.unanswerable - self.refused_ok) / (a + u),
            "citations valid": self.quotes_valid / self.quotes if self.quotes else 1.0,
            "median s": statistics.median(secs),
            "p95 s": secs[min(len(secs) - 1, int(round(0.95 * (len(secs) - 1))))],
        }


def load_qa(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def score(row: Row, item: dict, answer_text: str, found: bool, ranked_sources: list[str],
          citations: list[dict], read_source, seconds: float) -> None:
    row.seconds.append(seconds)
    for c in citations:
        row.quotes += 1
        try:
            text = read_source(c["source"])
            row.quotes_valid += text[c["start"] : c["end"]] == c["quote"]
        except (OSError, ValueError):
            pass
    gold = item.get("sources") or []
    if not gold:
        row.unanswerable += 1
        if not found:
            row.refused_ok += 1
        else:
            row.wrong.append({"id": item["id"], "turns": item["turns"], "got": answer_text, "want": "refusal"})
        return
    row.answerable += 1
    rank = next((i for i, s in enumerate(ranked_sources) if s in gold), None)
    if rank is not None:
        row.hit1 += rank == 0
        row.hit5 += rank < 5
        row.rr += 1 / (rank + 1)
    ok = found and answer_matches(answer_text, item["answers"])
    row.correct += ok
    row.false_refusals += not found
    row.wrong_answers += found and not ok
    if not ok:
        row.wrong.append({"id": item["id"], "turns": item["turns"], "got": answer_text,
                          "want": item["answers"], "sources": gold})


def run_assistant(assistant, qa: list[dict], name: str = "assistant") -> Row:
    from .question import Conversation

    row = Row(name)
    for item in qa:
        conversation = Conversation()
        started = time.perf_counter()
        for turn in item["turns"]:
            answer = assistant.ask(turn, conversation)
        seconds = time.perf_counter() - started
        q = conversation.last
        ranked = [c.source for c in answer.citations]
        if q is not None:
            for doc in assistant.retrieve(q):
                ranked.append(doc.metadata["source"])
        ranked = list(dict.fromkeys(ranked))
        score(row, item, answer.text, answer.found, ranked, [c.to_json() for c in answer.citations],
              assistant.source_text, seconds)
    return row


def table(rows: list[Row]) -> str:
    names = ["hit@1", "hit@5", "MRR", "answer acc", "refusal acc", "false refusals", "wrong answers",
             "citations valid",
             "median s", "p95 s"]
    head = "| system | " + " | ".join(names) + " |"
    lines = [head, "|" + "---|" * (len(names) + 1)]
    for row in rows:
        m = row.metrics()
        cells = [f"{m[n]:.3f}" if not n.endswith(" s") else f"{m[n]:.3f}" for n in names]
        lines.append(f"| {row.name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
