"""Vietnamese newspapers as articles name them: dateline abbreviations ("LSO-"),
bylines ("Vũ Dũng/VOV", "Thu Hằng (TTXVN)"), web addresses ("Nguồn:
baolangson.vn") and names ("Báo Quảng Ngãi").

``press_name`` turns one such mention into the name people know the paper by,
or "" when the mention is no paper (a person, "internet", a ministry).
``reporter_paper`` finds the paper whose reporter a sentence mentions ("Trao
đổi với PV Báo Hà Tĩnh điện tử").
"""

from __future__ import annotations

import re

# Written form (lower case) -> the paper's name. Every entry was seen in an
# article of corpus/ or /work/shared/data/coop-news/ (the file is named); a
# paper's other spellings are listed under it.
PRESS: dict[str, str] = {
    # corpus/004: the lead starts "LSO-Sáng nay (27/7), ..."
    "lso": "Báo Lạng Sơn",
    # corpus/000: "Nguồn: baolangson.vn"
    "baolangson.vn": "Báo Lạng Sơn",
    # baomoi_21474166: "Nguyễn Văn Trí (TTXVN)"; vietnews_test_019245: "Theo TTXVN / Vietnam +"
    "ttxvn": "TTXVN",
    "thông tấn xã việt nam": "TTXVN",
    # baomoi_21512194: "TTXVN/Tin Tức"; baomoi_22307542: "Trung Hiếu/Báo Tin Tức"
    "tin tức": "Báo Tin Tức",
    # vietnews_test_019245: "Theo TTXVN / Vietnam +"
    "vietnam+": "Vietnam+",
    # baomoi_21474193: "Vũ Dũng/VOV"; baomoi_22319730: "Phi Long/VOV.VN";
    # baomoi_22224425: "PV/VOV-Đông Bắc" (a regional desk: the part before "-")
    "vov": "VOV",
    "vov.vn": "VOV",
    # baomoi_21485760: "Theo Võ Hải/VnExpress.net"; baomoi_22264207: "Theo Phúc Hưng/Vnexpress";
    # baomoi_22684493: "Theo P.V (VNE)"
    "vnexpress": "VnExpress",
    "vnexpress.net": "VnExpress",
    "vne": "VnExpress",
    # baomoi_22662873: "Theo TTO"
    "tto": "Tuổi Trẻ",
    # baomoi_21480647: "Theo Thế Anh/Người đưa tin", "PV báo Người Đưa Tin"; vietnews_test_014572;
    # its address: vietnews_train_062150
    "người đưa tin": "Người Đưa Tin",
    "nguoiduatin.vn": "Người Đưa Tin",
    # baomoi_21471121: "Minh Thà/KD&PL"
    "kd&pl": "Kinh doanh & Pháp luật",
    # baomoi_22456463: "Nguyễn Duẩn (Theo Đời sống Plus)"
    "đời sống plus": "Đời sống Plus",
    # baomoi_22728824: "Theo VGP"; vietnews_val_014488: "Theo Chinhphu.vn"
    "vgp": "Cổng TTĐT Chính phủ",
    "chinhphu.vn": "Cổng TTĐT Chính phủ",
    # vietnews_train_070020: "Theo baochinhphu.vn"
    "baochinhphu.vn": "Báo Điện tử Chính phủ",
    # baomoi_21494009: the lead starts "GD&TĐ - Lực lượng chức năng tỉnh Cà Mau ..."
    "gd&tđ": "Giáo dục & Thời đại",
    # vietnews_train_036668: "Phương Vũ (Theo SCMP)"
    "scmp": "South China Morning Post",
    # baomoi_22237578: "Tuần Việt Nam/Báo VietnamNet"
    "vietnamnet": "VietNamNet",
    # baomoi_21480983: "phóng viên Báo điện tử Giáo dục Việt Nam"
    "giáo dục việt nam": "Báo Giáo dục Việt Nam",
}

