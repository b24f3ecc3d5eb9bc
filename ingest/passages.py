"""Cut an article into passages of whole sentences, with stable ids.

A passage is a run of consecutive article sentences, at most
``max_chars`` long (a longer sentence stands alone), never crossing removed
furniture. Its text is exactly ``text[start:end]`` of the file, so citations
point at real offsets. The last ``overlap`` sentences of a passage open the
next one, so a figure and the sentence that names its year stay together;
the embedder reads only the sentences that are new in a passage (``fresh``),
so every article character is embedded once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from vietnamese.places import districts_in, provinces_in
from vietnamese.text import sentence_spans
from vietnamese.years import years_in

from . import metadata as describing
from .metadata import DocumentInfo


@dataclass
class Passage:
    id: str
    source: str
    start: int
    end: int
    text: str
    metadata: dict


def _runs(lines: list[tuple[int, int]], text: str) -> list[list[tuple[int, int]]]:
    """Group kept lines into runs with no removed line between them."""
    runs: list[list[tuple[int, int]]] = []
    for start, end in lines:
        if runs and text[runs[-1][-1][1] : start].strip() == "":
            runs[-1].append((start, end))
        else:
            runs.append([(start, end)])
    return runs


def split(text: str, lines: list[tuple[int, int]], *, max_chars: int,
          overlap: int) -> list[tuple[int, int, int]]:
    """(start, fresh, end) of each passage: ``fresh`` is where the sentences
    the previous passage did not have begin (``start`` when none repeat)."""
    spans: list[tuple[int, int, int]] = []
    for run in _runs(lines, text):
        sentences = [s for start, end in run for s in sentence_spans(text, start, end)]
        i, seen = 0, 0  # seen: sentences before this index are in an earlier passage
        while i < len(sentences):
            j = i + 1
            while j < len(sentences) and sentences[j][1] - sentences[i][0] <= max_chars:
                j += 1
            if seen >= j:  # only repeated sentences (the next one is too long to join): no passage
                i = j
                continue
            spans.append((sentences[i][0], sentences[max(i, seen)][0], sentences[j - 1][1]))
            seen = j
            if j >= len(sentences):
                break
            i = max(i + 1, j - overlap)
    return spans


def _join(items) -> str:
    # "|a|b|" so that a place can be tested with "|name|" in ...
    return "|" + "|".join(str(x) for x in items) + "|" if items else ""


def recipe_id(recipe: dict) -> str:
    """A short name for how passages are cut and embedded (Settings.passage_recipe)."""
    return hashlib.sha1(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:8]


def make_passages(source: str, text: str, lines, info: DocumentInfo, content_hash: str, *,
                  max_chars: int, overlap: int, recipe: str = "") -> list[Passage]:
    spans = split(text, lines, max_chars=max_chars, overlap=overlap)
    passages = []
    for n, (start, fresh, end) in enumerate(spans):
        body = text[start:end]
        # The recipe is in the id: a passage embedded another way is another record.
        pid = hashlib.sha1(f"{source}\0{content_hash}\0{start}\0{end}\0{recipe}".encode()).hexdigest()[:20]
        passages.append(Passage(
            id=pid, source=source, start=start, end=end, text=body,
            metadata={
                "source": source,
                "start": start,
                "end": end,
                "fresh": fresh - start,  # the embedder reads text[fresh:] (index/snapshot.embedded_text)
                "chunk": n,
                "n_chunks": len(spans),
                "content_hash": content_hash,
                "recipe": recipe,
                "described": describing.VERSION,  # which describe() wrote the places and years below
                "title": info.title,
                "date": info.date,
                "publisher": info.publisher,
                "places": _join(info.places),
                "passage_places": _join(provinces_in(body) + districts_in(body)),
                "years": _join(info.years),
                "passage_years": _join(years_in(body)),
            },
        ))
    return passages
