"""What a document is about: title, date, publisher, the places and years it mentions."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from ingest.clean import article_lines
from vietnamese.places import districts_in, provinces_in
from vietnamese.press import press_name, reporter_paper
from vietnamese.text import sentence_spans
from vietnamese.years import years_in

# Bump when describe() (or the gazetteer and year rules it uses) reads places
# or years differently: the next ingest re-describes every file, embedding
# nothing (ingest/run.py). 2: the year of a law is no period; regions are places.
# 3: the counts each article reports for a place and a period (ingest/figures.py).
# 4: the publisher; the title after a dateline; the date only from a dateline or the lead.
# 5: counts of regions ("toàn vùng", two regions together) and "Tổng số thành viên ... là".
# 6, 7: a subjectless "Kết quả ... đã có" carries the sentence before's place; "90 ngàn"; a tổ hợp tác's members are tổ viên;
#    a clause after ";" that starts with a count carries on the list of the "có" before it.
# 8, 9: flows, "thành lập mới 35 HTX", "655 hợp tác xã giải thể", "vận động được 02 HTX thành lập mới",
#    as kinds of their measure.
VERSION = 9


@dataclass
class DocumentInfo:
    title: str = ""
    date: str = ""  # ISO yyyy-mm-dd when the page states the article's full date
    provinces: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    publisher: str = ""  # the paper, when the text says it ("Nguồn: baolangson.vn" -> "Báo Lạng Sơn")
    lead: str = ""  # the article's first sentence, cut short: what to show when there is no title

    @property
    def places(self) -> list[str]:
        return self.provinces + self.districts

    @property
    def display_title(self) -> str:
        """Something readable for every source: the title, or the lead."""
        return self.title or self.lead


# --- dates -------------------------------------------------------------------

_DMY = r"(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<y>(?:19|20)\d\d)(?![\d/])"
_YMD = r"(?P<y2>(?:19|20)\d\d)-(?P<m2>\d{1,2})-(?P<d2>\d{1,2})(?!\d)"
_LONG = r"(?:ngày\s+)?(?P<d3>\d{1,2})\s+tháng\s+(?P<m3>\d{1,2}),?\s+năm\s+(?P<y3>(?:19|20)\d\d)"
_FULL_DATE = rf"(?<![\d/.-])(?:{_DMY}|{_YMD}|{_LONG})"
_WEEKDAY = r"(?:thứ\s*(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s*nhật)"
_TIME = r"\d{1,2}\s*[:h]\s*\d{2}(?::\d{2})?(?:\s*(?:am|pm|sa|ch))?(?:\s*\(?\s*gmt\s*\+\s*0?7(?::00)?\s*\)?)?"
_GLUE = r"\s*[,\-–—|]?\s*"
# A line that states when the page was published: "Thứ hai, 27/09/2021",
# "Thứ sáu - 04/03/2022 09:50 310 0", "04/03/2022 09:50", "[17/05/2017 17:49:47]".
_DATELINE = re.compile(
    rf"[\[(]?\s*(?P<wd>{_WEEKDAY}{_GLUE}(?:ngày\s+)?)?(?P<t1>{_TIME}{_GLUE})?{_FULL_DATE}"
    rf"(?P<t2>{_GLUE}{_TIME})?\s*[\])]?(?P<rest>.*)",
    re.IGNORECASE,
)
# "Cập nhật: 12/6/2024", "Ngày đăng: Thứ hai, 12/06/2024 - 09:50", "Đăng lúc 09:50 12/6/2024".
_LABEL = (r"(?:ngày\s+cập\s+nhật|cập\s+nhật(?:\s+lúc)?|ngày\s+đăng|đăng\s+ngày|đăng\s+lúc"
          r"|ngày\s+xuất\s+bản|xuất\s+bản|thời\s+gian\s+đăng)")
_LABELLED = re.compile(
    rf"(?:(?:^|[|•·]\s*){_LABEL}\s*:?|{_LABEL}\s*:)\s*"
    rf"(?:{_WEEKDAY}{_GLUE})?(?:ngày\s+)?(?:{_TIME}{_GLUE})?{_FULL_DATE}",
    re.IGNORECASE | re.MULTILINE,
)
# The lead's own first words, when they date it with a year: "Ngày 3/6/2017, Tổng
# Bí thư ...", "Chiều 17/5/2017, tại Hà Nội ...", "Sáng nay (27/7/2017), ...".
# "Ngày 12/6, Đoàn công tác ..." has no year and dates nothing.
_LEAD_DATE = re.compile(
    rf"(?:(?:sáng|chiều|trưa|tối|đêm|hôm)\s+(?:nay\s+)?(?:ngày\s+)?|(?:vào\s+)?ngày\s+)"
    rf"\(?{_FULL_DATE}\)?(?=[\s,;:)])",
    re.IGNORECASE,
)
_FIRST_YEAR, _LAST_YEAR = 1990, 2035


def _iso(m: re.Match) -> str:
    g = m.groupdict()
    for d, mo, y in (("d", "m", "y"), ("d2", "m2", "y2"), ("d3", "m3", "y3")):
        if g.get(y):
            try:
                when = datetime.date(int(g[y]), int(g[mo]), int(g[d]))
            except ValueError:
                return ""
            return when.isoformat() if _FIRST_YEAR <= when.year <= _LAST_YEAR else ""
    return ""


def _dateline(line: str) -> str:
    """The date a line states as the page's date, or ""."""
    m = _DATELINE.match(line.strip())
    if not m:
        return ""
    rest = m.group("rest").strip()
    bracketed = line.strip()[:1] in "[("
    # A bare date opening a sentence ("22/5/2016 bầu cử ...") is no dateline;
    # a weekday, a time, a bracket or nothing but counters after it make one.
    if m.group("wd") or m.group("t1") or m.group("t2") or bracketed or re.fullmatch(r"[\d\s|.,]*", rest):
        return _iso(m)
    return ""


