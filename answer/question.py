"""What a question asks: its kind, the unit of a figure, its place and year,
and how a follow-up borrows what the conversation already said.

"Hà Tĩnh có bao nhiêu HTX năm 2023?" -> kind=number, unit=[htx],
places=[Hà Tĩnh], years=[2023]. "Còn số tổ hợp tác thì sao?" after it
-> the same question with the unit changed to tổ hợp tác.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from retriever.constraints import places_in_question, years_in_question
from vietnamese.numbers import MONEY_NOUNS
from vietnamese.text import fold, has_diacritics, tokens

# English phrases -> Vietnamese, so the lexical index and the answer's unit
# understand English questions (the multilingual embedder needs no help).
# Longest phrases first.
ENGLISH = [
    ("unions of cooperatives", "liên hiệp hợp tác xã"), ("cooperative unions", "liên hiệp hợp tác xã"),
    ("cooperative groups", "tổ hợp tác"), ("cooperative group", "tổ hợp tác"),
    ("cooperatives", "hợp tác xã"), ("cooperative", "hợp tác xã"), ("co-ops", "hợp tác xã"),
    ("collective economy", "kinh tế tập thể"), ("steering committee", "ban chỉ đạo"),
    ("people's committee", "ủy ban nhân dân"), ("cooperative alliance", "liên minh hợp tác xã"),
    ("newly established", "thành lập mới"), ("newly founded", "thành lập mới"), ("new", "thành lập mới"),
    ("established", "thành lập mới"), ("founded", "thành lập mới"), ("dissolved", "giải thể"),
    ("charter capital", "vốn điều lệ"), ("outstanding loans", "dư nợ"), ("outstanding debt", "dư nợ"),
    ("loans", "vay vốn"), ("borrowed", "vay vốn"), ("borrowing", "vay vốn"), ("borrow", "vay vốn"),
    ("fund", "quỹ"), ("support fund", "quỹ hỗ trợ"),
    ("people worked", "lao động"), ("people working", "lao động"), ("people", "người"),
    ("group members", "tổ viên"), ("members", "thành viên"), ("member", "thành viên"),
    ("workers", "lao động"), ("employees", "lao động"), ("jobs", "việc làm"), ("laborers", "lao động"),
    ("training courses", "lớp tập huấn"), ("training classes", "lớp tập huấn"), ("classes", "lớp"),
    ("conferences", "hội nghị"), ("communes", "xã"), ("products", "sản phẩm"),
    ("revenue", "doanh thu"), ("income", "thu nhập"), ("billion dong", "tỷ đồng"), ("billion", "tỷ"),
    ("million dong", "triệu đồng"), ("million", "triệu"), ("percent", "%"), ("percentage", "tỷ lệ"),
    ("share", "tỷ lệ"), ("rate", "tỷ lệ"), ("weak", "yếu kém"), ("good", "khá, tốt"),
    ("meeting", "cuộc họp"), ("conference", "hội nghị"), ("chaired", "chủ trì"), ("chair", "chủ trì"),
    ("vice chairman", "phó chủ tịch"), ("vice-chairman", "phó chủ tịch"), ("chairman", "chủ tịch"),
    ("province", "tỉnh"), ("district", "huyện"), ("target", "mục tiêu"), ("plan", "kế hoạch"),
    ("end of may", "hết tháng 5"), ("end of june", "hết tháng 6"), ("first six months", "6 tháng đầu năm"),
    ("first half of", "6 tháng đầu năm"), ("first half", "6 tháng đầu năm"), ("review", "sơ kết"),
    ("hold", "tổ chức"), ("held", "tổ chức"), ("its", ""), ("for", ""), ("on", ""),
    ("end of", "hết"), ("in", ""), ("the", ""), ("did", ""), ("does", ""), ("do", ""),
    ("have", "có"), ("has", "có"), ("had", "có"), ("there", ""), ("are", ""), ("were", ""), ("was", ""),
    ("is", ""), ("of", ""), ("a", ""),
]
_ENGLISH_RE = re.compile(r"\b(" + "|".join(re.escape(e) for e, _ in ENGLISH) + r")\b", re.IGNORECASE)
_ENGLISH_MAP = {e: v for e, v in ENGLISH}
_ENGLISH_HINT = re.compile(r"\b(how|what|who|when|where|which|many|much|did|does)\b", re.IGNORECASE)

# Question words, folded. The order matters: the first kind that matches wins.
KINDS = [
    ("number", r"bao nhieu|may (?!nam\b)|so luong|tong so|how many|how much|what number|what percent|what share"
               r"|what proportion|ty le"),
    ("who", r"\bai\b|nguoi nao|dong chi nao|dai bieu nao|who\b|whom\b"),
    ("when", r"khi nao|bao gio|ngay nao|(?<!\w)nam nao|thoi diem nao|luc nao|ngay may|when\b|what date|what day"),
    ("where", r"o dau|tai dau|(?<!ve )tinh nao|huyen nao|(?<!\w)(?:xa|phuong|thon|ap) nao|dia phuong nao|noi nao"
              r"|where\b|which province"),
]
_KIND_RES = [(kind, re.compile(pattern)) for kind, pattern in KINDS]
# Words that close the unit after "bao nhiêu": "bao nhiêu HTX | năm 2023".
_UNIT_STOP = {"nam", "trong", "tai", "o", "cua", "vao", "co", "duoc", "den", "tinh", "huyen", "thi",
              "sao", "vay", "the", "nhi", "a", "hien", "tu", "la", "khi", "dang", "va", "voi", "ma",
              "ha", "khong", "chua", "roi", "nay", "do", "so"}  # "tăng bao nhiêu | so với"
# The same with their diacritics, for questions that have them: "vận tải"
# is a unit's word, "tại" (at) ends it; folded, both are "tai".
_UNIT_STOP_MARKED = {"năm", "trong", "tại", "ở", "của", "vào", "có", "được", "đến", "tỉnh", "huyện", "thì",
                     "sao", "vậy", "thế", "nhỉ", "à", "hiện", "từ", "là", "khi", "đang", "và", "với", "mà",
                     "hả", "không", "chưa", "rồi", "này", "đó", "so"}
# Question words and fillers: not content to match in an article.
# (Folded, so ambiguous syllables stay out: "vay" is both "vậy" and "vay".)
_FILLER = set("""bao nhieu may so luong tong so ai nguoi nao khi nao bao gio ngay nao o dau tai dau
    thi sao nhi a khong chua roi co la gi nao hien nay hien con how many much what who when
    where which did does in of is are was were to date day cua cac nhung duoc da dang se voi va cho
    den trong tai nay toan tinh huyen vung nam""".split())
# Words of a period ("đến hết tháng 5/2024"): they say when, not what a figure is.
# (Not "quy": "quý" is a quarter, but "Quỹ" a fund.)
_PERIOD_WORDS = {"het", "thang", "ngay", "dau", "cuoi", "tuan", "nay", "hien", "nam", "ky", "giai", "doan"}
# "bao nhiêu phần trăm", "chiếm tỷ lệ bao nhiêu": a share, whatever "số HTX ..." came before.
_SHARE_ASKED = re.compile(r"(?:tỷ lệ|tỉ lệ|chiếm)\s+(?:là\s+)?(?:bao nhiêu|mấy)", re.IGNORECASE)
_HOW_MANY = re.compile(r"(?<!\w)(?:bao nhiêu|mấy|how many|how much)(?!\w)", re.IGNORECASE)
# Dates and periods in a question: "20/2/2024", "5/2024", "Giai đoạn 2012-2016".
_DATE_IN_QUESTION = re.compile(r"(?<!\d)(?:(?:19|20)\d\d\s*[-–]\s*(?:19|20)\d\d|\d{1,2}/\d{1,2}/\d{2,4}"
                               r"|\d{1,2}/\d{4}|\d{1,2}/\d{1,2})(?![\d/])")

_FOLLOW_UP = re.compile(
    r"^(?:(?:còn|thế còn|vậy còn|the con|con|vay con|and|what about|how about)\s+)(.*?)"
    r"(?:\s+(?:thì sao|thi sao|thế nào|the nao|ra sao|thì thế nào|nhỉ|vậy))?\s*\??$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Question:
    text: str  # as the user typed it (NFC)
    kind: str = "what"  # number | who | when | where | what
    unit: tuple[str, ...] = ()  # folded, abbreviated tokens of the figure's unit: ("htx",)
    unit_text: str = ""  # the unit as typed, for restating: "HTX"
    places: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    keywords: tuple[str, ...] = ()  # folded content tokens to look for
    # For a figure asked without a unit ("vốn điều lệ là bao nhiêu?"): "money"
    # or "percent", read from the words around it; None when nothing implies one.
    unit_class: str | None = None
    # What a unit-less figure is ("vốn điều lệ", "tỷ lệ HTX yếu kém"), to be
    # found next to the figure, as the question may put it: its first content
    # words ("Vốn điều lệ của quỹ là bao nhiêu?"), the three right before the
    # question word ("... Quỹ Trung ương số vốn | là bao nhiêu?") or the three
    # right after it, its unit left out ("đạt bao nhiêu phần trăm | kế hoạch").
    subject: tuple[str, ...] = ()
    before_ask: tuple[str, ...] = ()
    after_ask: tuple[str, ...] = ()
    english: bool = False
    # The standalone question a follow-up stands for; equals text otherwise.
    resolved: str = ""

    @property
    def search_text(self) -> str:
        """What retrieval sees: the resolved question, with the English
        glossed in Vietnamese and inherited place and year spelled out."""
        extra = []
        if self.english:
            extra.append(gloss(self.resolved))
        for place in self.places:
            if fold(place) not in fold(self.resolved):
                extra.append(place)
        for year in self.years:
            if str(year) not in self.resolved:
                extra.append(f"năm {year}")
        return " ".join([self.resolved, *extra]).strip()


def gloss(text: str) -> str:
    """A word-for-word Vietnamese rendering of the sector's English terms."""
    return re.sub(r"\s+", " ", _ENGLISH_RE.sub(lambda m: _ENGLISH_MAP[m.group(1).lower()], text)).strip()


