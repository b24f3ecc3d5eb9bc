"""Turn a file on disk into text, or say plainly why not.

Accepted: UTF-8 (with or without BOM) and UTF-16 with a BOM. Windows-1258,
the legacy Vietnamese code page, is accepted only when the bytes are not valid
UTF-8 and the result reads as Vietnamese; anything else is reported, never
guessed, so nothing is indexed garbled. Text is normalised to NFC.
"""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

from vietnamese.text import nfc

MAX_BYTES = 20 * 1024 * 1024  # an article is a few KB; 20 MB is a mistake


class Unreadable(Exception):
    """A file that is skipped; the message says why, in plain words."""


def _vietnamese_letters() -> tuple[frozenset, frozenset]:
    """Every letter of the Vietnamese alphabet (NFC), and those of them that
    no Western European language uses (ă, đ, ơ, ư, ĩ, ũ, ạ, ả, ấ, ...)."""
    tones = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
    vowels = "aăâeêioôơuưy"
    alphabet = {unicodedata.normalize("NFC", v + t) for v in vowels + vowels.upper() for t in tones}
    alphabet |= set("đĐ") | set("bcdghklmnpqrstvx" "BCDGHKLMNPQRSTVX") | set("fjwzFJWZ")
    latin1 = {chr(c) for c in range(0xC0, 0x100)}
    return frozenset(alphabet), frozenset(c for c in alphabet if not c.isascii() and c not in latin1)


_ALPHABET, _ONLY_VIETNAMESE = _vietnamese_letters()


def _looks_vietnamese(text: str) -> bool:
    """Whether text decoded as cp1258 reads as Vietnamese rather than as
    Latin-1 French, German or noise: Vietnamese-only letters are frequent (at
    least 15% of letters in every article of the coop-news set; 5% asked here)
    and letters Vietnamese does not have (ü, ß, ç, ÿ, ...) are rare (a foreign
    name or two: at most 1%)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    distinctive = sum(ch in _ONLY_VIETNAMESE for ch in letters)
    foreign = sum(ch not in _ALPHABET for ch in letters)
    return distinctive / len(letters) >= 0.05 and foreign / len(letters) <= 0.01


def decode(data: bytes) -> str:
    if not data.strip():
        raise Unreadable("empty file")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise Unreadable(f"broken UTF-16 ({err.reason} at byte {err.start})") from None
    if b"\x00" in data[:4096]:
        raise Unreadable("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        utf8_error = f"not valid UTF-8 ({err.reason} at byte {err.start})"
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        raise Unreadable(utf8_error) from None
    if _looks_vietnamese(nfc(text)):
        return text
    raise Unreadable(utf8_error + "; save it as UTF-8")


def read_text(path: Path) -> str:
    """The file's text, NFC-normalised, with Windows line endings unified."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise Unreadable(f"too large ({size / 1e6:.0f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB)")
    text = nfc(decode(path.read_bytes()))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\t\f\v")
    if control > max(10, len(text) // 100):
        raise Unreadable("binary file (control characters)")
    if not text.strip():
        raise Unreadable("empty file (only whitespace)")
    return text
