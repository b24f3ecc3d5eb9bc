"""Hybrid search: dense (Chroma) + lexical (BM25), fused by reciprocal rank.

Place and year constraints are applied here, on the snapshot's metadata held
in memory, never through Chroma's ``where`` filters (they slow down as the
collection grows). A place named in the question is required: passages from
articles about other places are never returned, so a question about Đà Nẵng
cannot be answered with Hà Tĩnh's figures. Any other place (a district, a
foreign city the articles taught the index) is only preferred. A year is
required of the article and preferred in the passage.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from index import embeddings as embedders
from index import snapshot as snapshots
from index.store import open_store

from vietnamese.places import GAZETTEER



# With at most this many passages allowed, Chroma is given their ids to search
# among; with more, we over-fetch and filter.
_FILTER_BY_IDS = 2000


class IndexMissing(RuntimeError):
    """No committed index in the folder: run the ingest first."""


@dataclass
class Hit:
    id: str
    text: str
    metadata: dict
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None


@dataclass
class SearchResult:
    hits: list[Hit]
    # Where the time went, in seconds: embed, dense, lexical, fusion.
    timings: dict = field(default_factory=dict)
    # Why nothing may be found: the constraint no article satisfies.
    unmet: str | None = None


def _split(value: str) -> set[str]:
    return {v for v in value.split("|") if v}


class HybridSearch:
    def __init__(self, settings, *, embedder=None, snapshot=None, store=None):
        self.settings = settings
        self.snapshot = snapshot or snapshots.load(settings.resolved_index_dir())
        if self.snapshot is None:
            raise IndexMissing(
                f"No index in {settings.resolved_index_dir()}: run `python -m ingest "
                f"{settings.corpus_dir}` first."
            )
        embedder_id = embedders.identity(settings.embedder)
        built_with = self.snapshot.manifest.get("embedder")
        if built_with != embedder_id:
            from index.store import IndexMismatch

            raise IndexMismatch(
                f"The index in {settings.resolved_index_dir()} was built with '{built_with}' but the "
                f"configured embedder is '{embedder_id}': re-index with `python -m ingest --rebuild`."
            )
        self.store = store or open_store(settings, embedder_id)
        self.embedder = embedder or embedders.load(settings.embedder, settings.embed_batch_size)
        metas = self.snapshot.metadatas
        self._doc_places = [_split(m["places"]) for m in metas]
        self._passage_places = [_split(m["passage_places"]) for m in metas]
        self._doc_years = [_split(m["years"]) for m in metas]
        self._passage_years = [_split(m["passage_years"]) for m in metas]
        self.known_places = sorted(set().union(*self._doc_places)) if metas else []

    def __len__(self) -> int:
        return len(self.snapshot.ids)

    def _mask(self, sets: list[set[str]], wanted: list[str]) -> np.ndarray:
        wanted = set(wanted)
        return np.fromiter((bool(s & wanted) for s in sets), dtype=bool, count=len(sets))

    def _dense(self, vector, allowed: np.ndarray) -> list[tuple[int, float]]:
        """The dense_k nearest live, allowed passages as (row, similarity).

        Chroma may hold passages no live snapshot names (an ingest that failed
        before its commit): they are invisible, but they would take places in
        Chroma's top-n, so we ask for that many more. When a place or year
        leaves few passages allowed, Chroma searches only among them."""
        k = self.settings.dense_k
        n_allowed = int(allowed.sum())
        if n_allowed <= _FILTER_BY_IDS:
            ids = [self.snapshot.ids[row] for row in np.flatnonzero(allowed)]
            found = self.store.query(vector, k, ids=ids)
        else:
            stale = max(0, self.store.count() - len(self))
            found = self.store.query(vector, k + stale + (len(self) - n_allowed))
        dense = []
        for pid, sim in found:
            row = self.snapshot.row_of.get(pid)  # None: not in the live snapshot
            if row is not None and allowed[row]:
                dense.append((row, sim))
        return dense[:k]

    def search(self, query: str, *, places=(), years=(), k: int | None = None) -> SearchResult:
        k = k or self.settings.top_k
        timings = {}
        n = len(self)
        allowed = np.ones(n, dtype=bool)
        unmet = None
        # Only a province or region is required of the article. A district or
        # another place the articles taught the index is preferred: an article
        # names it in passing ("HTX Hợp Lực ở Lộc Hà"), and a word read as a
        # place may be a name ("Thanh Bình", "HTX Bảo An Phú"); the reader
        # weighs where a sentence says it is (answer/features.py).
        preferred = {p for p in places if p not in GAZETTEER}
        places = [p for p in places if p not in preferred]
        if places:
            allowed &= self._mask(self._doc_places, list(places))
            if not allowed.any():
                unmet = "place"
        if years and not unmet:
            with_year = allowed & self._mask(self._doc_years, [str(y) for y in years])
            if not with_year.any():
                unmet = "year"
            allowed = with_year
        if unmet or n == 0:
            return SearchResult([], timings, unmet)

        t = time.perf_counter()
        vector = self.embedder.embed_query(query)
        timings["embed"] = time.perf_counter() - t

        t = time.perf_counter()
        dense = self._dense(vector, allowed)
        timings["dense"] = time.perf_counter() - t

        t = time.perf_counter()
        lexical = self.snapshot.lexical.search(query, self.settings.lexical_k, allowed)
        timings["lexical"] = time.perf_counter() - t

        t = time.perf_counter()
        s = self.settings
        dense_rank = {row: rank for rank, (row, _) in enumerate(dense)}
        lexical_rank = {row: rank for rank, (row, _) in enumerate(lexical)}
        fused = _fuse(s, dense, lexical)
        # Prefer passages that themselves name the place and year asked about.
        bonus = 0.25 / (s.rrf_k + 1) if s.fusion == "rrf" else 0.05 * (s.dense_weight + s.lexical_weight)
        for row in fused:
            if places and self._passage_places[row] & set(places):
                fused[row] += bonus
            if preferred and self._doc_places[row] & preferred:
                fused[row] += bonus
            if years and self._passage_years[row] & {str(y) for y in years}:
                fused[row] += bonus
        ranked = sorted(fused.items(), key=lambda item: -item[1])[:k]
        hits = [
            Hit(self.snapshot.ids[row], self.snapshot.texts[row], self.snapshot.metadatas[row], score,
                dense_rank.get(row), lexical_rank.get(row))
            for row, score in ranked
        ]
        timings["fusion"] = time.perf_counter() - t
        return SearchResult(hits, timings)


def _fuse(s, dense: list[tuple[int, float]], lexical: list[tuple[int, float]]) -> dict[int, float]:
    """One score per passage from the dense (row, cosine) and lexical (row,
    BM25) lists, each best first."""
    fused: dict[int, float] = {}
    if s.fusion == "rrf":
        for weight, ranked in ((s.dense_weight, dense), (s.lexical_weight, lexical)):
            for rank, (row, _) in enumerate(ranked):
                fused[row] = fused.get(row, 0.0) + weight / (s.rrf_k + rank + 1)
        return fused
    if dense:  # cosines bunch together: scale the top-k's spread to [0, 1]
        hi, lo = dense[0][1], dense[-1][1]
        for row, sim in dense:
            fused[row] = fused.get(row, 0.0) + s.dense_weight * (sim - lo) / (hi - lo + 1e-9)
    if lexical:  # BM25 has no upper bound: relative to the best
        best = lexical[0][1]
        for row, score in lexical:
            fused[row] = fused.get(row, 0.0) + s.lexical_weight * score / best
    return fused