def _dated(text: str, lines: list[tuple[int, int]], first_body: int) -> tuple[str, str]:
    """(ISO date, how it was found): a dateline or a labelled date in the page's
    head, a labelled date anywhere in the article, or a date with its year
    opening one of the first lines of the lead. Dates of events, documents and
    deadlines in the body are never the article's."""
    if not lines:
        return "", ""
    head_end = lines[min(3, len(lines) - 1)][1]
    for raw in text[:head_end].split("\n"):
        iso = _dateline(raw)
        if iso:
            return iso, "dateline"
    for m in _LABELLED.finditer(text, 0, lines[-1][1]):
        iso = _iso(m)
        if iso:
            return iso, "label"
    for start, end in lines[first_body : first_body + 2]:
        body = _strip_dateline_prefix(text[start:end])
        m = _LEAD_DATE.match(body)
        if m and _iso(m):
            return _iso(m), "lead"
    return "", ""


# --- publisher ----------------------------------------------------------------

# "LSO-Sáng nay ...", "(TTXVN) - ...", "GD&TĐ - ...", "Hà Nội (TTXVN) – ...".
_PREFIX = re.compile(r"\(?(?P<a>[^\s()]{2,25}?)\)?\s*[-–—]+\s*(?=\S)")
_PLACE_PREFIX = re.compile(r"[^\n()]{2,30}?\s*\((?P<a>[^()]{2,25})\)\s*[-–—]+\s*(?=\S)")


def _dateline_prefix(line: str) -> tuple[str, int]:
    """The paper a lead's dateline prefix names, and where the lead starts after it."""
    for pattern in (_PREFIX, _PLACE_PREFIX):
        m = pattern.match(line)
        if m:
            paper = press_name(m.group("a"))
            if paper:
                return paper, m.end()
    return "", 0


def _strip_dateline_prefix(line: str) -> str:
    return line[_dateline_prefix(line)[1]:]


# Credits that name who took a picture or drew a chart, not who published the article.
_CREDIT = re.compile(r"(?:ảnh|video|clip|đồ\s*ho[ạa]|infographic)\s*:", re.IGNORECASE)
_AUTHOR_AND_PHOTO = re.compile(r"^(?:tin|bài)\s*(?:,|và|-|&)?\s*ảnh\s*:\s*", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"[.!?…]+[\"”’)\]]*\s+")


