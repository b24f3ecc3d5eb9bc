"""The counts an article reports for a place and a period, found once at
ingest: "Đến hết tháng 6/2017, toàn tỉnh có 1 Liên hiệp HTX, 153 HTX, 1.750
tổ hợp tác" gives three figures for Lạng Sơn, hết tháng 6/2017.

A figure is kept only when a report states it as what there is: a list of
counts after "có" whose subject is a place ("toàn tỉnh", "Hà Tĩnh hiện
có", "trên địa bàn huyện U Minh", "cả nước"). Changes and plans ("thành
lập mới 17 HTX", "tăng 5 HTX", "mục tiêu 20 – 30 HTX") are not counts of
what there is, and a count of one HTX's members has no place as subject.

The place is the one the subject names, or for "toàn tỉnh" the article's
province; the period is the one the sentence states, else the one the two
lines before it state ("Đến ngày 31/12/2021, ..." then "Toàn tỉnh có 348
HTX ..."), else the one year its paragraph reports on, else the article's
date; each figure says which (``period_from``), so an answer can say so.
Offsets are into the article's text, like every citation's.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from vietnamese import measures as m
from vietnamese.numbers import SCALES, count_of, figure_spans, unit_of, value_of
from vietnamese.places import COUNTRY, GAZETTEER, REGIONS, districts_in, provinces_in
from vietnamese.text import sentence_spans
from vietnamese.years import years_in

from .metadata import DocumentInfo


@dataclass
class Figure:
    value: float
    figure: str  # as written, with its unit: "1.025 HTX"
    measure: str  # "HTX", "tổ hợp tác", "liên hiệp HTX", "thành viên", ...
    kind: str  # what makes it a subset: "nông nghiệp", or ""
    status: str  # "đang hoạt động", "đăng ký hoạt động", or ""
    place: str
    level: str  # "country" | "region" | "province" | "district"
    period: str  # as written, or as inferred: "hết tháng 5/2024", "năm 2023"
    date: str  # yyyy-mm-dd to sort by; "" when no period is known
    period_from: str  # "sentence" | "context" | "paragraph" | "article" | ""
    start: int  # the sentence, in the article's text
    end: int
    span_start: int  # the figure itself
    span_end: int

    def to_json(self) -> dict:
        return asdict(self)


_CLAUSE_START = re.compile(r"[;:.!?]|,(?!\s*\d)")
_HAVE = re.compile(r"(?<!\w)có(?!\w)")
# Between two figures of one list: separators, an abbreviation in
# parentheses, "và", "với" (members of the HTX just counted), "tổng số".
_LIST_GAP = re.compile(r"^[\s,;]*(?:\([^()]{0,20}\))?[\s,]*(?:(?:và|với|cùng|gồm)\s+)?(?:tổng\s+số\s+|tổng\s+cộng\s+)?"
                       r"(?:khoảng\s+|trên\s+|gần\s+|hơn\s+)?$", re.IGNORECASE)
_LEAD = re.compile(r"^\s*(?:tổng\s+số\s+|tổng\s+cộng\s+|tất\s+cả\s+)?(?:khoảng\s+|trên\s+|gần\s+|hơn\s+)?$",
                   re.IGNORECASE)
_UNIT_TAIL = re.compile(r"^[^,;.()]*")
# What may follow a count of what there is, in its clause (folded): nothing,
# its status, its fields ("hoạt động trong các lĩnh vực"), its members, the
# next item. Anything else ("11 HTX đã giải quyết cho 574 hộ vay", "300 HTX
# sản xuất nông nghiệp") makes it a count of some of them.
_WHOLE_TAIL = re.compile(r"^\s*(?:$|htx|tht|dang ky|dang hoat dong|con hoat dong"
                         r"|hoat dong(?!\s+(?:tot|kha|hieu qua|yeu|kem|trung binh|co hieu qua))|voi|va|cung|trong do|tang|giam"
                         r"|tham gia"
                         r"|thu hut|dat|chiem|so voi|\(|tren dia ban|cua tinh|toan tinh)")


def _subject_place(subject: str, info: DocumentInfo, text: str, at: int) -> tuple[str, str] | None:
    """The place a clause like "toàn tỉnh", "Hà Tĩnh hiện", "năm 2020 trên
    địa bàn huyện U Minh", "toàn vùng", "ở ĐBSCL và Đông Nam bộ" names, with
    its level; None if it names none. Two regions reported together are one
    place ("Đồng bằng sông Cửu Long và Đông Nam Bộ"), as the report counts them."""
    folded = m.folded(subject)
    districts = districts_in(subject)
    if districts:
        return districts[0], "district"
    named = sorted(provinces_in(subject), key=lambda p: _position(subject, p))
    if len(named) >= 2 and all(p in REGIONS for p in named):
        return " và ".join(named), "region"
    if named:
        return named[0], "region" if named[0] in REGIONS else "province"
    if m.WHOLE_COUNTRY.search(folded):
        return COUNTRY, "country"
    if m.WHOLE_PROVINCE.search(folded) and info.provinces:
        provinces = [p for p in info.provinces if p not in REGIONS]
        return (provinces[0], "province") if provinces else None
    if m.WHOLE_REGION.search(folded):  # "toàn vùng", "khu vực này": the article's region, or its two
        regions = sorted((p for p in info.provinces if p in REGIONS), key=lambda p: _position(text, p))
        return (" và ".join(regions), "region") if 1 <= len(regions) <= 2 else None
    if m.WHOLE_DISTRICT.search(folded):
        before = districts_in(text[:at])
        if before:
            return before[-1], "district"
    return None


def _position(text: str, place: str) -> int:
    """Where a gazetteer place is first named in text (by any of its names)."""
    forms = (place, *GAZETTEER.get(place, ()))
    found = [text.find(f) for f in forms if f in text]
    return min(found) if found else len(text)


def _is_place_subject(subject: str) -> bool:
    """Only a place, a period and "hiện/đã" before "có": not "HTX Tân Tiến
    có", not "Liên minh HTX tỉnh có", not "mỗi xã có"."""
    rest = subject
    for place in provinces_in(subject):  # regions have long names: "Đồng bằng sông Cửu Long"
        for form in sorted((place, *GAZETTEER.get(place, ())), key=len, reverse=True):
            rest = rest.replace(form, " ")
    rest = m.folded(rest)
    for pattern in (m.WHOLE_PROVINCE, m.WHOLE_DISTRICT, m.WHOLE_REGION, m.WHOLE_COUNTRY, m.NOW):
        rest = pattern.sub(" ", rest)
    rest = re.sub(r"(?<!\w)(?:tinh|huyen|thi xa|thanh pho|tp|quan|vung|khu vuc|da|van|cung|thi|o|tai|va"
                  r"|theo bao cao|bao cao|tinh den|den|het|cuoi|thang|ngay|nam|dau|tinh rieng|rieng|luy ke"
                  r"|tong cong)(?!\w)", " ", rest)
    rest = re.sub(r"[\d/.,()–-]", " ", rest)
    return len(rest.split()) <= 3  # the place's own name: "ha tinh", "u minh", "ba ria vung tau"


