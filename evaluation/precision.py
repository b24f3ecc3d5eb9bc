"""Figure-span precision on the hand-judged sample (``evaluation/data/figures_judged.jsonl``).

220 figure spans drawn at random from coop-news (two per article, 150 articles,
seed 11) by an earlier version of ``vietnamese.numbers.figure_spans``, each judged
by a reader who had not seen the code: ``ok`` (a figure with its whole unit),
``unit_extra`` (runs past its unit), ``unit_incomplete`` (stops short) or
``not_a_figure`` (a date, an ordinal, a document or street number, ...).

``python -m evaluation precision`` runs today's ``figure_spans`` on each judged
sentence and says what became of each judged span: still found with the same
text, found with another end, or no longer found. Precision is then the share
of today's spans, among the judged ones still found, that the judge called
``ok`` (spans today finds that were not in the sample are not judged).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from vietnamese.numbers import figure_spans

JUDGED = Path(__file__).parent / "data" / "figures_judged.jsonl"


def fate(item: dict) -> str:
    """"same", "changed" (found, another end) or "dropped", for one judged span."""
    sentence, span = item["sentence"], item["span"]
    at = sentence.find(span)
    if at < 0:  # the sample's span is not in its sentence as stored: judged on the article
        return "unknown"
    for start, end in figure_spans(sentence):
        if start == at:
            return "same" if end == at + len(span) else "changed"
    return "dropped"


def report(path: Path = JUDGED) -> dict:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    table = Counter((item["verdict"], fate(item)) for item in items)
    kept = sum(n for (verdict, f), n in table.items() if f in ("same", "changed"))
    ok_kept = table[("ok", "same")]
    return {"judged": len(items), "by verdict and fate": {f"{v} / {f}": n for (v, f), n in sorted(table.items())},
            "precision (ok among judged spans still found, same text)": round(ok_kept / kept, 3) if kept else None,
            "ok spans lost or changed": sum(n for (v, f), n in table.items() if v == "ok" and f != "same"),
            "not-a-figure spans dropped": table[("not_a_figure", "dropped")]}


def main() -> int:
    print(json.dumps(report(), ensure_ascii=False, indent=1))
    return 0
