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
from vietnamese.text import CHAT_WORDS, fold, tokens

from .question import Question
from .types import Answer, Citation

# Folded cues, one idea each. A comparison needs two periods or two places.
_TREND = re.compile(r"qua (?:cac|tung|nhung) nam|theo (?:tung )?nam|qua thoi gian|thay doi (?:the nao|ra sao|nhu the nao)"
                    r"|bien dong|xu huong|dien bien|tang giam|over the years|trend|changed|change over")
_RATIO = re.compile(r"gap (?:may|bao nhieu) lan|bao nhieu lan|may lan|how many times|times (?:more|as many)")
_COMPARE = re.compile(r"so sanh|so voi|chenh lech|tang (?:them )?bao nhieu|giam (?:di )?bao nhieu|nhieu hon|it hon"
                      r"|(?:nhieu|it|cao|thap)(?: \w+){1,3} hon\b|hon bao nhieu|(?:more|fewer|less)(?: \w+){1,3} than"
                      r"|thay doi bao nhieu|bien dong bao nhieu|\bchenh\b|\bkem\b.{0,40}\bbao nhieu|kem hon|dong hon"
                      r"|hon hay|\bhay\b|compare|compared|versus|\bvs\b|difference|increase|decrease|more than|grow"
                      r"|how (?:many|much) (?:more|fewer|less)"
                      r"|change between|changed? from|" + _RATIO.pattern)
_TOTAL = re.compile(r"tong so|tong cong|cong lai|cong chung|^cong\b|\bcong so\b|\bcong voi\b|cong don|\bgop\b|tinh tong|\btotal\b|altogether|combined"
                    r"|\bin sum\b|\badd up")
_LATEST = re.compile(r"moi nhat|gan nhat|gan day nhat|latest|most recent|newest")
_RANK = re.compile(r"(?:tinh|dia phuong|huyen|noi|vung|khu vuc|province|district|region)\w* nao.{0,40}(?:nhieu|it|cao|thap|lon|nho)\b.{0,20}\bnhat"
                   r"|xep hang|dan dau|dung (?:dau|cuoi|chot)|xep .{0,60}(?:nhieu|it) (?:den|toi) (?:nhieu|it)|thu tu (?:tu )?(?:nhieu|it) (?:den|toi)"
                   r"|which (?:province|district|place)|\bmost\b(?! recent)|fewest|highest|lowest|\brank")
_FEWEST = re.compile(r"\b(?:it|thap|nho)\b.{0,25}\bnhat|dung cuoi|dung chot|fewest|lowest|least")
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
             "kttt kinh te tap the thang ngay quy vung khu vuc hai ba bon "
             "chenh nhau kem dong ben cho nguoi gap lan difference active operating whats times using "
             "numbers figures recent or region regions".split()) | CHAT_WORDS
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
    # Each place's own year, when the question gives them one by one ("Lai Châu
    # cuối 2021 ... Lạng Sơn hồi tháng 5/2024"); None: its latest. () when one
    # year (or none) is asked of all.
    place_years: tuple[int | None, ...] = ()
    now: bool = False  # "hiện có ..., tăng bao nhiêu so với năm 2015": the latest against that year
    ratio: bool = False  # "gấp mấy lần": the larger over the smaller, said too


# The word right before a measure that makes it what is asked: "số HTX",
# "tổng số/số lượng HTX", "bao nhiêu HTX", "mấy HTX", "nhiều/ít HTX" (folded).
_COUNTING = {"so", "luong", "nhieu", "may", "it"}
_ENGLISH_NAME = r"(cooperative groups?|unions? of cooperatives|cooperative unions?|cooperative members|members|cooperatives)"
_ENGLISH_MEASURES = re.compile(
    r"(?:how many|numbers? of|most|fewest|more|fewer|total)\s+(?:of\s+)?(?:the\s+)?(?:active\s+|operating\s+)?"
    + _ENGLISH_NAME, re.IGNORECASE)
_ENGLISH_MORE = re.compile(r"\s*(?:,|and|,\s*and)\s+(?:of\s+)?(?:the\s+)?" + _ENGLISH_NAME, re.IGNORECASE)
_ENGLISH_NAMES = {"cooperative group": "tổ hợp tác", "cooperative groups": "tổ hợp tác",
                  "union of cooperatives": "liên hiệp HTX", "unions of cooperatives": "liên hiệp HTX",
                  "cooperative union": "liên hiệp HTX", "cooperative unions": "liên hiệp HTX",
                  "members": "thành viên", "cooperative members": "thành viên", "cooperatives": "HTX"}