def _byline_paper(segment: str) -> str:
    """The paper a byline or source line names: "Nguồn: baolangson.vn",
    "Theo Võ Hải/VnExpress.net", "Thu Hằng (TTXVN)", "(Theo Đời sống Plus)",
    "TTXVN/Tin Tức", "Theo TTO". A person alone ("Theo: Tuyết Trinh") names none."""
    s = _AUTHOR_AND_PHOTO.sub("", segment.strip())
    if not s or len(s) > 90 or _CREDIT.search(s):
        return ""
    candidates = []
    m = re.search(r"\(\s*(?:theo\s+)?([^()]+)\)\s*$", s, re.IGNORECASE)
    if m:
        candidates.append(m.group(1))
    if "/" in s:
        candidates.append(s.rsplit("/", 1)[1])
    m = re.match(r"(?:\(?\s*)(?:nguồn(?:\s+tin)?|theo)\s*:?\s*(.+?)\)?$", s, re.IGNORECASE)
    if m:
        candidates.append(m.group(1))
    candidates.append(s)
    for candidate in candidates:
        paper = press_name(candidate)
        if paper:
            return paper
    return ""


_URL_LINE = re.compile(r"(?:(?:nguồn|link|xem)\s*:?\s*)?(https?://\S+)", re.IGNORECASE)


def _publisher(text: str, lines: list[tuple[int, int]], first_body: int) -> tuple[str, str]:
    """(paper, how it was found), from what the text itself says, in this order:
    a source or byline line at the article's end, a dateline prefix of the
    lead ("LSO-"), a line of its own naming a paper or giving its address,
    a reporter of a paper ("phóng viên TTXVN"). ("", "") when it says none."""
    if not lines:
        return "", ""
    texts = [text[s:e].strip() for s, e in lines]
    # The end: the last lines when short (a byline, then captions), and what
    # follows the last sentence of the last line ("... trong thời gian tới. Thu Hằng (TTXVN)").
    tail = [t for t in texts[max(first_body, len(texts) - 5):] if len(t) <= 90][::-1]
    last = texts[-1]
    breaks = list(_SENTENCE_BREAK.finditer(last))
    if breaks and len(last) - breaks[-1].end() <= 90 and len(texts) > first_body:
        tail.insert(0, last[breaks[-1].end():])
    for n, segment in enumerate(tail):
        # "Nguồn: ..." names the article's source only as its last words;
        # above them it is a picture's or a chart's ("Nguồn: Báo Hoà Bình" under a photo).
        if n and re.match(r"\(?\s*nguồn\b", segment.strip(), re.IGNORECASE):
            continue
        paper = _byline_paper(segment)
        if paper:
            return paper, "byline"
    for t in texts[first_body : first_body + 3]:
        paper, _ = _dateline_prefix(t)
        if paper:
            return paper, "dateline"
    # Lines of their own above the headline ("Báo Hà Tĩnh", "Nguồn: ...") or a
    # paper's address above the headline or among the last lines.
    for n, t in enumerate(texts):
        if len(t) > 120 or first_body <= n < len(texts) - 3:
            continue
        m = _URL_LINE.fullmatch(t)
        if m and press_name(m.group(1)):
            return press_name(m.group(1)), "address"
        if n < first_body:
            paper = _byline_paper(t)
            if paper:
                return paper, "source line"
    paper = reporter_paper("\n".join(texts))
    return (paper, "reporter") if paper else ("", "")


# --- title ----------------------------------------------------------------------

_BREADCRUMB = re.compile(r"\S.{0,60}?\s(?:>|»|›)\s.{1,60}")


def _is_header(line: str) -> bool:
    """A line of the page's head that is no headline: a dateline, a labelled
    date, a breadcrumb, a paper's name or address alone."""
    s = line.strip()
    if _dateline(s) or _LABELLED.match(s):
        return True
    if len(s) <= 120 and _BREADCRUMB.fullmatch(s):
        return True
    # "Báo Hà Tĩnh", "Nguồn: baolangson.vn" alone on a line above the headline.
    if len(s) <= 60 and (press_name(s) or re.match(r"(?:nguồn|theo)\b", s, re.I) and _byline_paper(s)):
        return True
    return False


