"""Figures as Vietnamese articles write them: where a figure and its unit
are in a sentence ("1.025 HTX", "7,5 tỷ đồng", "20 – 30 HTX"), its value
("1.025" is 1025, "7,5" is 7.5), and how to write a computed one back
(1025 -> "1.025", 231.37 -> "231,4").
"""

from __future__ import annotations

import re

from .text import NUMBER_RE, normalize_number, tokens

# After a figure, words up to one of these belong to its unit.
_UNIT_END = re.compile(r"[,;:.()\[\]–—\-/|]|\s(?:với|và|trong|đạt|so|tăng|giảm|của|cho|tại|ở|là|thì|"
                       r"được|đã|đang|có|từ|đến|hoạt|vượt|bằng|theo|gồm|như)\s")

_RANGE = re.compile(r"\s?[–-]\s?(\d+(?:[.,]\d+)*)(?![\d/])")


# Figures in digits, and small ones in words before a unit ("hai HTX", "sáu
# giải Grammy"); not "một" (also "a") nor "năm" (also "year"), not "thứ hai".
_FIGURE_RE = re.compile(r"(?<![^\W\d])" + NUMBER_RE.pattern  # not "F1", "H5N1": names, not figures
                        + r"|(?<!\w)(?<!thứ )(?:hai|ba|bốn|sáu|bảy|tám|chín|mười)(?= [^\W\d])")


# A number right after one of these is a label, not a figure (lower case):
# an ordinal ("khoá 14", "lần thứ 19"), a document ("Điều 2", "Thông tư 16",
# "Chỉ thị 05"), a month or quarter ("tháng 6", "Quý 3"), an address or a
# road ("tổ 5", "quận 1", "Q. 12", "Quốc lộ 18"), a class ("lớp 4").
# Measured on evaluation/data/figures_judged.jsonl (python -m evaluation precision).
_LABEL_BEFORE = re.compile(
    r"(?<!\w)(?:khoá|khóa|(?<!định )kỳ|(?<!định )kì|thứ|điều|khoản|chương|mục|thông tư|nghị định|quyết định"
    r"|chỉ thị|thông báo|công văn|(?<!mỗi )(?<!hằng )tháng|quý|quốc lộ|tỉnh lộ|ql"
    # an address, unless it is "each" one: "tổ 5", not "mỗi tổ 10 thành viên"
    r"|(?<!mỗi )(?<!các )(?<!từng )(?<!những )(?:quận|q\.|tổ|phường|ấp|xóm|khu phố|lớp))\s*$", re.IGNORECASE)
# "Ngày 19-7,", "hôm 30.6,", "6-4-2016": a day and month (day ≤ 31, month ≤
# 12), when a word for a day is before it or no unit after it; "8-10 tỉ USD",
# "1-3 con rắn" are ranges.
_DAY_MONTH = re.compile(r"(\d{1,2})[-.](\d{1,2})(?!\d|[.,]\d)")
_DAY_WORD = re.compile(r"(?<!\w)(?:ngày|sáng|chiều|tối|trưa|đêm|hôm|mùng|mồng)\s*$", re.IGNORECASE)
_NO_UNIT = re.compile(r"\s*(?:$|[,.;:)]|-\d{4}|(?:trên|ở|tại|đến|và|khi|thì|về|là)(?!\w))")


def _is_label_or_date(sentence: str, s: int, e: int) -> bool:
    before, after = sentence[max(0, s - 16) : s], sentence[e:]
    if before[-1:].isdigit() or _LABEL_BEFORE.search(before) or re.search(r"\dh$", before) \
            or re.match(r"h\d", after):
        return True  # the "0" of "18h20", "khoá 14", "Điều 2", "tháng 6", the hours of "13h45"
    year = re.match(r"\d{4}$", sentence[s:e])
    if year and 1900 <= int(year.group()) < 1980 and _NO_UNIT.match(after):
        return True  # "Sau 1954, …": a year before the articles' own (those are skipped below)
    date = _DAY_MONTH.match(sentence, s)
    if not date or not (1 <= int(date.group(1)) <= 31 and 1 <= int(date.group(2)) <= 12):
        return False
    return bool(_DAY_WORD.search(before)) or bool(_NO_UNIT.match(sentence[date.end():]))


