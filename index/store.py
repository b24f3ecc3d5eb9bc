"""Passages and their vectors in Chroma, embedded or on a server.

The collection records which embedder built it; opening it with another
embedder is refused with the command that fixes it. We always pass our own
vectors (``embeddings=``, ``query_embeddings=``): Chroma's default embedding
function would try to download a model.
"""

from __future__ import annotations

from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings

# Chroma refuses larger batches (its SQLite limit); ask it, with this as a floor.
_MAX_BATCH = 5000


class IndexMismatch(RuntimeError):
    """The index was built with another embedder than the one configured."""


def client(index_dir: Path, host: str | None = None, port: int = 8000, fresh: bool = False):
    """A Chroma client: HTTP to a server, or embedded in the index folder.
    ``fresh``: an embedded client that re-reads the folder. Chroma caches one
    system per folder and process, whose vector index does not see what
    another process wrote since (measured: a passage another process added
    was missing from queries, and asking for its id failed, until reopened)."""
    settings = ChromaSettings(anonymized_telemetry=False)
    if host:
        return chromadb.HttpClient(host=host, port=port, settings=settings)
    if fresh:
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
    return chromadb.PersistentClient(path=str(Path(index_dir) / "chroma"), settings=settings)


class PassageStore:
    def __init__(self, chroma, name: str, embedder_id: str):
        self.name = name
        self.embedder_id = embedder_id
        self._client = chroma
        self.collection = chroma.get_or_create_collection(
            name,
            metadata={"embedder": embedder_id},
            configuration={"hnsw": {"space": "cosine"}},
        )
        built_with = (self.collection.metadata or {}).get("embedder")
        if built_with != embedder_id:
            raise IndexMismatch(
                f"The index '{name}' was built with the embedder '{built_with}', but the "
                f"configured embedder is '{embedder_id}'. Vectors from different models cannot "
                f"be compared: re-index with `python -m ingest --rebuild` (or set KTTT_EMBEDDER "
                f"back to what built it)."
            )

    def _batch(self) -> int:
        try:
            return max(1, min(_MAX_BATCH, self._client.get_max_batch_size()))
        except Exception:  # older servers do not say
            return _MAX_BATCH

    def add(self, ids, documents, metadatas, embeddings) -> None:
        step = self._batch()
        for i in range(0, len(ids), step):
            self.collection.upsert(
                ids=ids[i : i + step],
                documents=documents[i : i + step],
                metadatas=metadatas[i : i + step],
                embeddings=embeddings[i : i + step],
            )

    def update_metadata(self, ids, metadatas) -> None:
        """New metadata for stored passages; their documents and vectors stay."""
        step = self._batch()
        for i in range(0, len(ids), step):
            self.collection.update(ids=list(ids[i : i + step]), metadatas=list(metadatas[i : i + step]))

    def delete(self, ids) -> None:
        step = self._batch()
        for i in range(0, len(ids), step):
            self.collection.delete(ids=list(ids[i : i + step]))

    def ids(self) -> set[str]:
        return set(self.collection.get(include=[])["ids"])

    def all(self, page: int = 5000):
        """Every stored passage as (id, document, metadata), page by page."""
        offset = 0
        while True:
            got = self.collection.get(include=["documents", "metadatas"], limit=page, offset=offset)
            if not got["ids"]:
                return
            yield from zip(got["ids"], got["documents"], got["metadatas"])
            offset += len(got["ids"])

    def query(self, embedding, n: int, ids: list[str] | None = None) -> list[tuple[str, float]]:
        """Nearest passages as (id, cosine similarity); only among ``ids`` when given."""
        count = len(ids) if ids is not None else self.collection.count()
        if count == 0:
            return []
        res = self.collection.query(query_embeddings=[embedding], n_results=min(n, count),
                                    ids=ids, include=["distances"])
        return [(i, 1.0 - d) for i, d in zip(res["ids"][0], res["distances"][0])]

    def count(self) -> int:
        return self.collection.count()


def open_store(settings, embedder_id: str, fresh: bool = False) -> PassageStore:
    chroma = client(settings.resolved_index_dir(), settings.chroma_host, settings.chroma_port, fresh)
    return PassageStore(chroma, settings.resolved_collection(), embedder_id)


def drop(settings) -> None:
    chroma = client(settings.resolved_index_dir(), settings.chroma_host, settings.chroma_port)
    try:
        chroma.delete_collection(settings.resolved_collection())
    except Exception:  # not there: nothing to drop
        pass