def _is_english(text: str) -> bool:
    return not has_diacritics(text) and bool(_ENGLISH_HINT.search(text))


def _kind(folded: str) -> str:
    for kind, pattern in _KIND_RES:
        if pattern.search(folded):
            return kind
    return "what"


def _unit(text: str) -> tuple[tuple[str, ...], str]:
    """The words after "bao nhiêu"/"mấy"/"số lượng" up to a stop word."""
    words = text.split()
    folded = [fold(w).strip("?.,!:;") for w in words]
    if has_diacritics(text):
        marked = [w.lower().strip("?.,!:;") for w in words]
        stops = [m in _UNIT_STOP_MARKED for m in marked]
    else:
        stops = [f in _UNIT_STOP for f in folded]
    for i, w in enumerate(folded):
        two = " ".join(folded[i : i + 2])
        start = None
        if two in ("bao nhieu", "so luong", "tong so", "how many", "how much"):
            start = i + 2
        elif w == "may" and words[i].lower().strip("?.,!:;") != "máy" and i + 1 < len(folded) \
                and not stops[i + 1]:
            start = i + 1
        if start is None:
            continue
        end = start
        # Up to six words, so that a glossed "thành lập mới hợp tác xã" keeps its
        # noun; a capitalised word ("Lang Son") is a place, not the unit.
        while end < len(folded) and end - start < 6 and folded[end] and not stops[end] \
                and not folded[end].isdigit() and not (end > start and words[end][:1].isupper()
                                                       and not words[end].isupper()):
            end += 1
        if end > start:
            unit_text = " ".join(w.strip("?.,!:;") for w in words[start:end])
            unit = tuple(tokens(gloss(unit_text)))
            # "new cooperatives" -> "thành lập mới HTX": the count is of HTX.
            for cue in (("thanh", "lap", "moi"), ("thanh", "lap"), ("moi",)):
                if unit[: len(cue)] == cue and len(unit) > len(cue):
                    unit = unit[len(cue):]
                    break
            return unit[:4], unit_text
    # "Số HTX ... là bao nhiêu?", "Tổng số thành viên ... là bao nhiêu?"
    if any(" ".join(folded[i : i + 2]) == "bao nhieu" for i in range(len(folded))):
        for i, w in enumerate(folded):
            if w == "so" and (i == 0 or folded[i - 1] in ("tong", "la", "co") or folded[i - 1].isdigit()
                              or words[i - 1].endswith((",", ":"))):  # "Năm 2021 số HTX ..."
                end = i + 1
                while end < len(folded) and end - i <= 3 and not stops[end] and folded[end] != "luong":
                    end += 1
                if end > i + 1:
                    unit_text = " ".join(w.strip("?.,!:;") for w in words[i + 1 : end])
                    return tuple(tokens(unit_text)), unit_text
    return (), ""