# Words that open a paper's name: "Báo Quảng Ngãi", "Tạp chí Cộng sản".
_KIND = r"(?:[Bb]áo|Tạp chí|Đài|Thông tấn xã)"
# The paper's own name after it: capitalised words ("Hà Tĩnh", "Lao Động") or
# an acronym ("CAND", "VTC"), not "Báo cáo" (a report) nor "báo chí" (the press).
_UPPER = "".join(chr(c) for c in range(0x41, 0x1EFA) if chr(c).isupper() and chr(c).isalpha())
_CAP_WORD = rf"(?:[{_UPPER}][\w&+.-]*)"
_NAMED = re.compile(
    rf"{_KIND}\s+(?:điện tử\s+)?(?P<name>{_CAP_WORD}(?:\s+{_CAP_WORD}){{0,4}})(?P<after>\s+\w+)?"
)
_DOMAIN = re.compile(r"(?:https?://)?(?:www\.)?(?P<host>[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:vn|com|net|org))(?:/\S*)?",
                     re.IGNORECASE)
_KEYS = sorted(PRESS, key=len, reverse=True)


def _key(raw: str) -> str:
    s = re.sub(r"\s+", " ", raw).strip(" .,;:-–—()[]\"'“”").lower()
    return re.sub(r"\s*\+", "+", s)  # "Vietnam +" -> "vietnam+"


def press_name(raw: str) -> str:
    """The paper a whole mention names ("VOV.VN", "Báo Tin Tức",
    "baolangson.vn", "VOV-Đông Bắc"), or "" when it names none."""
    key = _key(raw)
    if not key:
        return ""
    if key in PRESS:
        return PRESS[key]
    for prefix in ("báo điện tử ", "báo ", "tạp chí "):
        if key.startswith(prefix) and key[len(prefix):] in PRESS:
            return PRESS[key[len(prefix):]]
    m = _DOMAIN.fullmatch(key)
    if m:
        host = m.group("host").lower()
        if host in PRESS:
            return PRESS[host]
        # A provincial paper's address is "bao" + its name: baohatinh.vn,
        # baoquangngai.vn. Other addresses ("giatieu.com") need the table.
        return host if host.startswith("bao") and host.count(".") == 1 else ""
    m = re.fullmatch(r"([^\s-]+)\s*-\s*\w[\w ]{0,15}", key)  # a regional desk: "VOV-Đông Bắc", "VOV-ĐBSCL"
    if m and m.group(1) in PRESS:
        return PRESS[m.group(1)]
    cleaned = re.sub(r"\s+", " ", raw).strip(" .,;:()[]\"'“”")
    cleaned = re.sub(r"\s+điện tử$", "", cleaned)
    m = _NAMED.fullmatch(cleaned)
    if m and not m.group("after"):
        return _kind_name(cleaned, m.group("name"))
    return ""


def _kind_name(mention: str, name: str) -> str:
    kind = re.match(_KIND, mention).group()
    return f"{kind[0].upper()}{kind[1:]} {name}"


_REPORTER = re.compile(r"\b(?:PV|P\.V|[Pp]hóng viên)\s+(?:của\s+)?(?P<rest>.{0,60})")


def reporter_paper(text: str) -> str:
    """The paper whose reporter the text mentions: "phóng viên TTXVN",
    "PV Báo Hà Tĩnh điện tử chiều 8/2" -> "Báo Hà Tĩnh"; "" when none."""
    for m in _REPORTER.finditer(text):
        rest = m.group("rest")
        low = rest.lower()
        for lead in ("báo điện tử ", "báo ", ""):
            if not low.startswith(lead):
                continue
            tail = low[len(lead):]
            for key in _KEYS:
                if tail.startswith(key) and not tail[len(key):len(key) + 1].isalnum():
                    return PRESS[key]
        named = _NAMED.match(rest)
        if named:
            name = named.group("name")
            # One capitalised word then a lower-case one is a name cut short
            # ("Báo Giáo dục ..."): not trusted. Two words or an acronym are.
            if len(name.split()) >= 2 or name.isupper() or not named.group("after"):
                return _kind_name(rest, name)
    return ""