def _is_headline(line: str) -> bool:
    """Short, not a sentence of the body (ending "."), not a caption "(...)"."""
    if not line or len(line) > 200 or line.startswith("("):
        return False
    if line.endswith(".") and not line.endswith("..."):
        return False
    if line.endswith(("…", "...")) and len(line) > 120:
        return False
    if _dateline_prefix(line)[0]:  # "LSO-Sáng nay ...": the lead
        return False
    return True


def _title(text: str, lines: list[tuple[int, int]]) -> tuple[str, int]:
    """The headline and the index of the first line after it. The head's
    datelines are skipped; a kicker ending in ':' ("Sơ kết ...:") is joined
    with the headline under it. ("", i) when the article opens with its lead."""
    i = 0
    while i < min(len(lines), 4) and _is_header(text[lines[i][0] : lines[i][1]]):
        i += 1
    if i >= len(lines):
        return "", i
    line = _clean(text[lines[i][0] : lines[i][1]])
    if not _is_headline(line):
        return "", i
    if line.endswith(":") and i + 1 < len(lines):
        nxt = _clean(text[lines[i + 1][0] : lines[i + 1][1]])
        if _is_headline(nxt) and len(nxt) <= 160:
            return f"{line} {nxt}", i + 2
    return line, i + 1


def _clean(line: str) -> str:
    return re.sub(r"[\u200b\u200c\u200d\ufeff]", "", line).strip()


def short_title(sentence: str, limit: int = 80) -> str:
    """A sentence as a title: whole when short, else cut at a word edge with "…"."""
    s = re.sub(r"\s+", " ", _clean(sentence))
    if len(s) <= limit:
        return s.rstrip(".") if not s.endswith("...") else s
    cut = s[: limit + 1]
    cut = cut[: cut.rfind(" ")] if " " in cut else s[:limit]
    return cut.rstrip(" ,;:–—-(") + "…"


def _lead(text: str, lines: list[tuple[int, int]], first_body: int, limit: int = 80) -> str:
    for start, end in lines[first_body:]:
        line = text[start:end]
        if _is_header(line) or line.lstrip().startswith("("):
            continue
        skip = _dateline_prefix(line)[1]
        spans = sentence_spans(text, start + skip, end)
        if spans:
            return short_title(text[spans[0][0] : spans[0][1]], limit)
    return ""


def display_title(title: str, text: str = "", lines: list[tuple[int, int]] | None = None,
                  limit: int = 80) -> str:
    """What to call a source: its title, or failing that the first sentence of
    its article cut to about ``limit`` characters at a word edge with "…".
    ``lines`` are the article's lines; without them ingest.clean.article_lines
    finds them."""
    if title:
        return title
    if lines is None:
        lines = article_lines(text)
    return _lead(text, lines, _title(text, lines)[1], limit)


# --- the whole description ------------------------------------------------------


def describe_how(text: str, lines: list[tuple[int, int]]) -> tuple[DocumentInfo, dict[str, str]]:
    """describe(), and how its date and publisher were found (for bench/metadata_coverage.py)."""
    body = "\n".join(text[s:e] for s, e in lines)
    title, first_body = _title(text, lines)
    date, date_how = _dated(text, lines, first_body)
    publisher, publisher_how = _publisher(text, lines, first_body)
    info = DocumentInfo(
        title=title,
        date=date,
        provinces=provinces_in(body) or provinces_in(text),
        districts=districts_in(body),
        years=years_in(body),
        publisher=publisher,
        lead="" if title else _lead(text, lines, first_body),
    )
    return info, {"date": date_how, "publisher": publisher_how}


def describe(text: str, lines: list[tuple[int, int]]) -> DocumentInfo:
    """Metadata from the article's lines; the whole page (sidebar included) is
    used for the province only when the article itself names none, because a
    provincial site's sidebar names its own province."""
    return describe_how(text, lines)[0]
