"""Separate article text from web-page furniture, line by line.

Scraped pages carry navigation ("Skip to main content"), visitor counters
("Đang truy cập56"), listings of other documents ("Văn bản mới" and what
follows it), image placeholders and repeated captions. We keep the article's
lines as (start, end) offsets into the text, so every passage and quote stays
verbatim and locatable in the file.
"""

from __future__ import annotations

import re

# A line matching one of these is furniture.
_FURNITURE = re.compile(
    r"""^(
        skip\ to\ (main\ )?content | top | down | menu | trang\ chủ | chia\ sẻ | in\ bài | share
      | (đang\ truy\ cập|hôm\ nay|hôm\ qua|tháng\ hiện\ tại|tháng\ trước|tổng\ lượt\ truy\ cập
         |lượt\ truy\ cập|truy\ cập\ hiện\ tại|tuần\ này|năm\ nay)\s*:?\s*[\d.,]+
      | lượt\ xem\s*:.* | .*\|\s*lượt\ tải\s*:.*
      | bạn\ đã\ không\ sử\ dụng\ site.* | thời\ gian\ chờ\s*:.*
      | (thứ\ (hai|ba|tư|năm|sáu|bảy)|chủ\ nhật)\s*[-,]\s*\d{1,2}/\d{1,2}/\d{4}[\d:\s]*
      | \d{1,2}/\d{1,2}/\d{4}(\s+\d{1,2}:\d{2}(:\d{2})?)?
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

# A line that starts one of these lists ends the article: everything after it
# is other documents, comments or ratings.
_TAIL = re.compile(
    r"^(văn bản mới|tin liên quan|bài viết liên quan|tin cùng chuyên mục|các tin khác|tin khác"
    r"|tin mới hơn|tin cũ hơn|xem thêm|bình luận|ý kiến bạn đọc|tổng số điểm của bài viết)\b",
    re.IGNORECASE,
)

_BULLET = "•·▪►"


def is_furniture(line: str) -> bool:
    s = line.strip()
    if not s:
        return True
    if _FURNITURE.match(s):
        return True
    # Image placeholders and stray tokens: "ss", "|", "x". Short numbers such
    # as "2021" are kept: a heading can be a year.
    if len(s) <= 3 and not any(ch.isdigit() for ch in s):
        return True
    # Sidebar items are bulleted; article lists in these papers never are.
    return s[0] in _BULLET


def article_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line that belongs to the article, in order."""
    kept: list[tuple[int, int]] = []
    previous = None
    for m in re.finditer(r"[^\n]*", text):
        line = m.group()
        if not line.strip():
            continue
        stripped = line.strip()
        # Not the first line: "Bình luận giá điện trên Facebook…" can be a headline.
        if kept and _TAIL.match(stripped):
            break
        if is_furniture(line) or stripped == previous:  # repeated caption
            continue
        start = m.start() + (len(line) - len(line.lstrip()))
        end = m.start() + len(line.rstrip())
        kept.append((start, end))
        previous = stripped
    return kept
