"""The committed state of an index folder, switched atomically.

An index folder holds Chroma's files (``chroma/``, unless a server is used)
and snapshots ``state-<n>/``, each with the manifest (which file, which
content hash, which passage ids), the passages and the lexical index.
``CURRENT`` names the live snapshot and is replaced in one ``os.replace``:
an ingest that dies at any point leaves the previous snapshot live. Chroma
passages that no live snapshot names are invisible to search and are removed
by the next ingest.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import config

from .lexical import LexicalIndex

SCHEMA = 1


def header(metadata: dict) -> str:
    """Title, places and date of a passage's article. Prepended for embedding
    and lexical search (never to the stored text), so a passage that says only
    "toàn tỉnh" still carries its province."""
    places = ", ".join(p for p in metadata["places"].split("|") if p)
    parts = [metadata["title"], places, metadata["date"]]
    return " | ".join(p for p in parts if p)


def searchable(text: str, metadata: dict) -> str:
    """What the embedder and the lexical index see of a passage."""
    head = header(metadata)
    return f"{head}\n{text}" if head else text


def embedded_text(text: str, metadata: dict, header: bool) -> str:
    """What the embedder reads of a passage: only the sentences the previous
    passage did not have (the repeated one is context for the answer, not
    new meaning, and re-reading it cost a quarter of the embedding time), with
    the header when configured."""
    body = text[metadata.get("fresh", 0):] or text
    return searchable(body, metadata) if header else body


class IndexBusy(RuntimeError):
    """Another ingest holds the index folder."""


@dataclass
class Snapshot:
    manifest: dict
    ids: list[str]
    texts: list[str]
    metadatas: list[dict]
    lexical: LexicalIndex
    name: str = ""  # the folder it was committed as ("state-<ns>"); "" until committed

    def __post_init__(self):
        self.row_of = {pid: i for i, pid in enumerate(self.ids)}

    @property
    def built_at(self) -> str:
        """When it was committed (UTC, ISO 8601), from its name; "" if not committed."""
        if not self.name.startswith("state-"):
            return ""
        from datetime import datetime, timezone

        return datetime.fromtimestamp(int(self.name[6:]) / 1e9, timezone.utc).isoformat(timespec="seconds")

    @property
    def files(self) -> dict:
        return self.manifest.get("files", {})

    @classmethod
    def empty(cls, manifest: dict | None = None) -> "Snapshot":
        return cls(manifest or {"schema": SCHEMA, "files": {}}, [], [], [], LexicalIndex(None, 0))

    @classmethod
    def build(cls, manifest: dict, records: list[tuple[str, str, dict]]) -> "Snapshot":
        ids = [r[0] for r in records]
        texts = [r[1] for r in records]
        metas = [r[2] for r in records]
        lexical = LexicalIndex.build([searchable(t, m) for t, m in zip(texts, metas)])
        return cls(manifest, ids, texts, metas, lexical)

    def figures(self) -> list[dict]:
        """Every count the articles report for a place and a period (found at
        ingest, ingest/figures.py), each with its article's file, title and date."""
        if getattr(self, "_figures", None) is None:
            rows = []
            for source, entry in sorted(self.files.items()):
                first = self.row_of.get(entry["ids"][0]) if entry.get("ids") else None
                meta = self.metadatas[first] if first is not None else {}
                for f in entry.get("figures", []):
                    rows.append({**f, "source": source, "title": meta.get("title", ""),
                                 "article_date": meta.get("date", "")})
            self._figures = rows
        return self._figures

    def records(self, source: str) -> list[tuple[str, str, dict]]:
        return [(self.ids[self.row_of[pid]], self.texts[self.row_of[pid]], self.metadatas[self.row_of[pid]])
                for pid in self.files.get(source, {}).get("ids", [])]


def current_name(index_dir: Path) -> str | None:
    """The name of the live snapshot (what ``CURRENT`` says), or None."""
    try:
        return (Path(index_dir) / "CURRENT").read_text().strip() or None
    except FileNotFoundError:
        return None


def load(index_dir: Path) -> Snapshot | None:
    name = current_name(index_dir)
    if name is None:
        return None
    folder = Path(index_dir) / name
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("schema") != SCHEMA:
        return None
    ids, texts, metas = [], [], []
    with open(folder / "passages.jsonl", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            ids.append(rec["id"])
            texts.append(rec["text"])
            metas.append(rec["metadata"])
    return Snapshot(manifest, ids, texts, metas, LexicalIndex.load(folder), name)


def commit(index_dir: Path, snapshot: Snapshot) -> None:
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    name = f"state-{time.time_ns()}"
    tmp = index_dir / (name + ".tmp")
    tmp.mkdir()
    with open(tmp / "passages.jsonl", "w", encoding="utf-8") as f:
        for pid, text, meta in zip(snapshot.ids, snapshot.texts, snapshot.metadatas):
            f.write(json.dumps({"id": pid, "text": text, "metadata": meta}, ensure_ascii=False) + "\n")
    config.pause_point("snapshot")  # tests/test_crash.py kills the ingest here
    snapshot.lexical.save(tmp)
    (tmp / "manifest.json").write_text(json.dumps(snapshot.manifest, ensure_ascii=False, indent=1),
                                       encoding="utf-8")
    _fsync_tree(tmp)
    os.replace(tmp, index_dir / name)
    pointer = index_dir / "CURRENT.tmp"
    pointer.write_text(name)
    _fsync(pointer)
    os.replace(pointer, index_dir / "CURRENT")
    _fsync(index_dir)
    snapshot.name = name
    for old in index_dir.glob("state-*"):
        if old.name != name:
            shutil.rmtree(old, ignore_errors=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            _fsync(path)
    _fsync(folder)


@contextmanager
def ingest_lock(index_dir: Path, wait: bool = False):
    """One ingest per index folder at a time; a second one waits or is told."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / "ingest.lock", "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "another process"
            raise IndexBusy(
                f"Another ingest ({holder}) is updating {index_dir}; wait for it to finish "
                f"and run the command again."
            ) from None
        f.seek(0)
        f.truncate()
        f.write(f"pid {os.getpid()}")
        f.flush()
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
