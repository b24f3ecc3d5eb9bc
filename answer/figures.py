"""Answers that need figures from several articles: comparisons, trends,
totals, rankings, and the latest of several figures for one place.

No single passage says that Lạng Sơn's cooperatives grew from 153 to 507:
two articles say 153 (hết tháng 6/2017) and 507 (hết tháng 5/2024). The
counts each article reports for a place and a period were found at ingest
(ingest/figures.py); here a question is matched to them and the arithmetic
is done on the parsed values. Every figure stated is quoted from its
sentence; a comparison, total or rank is stated only over figures of the
same measure, and any difference of period or of reading ("đăng ký hoạt
động" against not stated) is said in the answer.

``intent(question)`` says whether a question is one of these; ``answer``
composes the reply, or returns None so the reader answers instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from vietnamese import measures as m
from vietnamese.numbers import unit_of, vietnamese_number
from vietnamese.places import COUNTRY, GAZETTEER
from vietnamese.text import fold, tokens

from .question import Question
from .types import Answer, Citation

# Folded cues, one idea each. A comparison needs two periods or two places.
_TREND = re.compile(r"qua (?:cac|tung|nhung) nam|theo (?:tung )?nam|qua thoi gian|thay doi (?:the nao|ra sao|nhu the nao)"
                    r"|bien dong|xu huong|dien bien|tang giam|over the years|trend|changed|change over")
_COMPARE = re.compile(r"so sanh|so voi|chenh lech|tang (?:them )?bao nhieu|giam (?:di )?bao nhieu|nhieu hon|it hon"
                      r"|(?:nhieu|it|cao|thap)(?: \w+){1,3} hon\b|hon bao nhieu|(?:more|fewer|less)(?: \w+){1,3} than"
                      r"|thay doi bao nhieu|bien dong bao nhieu"
                      r"|hon hay|\bhay\b|compare|compared|versus|\bvs\b|difference|increase|decrease|more than|grow"
                      r"|change between|changed? from")
_TOTAL = re.compile(r"tong so|tong cong|cong lai|cong chung|^cong\b|\bcong so\b|tinh tong|\btotal\b|altogether|combined"
                    r"|\bin sum\b|\badd up")
_LATEST = re.compile(r"moi nhat|gan nhat|gan day nhat|latest|most recent|newest")
_RANK = re.compile(r"(?:tinh|dia phuong|huyen|noi|vung|khu vuc|province|district|region)\w* nao.{0,40}(?:nhieu|it|cao|thap|lon|nho)\b.{0,20}\bnhat"
                   r"|xep hang|dan dau|which (?:province|district|place)|\bmost\b|fewest|highest|lowest|\brank")
_FEWEST = re.compile(r"\b(?:it|thap|nho)\b.{0,25}\bnhat|fewest|lowest|least")
_HOW_MANY = re.compile(r"bao nhieu|\bmay\b|so luong|how many|how much|\bso\b")
# Words a plain "how many X does P have" question may hold besides its
# place, measure and years, the cue words of a comparison, trend, total or
# rank included (folded). A question with more words of its own ("số HTX làm
# dịch vụ đầu ra chiếm bao nhiêu phần trăm ...") asks about something else.
_PLAIN = set("co bao nhieu may so luong tong hien nay toan tinh thanh pho huyen cua o tai la va voi "
             "sanh so sanh qua cac tung nhung nam thay doi the nao ra sao nhu bien dong xu huong dien bien "
             "tang giam them di chenh lech nhieu it hon hay nao nhat cao thap lon nho xep hang dan dau "
             "cong lai chung dia phuong noi tu den thi sao con vay "
             "how many much does do did have has had are were there is in the of total number compare "
             "compared with and to from between which province district most fewest more fewer change "
             "changed over years trend than among according latest newest recent figures figure data "
             "today now currently current as per in by what percent percentage increase decrease grow grew "
             "cooperatives cooperative groups group unions union members vietnam country combined sum what "
             "trong theo lieu gan moi hien tai bao cao vao thoi diem giua cuoi dau het tinh phan tram ve "
             "kttt kinh te tap the thang ngay quy vung khu vuc hai ba bon".split())
_EXTRA_ALLOWED = 1  # "Số HTX của Lạng Sơn *đã* thay đổi thế nào?": one stray word is not a topic
_SHARE = re.compile(r"phan tram|ty le|ti le|chiem|percent|share|proportion")
# ... except a change in percent, which is computed: "tăng bao nhiêu phần trăm".
_PERCENT_CHANGE = re.compile(r"(?:tang|giam|thay doi)\s+(?:bao nhieu|may)\s+(?:phan tram|%)|percent(?:age)? (?:increase|change|growth)"
                             r"|by what percent|how many percent")


@dataclass(frozen=True)
class Intent:
    op: str  # compare | trend | total | rank | latest | share
    measure: str
    kind: str
    places: tuple[str, ...]
    years: tuple[int, ...]
    fewest: bool = False
    level: str = "province"
    # "tăng bao nhiêu": an article may state the change itself ("tăng 5 HTX
    # so với năm 2022"), so when a figure is missing the reader is asked first.
    asks_change: bool = False
    also: tuple[tuple[str, str], ...] = ()  # more measures a trend asks about
    now: bool = False  # "hiện có ..., tăng bao nhiêu so với năm 2015": the latest against that year


# The word right before a measure that makes it what is asked: "số HTX",
# "tổng số/số lượng HTX", "bao nhiêu HTX", "mấy HTX", "nhiều/ít HTX" (folded).
_COUNTING = {"so", "luong", "nhieu", "may", "it"}
_ENGLISH_MEASURES = re.compile(
    r"(?:how many|number of|most|fewest|more|fewer|total)\s+(?:of\s+)?(?:the\s+)?"
    r"(cooperative groups?|unions? of cooperatives|cooperative unions?|cooperative members|members|cooperatives)",
    re.IGNORECASE)
_ENGLISH_NAMES = {"cooperative group": "tổ hợp tác", "cooperative groups": "tổ hợp tác",
                  "union of cooperatives": "liên hiệp HTX", "unions of cooperatives": "liên hiệp HTX",
                  "cooperative union": "liên hiệp HTX", "cooperative unions": "liên hiệp HTX",
                  "members": "thành viên", "cooperative members": "thành viên", "cooperatives": "HTX"}


def measures_in(text: str) -> list[tuple[str, str]]:
    """The measures a question asks about ("số HTX", "bao nhiêu tổ hợp tác",
    "HTX nông nghiệp"; "số HTX, tổ hợp tác và liên hiệp HTX": three), by the
    figures' own vocabulary (vietnamese.measures): the first right after a
    counting word, the others listed after it; so "Chủ nhiệm HTX … là ai?"
    or "nhà kho HTX có bao nhiêu trẻ" name an HTX but ask for no count."""
    toks = tokens(text)
    for i, tok in enumerate(toks[:-1]):
        if tok not in _COUNTING:
            continue
        j = i + 1
        while j < len(toks) and toks[j] in ("cac", "nhung"):
            j += 1
        found = []
        while j < len(toks):
            measured = m.measure_of(" ".join(toks[j:]))
            if measured is None:
                break
            if measured not in found:
                found.append(measured)
            j += _length(toks[j:], measured)
            if j < len(toks) and toks[j] == "va":  # "..., tổ hợp tác và liên hiệp HTX"
                j += 1
        if found:
            return found
    english = _ENGLISH_MEASURES.search(text)
    if english:
        return [(_ENGLISH_NAMES.get(english.group(1).lower(), "HTX"), "")]
    return []


def _length(toks: list[str], measured: tuple[str, str]) -> int:
    """How many tokens the measure (and its kind) takes at the start of toks."""
    for n in range(1, min(len(toks), 8) + 1):
        if m.measure_of(" ".join(toks[:n])) == measured:
            return n
    return 1


def measure_in(text: str) -> tuple[str, str] | None:
    """The first measure a question asks about (measures_in)."""
    found = measures_in(text)
    return found[0] if found else None


def intent(q: Question, previous: Question | None = None) -> Intent | None:
    """Which kind of multi-figure question q is, or None for any other."""
    folded = fold(q.resolved or q.text).lower()
    if q.kind in ("who", "when") or q.kind == "where" and not _RANK.search(folded) \
            and not (len(q.places) >= 2 and _COMPARE.search(folded)):
        return None  # "Tỉnh nào có nhiều HTX nhất?" is a rank; "A và B, tỉnh nào nhiều hơn?" a comparison
    if _SHARE.search(fold(q.text).lower()) and not _PERCENT_CHANGE.search(fold(q.text).lower()):
        return _share_intent(q, folded)  # a share of a count, computed from two counts, or None
    measure = measure_in(q.resolved or q.text)
    if measure is None and len(named := every_measure(q.resolved or q.text)) == 1:
        measure = named[0]  # "HTX ở Lạng Sơn tăng bao nhiêu …", "Số liệu HTX mới nhất …": no counting word before it
    if measure is None and previous is not None:
        measure = measure_in(previous.resolved or previous.text)
    if measure is None:
        return None
    places, years = _in_order(q, folded), years_asked(q)
    for place in places:  # "Điện Biên" folds to "dien bien", as "diễn biến" (a trend) does
        folded = folded.replace(fold(place).lower(), " ")
    if _extra_words(q, measure, places) > _EXTRA_ALLOWED:
        return None
    level = "district" if re.search(r"huyen nao|district", folded) else \
        "region" if re.search(r"vung nao|khu vuc nao|region", folded) else "province"
    if _RANK.search(folded):  # among the places it names, not those of earlier turns
        said = fold(q.text).lower()
        named = tuple(p for p in places if _position(p, said) < len(said))
        return Intent("rank", *measure, named, years, bool(_FEWEST.search(folded)), level)
    if _TREND.search(folded) and len(places) <= 1:
        return Intent("trend", *measure, places, years, also=tuple(measures_in(q.resolved or q.text)[1:]))
    if _TOTAL.search(folded) and len(places) >= 2:
        return Intent("total", *measure, places, years)
    if _COMPARE.search(folded):
        if len(years) == 1 and previous is not None and previous.years and previous.years[0] != years[0] \
                and len(places) <= 1:
            years = (previous.years[0], years[0])  # "So với năm 2017 thì sao?"
        asks_change = bool(re.search(r"(?:tang|giam)[\w ]{0,12} bao nhieu", folded))
        if len(years) >= 2 and len(places) <= 1 or len(places) >= 2:
            return Intent("compare", *measure, places, years, asks_change=asks_change)
        if len(years) == 1 and len(places) == 1 and (m.NOW.search(folded) or "so voi" in folded):
            return Intent("compare", *measure, places, years, asks_change=asks_change, now=True)
    if len(places) == 1 and len(years) >= 2 and _HOW_MANY.search(folded):  # "… năm 2016 và năm 2018 là bao nhiêu?"
        return Intent("compare", *measure, places, years)
    if len(places) == 1 and not years and _LATEST.search(folded):  # "Số liệu HTX mới nhất của Lạng Sơn?"
        return Intent("latest", *measure, places, ())
    if len(places) == 1 and not years and q.kind == "number" and _HOW_MANY.search(folded) \
            and _extra_words(q, measure, places) == 0:
        return Intent("latest", *measure, places, ())
    return None


def every_measure(text: str) -> list[tuple[str, str]]:
    """Every measure the text names, in order, whether or not a counting word
    is before it: "… bao nhiêu HTX, trong đó HTX nông nghiệp chiếm …" -> HTX, HTX nông nghiệp."""
    toks, found, j = tokens(text), [], 0
    while j < len(toks):
        measured = m.measure_of(" ".join(toks[j:]))
        if measured is None:
            j += 1
            continue
        if measured not in found:
            found.append(measured)
        j += _length(toks[j:], measured)
    return found


def _share_intent(q: Question, folded: str) -> Intent | None:
    """"HTX nông nghiệp chiếm bao nhiêu phần trăm (số HTX cả nước)?": a part
    (a kind of the measure) of the whole; "Lâm Đồng chiếm bao nhiêu phần trăm số
    HTX của vùng …?": one place's count of another's. ``places``/``also``
    hold the part first, then the whole."""
    measures, places = every_measure(q.resolved or q.text), _in_order(q, folded)
    years = years_asked(q)
    subsets = [x for x in measures if x[1]]
    wholes = [x for x in measures if not x[1] and any(x[0] == y[0] for y in subsets)]
    if len(places) == 1 and subsets and wholes:
        return Intent("share", *wholes[0], places, years, also=(subsets[0],))
    if len(places) >= 2 and measures:  # two regions a report counts together are one place (Table.grouped)
        return Intent("share", *measures[0], places, years)
    return None


def _extra_words(q: Question, measure: tuple[str, str], places) -> int:
    """How many words of the question are neither its measures, its places,
    its years nor the words any such question uses."""
    asked = [measure, *measures_in(q.resolved or q.text)]
    forms = {t for name, _ in asked for form in m.MEASURES.get(name, ()) for t in form}
    known = set(tokens(" ".join([*(f"{a} {b}" for a, b in asked), *places]))) | forms | _PLAIN
    words = [t for t in tokens(q.text) if not t.isdigit()]
    return sum(1 for t in words if t not in known)


_YEAR = re.compile(r"(?<![\d.,])((?:19[89]|20[0-4])\d)(?![\d/.,])")  # "2017", "tháng 5/2024"


def years_asked(q: Question) -> tuple[int, ...]:
    """The question's years, those it compares with included ("so với năm
    2017", which a one-figure question does not ask about), in order."""
    said = [int(y) for y in _YEAR.findall(q.text)]
    return tuple(dict.fromkeys([*[y for y in q.years if y not in said], *said, *q.years]))


