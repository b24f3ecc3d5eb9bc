"""Bring an index up to date with a folder of articles.

Only new and changed files are read, split and embedded (a file is unchanged
when its size and modification time, or failing that its SHA-256, match the
manifest). The order of writes makes any crash harmless: new passages are
added to Chroma first, invisible until the snapshot that names them is
committed; passages of deleted or changed files are removed from Chroma only
after that commit.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

import config

from index import embeddings as embedders
from index import snapshot as snapshots
from index.store import open_store

from . import metadata
from .clean import article_lines
from .figures import figures_in
from .metadata import describe
from .passages import make_passages, recipe_id
from .reader import SUFFIXES, Unreadable, read_text


@dataclass
class Report:
    corpus: Path
    index: Path
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    redescribed: int = 0  # unchanged files described again (metadata.VERSION changed)
    deleted: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # file -> reason
    passages_embedded: int = 0
    characters_embedded: int = 0
    passages_removed: int = 0
    seconds: float = 0.0
    # The live snapshot after this run, so a caller about to search it
    # (Assistant.open) need not load it from disk a second time.
    snapshot: object = field(default=None, repr=False)

    @property
    def did_work(self) -> bool:
        return bool(self.added or self.changed or self.deleted or self.passages_removed or self.redescribed)

    def summary(self) -> str:
        lines = [
            f"Index {self.index} for {self.corpus}",
            f"  {len(self.added)} added, {len(self.changed)} changed, {self.unchanged} unchanged, "
            f"{len(self.deleted)} deleted, {len(self.skipped)} skipped",
            f"  {self.passages_embedded} passages embedded ({self.characters_embedded:,} characters) "
            f"in {self.seconds:.1f} s",
        ]
        if self.redescribed:
            lines.append(f"  {self.redescribed} unchanged files described again (places, years), nothing embedded")
        if self.passages_removed:
            lines.append(f"  {self.passages_removed} old passages removed")
        for name, reason in sorted(self.skipped.items()):
            lines.append(f"  skipped {name}: {reason}")
        return "\n".join(lines)


def corpus_files(corpus: Path) -> list[Path]:
    """The article files under the corpus folder (every suffix the reader
    accepts, in any case: .txt, .docx, .pdf, .html, .htm), in a stable order.
    Dot-files and Word's "~$" lock files (left beside an open .docx) are not
    articles."""
    if not corpus.is_dir():
        raise FileNotFoundError(f"Corpus folder not found: {corpus}")
    return sorted(p for p in corpus.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()
                  and not p.name.startswith((".", "~$")))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _manifest(settings, embedder_id: str, files: dict) -> dict:
    return {
        "schema": snapshots.SCHEMA,
        "embedder": embedder_id,
        "corpus": str(Path(settings.corpus_dir).resolve()),
        "passages": settings.passage_recipe(),
        "metadata": metadata.VERSION,
        "files": files,
    }


def _recover_from_store(store, manifest: dict) -> snapshots.Snapshot:
    """Rebuild the local snapshot from Chroma's contents: used when the local
    folder is new but the (shared) Chroma server already holds passages."""
    by_source: dict[str, list] = {}
    recipe = recipe_id(manifest["passages"])
    for pid, text, meta in store.all():
        if meta.get("recipe") != recipe:
            continue  # cut or embedded another way: this run redoes the file
        by_source.setdefault(meta["source"], []).append((pid, text, meta))
    files, records = {}, []
    for source, recs in by_source.items():
        hashes = {r[2]["content_hash"] for r in recs}
        recs.sort(key=lambda r: r[2]["chunk"])
        if len(hashes) != 1 or len(recs) != recs[0][2]["n_chunks"]:
            continue  # a half-written file: let this run redo it
        files[source] = {"sha256": hashes.pop(), "size": None, "mtime_ns": None,
                         "ids": [r[0] for r in recs]}
        records.extend(recs)
    # Described by an older describe() (or not known): describe them again.
    described = {r[2].get("described") for r in records}
    version = described.pop() if len(described) == 1 else None
    return snapshots.Snapshot.build({**manifest, "metadata": version, "files": files}, records)


def ingest(settings, *, rebuild: bool = False, progress: bool = True, embedder=None) -> Report:
    corpus = Path(settings.corpus_dir)
    index_dir = settings.resolved_index_dir()
    report = Report(corpus=corpus, index=index_dir)
    started = time.perf_counter()
    embedder_id = embedders.identity(settings.embedder)

    with snapshots.ingest_lock(index_dir):
        if rebuild:
            from index.store import drop

            drop(settings)
        store = open_store(settings, embedder_id)
        manifest = _manifest(settings, embedder_id, {})
        recipe = recipe_id(manifest["passages"])
        on_disk = snapshots.load(index_dir)  # loaded once: it is the slow part of a no-op run
        old = None if rebuild else on_disk
        if old is not None and (old.manifest.get("embedder") != embedder_id
                                or old.manifest.get("passages") != manifest["passages"]):
            old = None  # built differently: every file counts as new
        stored_ids = store.ids()
        if old is None and stored_ids:
            old = _recover_from_store(store, manifest)
        # Described by an older describe(): every file is read and described
        # again; its passages keep their ids and vectors, only their metadata
        # is rewritten (places and years decide which articles may answer).
        redescribe = old is not None and old.manifest.get("metadata") != metadata.VERSION
        old = old or snapshots.Snapshot.empty(manifest)

        files: dict[str, dict] = {}
        keep: list[tuple[str, str, dict]] = []
        new: list = []  # Passage objects to embed
        seen_hashes: dict[str, str] = {}
        inside = corpus.resolve()
        for path in corpus_files(corpus):
            source = path.relative_to(corpus).as_posix()
            if not path.resolve().is_relative_to(inside):
                report.skipped[source] = "a link to a file outside the corpus folder"
                continue
            stat = path.stat()
            before = old.files.get(source)
            complete = before is not None and set(before["ids"]) <= stored_ids
            # Up to date: described by this describe(), figures included (a file
            # indexed before figures were extracted is described again).
            current = before is not None and "figures" in before and not redescribe
            if (complete and current and before["size"] == stat.st_size
                    and before["mtime_ns"] == stat.st_mtime_ns):
                files[source] = before
                keep.extend(old.records(source))
                seen_hashes.setdefault(before["sha256"], source)
                report.unchanged += 1
                continue
            data = path.read_bytes()
            digest = _sha256(data)
            if digest in seen_hashes:
                report.skipped[source] = f"same content as {seen_hashes[digest]}"
                continue
            if complete and current and before["sha256"] == digest:
                files[source] = {**before, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
                keep.extend(old.records(source))
                seen_hashes[digest] = source
                report.unchanged += 1
                continue
            try:
                text = read_text(path)
            except (Unreadable, OSError) as err:
                report.skipped[source] = str(err)
                if before is not None and complete:  # keep the last good version
                    files[source] = before
                    keep.extend(old.records(source))
                    report.skipped[source] += "; the previously indexed version is kept"
                continue
            lines = article_lines(text)
            if not lines:
                report.skipped[source] = "no article text (only page furniture)"
                continue
            info = describe(text, lines)
            passages = make_passages(source, text, lines, info, digest,
                                     max_chars=settings.passage_chars,
                                     overlap=settings.passage_overlap_sentences,
                                     recipe=recipe)
            seen_hashes[digest] = source
            files[source] = {"sha256": digest, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
                             "ids": [p.id for p in passages],
                             "figures": [f.to_json() for f in figures_in(text, lines, info)]}
            new.extend(passages)
            if not current and complete and before["sha256"] == digest:
                report.redescribed += 1
            else:
                (report.changed if before is not None else report.added).append(source)
        report.deleted = sorted(set(old.files) - set(files))

        live = {pid for f in files.values() for pid in f["ids"]}
        orphans = stored_ids - live
        if not new and not report.deleted and not orphans and old.files.keys() == files.keys() \
                and on_disk is not None and not redescribe:
            report.seconds = time.perf_counter() - started
            report.snapshot = on_disk
            return report  # nothing to do: no embedding, no writes

        # Passages already in Chroma (written by a run that died before its
        # commit; ids are deterministic) need no second embedding.
        to_embed = [p for p in new if p.id not in stored_ids]
        if to_embed:
            embedder = embedder or embedders.load(settings.embedder, settings.embed_batch_size)
            _embed_and_store(to_embed, store, embedder, settings.embed_batch_size, progress,
                             header=settings.dense_header)
            report.passages_embedded = len(to_embed)
            report.characters_embedded = sum(len(snapshots.embedded_text(p.text, p.metadata, settings.dense_header))
                                             for p in to_embed)

        described = [p for p in new if p.id in stored_ids]  # same text, vector kept: metadata only
        if described:
            store.update_metadata([p.id for p in described], [p.metadata for p in described])

        records = keep + [(p.id, p.text, p.metadata) for p in new]
        records.sort(key=lambda r: (r[2]["source"], r[2]["chunk"]))
        report.snapshot = snapshots.Snapshot.build(_manifest(settings, embedder_id, files), records)
        snapshots.commit(index_dir, report.snapshot)

        # Only now, with the new snapshot live, drop what it no longer names.
        config.pause_point("committed")
        if orphans:
            store.delete(sorted(orphans))
            report.passages_removed = len(orphans)
    report.seconds = time.perf_counter() - started
    return report


def _embed_and_store(passages, store, embedder, batch_size: int, progress: bool, header: bool) -> None:
    """Embed in batches and write each batch, so memory stays flat and a
    crash keeps the batches already written (the next run reuses none of them
    blindly: they are invisible until committed, and ids are deterministic)."""
    total = sum(len(p.text) for p in passages)
    bar = tqdm(total=total, unit="char", unit_scale=True, desc="Embedding", disable=not progress)
    step = max(batch_size * 8, 256)
    for i in range(0, len(passages), step):
        batch = passages[i : i + step]
        vectors = embedder.embed_documents([snapshots.embedded_text(p.text, p.metadata, header) for p in batch])
        config.pause_point("embedded")
        store.add([p.id for p in batch], [p.text for p in batch], [p.metadata for p in batch], vectors)
        if i + step < len(passages):
            config.pause_point("stored")
        bar.update(sum(len(p.text) for p in batch))
    bar.close()
