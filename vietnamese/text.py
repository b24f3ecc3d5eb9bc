"""Vietnamese text handling that no well-kept library does for us.

- NFC normalisation (Windows tools often write decomposed Vietnamese);
- diacritic folding ("Hà Tĩnh" -> "ha tinh"), so unaccented questions match;
- the sector's abbreviations (HTX = hợp tác xã, ...) folded to one token;
- numbers in Vietnamese format kept whole and comparable (1.025 == 1025, 7,5 == 7.5);
- sentence splitting that keeps character offsets into the original text.
"""

from __future__ import annotations

import re
import unicodedata

# Long forms, already folded, mapped to the abbreviation we index them under.
# Longest first, so "lien minh hop tac xa" is not eaten by "hop tac xa".
ABBREVIATIONS = {
    "lien hiep hop tac xa": "lhhtx",
    "hop tac xa": "htx",
    "to hop tac": "tht",
    "kinh te tap the": "kttt",
    "uy ban nhan dan": "ubnd",
    "hoi dong nhan dan": "hdnd",
    "ban chi dao": "bcd",
    "ban chap hanh": "bch",
    "so ke hoach va dau tu": "skhdt",
    "nong thon moi": "ntm",
}
_ABBREV_RE = re.compile(r"\b(" + "|".join(map(re.escape, ABBREVIATIONS)) + r")\b")

# Words a chat question carries around what it asks, folded: asking for help
# ("giúp mình", "cho tôi hỏi", "nhé", "ạ"), who asks, and when in speech ("bây
# giờ", "hồi 2017", "lúc đó"). Not content to match in an article, and not a
# topic of their own: "Cộng giúp mình số HTX của A và B" asks for a total (the
# second blind multi-article set, tests/data/qa_multi2.jsonl, had 9 such of 45).
CHAT_WORDS = frozenset("""giup gium dum minh toi em anh chi ban cho xin hoi nhe nha a oi voi ko k khong
    nhi vay biet xem coi duoc hay bay gio luc khi do nay truoc kia thoi diem khoang tam chung
    neu liet ke tong hop moc thu tu thoi gian tat ca cai
    please tell me show give us i we you can could would around same time mid about roughly at end start
    beginning middle""".split())

# A number as Vietnamese writes it: 1.025 / 73.691 / 7,5 / 30 / 2.579
NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|\w+", re.UNICODE)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _fold_slow(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


# Folding is on every hot path (questions, sentences, clauses): a translate
# table over the Latin letters with diacritics does it in one C call.
_COMBINING = re.compile("[\u0300-\u036f]")
_FOLD_TABLE = {cp: _fold_slow(chr(cp)) for cp in range(0xC0, 0x2000) if _fold_slow(chr(cp)) != chr(cp)}


def fold(text: str) -> str:
    """Lower-case and strip diacritics; đ becomes d."""
    folded = text.lower().translate(_FOLD_TABLE)
    if folded.isascii() or not _COMBINING.search(folded):
        return folded
    return _fold_slow(folded)  # decomposed text: combining marks to drop


def has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()


# One Vietnamese syllable, folded: initial consonant, one to three vowels, final.
_SYLLABLE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}"
                       r"(?:ch|ng|nh|[cmnpt])?")


def is_syllable(word: str) -> bool:
    """Could this word be written in Vietnamese? "Minh", "nghiêng" yes;
    "Fresno", "Newcastle", "Gaga" no."""
    return bool(_SYLLABLE.fullmatch(fold(word).lower()))


def normalize_number(raw: str) -> str:
    """'1.025' -> '1025', '7,5' -> '7.5', '3,65' -> '3.65', '30' -> '30'.

    Vietnamese uses '.' for thousands and ',' for decimals. A '.' followed by
    exactly three digits is a thousands separator; otherwise it is a decimal
    point (English style, as in '7.5').
    """
    groups = re.split(r"([.,])", raw)
    out = groups[0]
    for sep, digits in zip(groups[1::2], groups[2::2]):
        if sep == "." and len(digits) == 3:
            out += digits
        else:
            out += "." + digits
    if "." in out:
        out = out.rstrip("0").rstrip(".") or "0"
    return out


def abbreviate(folded: str) -> str:
    """Replace the long forms of the sector's abbreviations in folded text."""
    return _ABBREV_RE.sub(lambda m: ABBREVIATIONS[m.group(1)], folded)


def tokens(text: str) -> list[str]:
    """Lexical tokens: folded syllables, abbreviations unified, numbers whole."""
    out = []
    for tok in _TOKEN_RE.findall(abbreviate(fold(nfc(text)))):
        out.append(normalize_number(tok) if tok[0].isdigit() else tok)
    return out


def lexical_terms(text: str) -> list[str]:
    """Tokens plus adjacent-pair bigrams: Vietnamese words are mostly two
    syllables ("thành viên", "vốn điều lệ"), so bigrams stand in for words."""
    toks = tokens(text)
    return toks + [a + "_" + b for a, b in zip(toks, toks[1:])]


# --- sentences ---------------------------------------------------------------

# End of sentence: . ! ? … (with any closing quotes or brackets), then space,
# then an upper-case letter, a digit or an opening quote. "1.025" and "TP.HCM"
# have no space after the dot, so they are never split.
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’)\]]*\s+")
_NO_SPLIT_AFTER = ("TP", "Tp", "ThS", "TS", "PGS", "GS", "Q", "P", "St", "Mr", "Dr", "Ô", "B")


def _starts_sentence(text: str, i: int) -> bool:
    while i < len(text) and text[i] in "\"“‘([":
        i += 1
    return i < len(text) and (text[i].isupper() or text[i].isdigit())


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split text[start:end] into sentences; return (start, end) offsets into
    ``text`` with surrounding whitespace trimmed. Line breaks always end one."""
    end = len(text) if end is None else end
    spans = []
    for line in re.finditer(r"[^\n]+", text[start:end]):
        line_start, line_end = start + line.start(), start + line.end()
        cut = line_start
        for m in _SENTENCE_END.finditer(text, line_start, line_end):
            word = re.search(r"(\w+)$", text[cut : m.start()])
            if word and word.group(1) in _NO_SPLIT_AFTER and text[m.start()] == ".":
                continue
            if not _starts_sentence(text, m.end()):
                continue
            spans.append((cut, m.end()))
            cut = m.end()
        spans.append((cut, line_end))
    trimmed = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            trimmed.append((s, e))
    return trimmed