def figure_spans(sentence: str):
    """(start, end) of figures with their unit: "1.025 HTX", "7,5 tỷ đồng",
    "40,6%", "81/106 xã". Dates, years, and document numbers are skipped."""
    taken = 0
    for m in _FIGURE_RE.finditer(sentence):
        s, e = m.span()
        if s < taken:
            continue  # the upper end of a range already yielded
        before, after = sentence[max(0, s - 12) : s], sentence[e : e + 12]
        if before.endswith(("/", "-")) or before.endswith("số ") and not before.endswith("tổng số ") \
                or re.match(r"[-/][A-ZĐ]", after):
            continue  # "20-NQ/TW", "1517/QĐ-UBND", "tiêu chí số 13"
        if after.startswith("/"):
            frac = re.match(r"/(\d+)", after)
            if frac and 12 < int(frac.group(1)) < 1900 and int(m.group()) <= int(frac.group(1)):
                e += frac.end()  # "81/106": a share, not a date
            else:
                continue  # "12/6", "5/2024": a date
        if re.match(r"\d{4}$", m.group()) and 1980 <= int(m.group()) <= 2049:
            continue  # a year
        if m.group()[:1].isdigit() and _is_label_or_date(sentence, s, e):
            continue
        upper = _RANGE.match(sentence, e)
        if upper and not 1980 <= int(re.sub(r"\D", "", upper.group(1))[:4] or 0) <= 2049:
            e = taken = upper.end()  # "20 – 30 HTX": a range is one figure
        rest = sentence[e:]
        if rest.startswith("%"):
            yield s, e + 1
            continue
        stop = _UNIT_END.search(" " + rest + " ")
        unit = rest[: stop.start() - 1 if stop else len(rest)]
        words = re.match(r"(?:\s*[^\s]+){1,4}", unit)  # at most four words of unit
        longer = re.match(r"(?:\s*[^\s]+){5}", unit)
        if words and longer and len(tokens(longer.group())) <= len(tokens(words.group())):
            words = longer  # a fifth word that completes "liên hiệp hợp tác xã"
        yield s, e + (words.end() if words else 0)



_WORD_NUMBERS = {"hai": 2, "ba": 3, "bốn": 4, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9, "mười": 10}


def value_of(figure: str) -> float | None:
    """The value of a figure's number as written ("1.025" -> 1025.0, "7,5"
    -> 7.5, "hai" -> 2.0); None for a range ("20 – 30"), a date written with
    dots ("22.5.2016") or no number."""
    figure = figure.strip()
    if _RANGE.search(figure):
        return None
    m = NUMBER_RE.match(figure)
    if m:
        try:
            return float(normalize_number(m.group()))
        except ValueError:  # "22.5.2016": no one number
            return None
    word = figure.split(" ", 1)[0].lower()
    return float(_WORD_NUMBERS[word]) if word in _WORD_NUMBERS else None


# Money, folded: the words right after a number that make it a sum ("24 tỷ
# đồng", "500 nghìn"), and what a question names when it asks for a sum
# ("bao nhiêu tiền", "vốn bao nhiêu"). Once here: the reader and the question
# parser used to keep two lists that differed.
MONEY_UNITS = frozenset({"ty", "ti", "trieu", "nghin", "ngan", "dong"})
MONEY_NOUNS = MONEY_UNITS | {"tien", "von"}

# "trên 90 ngàn thành viên": a count written with its scale word.
SCALES = {"nghìn": 1e3, "ngàn": 1e3, "ngàn": 1e3, "triệu": 1e6}
_SCALED = re.compile(r"^(\S+)\s+(" + "|".join(SCALES) + r")(?!\w)\s*", re.IGNORECASE)


def count_of(figure: str) -> float | None:
    """The value of a count with its scale word: "90 ngàn thành viên" ->
    90000.0 (money keeps its own unit: not for "tỷ đồng")."""
    value = value_of(figure)
    scaled = _SCALED.match(figure.strip())
    return value * SCALES[scaled.group(2).lower()] if value is not None and scaled else value


def unit_of(figure: str) -> str:
    """A figure's words after its number and scale: "90 ngàn thành viên" -> "thành viên"."""
    figure = figure.strip()
    scaled = _SCALED.match(figure)
    return figure[scaled.end():] if scaled else re.sub(r"^\S+\s*", "", figure)


def vietnamese_number(value: float, decimals: int = 1) -> str:
    """A number in Vietnamese format: thousands with '.', decimals with ','
    (1025 -> "1.025", 231.37 -> "231,4", -354 -> "-354")."""
    rounded = round(value, decimals)
    if rounded == int(rounded):
        return f"{int(rounded):,}".replace(",", ".")
    whole, frac = f"{abs(rounded):,.{decimals}f}".split(".")
    sign = "-" if rounded < 0 else ""
    return sign + whole.replace(",", ".") + "," + frac.rstrip("0")