def measures_in(text: str) -> list[tuple[str, str]]:
    """The measures a question asks about (``_measures_named``), each a flow
    when the question asks for one: "thành lập mới bao nhiêu HTX" is (HTX,
    thành lập mới); "… thành lập mới và giải thể bao nhiêu HTX", both."""
    found = _measures_named(text)
    folded = fold(text).lower()
    flows = list(dict.fromkeys(m.FLOWS[f] for f in m.FLOW_ASKED.findall(folded)))
    if not found or not flows or found[0][1]:
        return found
    # In the measure's own clause a flow is what is counted; in another, asked besides
    # ("số lượng HTX … diễn biến ra sao, thành lập mới và giải thể bao nhiêu?": the count and both flows).
    said = next((c for c in re.split(r"[,;:?.]", folded) if m.measure_of(c) or _measures_named(c)), folded)
    flowed = [(found[0][0], flow) for flow in flows]
    return flowed if m.FLOW_ASKED.search(said) else [found[0], *flowed, *found[1:]]


def _measures_named(text: str) -> list[tuple[str, str]]:
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
    english, found = _ENGLISH_MEASURES.search(text), []
    while english:  # "numbers of cooperatives and cooperative groups": two
        measured = (_ENGLISH_NAMES.get(english.group(1).lower(), "HTX"), "")
        found += [measured] if measured not in found else []
        english = _ENGLISH_MORE.match(text, english.end())
    return found


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


def intent(q: Question, previous: Question | None = None, earlier: tuple[Question, ...] = ()) -> Intent | None:
    """Which kind of multi-figure question q is, or None for any other;
    ``earlier``: the conversation's questions before it (``previous`` is the
    last of them)."""
    earlier = earlier or ((previous,) if previous is not None else ())
    said = fold(q.text).lower()
    return _with_ratio(_across_turns(q, earlier, _intent(q, earlier[-1] if earlier else None)), said)


# A question that points back at the places asked before: "2 tỉnh đó", "hai nơi trên", "cả hai", "both".
_BACK = re.compile(r"(?<!\w)(?:(?:\d|hai|ba|bon|cac|nhung|ca)\s+(?:tinh|noi|huyen|dia phuong|vung|so)\b|ca hai|ca ba"
                   r"|(?:tinh|noi|so|dia phuong) (?:do|tren|nay)\b|both|these|those|them)")
TURNS_BACK = 2  # "U Minh năm 2020 …?", "còn Lâm Đồng thì sao", "chênh nhau bao nhiêu THT?" (qa_multi3 p029–p032)


def _asked_in_turns(q: Question, earlier: tuple[Question, ...]) -> list[tuple[str, int | None]]:
    """(place, year) as the last TURNS_BACK questions and q each asked them:
    a turn that names no place asks about the one before it, one that names
    no year about the year before it ("And Lạng Sơn around the same time?"),
    unless it asks for the latest ("số mới nhất", "hiện nay")."""
    entries = []
    for t in (*earlier[-TURNS_BACK:], q):
        said = fold(t.text).lower()
        own = [p for p in t.places if _position(p, said) < len(said)] or list(t.places[:1])
        years = [int(y) for y in _YEAR.findall(said)] or \
            ([] if _LATEST.search(said) or m.NOW_ASKED.search(said) else list(t.years[:1]))
        entries += [(p, years[0] if years else None) for p in own]
    return list(dict.fromkeys(entries))