def parse(text: str, known_places=()) -> Question:
    text = " ".join(text.split())
    english = _is_english(text)
    viet = gloss(text) if english else text
    # "máy móc" (machines) folds to "may moc", like "mấy" (how many).
    kind = _kind(fold(re.sub(r"(?<!\w)[Mm]áy(?!\w)", "machine", text)))
    places = tuple(places_in_question(text, known_places))
    years = tuple(years_in_question(text))
    unit, unit_text = _unit(viet)
    if unit[:2] == ("phan", "tram") or _SHARE_ASKED.search(viet):  # a share, written "133%"
        unit, unit_text = (), ""
    place_tokens = {t for p in places for t in tokens(p)}
    # Dates ("20/2/2024", "5/2024") constrain the period; they are not words to match.
    def content(part: str) -> tuple[str, ...]:
        return tuple(t for t in tokens(_DATE_IN_QUESTION.sub(" ", part)) if t not in _FILLER
                     and t not in place_tokens and t not in {str(y) for y in years})

    keywords = content(viet)
    before_ask = after_ask = ()
    asked = _HOW_MANY.search(viet) if kind == "number" else None
    if asked:
        before_ask = tuple(t for t in content(viet[: asked.start()]) if t not in _PERIOD_WORDS)[-3:]
        after_ask = tuple(t for t in content(viet[asked.end():]) if t not in unit and t not in ("phan", "tram"))[:3]
    return Question(text=text, kind=kind, unit=unit, unit_text=unit_text, places=places,
                    years=years, keywords=keywords, english=english, resolved=text,
                    unit_class=_unit_class(unit, tokens(viet)),
                    subject=_subject(keywords),
                    before_ask=before_ask, after_ask=after_ask)