def _position(place: str, folded: str) -> int:
    """Where folded text names a place by any of its names ("ĐBSCL" is Đồng
    bằng sông Cửu Long); len(folded) when it does not."""
    found = [re.search(r"(?<!\w)" + re.escape(fold(form).lower()) + r"(?!\w)", folded)
             for form in (place, *GAZETTEER.get(place, ()))]
    return min((f.start() for f in found if f), default=len(folded))


def _in_order(q: Question, folded: str) -> tuple[str, ...]:
    """The question's places in the order it names them (inherited ones
    last); "cả nước" is a place too (the figures' ``COUNTRY``)."""
    places = list(q.places)
    if m.WHOLE_COUNTRY.search(folded) and COUNTRY not in places:
        places.append(COUNTRY)
        folded = m.WHOLE_COUNTRY.sub(fold(COUNTRY).lower(), folded)
    return tuple(sorted(places, key=lambda place: _position(place, folded)))


@dataclass
class Table:
    """The figures of a snapshot (index.snapshot.Snapshot.figures), one
    row per figure, deduplicated: the same count of the same place and date
    copied by two articles is one row citing the first."""

    rows: list[dict]
    _by_key: dict = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, snapshot) -> "Table":
        seen, rows = set(), []
        for r in snapshot.figures():
            key = (r["place"], r["measure"], r["kind"], r["value"], r["date"])
            if key in seen:
                continue
            seen.add(key)
            rows.append(r)
        return cls(rows)

    def grouped(self, places: tuple[str, ...]) -> tuple[str, ...]:
        """Places as the figures know them: two regions a report counts together
        ("Đồng bằng sông Cửu Long và Đông Nam Bộ") are one place when the
        question names both, in either order."""
        known = {fold(r["place"]).lower(): r["place"] for r in self.rows}
        out, i = [], 0
        while i < len(places):
            if i + 1 < len(places):
                pair = [f"{places[i]} và {places[i + 1]}", f"{places[i + 1]} và {places[i]}"]
                found = next((known[fold(p).lower()] for p in pair if fold(p).lower() in known), None)
                if found:
                    out.append(found)
                    i += 2
                    continue
            out.append(places[i])
            i += 1
        return tuple(out)

    def select(self, place: str | None = None, measure: str | None = None, kind: str | None = None,
               year: int | None = None, level: str | None = None) -> list[dict]:
        def fits(r):
            return ((place is None or fold(r["place"]) == fold(place))
                    and (measure is None or r["measure"] == measure)
                    and (kind is None or r["kind"] == kind)
                    and (level is None or r["level"] == level)
                    and (year is None or r["date"][:4] == str(year)))
        return sorted((r for r in self.rows if fits(r)), key=lambda r: (r["date"] or "9999", r["source"]))