def _previous_lines(text: str, line_start: int, n: int = 2) -> str:
    """The n lines before the one starting at line_start."""
    start = line_start
    for _ in range(n):
        if start <= 0:
            break
        start = text.rfind("\n", 0, start - 1) + 1
    return text[start:line_start]


def _period(sentence: str, upto: int, text: str, sent_start: int, info: DocumentInfo, now: bool):
    """(Period, how it was found) for a figure at offset ``upto`` of its sentence."""
    stated = m.periods_in(sentence)
    if stated:
        before = [p for at, p in stated if at < upto]
        return (before or [p for _, p in stated])[-1], "sentence"
    line_start = text.rfind("\n", 0, sent_start) + 1
    head = m.periods_in(text[line_start:sent_start])
    if head:
        return head[-1][1], "context"
    dated = [p for _, p in m.periods_in(_previous_lines(text, line_start))
             if re.match(r"(?:tính\s+)?(?:đến|tới)\s", p.text, re.I)]
    if dated:
        return dated[-1], "context"
    line_end = text.find("\n", sent_start)
    years = years_in(text[line_start : None if line_end < 0 else line_end])
    if len(years) == 1:
        return m.Period(f"năm {years[0]}", years[0]), "paragraph"
    if info.date and now:
        y, mo, d = (int(x) for x in info.date.split("-"))
        return m.Period(f"hiện nay (bài ngày {d}/{mo}/{y})", y, mo, d), "article"
    return None, ""


def figures_in(text: str, lines: list[tuple[int, int]], info: DocumentInfo) -> list[Figure]:
    """Every count of what there is, for a place, that the article's lines state."""
    out: list[Figure] = []
    for line_start, line_end in lines:
        last = None  # the line's last count: "Tổng số thành viên ... là" after it is of the same place
        before = ""  # the sentence before, whose subject a subjectless "Kết quả ... có" carries on
        for s, e in sentence_spans(text, line_start, line_end):
            found = _sentence_figures(text, s, e, info, before) or _total_of(text, s, e, last)
            out.extend(found)
            last = found[-1] if found else last
            before = text[s:e]
    return out


