"""The evaluation harness: ask every question of a QA file through the same
code the chat uses (the `batch` path, turn by turn) and print one table.

    python -m answer eval tests/data/qa_seeds.jsonl [--distractors DIR] [--baseline]
    python -m answer eval --xquad [--baseline]

A QA line is a batch line plus gold fields: {"id", "turns", "answers": [...],
"sources": [...]}; no sources means the articles cannot answer it.

Per system (the assistant, and with --baseline the textbook pipeline):
- hit@1, hit@5, MRR: rank of the first gold file among the cited sources,
  then the retrieved ones;
- answer acc: an answered question whose text holds a gold string (numbers
  compared after normalising Vietnamese formats);
- refusal acc: unanswerable questions answered with found=false;
- false refusals: answerable questions answered with found=false;
- confidently wrong: found=true and wrong, or found=true on an unanswerable
  question, over all questions: the worst outcome;
- citations valid: quotes equal to their file's text at their offsets;
- median and p95 seconds per question (whole conversation).
"""

from __future__ import annotations

import json
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.embeddings import Embeddings

from vietnamese.text import NUMBER_RE, fold, nfc, normalize_number


_FILE_NAME = re.compile(r"\S+\.txt\b")


def _normalize(text: str) -> str:
    """Compare answers after unifying Vietnamese number formats ('1.025' and
    '1025', '7,5' and '7.5', '02' and '2'), dashes, dates written with a
    dash ('28-4' is '28/4'), spaces and case."""
    text = nfc(text).lower()
    text = NUMBER_RE.sub(lambda m: normalize_number(m.group()).lstrip("0") or "0", text)
    text = re.sub(r"\s+", " ", text.replace("–", "-").replace(" - ", "-"))
    # "28-4" and "28/4", "6-2016" and "6/2016": one date, two spellings.
    return re.sub(r"(?<![\d/-])(\d{1,2})-(\d{1,2}|\d{4})(?![\d/])", r"\1/\2", text)


def _contains(haystack: str, needle: str) -> bool:
    """needle in haystack as whole words and whole numbers: '7 tỷ' is not in
    '27 tỷ', '18' is not in '2018' nor in '18.5'."""
    pattern = r"(?<![\w.])" + re.escape(needle) + r"(?!\w|\.\d)"
    return re.search(pattern, haystack) is not None


def answer_matches(answer_text: str, golds: list[str]) -> bool:
    """A gold answer appears in the answer text (file names in it do not count:
    '27' must not match '…fde278f7…')."""
    got = _normalize(_FILE_NAME.sub(" ", answer_text))
    return any(_contains(got, _normalize(g)) or _contains(fold(got), fold(_normalize(g))) for g in golds)


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
            "questions": self.answerable + self.unanswerable,
            "hit@1": self.hit1 / a, "hit@5": self.hit5 / a, "MRR": self.rr / a,
            "answer acc": self.correct / a,
            "refusal acc": self.refused_ok / u if self.unanswerable else None,
            "false refusals": self.false_refusals / a,
            "confidently wrong": (self.wrong_answers + self.unanswerable - self.refused_ok)
            / max(self.answerable + self.unanswerable, 1),
            "citations valid": self.quotes_valid / self.quotes if self.quotes else 1.0,
            "median s": statistics.median(secs),
            "p95 s": secs[min(len(secs) - 1, int(round(0.95 * (len(secs) - 1))))],
        }


# A difference, total or rank stated as a figure ("tăng 354 HTX", "nhiều hơn
# Lạng Sơn 518 HTX", "Tổng số ...: 1.880"): what an answer must not say when
# a figure it needs is missing.
_COMPUTED = re.compile(r"(?<!\w)(?:tăng|giảm|nhiều hơn|ít hơn|up|down|more than)\s+(?:[^\d\s]+\s+){0,3}\d"
                       r"|tổng số[^:]*:\s*\d|(?:nhiều|ít)[^.]{0,30} nhất", re.IGNORECASE)


