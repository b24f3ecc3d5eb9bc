"""The extractive answerer: pick the sentence that answers, mark the figure,
name, date or place asked for, and state it in one Vietnamese sentence.

No language model is involved, so every word of an answer's span is in the
article. A candidate must clear checks that mirror how an official reads a
figure: the unit asked for follows the number ("1.025 HTX", not "2.579 tổ
hợp tác"), the sentence is not about another place or year, and it is not a
target, an increase or a count of new cooperatives unless that was asked.
When no candidate clears them the answer is a refusal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from vietnamese.numbers import MONEY_UNITS
from vietnamese.numbers import figure_spans as _number_spans
from vietnamese.places import GAZETTEER, districts_in, provinces_in
from vietnamese.text import (NUMBER_RE, fold, has_diacritics, lexical_terms, normalize_number, sentence_spans,
                             tokens)
from vietnamese.years import years_in

from .injection import looks_like_instructions
from .question import Question, gloss
from .types import Answer, Citation

# Words before a number that change what it counts. A number after one of
# these answers "bao nhiêu HTX" only if the question says so too.
# (Each a regular expression over folded text; one cue per alternative.)
CUES = [r"thanh lap(?: moi)?", "giai the", "tang", "giam", r"muc tieu|ke hoach|phan dau|du kien",
        "vuot", "so voi", "bo sung", r"(?<!quy )ho tro", r"vay(?: von)?", "gioi thieu", "huong dan", "tu van",
        "to chuc", "kiem tra", "lua chon", "phe duyet", "trong do", "dang hoat dong", "du no",
        "doanh so", "doanh thu", "giai ngan", "binh quan", "thu nhap", "dieu le"]
_CUE_RES = [(c, re.compile(r"(?<!\w)(?:" + c + r")(?!\w)")) for c in CUES]
_CLAUSE_END = re.compile(r"[,;:.!?()]")

SURNAMES = set("""Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Hà Đoàn Đinh
    Lương Trương Mai Lâm Tô Cao Chu Trịnh Tạ Lưu Thái Quách Kiều Châu Giang Tăng Thân La Hứa Triệu Vương
    Tống Phùng Đàm Khổng Mạc Nông Lục Hầu Bạch Lò Sầm Vi Lã Âu Doãn Đào Kim Lạc Mạnh Nghiêm Ông Phí
    Quan Tôn Từ Văn Y""".split())
# Upper-case letters, Vietnamese ones included: "Võ Minh Á", "Hà Thị Việt Ánh".
_UPPER = "A-Z" + "".join(chr(c) for c in range(0xC0, 0x1EFA) if chr(c).isupper())
_NAME_RE = re.compile(rf"(?<!\w)([{_UPPER}][\wÀ-ỹ]*(?:\s+[{_UPPER}][\wÀ-ỹ]*){{1,4}})")
_DATE_RE = re.compile(
    r"(?:(?:sáng|chiều|tối|trưa|ngày|hôm)\s+(?:nay\s+)?\(?)?\d{1,2}/\d{1,2}(?:/\d{4})?\)?"
    r"|tháng\s+\d{1,2}/\d{4}|(?:ngày\s+)?\d{1,2}\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?"
    r"|(?:tháng\s+\d{1,2}\s+)?(?:(?:những\s+)?năm\s+)?(?<![\d/.,])(?:1[0-9]|20)\d\d(?!\d|/|[.,]\d)",
    re.IGNORECASE,
)
TIEBREAK = 1.0
# For figures the idf tiebreak weighs less: it prefers the longer sentence
# ("348 HTX hoạt động trong các lĩnh vực ...") over the one whose clause
# matches ("265 HTX đang hoạt động"). 0.5 fixed that without a loss.
TIEBREAK_NUMBER = 0.5
# A sentence quoted whole (no figure, name or date to check) needs this share
# of the question's words and this score. Figures keep their stricter checks:
# a wrong figure is the worst answer; a relevant sentence that misses is not.
# Measured on XQuAD-vi (docs/quality.md): 0.6 / 1.5 refused half the questions.
WHAT_OVERLAP = 0.4
WHAT_SCORE = 1.0
# ... but a who/when/where question answered with a whole sentence (no name,
# date or place was found near its words) keeps the strict check.
FALLBACK_OVERLAP = 0.6
FALLBACK_SCORE = 1.5

REFUSAL = "Các bài viết đã lập chỉ mục không nêu thông tin này"


@dataclass
class Candidate:
    score: float
    source: str
    sentence: str
    start: int  # absolute offsets of the sentence in the article
    end: int
    span: tuple[int, int]  # offsets of the answer inside the sentence
    doc: object  # the LangChain Document it came from
    overlap: float
    unit_ok: bool
    # Ordering only (confidence is judged on score and overlap): score plus
    # how much of the question's idf-weighted words the sentence has.
    rank_score: float = 0.0


def _years_context(doc_text: str, rel: int) -> set[int]:
    """Years stated in the paragraph (line) of the passage around offset rel."""
    line_start = doc_text.rfind("\n", 0, rel) + 1
    line_end = doc_text.find("\n", rel)
    return set(years_in(doc_text[line_start : None if line_end < 0 else line_end]))


def _overlap(keywords, sentence_tokens: set[str]) -> float:
    if not keywords:
        return 1.0
    return sum(1 for k in keywords if k in sentence_tokens) / len(keywords)


def _weighted_overlap(keywords, sentence_tokens: set[str], weights: dict) -> float:
    """The share of the keywords found, each weighted by its idf: finding
    "Kuechly" tells more than finding "của"."""
    total = sum(weights[k] for k in keywords)
    return sum(weights[k] for k in keywords if k in sentence_tokens) / total if total else 0.0




def _subject_fit(q: Question, sentence: str, a: int, b: int, spans) -> list[float]:
    """How well the words next to a figure name what was asked ("dư nợ hiện
    tại là | 63,4 tỷ đồng"), for each way the question puts it (q.subject,
    q.before_ask, q.after_ask): looked for back to the previous figure and,
    for a share, on to the end of its clause ("trên 50% | số HTX hoạt động
    tốt"). Each 0 when its head (the first two words: "dư nợ") is not there."""
    # Back to the previous figure; for a share, back to its start: the unit of
    # the figure before often says what is shared ("1.642 hợp tác xã, chiếm 15,16%").
    prev = max([(s if q.unit_class == "percent" else e) for s, e in spans if e <= a], default=0)
    window = set(lexical_terms(sentence[max(prev, a - 80) : a]))
    if q.unit_class in ("percent", "money"):  # "75 triệu đồng | để mua máy gặt"
        end = _CLAUSE_END.search(sentence, b)  # "(40,6%), tỷ lệ HTX yếu kém (23%)": not past the clause
        following = min([s for s, e in spans if s >= b] + [end.start() if end else len(sentence)])
        window |= set(lexical_terms(sentence[b : min(following, b + 50)]))
    fits = []
    for words in (q.subject, q.before_ask, q.after_ask):
        head = list(words[:2]) + ["_".join(words[:2])] if len(words) >= 2 else list(words)
        terms = list(words) + [x + "_" + y for x, y in zip(words, words[1:])]
        fits.append(_overlap(terms, window) if words and _overlap(head, window) >= 0.6 else 0.0)
    return fits


def _names(sentence: str):
    for m in _NAME_RE.finditer(sentence):
        words = m.group(1).split()
        # Start at the surname: "Bí thư Trần Thế Dũng" -> "Trần Thế Dũng".
        for i, w in enumerate(words):
            if w in ("Ông", "Bà") and i + 1 < len(words) and words[i + 1] in SURNAMES:
                continue  # "Ông Đặng Quốc Khánh": an honorific before the surname
            if w in SURNAMES and len(words) - i >= 2:
                name = " ".join(words[i:])
                if name not in GAZETTEER and not provinces_in(name):
                    start = m.start(1) + len(" ".join(words[:i])) + (1 if i else 0)
                    yield start, start + len(name)
                break


def _places(sentence: str, level: str | None = None):
    """Places named in a sentence. Asked "xã nào?"/"ấp nào?" (level "xa",
    "ap"), only communes, hamlets… of that level, with the word that says so:
    "ấp 4" names a hamlet, "4" alone names nothing."""
    if level is None:
        for name in provinces_in(sentence) + districts_in(sentence):
            i = sentence.find(name)
            if i >= 0:
                yield i, i + len(name)
    for m in _COMMUNE.finditer(sentence):
        if level is None or fold(m.group(1)) == level:
            yield m.span()


def _clause(sentence: str, a: int, b: int) -> str:
    """The folded clause around a span: from the punctuation before it to the
    punctuation after it ("toàn tỉnh tăng 5 HTX so với năm 2022")."""
    starts = [m.end() for m in _CLAUSE_END.finditer(sentence, 0, a)]
    end = _CLAUSE_END.search(sentence, b)
    return fold(sentence[starts[-1] if starts else 0 : end.start() if end else len(sentence)])


def _cues(folded: str) -> set[str]:
    return {cue for cue, pattern in _CUE_RES if pattern.search(folded)}


def _near(sentence: str, a: int, b: int, before: int = 6, after: int = 4) -> str:
    """The folded words right around a span, within its clause: a few words
    before ("đã hướng dẫn | 1 HTX") and after ("35 HTX | giải thể")."""
    starts = [m.end() for m in _CLAUSE_END.finditer(sentence, 0, a)]
    end = _CLAUSE_END.search(sentence, b)
    left = sentence[starts[-1] if starts else 0 : a].split()[-before:]
    right = sentence[b : end.start() if end else len(sentence)].split()[:after]
    return fold(" ".join(left + [sentence[a:b]] + right))


@dataclass(frozen=True)
class AskedCues:
    """The cues of a question: those around its question word ("thành lập
    mới bao nhiêu HTX") qualify the figure; the others ("... vay vốn từ Quỹ
    hỗ trợ") only its context."""

    near: frozenset
    anywhere: frozenset


# "bao nhiêu" typed without diacritics ("co bao nhieu htx dang hoat dong").
_HOW_MANY_FOLDED = r"(?:la\s+)?(?:bao nhieu|so luong|tong so)"


def asked_cues(q: Question) -> AskedCues:
    frame = q.resolved
    if q.english:  # "How many cooperatives were borrowing ..." -> "... hợp tác xã vay vốn ..."
        frame = gloss(frame)
        m = re.search(r"how (?:many|much)", frame, re.IGNORECASE)
    else:
        m = re.search(_WH["number"], frame, re.IGNORECASE)
    if m is None and not has_diacritics(frame):
        m = re.search(_HOW_MANY_FOLDED, frame, re.IGNORECASE)
    if m:
        b = m.end()
        if q.unit_text:
            u = frame.find(q.unit_text, b)
            b = u + len(q.unit_text) if 0 <= u <= b + 2 else b
        near = _cues(_near(frame, m.start(), b))
    else:
        near = set()
    return AskedCues(frozenset(near), frozenset(_cues(fold(frame))))


def _cue_penalty(sentence: str, a: int, b: int, asked: AskedCues, whole_unit: frozenset = frozenset()) -> float:
    """A cue on one side only means the figure counts something else: "thành
    lập mới 35 HTX" does not answer "có bao nhiêu HTX", and "153 HTX" does not
    answer "giải thể bao nhiêu HTX". (``whole_unit``: cues that do not count
    against a figure whose unit is the whole unit asked — "trong đó 738 HTX
    vận tải đường bộ" is the part asked for.)"""
    penalty = 1.0 * len(_cues(_near(sentence, a, b)) - asked.anywhere - whole_unit)
    penalty += 1.8 * len(asked.near - _cues(_clause(sentence, a, b)))
    penalty += 0.6 * len(asked.anywhere - asked.near - _cues(_clause(sentence, a, b)))
    return penalty


_PART = frozenset({"trong do"})
_TITLES = re.compile(r"(?<!\w)(pho\s+)?(chu tich|bi thu|giam doc|truong phong|truong ban|truong|chanh van phong)"
                     r"(?!\w)")


_FORMER = re.compile(r"(?<!\w)(?:nguyên|cựu)\s+(?=(?:Phó\s+)?(?:Chủ tịch|Bí thư|Giám đốc|Trưởng|Chánh))",
                     re.IGNORECASE)


def _role_region(sentence: str, a: int, b: int, names) -> str:
    """The folded words that describe the person at (a, b): from the name
    before it to the name after it, within its ';'-separated part — titles come
    before ("Phó Chủ tịch UBND tỉnh Hà Trọng Hải") or after ("ông Nguyễn Thanh
    Toản – Phó Bí thư Huyện ủy, Chủ tịch UBND huyện")."""
    left = max([e for s, e in names if e <= a], default=0)
    right = min([s for s, e in names if s >= b], default=len(sentence))
    left = max(left, sentence.rfind(";", 0, a) + 1)
    semi = sentence.find(";", b)
    right = min(right, semi) if semi >= 0 else right
    region = sentence[left:a] + " " + sentence[b:right]
    # "nguyên Chủ tịch": a former holder does not answer who holds the office.
    region = _FORMER.sub(" cuu ", region)
    return fold(region)


def _role_body(question_folded: str) -> list[str]:
    """The words that follow the title asked about, naming its body:
    "phó bí thư thường trực | huyện ủy cẩm xuyên" (up to four words)."""
    asked = _TITLES.search(question_folded)
    if not asked:
        return []
    rest = _CLAUSE_END.split(question_folded[asked.end():])[0]
    return [t for t in tokens(rest) if t not in _ROLE_FILLER][:4]


_ROLE_FILLER = {"thuong", "truc", "la", "ai", "nao", "dong", "chi", "nguoi", "cua", "tai", "o", "phat", "bieu",
                "du", "va"}


def _role_fits(clause: str, question_folded: str) -> bool:
    """"Chủ tịch UBND tỉnh là ai?" is answered by a name whose own clause says
    "Chủ tịch" — not "Phó Chủ tịch", not "Bí thư"."""
    asked = _TITLES.search(question_folded)
    if not asked:
        return True
    former_asked = bool(re.search(r"\b(?:nguyen|cuu)\s+(?:pho\s+)?" + re.escape(asked.group(2)), question_folded))
    for m in _TITLES.finditer(clause):
        former = clause[max(0, m.start() - 4) : m.start()] == "cuu "
        if m.group(2) == asked.group(2) and bool(m.group(1)) == bool(asked.group(1)) and former == former_asked:
            return True
    return False


_COMMUNE = re.compile(r"(xã|phường|thị trấn|ấp|thôn|bản)\s+((?:[A-ZĐ0-9][\wÀ-ỹ]*)(?:[ \t]+[A-ZĐ0-9][\wÀ-ỹ]*){0,2})")
# "ở xã nào?", "đặt tại ấp nào?": the level of place asked for, folded.
_ASKED_LEVEL = re.compile(r"(?<!\w)(xa|phuong|thi tran|ap|thon|ban) nao(?!\w)")


_MULTIPLIERS = {"nghin", "ngan", "trieu", "ty", "van"}
_TIME_UNITS = {"thang", "nam", "ngay", "gio", "quy", "tuan", "lan"}


# Units that count the same things: members of a committee are "đồng chí".
_UNIT_SYNONYMS = {"nguoi": [("dong", "chi")]}


def _unify(toks: list[str]) -> list[str]:
    """"Liên hiệp HTX" is "liên hiệp hợp tác xã" (lhhtx) too."""
    out = []
    for t in toks:
        if t == "htx" and out[-2:] == ["lien", "hiep"]:
            out[-2:] = ["lhhtx"]
        else:
            out.append(t)
    return out


def _unit_bonus(common: int) -> float:
    """What a figure's unit earns when its first ``common`` words are the unit asked."""
    return 1.5 + 0.4 * (common - 1)


def _unit_fit(q: Question, span_text: str) -> tuple[bool, float]:
    """Does the figure count what was asked? (ok, bonus)"""
    after = _unify(tokens(span_text))[1:]
    q = replace(q, unit=tuple(_unify(list(q.unit))))
    while after and after[0][0].isdigit():  # "20 – 30 HTX": the unit follows the range
        after = after[1:]
    if q.unit_class != "money":  # "90 ngàn thành viên": "ngàn" is part of the number
        while after[1:] and after[0] in _MULTIPLIERS and q.unit[:1] != (after[0],):
            after = after[1:]
    if q.unit:
        if q.unit_class == "money":
            return bool(after) and after[0] in MONEY_UNITS, 1.0
        for synonym in _UNIT_SYNONYMS.get(q.unit[0], ()):
            if tuple(after[: len(synonym)]) == synonym:
                after = [q.unit[0], *after[len(synonym):]]
        if not after or after[0] != q.unit[0]:
            return False, 0.0
        common = 0
        for a, b in zip(after, q.unit):
            if a != b:
                break
            common += 1
        return True, _unit_bonus(common)
    if q.unit_class == "percent":
        return span_text.endswith("%"), 1.0
    if q.unit_class == "money":
        return bool(after) and after[0] in MONEY_UNITS, 1.0
    return not (after and after[0] in _TIME_UNITS), 0.0


def _unit_before(q: Question, sentence: str, a: int) -> tuple[bool, float]:
    """The unit said before the figure: "trong đó HTX nông nghiệp là 13.712"."""
    starts = [m.end() for m in _CLAUSE_END.finditer(sentence, 0, a)]
    before = _unify(tokens(sentence[starts[-1] if starts else 0 : a]))
    while before and before[-1] in ("la", "dat", "gom", "co"):
        before = before[:-1]
    unit = _unify(list(q.unit))
    if before[-len(unit):] == unit and before[-len(unit) - 1 : -len(unit)] != ["so"]:
        return True, _unit_bonus(len(unit))
    return False, 0.0


def _digits(sentence: str, a: int) -> str | None:
    """The figure starting at ``a`` as digits ("10.000" -> "10000"); None for one in words."""
    m = NUMBER_RE.match(sentence, a)
    return normalize_number(m.group()) if m else None


def _year_only(span: str, q: Question, asks_day: bool) -> bool:
    """A bare year ("năm 2024") does not answer "ngày nào?", nor restate the
    year the question already gives."""
    years = re.findall(r"\d{4}", span)
    if not years or re.search(r"/|ngày|tháng", span):
        return False
    return asks_day or int(years[0]) in q.years


def _window(sentence: str, a: int, b: int) -> tuple[set[str], set[str], str]:
    """Tokens (with bigrams) just before and just after a span, and the folded
    text before it."""
    before, after = sentence[max(0, a - 60) : a], sentence[b : b + 40]
    return set(lexical_terms(before)), set(lexical_terms(after)), fold(sentence[max(0, a - 40) : a])


def retrieved_sentences(docs):
    """(rank, doc, start, end) of each distinct sentence of the retrieved
    passages (a sentence repeated by the next passage counts once), less
    those that give orders to the assistant: planted orders are not facts
    (answer/injection.py)."""
    seen = set()
    for rank, doc in enumerate(docs):
        text = doc.page_content
        for s, e in sentence_spans(text):
            key = (doc.metadata["source"], doc.metadata["start"] + s)
            if key not in seen and not looks_like_instructions(text[s:e]):
                seen.add(key)
                yield rank, doc, s, e


def candidates(q: Question, docs, idf=None) -> list[Candidate]:
    question_folded = fold(q.resolved)
    keywords = [k for k in q.keywords if k not in q.unit[:1]]
    kw_terms = keywords + [a + "_" + b for a, b in zip(q.keywords, q.keywords[1:])]
    weights = idf(kw_terms) if idf is not None and kw_terms else None
    asked_places = set(q.places)
    asks_have = bool(re.search(r"\bco\b", question_folded))
    cues = asked_cues(q)
    role_body = _role_body(question_folded)
    asks_day = bool(re.search(r"ngay nao|ngay may|what date|what day|on what day", question_folded))
    asked_numbers = {normalize_number(n) for n in NUMBER_RE.findall(_DATE_RE.sub(" ", q.text))}
    level = _ASKED_LEVEL.search(question_folded)
    level = level.group(1) if level else None
    out: list[Candidate] = []
    passage_overlap = {id(d): _overlap(kw_terms, set(lexical_terms(d.page_content))) for d in docs}
    for rank, doc, s, e in retrieved_sentences(docs):
        meta = doc.metadata
        text = doc.page_content
        sentence = text[s:e]
        # Support from the sentence itself and, less, from its passage:
        # the lede names the meeting, the next sentence its chair.
        sentence_terms = set(lexical_terms(sentence))
        overlap = _overlap(kw_terms, sentence_terms)
        tiebreak = _weighted_overlap(kw_terms, sentence_terms, weights) if weights else 0.0
        overlap = max(overlap, 0.5 * overlap + 0.5 * passage_overlap[id(doc)])
        base = 2.0 * overlap + 0.3 / (1 + rank)

        # Place: the sentence should not be about somewhere else.
        named = set(provinces_in(sentence)) | set(districts_in(sentence))
        if asked_places:
            if named & asked_places:
                base += 0.5
            elif named - asked_places:
                base -= 2.0
        # Year: a sentence that states other years is about another period.
        if q.years:
            own = set(years_in(sentence))
            context = own or _years_context(text, s)
            if set(q.years) & context:
                base += 0.5
            elif own:
                base -= 3.0
            elif context:
                base -= 1.0

        if q.kind == "number":
            spans = list(_number_spans(sentence))
            # A figure the question itself states is not what it asks ("khoảng 130
            # tấn nghêu ... bị chết gây thiệt hại bao nhiêu?"); nor is a date or year.
            spans = [(a, b) for a, b in spans if _digits(sentence, a) not in asked_numbers]
        elif q.kind == "who":
            spans = list(_names(sentence))
        elif q.kind == "when":
            spans = [m.span() for m in _DATE_RE.finditer(sentence)
                     if not _year_only(m.group(), q, asks_day)]
        elif q.kind == "where":
            spans = [sp for sp in _places(sentence, level) if sentence[sp[0]:sp[1]] not in asked_places]
        else:
            spans = [(0, len(sentence))]
        for a, b in spans:
            score, unit_ok = base, True
            before, after, folded_before = _window(sentence, a, b)
            near = _overlap(kw_terms, before | after)
            if q.kind == "number":
                unit_ok, bonus = _unit_fit(q, sentence[a:b])
                if q.unit and not unit_ok and q.unit_class != "money":
                    unit_ok, bonus = _unit_before(q, sentence, a)
                fits = _subject_fit(q, sentence, a, b, spans)
                if (not q.unit or q.unit_class == "money") and q.subject:
                    # "Dân số ... là bao nhiêu?" needs "dân số" right before the figure;
                    # so does money asked with a unit ("bao nhiêu vốn", "bao nhiêu tiền").
                    unit_ok = unit_ok and max(fits) > 0
                    # Only the question's first words weigh: the words by the
                    # question word ("đến hết tháng 5/2024 | là bao nhiêu")
                    # are too often shared by the figures of one sentence.
                    bonus += 2.0 * fits[0]
                elif len(q.before_ask) >= 2:
                    # "Ban Thường vụ gồm mấy người?": "..., Ban Thường vụ gồm | 2 đồng chí".
                    # (One word, "mở mấy lớp", is shared by every figure of a list.)
                    bonus += 2.0 * fits[1]
                per = re.match(r"/(\w+)", sentence[b:])
                if per and tokens(per.group(1))[0] in q.keywords:
                    bonus += 0.5  # "270 triệu đồng/THT" for "mỗi tổ hợp tác"
                elif per and tokens(per.group(1))[0] in ("htx", "tht"):
                    bonus -= 1.0  # ... but not for "các HTX": per group, not per cooperative
                score += bonus if unit_ok else -3.0
                whole = len(q.unit) >= 2 and bonus >= _unit_bonus(len(q.unit))
                score += 1.5 * near - 0.8 * _cue_penalty(sentence, a, b, cues, _PART if whole else frozenset())
                # The cue asked right by the figure, not just in its clause:
                # "655 HTX giải thể và 222 HTX chuyển đổi" for "bao nhiêu HTX giải thể".
                score += 0.5 * len(cues.near & _cues(_near(sentence, a, b, before=2, after=3)))
                if asks_have and re.search(r"\bco\b", fold(sentence[:a])):
                    score += 0.5  # "có bao nhiêu" is answered by "(hiện) có N"
            elif q.kind in ("who", "when", "where"):
                score += 1.5 * _overlap(kw_terms, before) + 0.5 * _overlap(kw_terms, after)
                if q.kind == "where" and asked_places and not named & asked_places \
                        and named - asked_places <= {sentence[a:b]}:
                    score += 2.0  # the other place named is the answer ("ở huyện nào?"), not a mismatch
                if q.kind == "who":
                    region = _role_region(sentence, a, b, spans)
                    if not _role_fits(region, question_folded):
                        score -= 3.0
                    elif role_body:  # "Phó Bí thư ... Huyện ủy Cẩm Xuyên", not "... Tỉnh ủy"
                        score += 3.0 * _overlap(role_body, set(tokens(region))) - 1.0
            out.append(Candidate(score, meta["source"], sentence, meta["start"] + s, meta["start"] + e,
                                 (a, b), doc, max(overlap, near), unit_ok,
                                 score + (TIEBREAK_NUMBER if q.kind == "number" else TIEBREAK) * tiebreak))
    out.sort(key=lambda c: -c.rank_score)
    return out


def confident(q: Question, c: Candidate, strict: bool = False) -> bool:
    """Would an official accept this as the answer? Calibrated on the seed
    questions so that a wrong figure is rarer than a refusal."""
    if q.kind == "number":
        # A figure with no unit asked needs half the question's words; a share
        # or a sum of money (its kind checked by unit_ok) a little less.
        return c.unit_ok and c.score >= 2.0 and (bool(q.unit) or c.overlap >= (0.4 if q.unit_class else 0.5))
    if q.kind in ("who", "when", "where"):
        return c.overlap >= 0.35 and c.score >= 1.5
    if strict:
        return c.overlap >= FALLBACK_OVERLAP and c.score >= FALLBACK_SCORE
    return c.overlap >= WHAT_OVERLAP and c.score >= WHAT_SCORE


def cite(c: Candidate) -> Citation:
    meta = c.doc.metadata
    return Citation(source=c.source, quote=c.sentence, start=c.start, end=c.end,
                    passage=c.doc.page_content, passage_start=meta["start"], highlight=c.span,
                    title=meta.get("title", ""))


def passage_citation(doc) -> Citation:
    meta = doc.metadata
    return Citation(source=meta["source"], quote=doc.page_content, start=meta["start"], end=meta["end"],
                    passage=doc.page_content, passage_start=meta["start"], title=meta.get("title", ""))


_WH = {
    "number": r"(?:là\s+)?(?:bao nhiêu|mấy|số lượng|tổng số)",
    "who": r"(?<!\w)(?:là ai|ai|người nào|đồng chí nào)(?!\w)",
    "when": r"(?:vào\s+)?(?:khi nào|bao giờ|ngày nào|thời điểm nào|lúc nào)",
    "where": r"(?:ở đâu|tại đâu|tỉnh nào|huyện nào|địa phương nào|(?:xã|phường|thị trấn|ấp|thôn|bản) nào)",
}


# A second question in the same sentence ("…, bao nhiêu HTX đang hoạt động?",
# "…, tăng bao nhiêu so với năm 2015?"): the answer stops before it, and says so.
_ANOTHER_ASK = re.compile(r"bao nhiêu|mấy|thế nào|ra sao|như thế nào|là ai|khi nào|ở đâu|\?", re.IGNORECASE)
PART_ANSWERED = " (chỉ trả lời được phần đầu của câu hỏi)"


def rest_of_frame(span: str, rest: str) -> str:
    """What follows the answer in the question's frame: without the unit the
    span already ends with ("348 HTX" + " HTX, …"), and cut at a clause that
    asks something else."""
    words = span.split()
    for n in range(min(3, len(words) - 1), 0, -1):  # never the number itself
        again = re.match(r"\s*" + r"\s+".join(map(re.escape, words[-n:])) + r"(?!\w)", rest, re.IGNORECASE)
        if again:
            rest = rest[again.end():]
            break
    clause = re.search(r"[,;]", rest)
    if clause and _ANOTHER_ASK.search(rest[clause.end():]):
        return rest[: clause.start()] + PART_ANSWERED
    return rest


def state(q: Question, span: str, source: str) -> str:
    """One Vietnamese sentence that answers: the question with the answer
    put where its question word stood ("Hà Tĩnh có bao nhiêu HTX?" ->
    "Hà Tĩnh có 1.025 HTX"), or a plain statement when that would not read."""
    frame = q.resolved
    pattern = _WH.get(q.kind)
    m = None
    if pattern and not q.english:
        if q.kind == "number":  # the question word itself, before "số lượng"/"tổng số"
            pattern = r"(?:là\s+)?(?:bao nhiêu|mấy)" if re.search(r"bao nhiêu|mấy", frame, re.I) else pattern
        if q.kind == "number" and q.unit_text:
            m = re.search(pattern + r"\s+" + re.escape(q.unit_text), frame, re.IGNORECASE)
        m = m or re.search(pattern, frame, re.IGNORECASE)
    if q.english:  # "Ha Tinh, 2023: 1.025 HTX (according to 003_….txt)."
        where = ", ".join([*(p for p in q.places), *(str(y) for y in q.years)])
        return f"{where + ': ' if where else ''}{span} (according to {source})."
    if m:
        lead = "là " if m.group(0).lower().startswith("là") else ("vào " if q.kind == "when" else "")
        sentence = frame[: m.start()] + lead + span + rest_of_frame(span, frame[m.end():])
    else:
        place = ", ".join(q.places)
        year = f" năm {q.years[0]}" if q.years else ""
        if q.kind == "number" and place:
            sentence = f"{place}{year} có {span}"
        else:
            sentence = f"{place}{year}: {span}".strip(": ")
    sentence = sentence.strip().rstrip("?.!… ")
    sentence = sentence[:1].upper() + sentence[1:]
    return f"{sentence} (theo {source})."


def answer(q: Question, docs, idf=None, ranked: list[Candidate] | None = None) -> Answer:
    """The rules' answer; ``ranked``: ``candidates(q, docs, idf)`` when the caller has them already."""
    if not docs:
        return Answer(text=refusal(q), found=False)
    ranked = candidates(q, docs, idf) if ranked is None else ranked
    fell_back = False
    if q.kind in ("who", "when", "where") and not any(c.overlap >= 0.35 for c in ranked):
        # No name, date or place near the question's words (a foreign name,
        # "thế kỷ 18"): the sentence that answers is the answer, judged as such
        # — with the stricter check, since what was asked is not in it.
        q, fell_back = replace(q, kind="what"), True
        ranked = candidates(q, docs, idf)
    if q.kind == "what" and ranked:
        # A whole sentence is quoted from the best-ranked article when it has
        # one: retrieval picks the article better than word overlap picks a
        # sentence across articles (XQuAD-vi: cited hit@1 0.921 -> 0.933).
        top = docs[0].metadata["source"]
        ranked = [c for c in ranked if c.source == top] or ranked
    best = ranked[0] if ranked else None
    if best is None or not confident(q, best, strict=fell_back):
        return Answer(text=refusal(q), found=False, closest=[passage_citation(d) for d in docs[:3]],
                      understood_as=q.resolved)
    span = best.sentence[best.span[0] : best.span[1]]
    return Answer(text=state(q, span, best.source), found=True, citations=[cite(best)],
                  understood_as=q.resolved, span=span)


def refusal(q: Question, unmet: str | None = None) -> str:
    place = ", ".join(q.places)
    years = ", ".join(str(y) for y in q.years)
    if unmet == "place":
        return f"Các bài viết đã lập chỉ mục không có thông tin về {place}."
    if unmet == "year":
        return f"Các bài viết về {place or 'chủ đề này'} không nêu số liệu năm {years}."
    where = f" cho {place}" if place else ""
    when = f" năm {years}" if years else ""
    return f"{REFUSAL}{where}{when}."