# Members counted right after a count of groups are that group's: a tổ hợp
# tác's members are its tổ viên, never compared with an HTX's thành viên.
MEMBERS_OF = {"tổ hợp tác": "tổ viên"}
SUBJECT_WORDS = 6  # a sentence's subject is in its first words: "Tỉnh Lâm Đồng đang đẩy mạnh ..."


def _carried_place(before: str) -> tuple[str, str] | None:
    """The one place the previous sentence starts with, for a clause whose
    subject is only "Kết quả bước đầu đã", "Đến nay", ...; None when it
    starts with none, or with two."""
    head = " ".join(before.split()[:SUBJECT_WORDS])
    districts, provinces = districts_in(head), [p for p in provinces_in(head) if p != COUNTRY]
    if len(districts) + len(provinces) != 1:
        return None
    return (districts[0], "district") if districts else \
        (provinces[0], "region" if provinces[0] in REGIONS else "province")


# "Tổng số thành viên của HTX là 2.273 thành viên": a total, stated right
# after a place's counts, with neither place nor period of its own.
_TOTAL_IS = re.compile(r"^(?:Tổng\s+số|Số)\s+(?P<what>[^,;:]{2,40}?)\s+(?:là|đạt)\s+(?:khoảng\s+|trên\s+|hơn\s+|gần\s+)?",
                       re.IGNORECASE)


def _total_of(text: str, s: int, e: int, last: Figure | None) -> list[Figure]:
    if last is None:
        return []
    sentence = text[s:e]
    said = _TOTAL_IS.match(sentence)
    if not said:
        return []
    measured = m.measure_of(said.group("what"))
    span = next(((a, b) for a, b in figure_spans(sentence) if a == said.end()), None)
    if measured is None or span is None or m.measure_of(re.sub(r"^[\d.,]+\s*", "", sentence[span[0]:span[1]])) \
            not in (measured, None):
        return []
    a, b = span
    b = a + _unit_end(sentence[a:b], m.measure_of(re.sub(r"^[\d.,]+\s*", "", sentence[a:b])) or measured)
    value = value_of(sentence[a:b])
    if value is None:
        return []
    return [Figure(value=value, figure=" ".join(sentence[a:b].split()), measure=measured[0], kind=measured[1],
                   status="", place=last.place, level=last.level, period=last.period, date=last.date,
                   period_from="context" if last.period else "", start=s, end=e, span_start=s + a, span_end=s + b)]


def _sentence_figures(text: str, s: int, e: int, info: DocumentInfo, before: str = "") -> list[Figure]:
    sentence = text[s:e]
    spans = list(figure_spans(sentence))
    found: list[Figure] = []
    place, now, since = None, False, len(sentence)  # the last place a "có" named, and where
    for have in _HAVE.finditer(sentence):
        cuts = [c.end() for c in _CLAUSE_START.finditer(sentence, 0, have.start())]
        subject = sentence[cuts[-1] if cuts else 0 : have.start()]
        subject = re.split(r"(?<!\w)(?:là|có|nhưng|và)(?!\w)", subject)[-1] if not provinces_in(subject) else subject
        if not m.folded(subject).strip(" ,;") and found:
            here = place  # "...; có 189 tổ hợp tác": the place of the clause before
        elif m.CARRIED_SUBJECT.match(m.folded(subject)) and not provinces_in(subject) and not districts_in(subject):
            here = _carried_place(before) if not found else place
        elif _is_place_subject(subject):
            here = _subject_place(subject, info, text, s)
        else:
            continue
        if here is None:
            continue
        place, now, since = here, bool(m.NOW.search(m.folded(subject))), min(since, have.end())
        _read_list(text, s, e, spans, have.end(), place, now, info, found)
    # "năm 2016 cả nước có 30.000 trang trại, ...; khoảng 12.000 hợp tác xã và 56.000
    # tổ hợp tác đang hoạt động": a clause that starts with a count, after a place's "có",
    # carries on that place's list.
    if place is not None:
        for semicolon in re.finditer(";", sentence):
            if semicolon.start() > since:
                _read_list(text, s, e, spans, semicolon.end(), place, now, info, found)
    _read_flows(text, s, e, spans, info, found)
    _read_flows_after(text, s, e, spans, info, found)
    return found