# -- composing ---------------------------------------------------------------

def _unit(r: dict) -> str:
    return unit_of(r["figure"])


def when(r: dict) -> str:
    """The period as the answer states it: "hết tháng 6/2017"; an inferred
    one says where it came from."""
    period = re.sub(r"^(?:tính\s+)?(?:đến|tới)\s+", "", r["period"], flags=re.I) if r["period"] else ""
    if not period:
        return "không rõ thời điểm"
    if r["period_from"] == "paragraph":
        return f"{period}, suy ra từ đoạn văn"
    return period[0].lower() + period[1:]


def _stated(r: dict) -> str:
    return f"{r['figure']} ({when(r)})"


def _citation(r: dict, text_of) -> Citation:
    quote = text_of(r["source"])[r["start"] : r["end"]]
    return Citation(source=r["source"], quote=quote, start=r["start"], end=r["end"],
                    passage=quote, passage_start=r["start"],
                    highlight=(r["span_start"] - r["start"], r["span_end"] - r["start"]), title=r.get("title", ""))


def figure_json(r: dict) -> dict:
    """A figure as ``ask --json`` and ``batch`` give it."""
    return {"place": r["place"], "period": r["period"], "when": when(r), "date": r["date"], "value": r["value"],
            "unit": _unit(r), "measure": (r["measure"] + " " + r["kind"]).strip(), "status": r["status"],
            "source": r["source"], "title": r.get("title", ""), "quote": None,
            "start": r["start"], "end": r["end"]}


