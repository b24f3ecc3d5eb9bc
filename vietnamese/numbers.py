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
    -> 7.5, "hai" -> 2.0); None for a range ("20 – 30") or no number."""
    figure = figure.strip()
    if _RANGE.search(figure):
        return None
    m = NUMBER_RE.match(figure)
    if m:
        return float(normalize_number(m.group()))
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
