"""BM25 over passages, with Vietnamese-aware terms (see vietnamese.text).

Terms are folded syllables, syllable bigrams, unified abbreviations and whole
numbers, so "ha tinh co bao nhieu htx" meets "Hà Tĩnh ... 1.025 hợp tác xã".
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import bm25s
import numpy as np

from vietnamese.text import lexical_terms


class LexicalIndex:
    def __init__(self, bm25: bm25s.BM25 | None, size: int):
        self._bm25 = bm25
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> "LexicalIndex":
        if not texts:
            return cls(None, 0)
        bm25 = bm25s.BM25()
        bm25.index([lexical_terms(t) or [""] for t in texts], show_progress=False)
        return cls(bm25, len(texts))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "lexical.json").write_text(json.dumps({"size": self.size}))
        if self._bm25 is not None:
            self._bm25.save(str(folder / "bm25"))

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        size = json.loads((folder / "lexical.json").read_text())["size"]
        if size == 0:
            return cls(None, 0)
        return cls(bm25s.BM25.load(str(folder / "bm25")), size)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for the query (0 where no term matches)."""
        if self._bm25 is None:
            return np.zeros(0, dtype=np.float32)
        terms = lexical_terms(query)
        if not terms:  # "🤔🙏": bm25s fails on an empty query; nothing matches
            return np.zeros(self.size, dtype=np.float32)
        return self._bm25.get_scores(terms)

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (row, score) with a positive score, among ``allowed`` rows."""
        scores = self.scores(query)
        if scores.size == 0:
            return []
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        k = min(k, scores.size)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def idf(self, terms) -> dict[str, float]:
        """BM25's inverse document frequency of each term (a term no passage
        has gets the highest): how much finding it in a sentence tells."""
        if self._bm25 is None:
            return {t: 1.0 for t in terms}
        vocab, indptr = self._bm25.vocab_dict, self._bm25.scores["indptr"]
        n = self._bm25.scores["num_docs"]
        out = {}
        for t in terms:
            i = vocab.get(t)
            df = 0 if i is None else int(indptr[i + 1] - indptr[i])
            out[t] = math.log(1 + (n - df + 0.5) / (df + 0.5))
        return out