def _change(a: dict, b: dict) -> str:
    """"tăng 354 HTX (+231,4%)" from figure a to figure b."""
    diff = b["value"] - a["value"]
    unit = _unit(b)
    if diff == 0:
        return "không đổi"
    word = "tăng" if diff > 0 else "giảm"
    pct = f" ({'+' if diff > 0 else '-'}{vietnamese_number(abs(diff) / a['value'] * 100)}%)" if a["value"] else ""
    return f"{word} {vietnamese_number(abs(diff))} {unit}{pct}"


def _caveats(rows: list[dict]) -> list[str]:
    """What the reader must know before trusting the arithmetic: periods
    that differ between places, and counts read differently ("đăng ký hoạt
    động" against "đang hoạt động" or not stated)."""
    notes = []
    if len({r["date"][:4] for r in rows}) > 1 and len({r["place"] for r in rows}) > 1:
        notes.append("các số liệu thuộc các thời điểm khác nhau")
    statuses = {r["status"] for r in rows}
    if len(statuses) > 1:
        said = [f"{r['figure']} ({r['place']}) là số {r['status']}" for r in rows if r["status"]]
        unsaid = [r for r in rows if not r["status"]]
        notes.append("; ".join(said) + (f", {'số kia' if len(unsaid) == 1 else 'các số kia'} không ghi rõ"
                                        if unsaid else ""))
    return notes


