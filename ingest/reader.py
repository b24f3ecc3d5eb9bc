"""Turn a file on disk into text, or say plainly why not.

Every consumer (the ingest, the article viewer, the evaluation baseline)
reads an article through ``read_text``, and citations are offsets into the
string it returns. The format readers (.txt, .docx, .pdf, .html) live in
ingest/formats.py; whatever the format, the text is normalised to NFC with
one kind of line ending, and a file that gives no usable text is
``Unreadable``.
"""

from __future__ import annotations

from pathlib import Path

from vietnamese.text import nfc

from .formats import SUFFIXES, Unreadable, decode, extract

__all__ = ["MAX_BYTES", "SUFFIXES", "Unreadable", "decode", "read_text"]

MAX_BYTES = 20 * 1024 * 1024  # an article is a few KB; 20 MB is a mistake


def read_text(path: Path) -> str:
    """The file's text, NFC-normalised, with Windows line endings unified."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise Unreadable(f"too large ({size / 1e6:.0f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB)")
    text = nfc(extract(path.read_bytes(), path.suffix))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\t\f\v")
    if control > max(10, len(text) // 100):
        raise Unreadable("binary file (control characters)")
    if not text.strip():
        raise Unreadable("empty file (only whitespace)")
    return text