# "Năm 2023, tỉnh thành lập mới 35 HTX, giải thể 27 HTX": what changed, the verb before the count.
_FLOW_VERB = re.compile(r"(?<!\w)(?:thành\s+lập\s+mới|thành\s+lập|giải\s+thể)\s+(?:được\s+)?(?:thêm\s+)?",
                        re.IGNORECASE)
# Words a flow's subject may hold besides its place (folded): a time, "đã", "được", the effort that
# succeeded ("Trong năm huyện đã vận động được 02 HTX thành lập mới").
_DONE = re.compile(r"(?<!\w)(?:trong|nam|\d{4}|da|duoc|van dong duoc|thanh cong|co|\d+ thang dau|\d+ thang)(?!\w)")
_ACTOR = re.compile(r"^\s*(?:(?:toan|ca)\s+)?(tinh|huyen)(?:\s+da)?\s*$")  # "tỉnh", "toàn tỉnh đã", "huyện"


def _flow_place(subject: str, info: DocumentInfo, text: str, at: int) -> tuple[str, str] | None:
    """The place a flow's subject is, and nothing else: the article's own
    province or district for a bare "tỉnh" / "huyện" (the actor: "tỉnh thành
    lập mới"), or a place by name ("toàn tỉnh", "Hà Tĩnh đã"); not an
    authority ("UBND tỉnh Kiên Giang thành lập 6 hợp tác xã" in a district)."""
    folded = _DONE.sub(" ", m.folded(subject))
    actor = _ACTOR.match(folded)
    if actor and actor.group(1) == "tinh":  # only in an article about one province (not Vũng Tàu for Cà Mau)
        provinces = [p for p in info.provinces if p not in REGIONS]
        return (provinces[0], "province") if len(provinces) == 1 else None
    if actor:
        before = districts_in(text[:at])
        return (before[-1], "district") if before else None
    rest = subject
    for place in provinces_in(subject):
        for form in sorted((place, *GAZETTEER.get(place, ())), key=len, reverse=True):
            rest = rest.replace(form, " ")
    rest = _DONE.sub(" ", m.folded(rest))
    for pattern in (m.WHOLE_PROVINCE, m.WHOLE_DISTRICT, m.WHOLE_REGION, m.WHOLE_COUNTRY):
        rest = pattern.sub(" ", rest)
    return _subject_place(subject, info, text, at) if not re.sub(r"[\s,.()–-]", "", rest) else None


def _read_flows(text: str, s: int, e: int, spans, info: DocumentInfo, found: list[Figure]) -> None:
    """The flows of the sentence text[s:e] written verb first, appended to
    ``found`` with their kind ("thành lập mới", "giải thể"): each needs a
    place as its subject, or the clause before's ("…, giải thể 27 HTX"), and
    no plan or target just before it ("vượt kế hoạch (thành lập mới 12 HTX)",
    "vận động thành lập mới 25 HTX")."""
    sentence, place = text[s:e], None
    for verb in _FLOW_VERB.finditer(sentence):
        span = next(((a, b) for a, b in spans if a == verb.end()), None)
        cuts = [c.end() for c in _CLAUSE_START.finditer(sentence, 0, verb.start())]
        subject = sentence[cuts[-1] if cuts else 0 : verb.start()]
        here = place if not m.folded(subject).strip(" ,;") else _flow_place(subject, info, text, s)
        if span is None or here is None or m.PLANNED.search(m.folded(sentence[max(0, verb.start() - 40):verb.start()])):
            place = here if span is not None else place
            continue
        measured = m.measure_of(unit_of(sentence[span[0]:span[1]]))
        if measured is None or measured[1] or count_of(sentence[span[0]:span[1]]) is None:
            continue
        kind = m.FLOWS[m.FLOW_ASKED.search(m.folded(verb.group())).group(1)]
        found.append(_flow(text, s, e, span, (measured[0], kind), here, info))
        place = here


def _flow(text: str, s: int, e: int, span: tuple[int, int], measured: tuple[str, str], place: tuple[str, str],
          info: DocumentInfo) -> Figure:
    """A flow's figure at span of the sentence text[s:e], quoted as its count
    ("02 HTX"); its period one stated before it, not "… theo Luật HTX năm 2012" after it."""
    sentence, (a, b) = text[s:e], span
    b = a + _unit_end(sentence[a:b], measured)
    period, how = _period(sentence[:a], a, text, s, info, False)
    return Figure(value=count_of(sentence[a:b]), figure=" ".join(sentence[a:b].split()), measure=measured[0],
                  kind=measured[1], status="", place=place[0], level=place[1],
                  period=period.text if period else "", date=period.date if period else "",
                  period_from=how, start=s, end=e, span_start=s + a, span_end=s + b)