@dataclass
class Composed:
    text: str
    rows: list[dict]
    complete: bool  # every figure asked for was found
    op: str


def _latest_per_place(table: Table, it: Intent, places) -> tuple[list[dict], list[str], list[str]]:
    """(chosen, missing, notes): each place's latest dated figure, of the
    year asked if one is. A place with no figure of that year but others
    gets its nearest dated one, and a note says so (places are compared as
    the articles report them, never silently across years). An undated
    figure only when it is the place's only one: of two undated figures,
    which is newer is unknown."""
    chosen, missing, notes = [], [], []
    name = _measure_name(it)
    for place in places:
        year = it.years[0] if it.years else None
        rows = table.select(place, it.measure, it.kind, year)
        if not rows and year is not None:
            others = [r for r in table.select(place, it.measure, it.kind) if r["date"]]
            if others:
                nearest = min(others, key=lambda r: (abs(int(r["date"][:4]) - year), -int(r["date"][:4])))
                chosen.append(nearest)
                notes.append(f"các bài không có số {name} năm {year} của {_named(place)}, "
                             f"số dùng ở đây là của {when(nearest)}")
                continue
        dated = [r for r in rows if r["date"]]
        if dated or len(rows) == 1:
            chosen.append((dated or rows)[-1])
        elif rows:
            missing.append(f"các bài ghi {len(rows)} số {name} khác nhau của {_named(place)}, không rõ thời điểm")
        else:
            missing.append(f"các bài đã lập chỉ mục không có số {name} của {_named(place)}"
                           + (f" năm {year}" if year else ""))
    return chosen, missing, notes


def _sentence(parts: list[str]) -> str:
    text = "; ".join(parts)
    return text[0].upper() + text[1:] if text else text


_LEVELS = {"district": "huyện", "region": "vùng", "province": "tỉnh", "country": "nước"}


def _named(place: str) -> str:
    """A place as written inside a sentence ("cả nước", "Lạng Sơn")."""
    return place[0].lower() + place[1:] if place == COUNTRY else place


def _measure_name(it: Intent) -> str:
    return (it.measure + " " + it.kind).strip()


