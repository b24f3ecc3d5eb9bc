"""The extractive answerers, behind one protocol (``Answerer``).

- ``ExtractiveReader`` (``KTTT_READER=fitted``): every candidate span of the
  retrieved passages (answer/features.py) gets a probability of being the
  answer from a logistic regression fitted per candidate kind; a confidence
  model over the best candidate of a kind (how sure the ranker is, its
  margin, whether the candidates agree, the best one's evidence) decides
  whether to answer, at thresholds chosen on out-of-fold predictions so that
  confidently wrong answers stay at or under 3% of the training questions.
- ``RulesReader`` (``rules``): the hand-weighted scorer, answer/extract.py.
- ``GatedReader`` (``gated``, the default): the rules' answer, refused when a
  fitted gate doubts it.

The weights, thresholds and the data they were fitted and measured on are
one text file, ``answer/reader_weights.json``, written by ``python -m
evaluation train``; nothing here is tuned by hand per question. Measured
blind in docs/quality.md.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from . import extract, features
from .question import Question
from .types import Answer, Citation

WEIGHTS = Path(__file__).with_name("reader_weights.json")


class Answerer(Protocol):
    """One way of answering a parsed question from retrieved passages."""

    def answer(self, q: Question, docs: list) -> Answer: ...


@dataclass
class KindModel:
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float

    def probability(self, f: list[float]) -> float:
        z = self.intercept + sum(c * (v - m) / s for c, v, m, s in zip(self.coef, f, self.mean, self.scale))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass
class Model:
    """The fitted ranking models (one per candidate kind), the confidence
    model over each kind's best candidate, and its thresholds."""

    models: dict[str, KindModel]
    confidence: dict[str, KindModel]  # "typed", "sentence"
    gate: KindModel  # is the rules' figure, name, date or place right?
    gate_threshold: float
    # "typed": a figure, name, date or place; "sentence": a what/why/how
    # answer; "fallback": a sentence standing in for a name, date or place.
    thresholds: dict[str, float]
    about: dict

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> "Model":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if (data["features"], data["confidence_features"], data["gate"]["features"]) != \
                (features.NAMES, features.CONFIDENCE, features.GATE):
            raise ValueError(f"{path} was fitted on other features: refit with `python -m evaluation train`")
        return cls({k: KindModel(**m) for k, m in data["models"].items()},
                   {k: KindModel(**m) for k, m in data["confidence"].items()},
                   KindModel(**data["gate"]["model"]), data["gate"]["threshold"], data["thresholds"], data["about"])

    def score(self, candidates: list[features.Candidate]) -> list[features.Candidate]:
        """Each candidate's probability of being the answer, best first."""
        for c in candidates:
            model = self.models.get(c.kind)
            c.probability = model.probability(c.features) if model else 0.0
        return sorted(candidates, key=lambda c: -c.probability)

    def sure(self, q: Question, kind: str, ranked: list[features.Candidate]) -> float:
        """How likely the best of these candidates (all of ``kind``, best first) is right."""
        model = self.confidence["sentence" if kind == "what" else "typed"]
        return model.probability(features.confidence_features(
            q.kind, kind, [(c.probability, c.text, c.features) for c in ranked]))

    def threshold(self, q: Question, kind: str) -> float:
        if kind != "what":
            return self.thresholds["typed"]
        return self.thresholds["sentence" if q.kind == "what" else "fallback"]


def cite(c: features.Candidate) -> Citation:
    meta = c.doc.metadata
    return Citation(source=c.source, quote=c.sentence, start=c.start, end=c.end,
                    passage=c.doc.page_content, passage_start=meta["start"], highlight=c.span,
                    title=meta.get("title", ""))


class ExtractiveReader:
    """The default :class:`Answerer`: quotes the sentence that says it."""

    def __init__(self, model: Model | None = None, idf=None):
        self.model = model or Model.load()
        self.idf = idf

    def ranked(self, q: Question, docs, ruled=None) -> list[features.Candidate]:
        """Every candidate, best first (``ruled``: the rules' candidates, if already computed)."""
        return self.model.score(features.candidates(q, docs, self.idf, ruled=ruled))

    def choose(self, q: Question, ranked: list[features.Candidate]) -> features.Candidate | None:
        """The best span of the question's kind if the model is sure enough
        of it, else the best whole sentence if it is sure enough of that."""
        # A figure question keeps the one-figure answer: no sentence stands in for it.
        for kind in [q.kind] if q.kind == "number" else dict.fromkeys([q.kind, "what"]):
            of_kind = [c for c in ranked if c.kind == kind]
            if of_kind and self.model.sure(q, kind, of_kind) >= self.model.threshold(q, kind):
                return of_kind[0]
        return None

    def answer(self, q: Question, docs) -> Answer:
        if not docs:
            return Answer(text=extract.refusal(q), found=False, understood_as=q.resolved)
        best = self.choose(q, self.ranked(q, docs))
        if best is None:
            return Answer(text=extract.refusal(q), found=False, understood_as=q.resolved,
                          closest=[extract.passage_citation(d) for d in docs[:3]])
        if best.kind == "what":
            citation = quote_block(best)
            return Answer(text=quoted(q, citation), found=True, citations=[citation],
                          understood_as=q.resolved, span=best.sentence)
        text = extract.state(q, best.text, best.source)
        return Answer(text=text, found=True, citations=[cite(best)], understood_as=q.resolved, span=best.text)


