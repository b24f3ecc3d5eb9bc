"""What a document is about: title, date, the places and years it mentions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vietnamese.places import districts_in, provinces_in
from vietnamese.years import DATE as _DATE, years_in

# Bump when describe() (or the gazetteer and year rules it uses) reads places
# or years differently: the next ingest re-describes every file, embedding
# nothing (ingest/run.py). 2: the year of a law is no period; regions are places.
# 3: the counts each article reports for a place and a period (ingest/figures.py).
VERSION = 3


@dataclass
class DocumentInfo:
    title: str = ""
    date: str = ""  # ISO yyyy-mm-dd when the page states a full date
    provinces: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)

    @property
    def places(self) -> list[str]:
        return self.provinces + self.districts


def _title(text: str, lines: list[tuple[int, int]]) -> str:
    """The first short line that is not a sentence of the body. A kicker
    ending in ':' ("Sơ kết ...:") is joined with the headline under it."""
    for i, (start, end) in enumerate(lines[:2]):
        line = text[start:end].strip()
        if len(line) > 160 or line.endswith((".", "…", ")")) or _DATE.search(line):
            continue
        if line.endswith(":") and i + 1 < len(lines):
            nxt = text[lines[i + 1][0] : lines[i + 1][1]].strip()
            if len(nxt) <= 160:
                return f"{line} {nxt}"
        return line
    return ""


def describe(text: str, lines: list[tuple[int, int]]) -> DocumentInfo:
    """Metadata from the article's lines; the whole page (sidebar included) is
    used for the province only when the article itself names none, because a
    provincial site's sidebar names its own province."""
    body = "\n".join(text[s:e] for s, e in lines)
    head = text[: lines[min(3, len(lines) - 1)][1]] if lines else text[:500]
    date = ""
    m = _DATE.search(head)
    if m:
        day, month, year = (int(g) for g in m.groups())
        if 1 <= day <= 31 and 1 <= month <= 12:
            date = f"{year:04d}-{month:02d}-{day:02d}"
    return DocumentInfo(
        title=_title(text, lines),
        date=date,
        provinces=provinces_in(body) or provinces_in(text),
        districts=districts_in(body),
        years=years_in(body),
    )