def compose(table: Table, it: Intent) -> Composed | None:
    name = _measure_name(it)
    it = replace(it, places=table.grouped(it.places))
    if it.op == "latest":
        rows = table.select(it.places[0], it.measure, it.kind)
        if len(rows) < 2:
            return None  # one figure or none: the reader answers as for any question
        dated, undated = [r for r in rows if r["date"]], [r for r in rows if not r["date"]]
        place = _named(it.places[0])
        if not dated:  # which is newer is unknown: say so, choose none
            text = (f"Các bài ghi {len(rows)} số {name} khác nhau của {place}, không rõ thời điểm nên không biết "
                    "số nào mới hơn: " + "; ".join(r["figure"] for r in rows) + ".")
            return Composed(text, rows, True, "latest")
        latest, older = dated[-1], dated[-2::-1]
        text = f"{place[0].upper() + place[1:]}: số liệu mới nhất trong các bài là {_stated(latest)}."
        if older:
            text += " Các bài trước ghi: " + "; ".join(_stated(r) for r in older) + "."
        if undated:
            text += " Không rõ thời điểm: " + "; ".join(r["figure"] for r in undated) + "."
        return Composed(text, [latest, *older, *undated], True, "latest")
    if it.op == "trend":
        if not it.places:
            return None
        parts, rows_all, complete = [], [], True
        for measure, kind in ((it.measure, it.kind), *it.also):
            text, rows = _trend(table, it.places[0], measure, kind, it.years)
            parts.append(text)
            rows_all += rows
            complete = complete and len([r for r in rows if r["date"]]) >= 2
        return Composed(" ".join(parts), rows_all, complete, "trend")
    if it.op == "compare" and it.now:
        place, year = it.places[0], it.years[0]
        then = table.select(place, it.measure, it.kind, year)
        latest = [r for r in table.select(place, it.measure, it.kind) if r["date"] and r["date"][:4] > str(year)]
        chosen = [*then[-1:], *latest[-1:]]
        missing = [*([] if then else [f"năm {year}"]), *([] if latest else ["hiện nay"])]
        return _compared(place, name, chosen, missing, "compare")
    if it.op == "compare" and len(it.places) <= 1 and len(it.years) >= 2:
        place = it.places[0] if it.places else None
        if place is None:
            return None
        chosen, missing = [], []
        for year in sorted(it.years[:2]):
            rows = table.select(place, it.measure, it.kind, year)
            (chosen.append(rows[-1]) if rows else missing.append(f"năm {year}"))
        return _compared(place, name, chosen, missing, "compare")
    if it.op in ("compare", "total") and len(it.places) >= 2:
        chosen, missing, substituted = _latest_per_place(table, it, it.places)
        if missing:
            stated = "; ".join(f"{r['place']} có {_stated(r)}" for r in chosen)
            text = (f"{stated + '. ' if stated else ''}{_sentence(missing)}, "
                    f"nên không {'cộng' if it.op == 'total' else 'so sánh'} được.")
            return Composed(text, chosen, False, it.op)
        if it.op == "total":
            total = sum(r["value"] for r in chosen)
            parts = " + ".join(vietnamese_number(r["value"]) for r in chosen)
            text = (f"Tổng số {name} của {', '.join(it.places[:-1])} và {it.places[-1]} theo các bài: "
                    f"{vietnamese_number(total)} {_unit(chosen[0])} ({parts}). Gồm: "
                    + "; ".join(f"{r['place']} {_stated(r)}" for r in chosen) + ".")
            notes = substituted + _caveats(chosen)
            if notes:
                text += " Lưu ý: đây là cộng các số liệu mới nhất của từng nơi, không phải số của cùng một thời điểm; " \
                        + "; ".join(notes) + "."
            return Composed(text, chosen, True, "total")
        a, b = chosen[0], chosen[1]
        more = a if a["value"] > b["value"] else b
        less = b if more is a else a
        if a["value"] == b["value"]:
            verdict = f"hai nơi có số {name} bằng nhau"
        else:
            verdict = (f"{more['place']} nhiều hơn {less['place']} "
                       f"{vietnamese_number(more['value'] - less['value'])} {_unit(more)}")
        text = "; ".join(f"{r['place']} có {_stated(r)}" for r in chosen) + f": {verdict}."
        notes = substituted + _caveats(chosen)
        if notes:
            text += " Lưu ý: " + "; ".join(notes) + "."
        return Composed(text, chosen, True, "compare")
    if it.op == "share":
        return _share(table, it, name)
    if it.op == "rank":
        # Among every province (or district) with a figure, of the year asked if one is.
        places = it.places or tuple(dict.fromkeys(r["place"] for r in table.select(
            measure=it.measure, kind=it.kind, level=it.level, year=it.years[0] if it.years else None)))
        chosen, missing, substituted = _latest_per_place(table, it, places)
        if len(chosen) < 2:
            return None
        chosen.sort(key=lambda r: r["value"], reverse=not it.fewest)
        top = chosen[0]
        among = "trong các địa phương đã nêu" if it.places else \
            f"trong {len(chosen)} {_LEVELS[it.level]} mà các bài đã lập chỉ mục có số liệu" \
            + (f" năm {it.years[0]}" if it.years else "")
        text = (f"{'Ít' if it.fewest else 'Nhiều'} {name} nhất {among} là {top['place']}: {_stated(top)}. "
                + "Các nơi khác: " + "; ".join(f"{r['place']} {_stated(r)}" for r in chosen[1:]) + ".")
        if missing:
            text += f" {_sentence(missing)}."
        notes = substituted + _caveats(chosen)
        if notes:
            text += " Lưu ý: " + "; ".join(notes) + "."
        return Composed(text, chosen, not missing, "rank")
    return None