def _across_turns(q: Question, earlier: tuple[Question, ...], it: Intent | None) -> Intent | None:
    """A comparison, total or rank whose figures the conversation asked for
    turn by turn ("cộng 2 tỉnh lại là bao nhiêu", "Tăng gấp mấy lần vậy?",
    "Xếp 2 tỉnh đó với Lạng Sơn"), or ``it`` as it was."""
    said = fold(q.text).lower()
    op = "rank" if _RANK.search(said) else "total" if _TOTAL.search(said) else \
        "compare" if _COMPARE.search(said) else None
    own = [p for p in q.places if _position(p, said) < len(said)]
    if op in ("rank", "total") and not own and not _BACK.search(said):
        return it  # "Tỉnh nào có nhiều HTX nhất?" after two turns: among every province, not those two
    if not earlier or op is None or len(own) >= 2 or len(_YEAR.findall(said)) >= 2 \
            or it is not None and it.op == op and (len(it.places) >= 2 or len(it.years) >= 2):
        return it
    measure = (it.measure, it.kind) if it is not None else next(
        (found for t in (q, *reversed(earlier)) if (found := measure_in(t.resolved or t.text))), None)
    entries = _asked_in_turns(q, earlier)
    if not own and _YEAR.findall(said):  # "So với năm 2017 thì sao?": the place the conversation is on, over time
        entries = [(p, y) for p, y in entries if q.places and p == q.places[0]]
    places = tuple(dict.fromkeys(p for p, _ in entries))
    if measure is None or not places:
        return it
    if len(places) == 1:  # one place, two years: "Thế hồi giữa năm 2017?", "Tăng gấp mấy lần vậy?"
        years = sorted({y for _, y in entries if y is not None})
        if len(years) == 1 and any(y is None for _, y in entries):  # its latest, asked before, against that year
            return Intent("compare", *measure, places, tuple(years), now=True)
        return Intent("compare", *measure, places, tuple(years[-2:])) if len(years) >= 2 else it
    last_year = {p: y for p, y in entries}  # each place's year as last asked
    return Intent(op, *measure, places, (), place_years=tuple(last_year[p] for p in places))


def _intent(q: Question, previous: Question | None) -> Intent | None:
    folded = fold(q.resolved or q.text).lower()
    if q.kind in ("who", "when") or q.kind == "where" and not _RANK.search(folded) \
            and not (len(q.places) >= 2 and _COMPARE.search(folded)):
        return None  # "Tỉnh nào có nhiều HTX nhất?" is a rank; "A và B, tỉnh nào nhiều hơn?" a comparison
    if _SHARE.search(fold(q.text).lower()) and not _PERCENT_CHANGE.search(fold(q.text).lower()):
        return _share_intent(q, folded)  # a share of a count, computed from two counts, or None
    measure = measure_in(q.resolved or q.text)
    named = every_measure(q.resolved or q.text)
    flow = m.FLOW_ASKED.search(folded)
    if flow and named and not named[0][1]:  # "Hà Tĩnh thành lập mới HTX năm 2023 …": the flow
        named = [(named[0][0], m.FLOWS[flow.group(1)]), *named[1:]]
    if measure is None and (len(named) == 1 or len(named) == 2 and named[0][0] in m.MEMBER_MEASURES
                            or len(named) > 1 and (_TREND.search(folded) or _LATEST.search(folded))):
        measure = named[0]  # "HTX ở Lạng Sơn tăng bao nhiêu …", "Thành viên HTX của …": no counting word before it
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
        return Intent("rank", *measure, named, years, bool(_FEWEST.search(folded)), level,
                      place_years=years_by_place(q, named))
    if _TREND.search(folded) and len(places) <= 1:
        also = measures_in(q.resolved or q.text)[1:] or [x for x in named if x != measure]
        return Intent("trend", *measure, places, years, also=tuple(also))
    if _TOTAL.search(folded) and len(places) >= 2:
        return Intent("total", *measure, places, years, place_years=years_by_place(q, places))
    said = fold(q.text).lower()  # a follow-up's own words: "What's the difference?" is not in its frame
    if _COMPARE.search(folded) or previous is not None and _COMPARE.search(said):
        asked_before = years_asked(previous) if previous is not None else ()
        if len(years) == 1 and asked_before and asked_before[0] != years[0] and len(places) <= 1:
            years = (asked_before[0], years[0])  # "So với năm 2017 thì sao?"
        asks_change = bool(re.search(r"(?:tang|giam)[\w ]{0,12} bao nhieu", folded))
        if len(years) >= 2 and len(places) <= 1 or len(places) >= 2:
            return Intent("compare", *measure, places, years, asks_change=asks_change,
                          place_years=years_by_place(q, places))
        # "hiện có …, tăng bao nhiêu so với năm 2015"; "Lạng Sơn giờ có bao nhiêu THT?" then "Hồi 2017 thì sao, giảm bao nhiêu?"
        if len(years) == 1 and len(places) == 1 and (m.NOW_ASKED.search(folded) or "so voi" in folded
                                                     or previous is not None and not asked_before):
            return Intent("compare", *measure, places, years, asks_change=asks_change, now=True)
    if len(places) == 1 and len(years) >= 2 and _HOW_MANY.search(folded):  # "… năm 2016 và năm 2018 là bao nhiêu?"
        return Intent("compare", *measure, places, years)
    if len(places) == 1 and not years and _LATEST.search(folded):  # "Số liệu HTX mới nhất của Lạng Sơn?"
        return Intent("latest", *measure, places, (), also=tuple(measures_in(q.resolved or q.text)[1:]))
    if len(places) == 1 and not years and q.kind == "number" and _HOW_MANY.search(folded) \
            and _extra_words(q, measure, places) == 0:
        return Intent("latest", *measure, places, (), also=tuple(measures_in(q.resolved or q.text)[1:]))
    return None


