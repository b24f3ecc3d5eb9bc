"""Years and dates as Vietnamese articles write them."""

from __future__ import annotations

import re

DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)(?![\d/])")
# A year alone or ending a date ("5/2024", "31/12/2021"), but not inside a
# document number ("25/2024/TT-BTC") or starting a range ("2021-2025").
_YEAR = re.compile(r"(?<![\d.,-])((?:19[89]|20[0-4])\d)(?![\d/]|\s*[-–]\s*(?:19|20)\d\d)")
# Years that are not what a sentence reports about: comparisons ("so với năm
# 2022"), the second half of ranges ("2021-2025") and document numbers.
_NOT_SUBJECT_YEAR = re.compile(
    r"(?:so với|so cùng kỳ|cùng kỳ)\s+(?:năm\s+)?((?:19|20)\d\d)"
    r"|(?:19|20)\d\d\s*[-–]\s*((?:19|20)\d\d)",
    re.IGNORECASE,
)


# The date of a cited document: "Nghị quyết số 20-NQ/TW, ngày 16/6/2022".
_DOCUMENT_DATE = re.compile(
    r"(?:Quyết định|Nghị quyết|Nghị định|Thông tư|Chỉ thị|Kế hoạch|Công văn|Luật)\s+(?:số\s+)?"
    r"[\w/.-]*[^.;]{0,40}?ngày\s+\d{1,2}/\d{1,2}/((?:19|20)\d\d)",
    re.IGNORECASE,
)


# The year of a law is its name, not the period a sentence reports on:
# "hoạt động theo Luật HTX năm 2012", "Luật Hợp tác xã 2023".
_LAW_YEAR = re.compile(r"Luật\s+(?:[\wÀ-ỹ&]+\s+){0,4}?(?:năm\s+)?((?:19|20)\d\d)(?!\d)")


def years_in(text: str) -> list[int]:
    """Years a text reports on, in order of first mention, without years that
    are only compared against, end a period, date a cited document or name a law."""
    excluded = {m.start(g) for m in _NOT_SUBJECT_YEAR.finditer(text) for g in (1, 2) if m.group(g)}
    excluded |= {m.start(1) for m in _DOCUMENT_DATE.finditer(text)}
    excluded |= {m.start(1) for m in _LAW_YEAR.finditer(text)}
    years: list[int] = []
    for m in _YEAR.finditer(text):
        if m.start(1) in excluded:
            continue
        year = int(m.group(1))
        if year not in years:
            years.append(year)
    return years