def _share(table: Table, it: Intent, name: str) -> Composed | None:
    """The part's count as a percent of the whole's, from two figures of the
    same measure and date in one article; None (the reader answers) when no
    article gives both."""
    if it.also:  # one place: a kind of the measure within the measure
        part_of = (it.places[0], *it.also[0])
        whole_of = (it.places[0], it.measure, it.kind)
        names = (f"{it.also[0][0]} {it.also[0][1]}", f"số {it.measure} của {_named(it.places[0])}")
    elif len(it.places) == 2:
        part_of, whole_of = (it.places[0], it.measure, it.kind), (it.places[1], it.measure, it.kind)
        names = (it.places[0], f"số {name} của {_named(it.places[1])}")
    else:
        return None

    def pairs(year):
        return [(p, w) for p in table.select(*part_of, year) for w in table.select(*whole_of, year)
                if p["source"] == w["source"] and p["date"] == w["date"]]

    # Of the year asked; else any one article's pair (its period said in the answer).
    together = (pairs(it.years[0]) if it.years else []) or pairs(None)
    if not together:
        # Across articles the two counts are rarely of one thing: "1.642 hợp tác xã" of a region
        # over "12.000 hợp tác xã đang hoạt động" of the country gave 13,7% where the region's
        # article states 15,16% (qa_heldout h003). The reader answers instead, from a stated share.
        return None
    part, whole = together[-1]
    pct = vietnamese_number(part["value"] / whole["value"] * 100) if whole["value"] else "?"
    text = (f"{names[0][0].upper() + names[0][1:]} chiếm {pct}% {names[1]}: {_stated(part)} trên "
            f"{_stated(whole)}, cùng một bài.")
    return Composed(text, [part, whole], True, "share")


def _trend(table: Table, place: str, measure: str, kind: str, years) -> tuple[str, list[dict]]:
    """One measure's figures for a place in date order, and the change from
    the first dated one to the last."""
    name, shown = (measure + " " + kind).strip(), _named(place)
    rows = table.select(place, measure, kind)
    if years and len(years) >= 2:
        first, last = min(years), max(years)
        rows = [r for r in rows if r["date"] and first <= int(r["date"][:4]) <= last] or rows
    if not rows:
        return f"Các bài đã lập chỉ mục không có số {name} nào của {shown}.", []
    dated = [r for r in rows if r["date"]]
    text = f"Số {name} của {shown} theo các bài: " + "; ".join(_stated(r) for r in rows) + "."
    if len(dated) >= 2:
        text += f" Từ {when(dated[0])} đến {when(dated[-1])}: {_change(dated[0], dated[-1])}."
    elif len(rows) >= 2:
        text += " Không đủ số liệu có thời điểm để thấy xu hướng."
    else:
        text += " Các bài chỉ có một số liệu này, chưa đủ để thấy xu hướng."
    return text, rows


def _compared(place: str, name: str, chosen: list[dict], missing: list[str], op: str) -> Composed:
    if missing:
        stated = "; ".join(_stated(r) for r in chosen)
        text = (f"{place} có {stated}. " if stated else "") + \
               f"Các bài đã lập chỉ mục không có số {name} của {place} {', '.join(missing)}, nên không so sánh được."
        return Composed(text, chosen, False, op)
    a, b = chosen
    text = f"{place} có {_stated(a)} và {_stated(b)}: {_change(a, b)}."
    notes = [n for n in _caveats(chosen) if not n.startswith("các số liệu thuộc")]
    if notes:
        text += " Lưu ý: " + "; ".join(notes) + "."
    return Composed(text, chosen, True, op)