_MONEY_WORDS = {"von", "no", "doanh", "ngan", "tien", "kinh", "thu", "ty", "trieu", "dong", "capital",
                "money"}


def _unit_class(unit, keywords) -> str | None:
    if unit and unit[0] in MONEY_NOUNS:
        return "money"
    if unit:
        return None
    words = set(keywords)
    if {"ty", "le"} <= words or "phan" in words and "tram" in words:
        return "percent"
    if words & {"von", "tien", "phi"} or {"du", "no"} <= words or {"doanh", "so"} <= words \
            or {"doanh", "thu"} <= words or {"giai", "ngan"} <= words or {"thu", "nhap"} <= words \
            or {"thiet", "hai"} <= words:  # "gây thiệt hại bao nhiêu": damage is counted in money
        return "money"
    return None


def _subject(keywords: tuple[str, ...]) -> tuple[str, ...]:
    """The first five content words, without the period ("đến hết năm") or
    "phần trăm", which name no figure's subject."""
    words = [k for k in keywords if k not in _PERIOD_WORDS]
    out = []
    for i, w in enumerate(words):
        if (w, words[i + 1] if i + 1 < len(words) else "") == ("phan", "tram") \
                or (words[i - 1] if i else "", w) == ("phan", "tram"):
            continue  # "phần trăm" (not "phân loại": both fold to "phan")
        out.append(w)
    return tuple(out[:5])


