"""One reader per file format, chosen by the file's suffix: bytes in, text out,
or ``Unreadable`` with the reason in plain words.

- ``.txt``: UTF-8 (with or without BOM), UTF-16 with a BOM, or Windows-1258
  when it reads as Vietnamese (``decode``).
- ``.docx`` (python-docx): the body's paragraphs and tables in document
  order, one paragraph per line, one table row per line (its cells joined by
  " | "). Headers, footers, text boxes, comments and what Word wraps in a
  content control (w:sdt) or a tracked insertion are left out.
- ``.pdf`` (pypdf): each page's text layer in page order; a line that a
  sentence was wrapped across is joined again (``_unwrap``). A PDF that opens
  only with a password, or whose pages carry no text (a scan), is refused.
- ``.html`` / ``.htm`` (trafilatura, favor_precision): the page's main
  text, title first, then one paragraph per line; menus, footers and "Tin
  liên quan" lists are left out. The ingest then runs the line cleaner on it,
  as on every file: bench/furniture.py measures the two together.

Any other suffix is read as text, as before. Every reader is deterministic
for a given file and library version: citations are offsets into what it
returns. A damaged file is always ``Unreadable``, never another exception.
"""

from __future__ import annotations

import codecs
import io
import logging
import unicodedata
import zipfile

from vietnamese.text import nfc

# A .docx is a zip: the limit on what it may unpack to (an article is a few
# hundred KB of XML; this is a zip bomb or not an article).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


class Unreadable(Exception):
    """A file that is skipped; the message says why, in plain words."""


def _short(err: Exception) -> str:
    """An exception as a short phrase for a skip reason."""
    text = " ".join(str(err).split()) or type(err).__name__
    return text if len(text) <= 120 else text[:117] + "..."


# --- .txt -----------------------------------------------------------------------


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
    """A text file's bytes as text. Windows-1258, the legacy Vietnamese code
    page, is accepted only when the bytes are not valid UTF-8 and the result
    reads as Vietnamese; anything else is reported, never guessed, so nothing
    is indexed garbled."""
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


# --- .docx ----------------------------------------------------------------------


def _check_docx_package(data: bytes) -> None:
    """Refuse, with a reason, what python-docx would fail on obscurely: an old
    binary .doc renamed, a file that is not a zip, a zip bomb."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise Unreadable("an old Word .doc file, not a .docx: save it as .docx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = sum(info.file_size for info in package.infolist())
    except zipfile.BadZipFile:
        raise Unreadable("corrupt .docx (not a Word document: not a zip package)") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise Unreadable(f"corrupt .docx (unpacks to {unpacked / 1e6:.0f} MB)")


def _cell_text(cell) -> str:
    return " ".join(line.strip() for line in _block_lines(cell) if line.strip())


def _row_line(row) -> str:
    """A table row as one line, its cells' text joined by " | ". A cell
    spanning several columns comes once; a cell spanning several rows comes
    on each of them (python-docx gives its top cell), so each row reads whole."""
    texts, seen = [], []
    for cell in row.cells:
        if any(cell._tc is tc for tc in seen):
            continue
        seen.append(cell._tc)
        text = _cell_text(cell)
        if text:
            texts.append(text)
    return " | ".join(texts)


def _block_lines(container):
    """The lines of a document body or table cell, in document order."""
    from docx.table import Table

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                yield _row_line(row)
        else:
            yield block.text


def _docx_text(data: bytes) -> str:
    import docx

    _check_docx_package(data)
    try:
        lines = list(_block_lines(docx.Document(io.BytesIO(data))))
    except Exception as err:  # python-docx raises many kinds on a damaged package
        raise Unreadable(f"corrupt .docx ({_short(err)})") from None
    text = "\n".join(lines)
    if not text.strip():
        raise Unreadable("the .docx has no text")
    return text


# --- .pdf -----------------------------------------------------------------------

_SENTENCE_END = ".!?…"
_CLOSERS = "\"'”’»)]"


def _unwrap(text: str) -> str:
    """Join the lines a paragraph was wrapped across: a line that does not
    end a sentence, followed by a line that starts with a lower-case letter
    (most Vietnamese words are lower case; a line starting with a capital, a
    digit or a dash stays on its own, so headings and list items do too).
    pypdf gives one line per printed line, and a line break always ends a
    sentence for the splitter (vietnamese.text.sentence_spans)."""
    out: list[str] = []
    for line in text.split("\n"):
        previous = out[-1].rstrip() if out else ""
        if (previous and previous.rstrip(_CLOSERS)[-1:] not in _SENTENCE_END
                and line.lstrip()[:1].islower()):
            out[-1] = previous + " " + line.lstrip()
        else:
            out.append(line)
    return "\n".join(out)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    # pypdf logs each defect it works around ("EOF marker not found"); the
    # skip reason says what matters, once.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("the PDF is password-protected")
        pages = [page.extract_text() or "" for page in reader.pages]
    except Unreadable:
        raise
    except DependencyError:
        raise Unreadable("the PDF is encrypted with AES and the 'cryptography' package is missing") from None
    except Exception as err:  # pypdf raises many kinds on a damaged file
        raise Unreadable(f"corrupt PDF ({_short(err)})") from None
    if not pages:
        raise Unreadable("the PDF has no pages")
    if not any(page.strip() for page in pages):
        raise Unreadable("PDF has no text layer (scanned image?)")
    return _unwrap("\n".join(pages))


# --- .html / .htm ---------------------------------------------------------------


# favor_precision: on the 780 pages of bench/furniture.py it keeps the same
# article text as trafilatura's defaults (every gold sentence, both layouts);
# on a page built of <div>s the defaults keep its menu, and on a page of
# links only they return the links as its text.
TRAFILATURA_OPTIONS = {"favor_precision": True, "include_comments": False, "include_tables": True,
                       "deduplicate": False, "with_metadata": True}


def _html_text(data: bytes) -> str:
    """trafilatura's main text (its own encoding detection), title first. On
    the test page it keeps the headline, date and paragraphs and drops the
    skip link, menus, footer and "Tin liên quan" list."""
    import trafilatura

    if not data.strip():
        raise Unreadable("empty file")
    try:
        page = trafilatura.bare_extraction(data, **TRAFILATURA_OPTIONS)
    except Exception as err:
        raise Unreadable(f"web page could not be read ({_short(err)})") from None
    body = (page.text or "") if page is not None else ""
    if not body.strip():
        raise Unreadable("web page has no main text (only menus, links or scripts)")
    lines = body.split("\n")
    title = (page.title or "").strip()
    if title and lines[0].strip() != title:
        lines.insert(0, title)
    return "\n".join(lines)


# --- dispatch -------------------------------------------------------------------

READERS = {".txt": decode, ".docx": _docx_text, ".pdf": _pdf_text, ".html": _html_text, ".htm": _html_text}
SUFFIXES = tuple(READERS)  # what the corpus listing takes (ingest.run.corpus_files)


def extract(data: bytes, suffix: str) -> str:
    """The text of a file's bytes, read the way its suffix (any case) says."""
    if not data.strip():
        raise Unreadable("empty file")
    return READERS.get(suffix.lower(), decode)(data)