def answer(q: Question, table: Table, text_of, previous: Question | None = None) -> tuple[Answer, bool] | None:
    """(Answer, final) for a multi-figure question, or None when q is not
    one (or the figures cannot answer it better than the reader). Not final:
    a figure is missing and an article may state the change asked for
    itself, so the reader's answer, if it finds one, is the better one."""
    it = intent(q, previous)
    if it is None:
        return None
    composed = compose(table, it)
    if composed is None or not composed.rows:
        return None  # no figure at all: the reader answers, or refuses and says why
    citations = [_citation(r, text_of) for r in composed.rows]
    figures = []
    for r, c in zip(composed.rows, citations):
        figures.append({**figure_json(r), "quote": c.quote})
    found = bool(composed.rows)
    return Answer(text=composed.text, found=found, citations=citations, understood_as=q.resolved,
                  figures=figures, aggregate=composed.op), composed.complete or not it.asks_change


def one_figure(q: Question, table: Table, text_of, previous: Question | None = None) -> Answer | None:
    """When the reader refuses a plain "how many X does P have (in Y)": the
    one count the index holds for it, read at ingest, or None. None too when
    the articles give that place, measure and year two different counts,
    when the question asks for a share, a change or a status the figure does
    not have, or names more than the count ("HTX làm du lịch")."""
    folded = fold(q.resolved or q.text).lower()
    if q.kind != "number" or _SHARE.search(folded) or m.CHANGE_WORDS.search(folded):
        return None
    measures = measures_in(q.resolved or q.text) or (measures_in(previous.resolved or previous.text)[:1]
                                                      if previous else [])
    places = table.grouped(_in_order(q, folded))
    years = years_asked(q)
    if not measures or len(places) != 1 or len(years) > 1 \
            or _extra_words(q, measures[0], places) > _EXTRA_ALLOWED:
        return None
    asked_status, chosen = m.status_in(folded), []
    for measure in measures:  # "bao nhiêu HTX và tổ hợp tác": each, or none
        rows = [r for r in table.select(places[0], *measure, years[0] if years else None)
                if not asked_status or r["status"] == asked_status]
        if len({r["value"] for r in rows}) != 1 or (not years and len(rows) != 1):
            return None
        chosen.append(rows[0])
    place = _named(chosen[0]["place"])
    stated = [f"{r['figure']}{' ' + r['status'] if r['status'] and r['status'] not in r['figure'] else ''} ({when(r)})"
              for r in chosen]
    text = f"{place[0].upper() + place[1:]} có {', '.join(stated[:-1]) + ' và ' if len(stated) > 1 else ''}{stated[-1]}."
    citations = [_citation(r, text_of) for r in chosen]
    return Answer(text=text, found=True, citations=citations, understood_as=q.resolved, aggregate="one",
                  figures=[{**figure_json(r), "quote": c.quote} for r, c in zip(chosen, citations)])


# -- the table of every figure (the "Số liệu" tab, ``python -m answer figures``) --

FIELDS = ["place", "level", "period", "date", "measure", "status", "value", "figure", "title", "source",
          "start", "end", "quote"]


def listing(table: Table, text_of, place: str | None = None, measure: str | None = None,
            year: int | None = None) -> list[dict]:
    """Every figure, filtered by place, measure ("HTX", "HTX nông nghiệp")
    and year, as flat rows of FIELDS, by place then date."""
    rows = []
    for r in table.rows:
        name = (r["measure"] + " " + r["kind"]).strip()
        if place and fold(r["place"]).lower() != fold(place).lower():
            continue
        if measure and fold(name).lower() != fold(measure).lower():
            continue
        if year and r["date"][:4] != str(year):
            continue
        rows.append({"place": r["place"], "level": r["level"], "period": r["period"], "date": r["date"],
                     "measure": name, "status": r["status"], "value": r["value"], "figure": r["figure"],
                     "title": r.get("title", ""), "source": r["source"], "start": r["start"], "end": r["end"],
                     "quote": " ".join(text_of(r["source"])[r["start"] : r["end"]].split())})
    return sorted(rows, key=lambda r: (fold(r["place"]), r["measure"], r["date"] or "9999"))


def write_csv(rows: list[dict], out) -> None:
    """The rows as CSV (the chat writes it with a BOM, encoding="utf-8-sig",
    so that a spreadsheet reads the Vietnamese right)."""
    import csv

    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    for r in rows:
        writer.writerow({**r, "value": vietnamese_number(r["value"], 2)})
