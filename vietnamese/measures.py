"""What a count counts, and when, as the sector's reports write it.

A provincial report states its figures as a list after "có": "Đến hết
tháng 6/2017, toàn tỉnh có 1 Liên hiệp HTX, 153 HTX, 1.750 tổ hợp tác."
This module names the things counted (the measures), the words that make
a count a different one ("HTX nông nghiệp" is not "HTX"), the words that
say a figure is a change or a plan rather than a state ("thành lập mới 17
HTX", "tăng 5 HTX", "mục tiêu 20 – 30 HTX"), and the phrases that give the
period ("tính đến hết tháng 5/2024", "năm 2020", "đến ngày 31/12/2021").
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from .text import fold, tokens

# Canonical measure -> its unit as folded, abbreviated tokens (vietnamese.text.
# tokens: "hợp tác xã" is "htx", "tổ hợp tác" is "tht"). Longest first.
MEASURES: dict[str, tuple[tuple[str, ...], ...]] = {
    "liên hiệp HTX": (("lhhtx",), ("lien", "hiep", "htx"), ("lh", "htx")),
    "quỹ tín dụng nhân dân": (("quy", "tin", "dung", "nhan", "dan"), ("qtdnd",)),
    "tổ hợp tác": (("tht",),),
    "HTX": (("htx",),),
    "thành viên": (("thanh", "vien"),),
    "tổ viên": (("to", "vien"),),
    "lao động": (("lao", "dong"),),
}
# Measures that count the people of another ("thành viên HTX", "tổ viên THT"):
# a question naming both asks for the people.
MEMBER_MEASURES = ("thành viên", "tổ viên", "lao động")

# What changed in a period, not what there is: "thành lập mới 35 HTX", "655
# hợp tác xã giải thể" (folded). Read as a kind of its measure, so a flow is
# never compared with, added to or ranked among the counts of what there is.
FLOWS = {
    "thanh lap moi": "thành lập mới",
    "thanh lap": "thành lập mới",
    "giai the": "giải thể",
}
# A flow as a question asks for it: "thành lập mới bao nhiêu HTX", "giải thể mấy HTX".
FLOW_ASKED = re.compile(r"(?<!\w)(?:duoc\s+)?(thanh lap(?: moi)?|giai the)(?!\w)")
# Before a flow, in its clause: a plan or a target, not what happened (folded).
PLANNED = re.compile(r"(?<!\w)(?:muc tieu|ke hoach|chi tieu|phan dau|du kien|se|giai phap|van dong|tu van"
                     r"|huong dan|ho tro|de xuat|can|phai|it nhat)(?!\w)")

# Words right after the unit that make it another count (folded): a subset,
# never compared with the whole; or a flow.
KINDS = {
    "phi nong nghiep": "phi nông nghiệp",
    "nong nghiep": "nông nghiệp",
    "kieu moi": "kiểu mới",
    "thuy san": "thủy sản",
    "tin dung": "tín dụng",
    "van tai": "vận tải",
    **FLOWS,
}

# Words that say what state a count is of: the same measure, a different
# reading, said beside any comparison that mixes them.
STATUSES = {
    "dang hoat dong": "đang hoạt động",
    "con hoat dong": "đang hoạt động",
    "dang ky hoat dong": "đăng ký hoạt động",
    "dang ky": "đăng ký",
    "ngung hoat dong": "ngừng hoạt động",
    "hoat dong hieu qua": "hoạt động hiệu quả",
}

# Before a figure, inside its clause: a change, a plan, or a part, not a
# count of what there is (folded).
CHANGE_WORDS = re.compile(
    r"(?<!\w)(?:thanh lap|giai the|tang|giam|muc tieu|ke hoach|phan dau|du kien|vuot|so voi|bo sung"
    r"|ho tro|vay|cho|huong dan|tu van|lua chon|phe duyet|trong do|xay dung|them|moi|phat trien)(?!\w)"
)

# A count of the place itself: "toàn tỉnh", "trên địa bàn huyện", "cả nước".
WHOLE_PROVINCE = re.compile(r"(?<!\w)(?:toan|ca|tren dia ban|dia ban)\s+tinh(?!\w)")
WHOLE_DISTRICT = re.compile(r"(?<!\w)(?:toan|ca|tren dia ban|dia ban)\s+(?:huyen|thi xa|thanh pho)(?!\w)")
WHOLE_COUNTRY = re.compile(r"(?<!\w)(?:ca nuoc|toan quoc|viet nam|vn|vietnam|nationwide|the country|whole country)(?!\w)")
WHOLE_REGION = re.compile(r"(?<!\w)(?:toan|ca|trong)\s+vung(?!\w)|(?<!\w)khu vuc nay(?!\w)|(?<!\w)toan khu vuc(?!\w)")
# A clause that names no subject and carries on from the sentence before:
# "Tỉnh Lâm Đồng đang đẩy mạnh phát triển kinh tế tập thể. Kết quả bước đầu
# đã có 194 hợp tác xã" (folded, the whole subject before "có").
CARRIED_SUBJECT = re.compile(r"^\s*(?:(?:ket qua|qua do|nho do|nhu vay|theo do|sau \d+ nam|buoc dau"
                             r"|den nay|hien nay|hien|hien tai|tinh den nay|da|van|nam \d{4}|den nam \d{4}"
                             r"|den het nam \d{4})[\s,]*)+$")
NOW = re.compile(r"(?<!\w)(?:hien nay|hien|den nay|hien tai|tinh den nay)(?!\w)")
# ... and as a question says it, in speech too ("bây giờ", "giờ"; a report's
# "24 giờ" is hours, so only questions read these).
NOW_ASKED = re.compile(r"(?<!\w)(?:hien nay|hien|den nay|hien tai|tinh den nay|bay gio|hien gio|gio|now|currently"
                       r"|right now|at present)(?!\w)")


def measure_of(unit_text: str) -> tuple[str, str] | None:
    """(measure, kind) of a figure's unit text: "HTX nông nghiệp" ->
    ("HTX", "nông nghiệp"), "3 liên hiệp HTX đăng" -> ("liên hiệp HTX", "");
    None when it counts nothing this module knows."""
    toks = tokens(unit_text)
    for measure, forms in MEASURES.items():
        for form in forms:
            if tuple(toks[: len(form)]) == form:
                rest = " ".join(toks[len(form):])
                kind = next((v for k, v in KINDS.items() if rest.startswith(k)), "")
                return measure, kind
    return None


def status_in(folded_clause: str) -> str:
    for key, name in STATUSES.items():
        if re.search(r"(?<!\w)" + key + r"(?!\w)", folded_clause):
            return name
    return ""


@dataclass(frozen=True)
class Period:
    """When a figure holds: as written, and a date to sort by (the last day
    the phrase covers: "hết tháng 6/2017" -> 2017-06-30, "năm 2020" -> 2020-12-31)."""

    text: str
    year: int
    month: int = 12
    day: int = 0

    @property
    def date(self) -> str:
        day = self.day or calendar.monthrange(self.year, self.month)[1]
        return f"{self.year:04d}-{self.month:02d}-{day:02d}"


_YEAR = r"((?:19[89]|20[0-4])\d)"
_PERIODS = [
    # "(tính) đến (hết) ngày 31/12/2021"
    (re.compile(r"(?:(?:tính\s+)?(?:đến|tới)\s+(?:hết\s+|cuối\s+)?)?ngày\s+(\d{1,2})/(\d{1,2})/" + _YEAR, re.I), "dmy"),
    (re.compile(r"(?:tính\s+)?(?:đến|tới)\s+(?:hết\s+|cuối\s+)?(\d{1,2})/(\d{1,2})/" + _YEAR, re.I), "dmy"),
    # "(tính) đến (hết) tháng 5/2024", "hết tháng 6/2017", "tháng 6 năm 2017"
    (re.compile(r"(?:(?:tính\s+)?(?:đến|tới)\s+)?(?:hết\s+|cuối\s+)?tháng\s+(\d{1,2})(?:/|\s+năm\s+)" + _YEAR, re.I), "my"),
    # "6 tháng đầu năm 2017"
    (re.compile(r"(\d{1,2})\s+tháng\s+đầu\s+năm\s+" + _YEAR, re.I), "first_months"),
    # "(tính) đến (hết/cuối) năm 2023", "năm 2020", "cuối năm 2019"
    (re.compile(r"(?:(?:tính\s+)?(?:đến|tới)\s+)?(?:hết\s+|cuối\s+)?năm\s+" + _YEAR + r"(?![\d/])", re.I), "y"),
]


def periods_in(text: str) -> list[tuple[int, Period]]:
    """Every period phrase in text with its offset, in order (a phrase inside
    a longer one found first is not repeated)."""
    found: list[tuple[int, int, Period]] = []
    for pattern, form in _PERIODS:
        for m in pattern.finditer(text):
            if any(s <= m.start() < e for s, e, _ in found):
                continue
            g = [int(x) for x in m.groups()]
            if form == "dmy":
                day, month, year = g
                if not (1 <= month <= 12 and 1 <= day <= 31):
                    continue
                period = Period(m.group().strip(), year, month, day)
            elif form == "my":
                month, year = g
                if not 1 <= month <= 12:
                    continue
                period = Period(m.group().strip(), year, month)
            elif form == "first_months":
                months, year = g
                if not 1 <= months <= 12:
                    continue
                period = Period(m.group().strip(), year, months)
            else:
                period = Period(m.group().strip(), g[0])
            found.append((m.start(), m.end(), period))
    return [(s, p) for s, _, p in sorted(found, key=lambda f: f[0])]


def folded(text: str) -> str:
    return fold(text).lower()