def _with_ratio(it: Intent | None, folded: str) -> Intent | None:
    return replace(it, ratio=True) if it is not None and it.op == "compare" and _RATIO.search(folded) else it


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
    statuses = {t for key in m.STATUSES for t in key.split()}  # "HTX đang hoạt động" is the count, read so
    known = set(tokens(" ".join([*(f"{a} {b}" for a, b in asked), *places]))) | forms | statuses | _PLAIN
    said = fold(q.text).lower()
    for place in places:  # by any of its names: "ĐBSH", "duyên hải NTB"
        for form in (place, *GAZETTEER.get(place, ())):
            said = re.sub(r"(?<!\w)" + re.escape(fold(form).lower()) + r"(?!\w)", " ", said)
    words = [t for t in tokens(said) if not t.isdigit()]
    return sum(1 for t in words if t not in known)


_YEAR = re.compile(r"(?<![\d.,])((?:19[89]|20[0-4])\d)(?![\d/]|[.,]\d)")  # "2017", "tháng 5/2024", "năm 2017,"


def years_asked(q: Question) -> tuple[int, ...]:
    """The question's years, those it compares with included ("so với năm
    2017", which a one-figure question does not ask about), in order."""
    said = [int(y) for y in _YEAR.findall(q.text)]
    return tuple(dict.fromkeys([*[y for y in q.years if y not in said], *said, *q.years]))


def years_by_place(q: Question, places: tuple[str, ...]) -> tuple[int | None, ...]:
    """Each place's year when the question names them place by place, the
    year after each place and before the next ("Thành viên HTX của Hà Tĩnh bây
    giờ nhiều hơn Lạng Sơn hồi giữa năm 2017": (None, 2017)); () when it does
    not (years only before the first place or after the last are everyone's)."""
    said = fold(q.text).lower()
    at = [_position(place, said) for place in places]
    if len(places) < 2 or any(a >= len(said) for a in at) or at != sorted(at):
        return ()
    ends = [*at[1:], len(said)]
    own = [[int(y.group(1)) for y in _YEAR.finditer(said, start, end)] for start, end in zip(at, ends)]
    if not any(own[:-1]) and not any(m.NOW_ASKED.search(said, start, end) for start, end in zip(at[:-1], ends[:-1])):
        return ()  # "Hà Tĩnh bây giờ ... Lạng Sơn hồi 2017": now is a time of its own
    leading = [int(y.group(1)) for y in _YEAR.finditer(said, 0, at[0])]
    return tuple(years[0] if years else (leading[0] if leading else None) for years in own)


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
    """"153 HTX (hết tháng 6/2017)"; a kind the figure's words do not say is
    added: "35 HTX thành lập mới (năm 2023)"."""
    said = fold(r["figure"]).lower()
    kind = f" {r['kind']}" if r["kind"] and fold(r["kind"]).lower() not in said else ""
    return f"{r['figure']}{kind} ({when(r)})"


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


def _ratio(a: dict, b: dict) -> str:
    """" (gấp 3,3 lần)": the larger figure over the smaller, when both are counts above zero."""
    big, small = max(a["value"], b["value"]), min(a["value"], b["value"])
    return f" (gấp {vietnamese_number(big / small)} lần)" if small > 0 else ""


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


