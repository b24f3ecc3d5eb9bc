"""The evaluation's data sets, laid out as corpus folders the normal ingest reads.

- Seeds with distractors: the seed articles at the top of a folder (so their
  citations keep their plain names, ``003_42341fde278f7be2.txt``) and the
  distractor articles in a subfolder named like their folder (``coop-news/``). Files are copied with their
  modification times (``copy2``), so an unchanged folder is an unchanged index:
  the second run embeds nothing. Copies, not symlinks: the assistant refuses to
  serve a file whose real path leaves the corpus.
- XQuAD-vi: one ``.txt`` per distinct paragraph and a QA file whose gold source
  is that paragraph's file.

Everything is written under a cache folder (``.index/data`` by default, or
``KTTT_EVAL_CACHE``), never into the repository.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import config

PROJECT_DIR = config.PROJECT_DIR


def cache_dir() -> Path:
    return Path(os.environ.get("KTTT_EVAL_CACHE") or config.DEFAULT_INDEX_ROOT / "data")


def shared_data(name: str) -> Path | None:
    """A data set in the shared data folder next to the checkout
    (``../shared/data/<name>``), or ``KTTT_SHARED_DATA/<name>``; None if absent."""
    roots = [os.environ.get("KTTT_SHARED_DATA"), PROJECT_DIR.parent / "shared" / "data",
             Path("/work/shared/data")]
    for root in roots:
        if root and (Path(root) / name).exists():
            return Path(root) / name
    return None


def sync_file(source: Path, target: Path) -> None:
    """Copy unless the target already has the same size and mtime (so an
    index built on the copy stays valid). A link in its place is replaced:
    the assistant refuses links that lead out of the corpus."""
    if target.is_symlink():
        target.unlink()
    if target.is_file():
        s, t = source.stat(), target.stat()
        if s.st_size == t.st_size and s.st_mtime_ns == t.st_mtime_ns:
            return
    shutil.copy2(source, target)


def _sync_folder(sources: list[Path], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {p.name for p in sources}
    for stale in folder.glob("*.txt"):
        if stale.name not in wanted:
            stale.unlink()
    for path in sources:
        sync_file(path, folder / path.name)


def with_distractors(seeds: Path, distractors: Path, cache: Path | None = None) -> Path:
    """A corpus folder holding the seed articles at its top and the distractor
    articles in a subfolder of the same name (``coop-news/``); returns the folder (stable path, so the
    index derived from it is reused)."""
    seeds, distractors = Path(seeds).resolve(), Path(distractors).resolve()
    folder = (cache or cache_dir()) / f"{seeds.name}+{distractors.name}"
    _sync_folder(sorted(seeds.glob("*.txt")), folder)
    _sync_folder(sorted(distractors.rglob("*.txt")), folder / distractors.name)
    return folder


def _write_if_changed(path: Path, text: str) -> None:
    """Rewrite only on change, so the file's mtime (and the index) stays put."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    path.write_text(text, encoding="utf-8")


def xquad(jsonl: Path, cache: Path | None = None) -> tuple[Path, Path]:
    """Lay out XQuAD-vi: (corpus folder, QA file). One document per distinct
    paragraph, named by its order of first appearance (``p000.txt``)."""
    cache = cache or cache_dir()
    corpus = cache / "xquad-vi"
    corpus.mkdir(parents=True, exist_ok=True)
    names: dict[str, str] = {}
    qa_lines = []
    with open(jsonl, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            item = json.loads(line)
            context = item["context"]
            if context not in names:
                names[context] = f"p{len(names):03d}.txt"
                _write_if_changed(corpus / names[context], context + "\n")
            qa_lines.append(json.dumps({"id": item["id"], "turns": [item["question"]],
                                        "answers": item["answers"], "sources": [names[context]]},
                                       ensure_ascii=False))
    keep = set(names.values())
    for stale in corpus.glob("*.txt"):
        if stale.name not in keep:
            stale.unlink()
    qa = cache / "xquad-vi.jsonl"
    _write_if_changed(qa, "\n".join(qa_lines) + "\n")
    return corpus, qa


# XQuAD-vi's paragraphs come five to a Wikipedia article, in order: the first
# 120 paragraphs (24 articles) train the reader, the last 120 test it.
XQUAD_TRAIN_PARAGRAPHS = 120


def xquad_split(qa: list[dict], split: str) -> list[dict]:
    """The questions of XQuAD-vi's train or test articles (split by article, never by question)."""
    def train(item) -> bool:
        return int(item["sources"][0][1:4]) < XQUAD_TRAIN_PARAGRAPHS

    return [item for item in qa if train(item) == (split == "train")]