def is_follow_up(text: str) -> bool:
    """"Còn X thì sao?": meaningless without an earlier question."""
    return bool(_FOLLOW_UP.match(text))


@dataclass
class Conversation:
    """One user's conversation: the questions so far, as resolved."""

    turns: list[Question] = field(default_factory=list)

    @property
    def last(self) -> Question | None:
        return self.turns[-1] if self.turns else None

    def clear(self) -> None:
        self.turns.clear()


def resolve(q: Question, previous: Question | None, known_places=()) -> Question:
    """Fill in what a follow-up leaves out from the previous question.

    - "Còn X thì sao?" repeats the previous question with X in place of its
      unit, its place or its year, whichever X is.
    - A question with no place (and no year) keeps the previous ones.
    """
    if previous is None:
        return q
    m = _FOLLOW_UP.match(q.text)
    if m and q.kind == "what":
        subject = m.group(1).strip(" ?")
        sub = parse(subject, known_places)
        frame = previous.resolved
        if sub.places:
            new_places = sub.places
            for old in previous.places:
                frame = _replace_place(frame, old, new_places[0])
            if not previous.places:
                frame = f"{frame.rstrip('?')} ở {new_places[0]}?"
            resolved = frame
            years = sub.years or previous.years
        elif sub.years:
            new_places = previous.places
            resolved = re.sub(r"(?<!\d)(19|20)\d\d(?!\d)", str(sub.years[0]), frame, count=1) \
                if previous.years else f"{frame.rstrip('?')} năm {sub.years[0]}?"
            years = sub.years
        else:
            new_places = previous.places
            years = previous.years
            subject = re.sub(r"^(?:số lượng|số|so luong|so)\s+", "", subject, flags=re.IGNORECASE)
            if previous.unit_text and previous.unit_text in frame:
                resolved = frame.replace(previous.unit_text, subject, 1)
            else:
                resolved = f"{frame.rstrip('?')} — {subject}?"
        new = parse(resolved, known_places)
        return replace(new, text=q.text, places=tuple(new_places) or new.places,
                       years=tuple(years) or new.years)
    elliptical = m or (not q.places and len(q.keywords) <= 3)  # "Tăng bao nhiêu so với năm 2020?"
    if elliptical and q.kind == "number" == previous.kind and not q.unit and not q.unit_class and previous.unit:
        # "Còn giải thể bao nhiêu?" after "... bao nhiêu HTX?": still HTX.
        q = replace(q, unit=previous.unit, unit_text=previous.unit_text,
                    unit_class=previous.unit_class)
    if not q.places and q.kind in ("who", "when", "where") and len(q.keywords) <= 4:
        # "Cuộc họp diễn ra ngày nào?" after "Ai chủ trì cuộc họp sơ kết ...?":
        # the meeting is the one just asked about, so its words count too.
        q = replace(q, keywords=tuple(dict.fromkeys(q.keywords + previous.keywords)))
    places = q.places or previous.places
    years = q.years or (previous.years if not q.places or q.places == previous.places else ())
    if places == q.places and years == q.years:
        return q
    suffix = ", ".join([*([p for p in places if p not in q.places]),
                        *([f"năm {y}" for y in years if y not in q.years])])
    resolved = f"{q.text.rstrip(' ?')} ({suffix})?" if suffix else q.text
    return replace(q, places=tuple(places), years=tuple(years), resolved=resolved)


def _replace_place(frame: str, old: str, new: str) -> str:
    pattern = re.compile(re.escape(old), re.IGNORECASE)
    if pattern.search(frame):
        return pattern.sub(new, frame, count=1)
    folded_frame = fold(frame)
    i = folded_frame.find(fold(old))
    if i >= 0:  # the frame spelled it without diacritics
        return frame[:i] + new + frame[i + len(old):]
    return frame