def _related(table: Table, it: Intent, place: str, year: int | None) -> dict | None:
    """A place's figure of another kind of the measure asked ("HTX nông
    nghiệp" when "HTX" was asked, or the other way), of the year asked if one
    is: said and cited beside "no figure", never added or compared."""
    flows = m.FLOWS.values()
    if it.kind in flows:
        return None  # a count of what there is says nothing of what changed
    rows = [r for r in table.select(place, it.measure, None, year)
            if r["kind"] != it.kind and r["kind"] not in flows and r["date"]]
    return rows[-1] if rows else None


def _latest_per_place(table: Table, it: Intent, places) -> tuple[list[dict], list[str], list[str], list[dict]]:
    """(chosen, missing, notes, related): each place's latest dated figure,
    of the year asked if one is. A place with no figure of that year but
    others gets its nearest dated one, and a note says so (places are
    compared as the articles report them, never silently across years). An
    undated figure only when it is the place's only one: of two undated
    figures, which is newer is unknown. A place with none at all may have a
    figure of another kind (``_related``): said in ``missing``, its row in
    ``related``, to cite."""
    chosen, missing, notes, related = [], [], [], []
    name = _measure_name(it)
    for i, place in enumerate(places):
        year = it.place_years[i] if len(it.place_years) == len(places) else it.years[0] if it.years else None
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
            other = _related(table, it, place, year)
            missing.append(f"các bài đã lập chỉ mục không có số {name} của {_named(place)}"
                           + (f" năm {year}" if year else "")
                           + (f" (chỉ có số {(other['measure'] + ' ' + other['kind']).strip()}: {_stated(other)})"
                              if other else ""))
            related += [other] if other else []
    return chosen, missing, notes, related


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
        said = [_latest(table, it.places[0], measure, kind) for measure, kind in ((it.measure, it.kind), *it.also)]
        if said[0] is None:
            return None  # one figure or none: the reader answers as for any question
        said = [x for x in said if x is not None]
        return Composed(" ".join(text for text, _ in said), [r for _, rows in said for r in rows], True, "latest")
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
        return _compared(place, name, chosen, missing, "compare", it.ratio)
    if it.op == "compare" and len(it.places) <= 1 and len(it.years) >= 2:
        place = it.places[0] if it.places else None
        if place is None:
            return None
        chosen, missing = [], []
        for year in sorted(it.years[:2]):
            rows = table.select(place, it.measure, it.kind, year)
            (chosen.append(rows[-1]) if rows else missing.append(f"năm {year}"))
        return _compared(place, name, chosen, missing, "compare", it.ratio)
    if it.op in ("compare", "total") and len(it.places) >= 2:
        chosen, missing, substituted, related = _latest_per_place(table, it, it.places)
        if missing:
            stated = "; ".join(f"{r['place']} có {_stated(r)}" for r in chosen)
            text = (f"{stated + '. ' if stated else ''}{_sentence(missing)}, "
                    f"nên không {'cộng' if it.op == 'total' else 'so sánh'} được.")
            return Composed(text, chosen + related, False, it.op)
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
                       f"{vietnamese_number(more['value'] - less['value'])} {_unit(more)}"
                       + (_ratio(more, less) if it.ratio else ""))
        text = "; ".join(f"{r['place']} có {_stated(r)}" for r in chosen) + f": {verdict}."
        notes = substituted + _caveats(chosen)
        if notes:
            text += " Lưu ý: " + "; ".join(notes) + "."
        return Composed(text, chosen, True, "compare")
    if it.op == "share":
        return _share(table, it, name)
    if it.op == "rank":
        return _ranked(table, it, name)
    return None