def multi_answer_ok(item: dict, answer_text: str, cited: list[str]) -> bool:
    """A multi-article item (one with "figures", tests/data/qa_multi.jsonl):
    every gold string is in the answer and every gold source is cited; when
    a figure it asks for does not exist ("missing"), no difference, total or
    rank is stated."""
    if not all(answer_matches(answer_text, [g]) for g in item["answers"]):
        return False
    if not set(item.get("sources") or []) <= set(cited):
        return False
    return not (item.get("missing") and _COMPUTED.search(_FILE_NAME.sub(" ", answer_text)))


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
    if "figures" in item:
        ok = found and multi_answer_ok(item, answer_text, [c["source"] for c in citations])
    else:
        ok = found and answer_matches(answer_text, item["answers"])
    row.correct += ok
    row.false_refusals += not found
    row.wrong_answers += found and not ok
    if not ok:
        row.wrong.append({"id": item["id"], "turns": item["turns"], "got": answer_text,
                          "want": item["answers"], "sources": gold,
                          "cited": [c["source"] for c in citations]})


def run_assistant(assistant, qa: list[dict], name: str = "assistant", progress: bool = False) -> Row:
    """Each conversation through the batch path; ranked sources are the cited
    ones, then what the retriever returns for the last question as understood."""
    from answer.batch import answer_conversation

    row = Row(name)
    for item in _progress(qa, name, progress):
        answer, conversation, seconds = answer_conversation(assistant, item["turns"])
        ranked = [c.source for c in answer.citations]
        if conversation.last is not None:
            ranked += [doc.metadata["source"] for doc in assistant.retrieve(conversation.last)]
        score(row, item, answer.text, answer.found, list(dict.fromkeys(ranked)),
              [c.to_json() for c in answer.citations], assistant.source_text, seconds)
    return row


def run_baseline(baseline, qa: list[dict], name: str = "baseline", progress: bool = False) -> Row:
    """The textbook pipeline through the same batch path (it keeps no
    conversation: the last turn is what it answers)."""
    from answer.batch import answer_conversation

    row = Row(name)
    for item in _progress(qa, name, progress):
        answer, _, seconds = answer_conversation(baseline, item["turns"])
        score(row, item, answer.text, answer.found, baseline.ranked_sources(item["turns"][-1]),
              [c.to_json() for c in answer.citations], baseline.source_text, seconds)
    return row


def _progress(items, name: str, show: bool):
    from tqdm import tqdm

    return tqdm(items, desc=name, unit="q", disable=not show)


class LastQueryCache(Embeddings):
    """Wraps a LangChain ``Embeddings`` so the harness's second look at a
    question (the retriever's ranking, for hit@5) does not embed it again. Only
    the most recent query is kept: each new question is embedded inside the
    timed ``ask``, as in the chat."""

    def __init__(self, embedder):
        self._embedder = embedder
        self._last: tuple[str, list[float]] = ("", [])

    def embed_query(self, text: str) -> list[float]:
        if self._last[0] != text:
            self._last = (text, self._embedder.embed_query(text))
        return self._last[1]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.embed_documents(texts)


COLUMNS = ["hit@1", "hit@5", "MRR", "answer acc", "refusal acc", "false refusals", "confidently wrong",
           "citations valid", "median s", "p95 s"]


def table(rows: list[Row], title: str = "") -> str:
    """One Markdown table, a row per system."""
    lines = [f"{title}\n" if title else "",
             "| system | n | " + " | ".join(COLUMNS) + " |", "|" + "---|" * (len(COLUMNS) + 2)]
    for row in rows:
        m = row.metrics()
        cells = ["–" if m[c] is None else f"{m[c]:.2f}" if c.endswith(" s") else f"{m[c]:.3f}"
                 for c in COLUMNS]
        lines.append(f"| {row.name} | {m['questions']} | " + " | ".join(cells) + " |")
    return "\n".join(lines).lstrip("\n")