# A what / why / how answer quotes the key sentence and the sentences after it
# in its passage, up to three in all and this many characters.
BLOCK_SENTENCES = 3
BLOCK_CHARS = 450


def quote_block(c: features.Candidate) -> Citation:
    """The key sentence and up to two that follow it in its passage, verbatim;
    the key sentence highlighted."""
    return extend(cite(c))


def extend(citation: Citation) -> Citation:
    """A one-sentence citation grown by the sentences after it in its passage
    (BLOCK_SENTENCES in all, at most BLOCK_CHARS), the sentence highlighted."""
    from vietnamese.text import sentence_spans

    text, rel = citation.passage, citation.start - citation.passage_start
    end = rel + len(citation.quote)
    for s, e in [(s, e) for s, e in sentence_spans(text) if s >= end][:BLOCK_SENTENCES - 1]:
        if e - rel > BLOCK_CHARS:
            break
        end = e
    return replace(citation, quote=text[rel:end], end=citation.passage_start + end,
                   highlight=(0, len(citation.quote)))


def quoted(q: Question, citation: Citation) -> str:
    """A whole-sentence answer, introduced as a quotation from its article."""
    lead = f"According to {citation.source}:" if q.english else f"Theo {citation.source}:"
    return f"{lead} “{citation.quote}”"


class RulesReader:
    """The hand-weighted scorer (answer/extract.py) as an :class:`Answerer`
    (``KTTT_READER=rules``): answers more, and is confidently wrong more."""

    def __init__(self, idf=None):
        self.idf = idf

    def answer(self, q: Question, docs) -> Answer:
        return extract.answer(q, docs, idf=self.idf)


class GatedReader:
    """The rules' answer, shown only when the fitted gate believes it
    (``KTTT_READER=gated``, the default): a figure, name, date or place the
    rules chose is refused when the gate's probability that it is right is
    under its threshold (chosen out of fold, a wrong answer costing
    ``wrong_cost`` refusals). Whole-sentence answers pass as the rules give them."""

    def __init__(self, model: Model | None = None, idf=None):
        self.fitted = ExtractiveReader(model, idf)
        self.rules = RulesReader(idf)

    @property
    def model(self) -> Model:
        return self.fitted.model

    def believed(self, q: Question, docs, ruled=None) -> float | None:
        """The gate's probability for the rules' choice; None when the rules
        answer with no span of the question's kind (a sentence, or nothing)."""
        if q.kind == "what":
            return None
        ranked = [c for c in self.fitted.ranked(q, docs, ruled) if c.kind == q.kind]
        chosen = features.rules_choice(ranked)
        if chosen is None:
            return None
        f = features.gate_features(q.kind, chosen, [(c.probability, c.text, c.features) for c in ranked])
        return self.model.gate.probability(f)

    def answer(self, q: Question, docs) -> Answer:
        ruled = extract.candidates(q, docs, self.rules.idf) if docs else []
        answer = extract.answer(q, docs, idf=self.rules.idf, ranked=ruled)
        if not answer.found:
            return answer
        belief = self.believed(q, docs, ruled)
        if belief is None:  # a whole sentence: quoted with the sentences that follow it
            citation = extend(answer.citations[0])
            return replace(answer, text=quoted(q, citation), citations=[citation])
        if belief >= self.model.gate_threshold:
            return answer
        return Answer(text=extract.refusal(q), found=False, understood_as=q.resolved,
                      closest=[extract.passage_citation(d) for d in docs[:3]])


READERS = {"gated": GatedReader, "fitted": ExtractiveReader, "rules": RulesReader}


def reader_for(settings, idf) -> Answerer:
    """The extractive answerer the settings name."""
    if settings.reader not in READERS:
        raise ValueError(f"Unknown reader {settings.reader!r}: use one of {', '.join(READERS)}.")
    return READERS[settings.reader](idf=idf)