def _read_flows_after(text: str, s: int, e: int, spans, info: DocumentInfo, found: list[Figure]) -> None:
    """Flows written count first outside a list after "có": "Trong năm huyện
    đã vận động được 02 HTX thành lập mới", its subject the place (or the
    article's own "huyện" / "tỉnh") and what was done, with no plan in it."""
    sentence = text[s:e]
    for a, b in spans:
        if any(f.span_start == s + a for f in found):
            continue
        measured = m.measure_of(unit_of(sentence[a:b]) + _UNIT_TAIL.match(sentence[b:]).group())
        if measured is None or measured[1] not in m.FLOWS.values() or count_of(sentence[a:b]) is None:
            continue
        cuts = [c.end() for c in _CLAUSE_START.finditer(sentence, 0, a)]
        subject = sentence[cuts[-1] if cuts else 0 : a]
        if m.PLANNED.search(m.folded(subject).replace("van dong duoc", " ")):
            continue
        here = _flow_place(subject, info, text, s)
        if here is not None:
            found.append(_flow(text, s, e, (a, b), measured, here, info))


def _read_list(text: str, s: int, e: int, spans, cursor: int, place: tuple[str, str], now: bool,
               info: DocumentInfo, found: list[Figure]) -> None:
    """The counts of one list in the sentence text[s:e], from offset ``cursor``
    on (right after "có"), appended to ``found``."""
    sentence = text[s:e]
    last_end, first, listed = cursor, True, len(found)
    for a, b in spans:
        if a < cursor:
            continue
        if any(f.span_start == s + a for f in found):
            break  # read already, as part of the list before
        gap = sentence[cursor:a]
        if not (_LEAD if first else _LIST_GAP).match(gap) or m.CHANGE_WORDS.search(m.folded(gap)):
            break
        unit = sentence[a:b]
        tail = _UNIT_TAIL.match(sentence[b:]).group()
        measured = m.measure_of(unit_of(unit) + tail)
        value = count_of(unit)
        if measured is None or value is None:
            break
        whole_end, b = b, a + _unit_end(sentence[a : b + len(tail)], measured)
        unit, tail = sentence[a:b], _UNIT_TAIL.match(sentence[b:]).group()
        if not _WHOLE_TAIL.match(m.folded(_without_kind(tail, measured[1]))):
            break
        if measured[0] == "thành viên" and found and found[-1].measure in MEMBERS_OF \
                and re.search(r"(?<!\w)với(?!\w)", gap) and m.measure_of(m.folded(tail)) is None:
            # "189 tổ hợp tác với trên 3.600 thành viên", not "… với 296 thành viên HTX"
            measured = (MEMBERS_OF[found[-1].measure], measured[1])
        period, how = _period(sentence, a, text, s, info, now)
        found.append(Figure(
            value=value, figure=" ".join(unit.split()), measure=measured[0], kind=measured[1],
            status=m.status_in(m.folded(unit + tail)), place=place[0], level=place[1],
            period=period.text if period else "", date=period.date if period else "",
            period_from=how, start=s, end=e, span_start=s + a, span_end=s + b))
        cursor, last_end, first = whole_end, b, False
    # A status after the list ("507 HTX, 3 liên hiệp HTX đăng ký hoạt động") is the list's.
    status = m.status_in(m.folded(_UNIT_TAIL.match(sentence[last_end:]).group()))
    for f in found[listed:]:
        f.status = f.status or status


def _without_kind(tail: str, kind: str) -> str:
    """The words after a figure once its kind ("nông nghiệp") is read."""
    return tail.strip()[len(kind):] if kind and m.folded(tail.strip()).startswith(m.folded(kind)) else tail


def _unit_end(unit: str, measured: tuple[str, str]) -> int:
    """Where the measure's own words end in a figure's text, so "3 liên
    hiệp HTX đăng" is quoted as "3 liên hiệp HTX"; a kind is the figure's
    ("5.500 hợp tác xã nông nghiệp"), a flow is not ("940 hợp tác xã", then
    "thành lập mới")."""
    if measured[1] in m.FLOWS.values():
        measured = (measured[0], "")
    words = list(re.finditer(r"\S+", unit))
    first = 2 if len(words) > 2 and words[1].group().lower() in SCALES else 1  # "90 ngàn thành viên"
    for w in words[first:]:
        if m.measure_of(unit[words[first].start() : w.end()]) == measured:
            return w.end()
    return len(unit)