def _ranked(table: Table, it: Intent, name: str) -> Composed | None:
    """The places named (or every province, district or region with a
    figure, of the year asked if one is) by their latest figure. When a place
    named has none, no place is said to be first: the figures there are are
    listed in order, and a part of the measure one of them has ("5.500 HTX
    nông nghiệp": not under 5.500 HTX) is said beside them."""
    places = it.places or tuple(dict.fromkeys(r["place"] for r in table.select(
        measure=it.measure, kind=it.kind, level=it.level, year=it.years[0] if it.years else None)))
    chosen, missing, substituted, related = _latest_per_place(table, it, places)
    if len(chosen) < 2 and not (missing and chosen):
        return None
    chosen.sort(key=lambda r: r["value"], reverse=not it.fewest)
    top, listed = chosen[0], "; ".join(f"{r['place']} {_stated(r)}" for r in chosen)
    notes = substituted + _caveats(chosen)
    if missing:
        order = "từ ít đến nhiều" if it.fewest else "từ nhiều đến ít"
        text = (f"{_sentence(missing)}, nên không xếp hạng được cả {len(places)} nơi đã nêu. "
                f"Các nơi có số liệu, {order}: {listed}.")
        notes += [f"{r['place']} có không dưới {_stated(r)}, hơn {top['place']}" for r in related
                  if not it.kind and not it.fewest and r["value"] > top["value"]]
    else:
        among = "trong các địa phương đã nêu" if it.places else \
            f"trong {len(chosen)} {_LEVELS[it.level]} mà các bài đã lập chỉ mục có số liệu" \
            + (f" năm {it.years[0]}" if it.years else "")
        text = (f"{'Ít' if it.fewest else 'Nhiều'} {name} nhất {among} là {top['place']}: {_stated(top)}. "
                + "Các nơi khác: " + "; ".join(f"{r['place']} {_stated(r)}" for r in chosen[1:]) + ".")
    if notes:
        text += " Lưu ý: " + "; ".join(notes) + "."
    return Composed(text, chosen + related, not missing, "rank")


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


def _latest(table: Table, place: str, measure: str, kind: str) -> tuple[str, list[dict]] | None:
    """One measure's latest figure for a place, then the older ones with
    their dates; None when the articles give it fewer than two."""
    rows = table.select(place, measure, kind)
    if len(rows) < 2:
        return None
    name, shown = (measure + " " + kind).strip(), _named(place)
    dated, undated = [r for r in rows if r["date"]], [r for r in rows if not r["date"]]
    if not dated:  # which is newer is unknown: say so, choose none
        return (f"Các bài ghi {len(rows)} số {name} khác nhau của {shown}, không rõ thời điểm nên không biết "
                "số nào mới hơn: " + "; ".join(r["figure"] for r in rows) + "."), rows
    latest, older = dated[-1], dated[-2::-1]
    text = f"{shown[0].upper() + shown[1:]}: số {name} mới nhất trong các bài là {_stated(latest)}."
    if older:
        text += " Các bài trước ghi: " + "; ".join(_stated(r) for r in older) + "."
    if undated:
        text += " Không rõ thời điểm: " + "; ".join(r["figure"] for r in undated) + "."
    return text, [latest, *older, *undated]


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


def _compared(place: str, name: str, chosen: list[dict], missing: list[str], op: str,
              ratio: bool = False) -> Composed:
    if missing:
        stated = "; ".join(_stated(r) for r in chosen)
        text = (f"{place} có {stated}. " if stated else "") + \
               f"Các bài đã lập chỉ mục không có số {name} của {place} {', '.join(missing)}, nên không so sánh được."
        return Composed(text, chosen, False, op)
    a, b = chosen
    text = f"{place} có {_stated(a)} và {_stated(b)}: {_change(a, b)}{_ratio(a, b) if ratio else ''}."
    notes = [n for n in _caveats(chosen) if not n.startswith("các số liệu thuộc")]
    if notes:
        text += " Lưu ý: " + "; ".join(notes) + "."
    return Composed(text, chosen, True, op)


def answer(q: Question, table: Table, text_of, previous: Question | None = None,
           earlier: tuple[Question, ...] = ()) -> tuple[Answer, bool] | None:
    """(Answer, final) for a multi-figure question, or None when q is not
    one (or the figures cannot answer it better than the reader). Not final:
    a figure is missing and an article may state the change asked for
    itself, so the reader's answer, if it finds one, is the better one."""
    it = intent(q, previous, earlier)
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
    if q.kind != "number" or _SHARE.search(folded) or m.CHANGE_WORDS.search(m.FLOW_ASKED.sub(" ", folded)):
        return None  # a flow ("thành lập mới") is read at ingest; any other change is not
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
    stated = [_stated({**r, "kind": " ".join(x for x in (r["kind"], r["status"]) if x and x not in r["figure"])})
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
