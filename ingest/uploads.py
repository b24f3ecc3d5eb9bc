"""Files uploaded from the chat page, put into the corpus folder safely.

A browser names a file whatever its user called it: the name is kept as far
as it is safe (no folders, no "..", no control characters, at most 120
characters, an accepted suffix), and a file never replaces another one of
the same name with different content: it gets "-2", "-3" ... instead. The
ingest then indexes the folder as it would after a copy by hand.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .reader import MAX_BYTES, SUFFIXES

_UNSAFE = re.compile(r"[^\w.\- ()]+", re.UNICODE)
MAX_NAME = 120


@dataclass
class Saved:
    placed: dict[str, str] = field(default_factory=dict)  # uploaded name -> name in the corpus
    refused: dict[str, str] = field(default_factory=dict)  # uploaded name -> why (Vietnamese)


def safe_name(name: str) -> str:
    """A file name that stays inside the folder: "../../a b.docx" -> "a b.docx"."""
    base = os.path.basename(name.replace("\\", "/")).strip()
    base = _UNSAFE.sub("_", base).lstrip(".-_ ")
    stem, suffix = os.path.splitext(base)
    return (stem[: MAX_NAME - len(suffix)] or "bai") + suffix.lower()


def _free_name(folder: Path, name: str, data: bytes) -> tuple[str, bool]:
    """(name to write, whether that exact file is already there)."""
    stem, suffix = os.path.splitext(name)
    candidate, n = name, 1
    while (folder / candidate).exists():
        if (folder / candidate).read_bytes() == data:
            return candidate, True
        n += 1
        candidate = f"{stem}-{n}{suffix}"
    return candidate, False


def save(paths: list[Path], corpus: Path, original_names: list[str] | None = None) -> Saved:
    """Copy uploaded files into ``corpus``; each either placed or refused with its reason."""
    out = Saved()
    corpus.mkdir(parents=True, exist_ok=True)
    for i, path in enumerate(paths):
        path = Path(path)
        uploaded = (original_names[i] if original_names else None) or path.name
        name = safe_name(uploaded)
        if os.path.splitext(name)[1] not in SUFFIXES:
            out.refused[uploaded] = "định dạng không hỗ trợ (nhận .txt, .docx, .pdf, .html)"
            continue
        size = path.stat().st_size
        if size > MAX_BYTES:
            out.refused[uploaded] = f"tệp quá lớn ({size / 1e6:.0f} MB; tối đa {MAX_BYTES / 1e6:.0f} MB)"
            continue
        data = path.read_bytes()
        target, present = _free_name(corpus, name, data)
        if not present:
            partial = corpus / f".{target}.part"  # dot-files are not articles: the ingest skips it
            shutil.copyfile(path, partial)
            os.replace(partial, corpus / target)
        out.placed[uploaded] = target
    return out
