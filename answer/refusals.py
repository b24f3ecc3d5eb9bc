"""Refusals that help: why the articles cannot answer, and what they can.

A refusal says which of these it is:
- the question asks for a summary or an opinion, which an extractive
  assistant does not write;
- no indexed article is about the province or region it names;
- articles about the place exist, but none reports the year asked (the
  years they do report are listed);
- nothing relevant was found (the reader's refusal, as before);
and then offers one or two questions the index does answer, built from the
counts it holds (answer/figures.py), each checked by asking it.
"""

from __future__ import annotations

import re

from vietnamese.places import GAZETTEER
from vietnamese.text import fold

from .extract import refusal
from .question import Question

# "Tóm tắt bài …", "Nhận xét về …", "summarize": what no quote can be.
_SUMMARY = re.compile(r"\b(?:tom tat|tom luoc|tong hop noi dung|khai quat|danh gia chung|nhan xet ve|viet (?:mot|bai)"
                      r"|summari[sz]e|summary|overview|your opinion|what do you think)\b")
SUMMARY = ("Trợ lý chỉ trả lời bằng câu trích nguyên văn từ các bài, không tóm tắt, nhận xét hay viết lại. "
           "Hãy hỏi một con số, một người, một ngày hay một sự việc cụ thể.")
NO_PLACE = "Các bài viết đã lập chỉ mục không có thông tin về {place}: không bài nào nói về nơi này."
NO_YEAR = "Các bài viết về {place} không nêu số liệu năm {years}; các bài này nói về các năm {have}."
TRY = "Có thể hỏi, ví dụ: {questions}"
MAX_SUGGESTIONS = 2
MAX_TRIES = 4  # suggestions checked by asking them, at about 80 ms each (docs/performance.md)


def is_summary_request(text: str) -> bool:
    return bool(_SUMMARY.search(fold(text).lower()))


def years_about(snapshot, place: str) -> list[int]:
    """The years the indexed articles about ``place`` report on."""
    years = set()
    for meta in snapshot.metadatas:
        if place in meta["places"].split("|"):
            years |= {int(y) for y in meta["years"].split("|") if y}
    return sorted(years)


def reason(q: Question, snapshot, unmet: str | None) -> str:
    """The first sentence of a refusal: which kind it is."""
    if is_summary_request(q.text):
        return SUMMARY
    named = [p for p in q.places if p in GAZETTEER]
    known = {p for meta in snapshot.metadatas for p in meta["places"].split("|")}
    missing = [p for p in named if p not in known]
    if missing:
        return NO_PLACE.format(place=", ".join(missing))
    if q.years and named and unmet in ("year", None):
        have = years_about(snapshot, named[0])
        if have and not set(q.years) & set(have):
            return NO_YEAR.format(place=named[0], years=", ".join(map(str, q.years)),
                                  have=", ".join(map(str, have[-8:])))
    return refusal(q, unmet)  # nothing relevant found: "… không nêu thông tin này cho Lạng Sơn năm 2017."


def candidates(place: str | None, table) -> list[str]:
    """Questions the counts found at ingest could answer, ``place``'s first."""
    rows = [r for r in table.rows if r["date"] and r["level"] in ("province", "district", "country")]
    rows.sort(key=lambda r: (place is None or fold(place) != fold(r["place"]), r["measure"] != "HTX",
                             r["level"] != "province", -int(r["date"].replace("-", ""))))  # the latest first
    out = []
    for r in rows:
        name = (r["measure"] + " " + r["kind"]).strip()
        question = f"{r['place']} có bao nhiêu {name} năm {r['date'][:4]}?"
        if question not in out:
            out.append(question)
    return out[:6]


def helpful(answer, q: Question, assistant, unmet: str | None = None):
    """The refusal with its reason and up to two questions that are answered."""
    from dataclasses import replace

    from .question import Conversation

    # Checked once per snapshot and place with counts: a refusal costs at most MAX_TRIES answers, once.
    cache = assistant.__dict__.setdefault("_suggestions", {})
    with_figures = {fold(r["place"]) for r in assistant.figures.rows}
    place = next((p for p in q.places if fold(p) in with_figures), None)
    key = (assistant.search.snapshot.name, place)  # places without counts share one set of offers
    if key not in cache:
        offers = []
        for question in candidates(place, assistant.figures)[:MAX_TRIES]:
            if len(offers) >= MAX_SUGGESTIONS:
                break
            try:
                tried = assistant.answer_quietly(question, Conversation())
            except Exception:  # a suggestion is a courtesy: never a failure
                continue
            if tried.found:
                offers.append(f"“{question}”")
        cache[key] = offers
    offers = cache[key]
    text = reason(q, assistant.search.snapshot, unmet)
    if offers:
        text += " " + TRY.format(questions=" hoặc ".join(offers))
    return replace(answer, text=text)


def examples(assistant, limit: int = 6) -> list[str]:
    """Example questions for the chat page, built from what the index holds
    and each checked by asking it: a count with its year, a comparison and a
    trend where a place has two dated figures, a ranking where two provinces
    have one, and the first again in English. None is a follow-up: a
    follow-up means nothing without the question before it."""
    from .question import Conversation

    rows = [r for r in assistant.figures.rows if r["date"] and r["level"] in ("province", "district")]
    rows.sort(key=lambda r: (r["measure"] != "HTX", r["level"] != "province", r["date"]), reverse=False)
    asked: list[str] = []
    by_place: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        by_place.setdefault((r["place"], r["measure"]), []).append(r)
    latest = sorted(rows, key=lambda r: r["date"], reverse=True)
    if latest:
        r = latest[0]
        asked.append(f"{r['place']} có bao nhiêu {r['measure']} năm {r['date'][:4]}?")
    for (place, measure), group in by_place.items():
        years = sorted({g["date"][:4] for g in group})
        if len(years) >= 2:
            asked.append(f"So sánh số {measure} của {place} năm {years[0]} và {years[-1]}")
            asked.append(f"Số {'tổ hợp tác' if measure == 'HTX' else measure} của {place} qua các năm")
            break
    if len({r["place"] for r in rows if r["measure"] == "HTX" and r["level"] == "province"}) >= 2:
        asked.append("Tỉnh nào có nhiều HTX nhất?")
    provinces = [r for r in latest if r["measure"] == "HTX" and r["level"] == "province"]
    for r in provinces[1:2] or provinces[:1]:  # another place than the first example's
        asked.append(f"How many cooperatives did {fold(r['place']).title()} have in {r['date'][:4]}?")
    out = []
    for question in dict.fromkeys(asked):
        try:
            if assistant.answer_quietly(question, Conversation()).found:
                out.append(question)
        except Exception:
            continue
    return out[:limit]
