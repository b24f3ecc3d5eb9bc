"""What the reader knows about each (question, candidate) pair, as numbers.

A candidate is a span of one retrieved sentence that could answer the
question: a figure with its unit for "bao nhiêu", a person's name for "ai",
a date for "khi nào", a place for "ở đâu", the sentence itself for "là gì /
vì sao / như thế nào" (and as a fallback for the others). Every signal the
old hand-weighted scorer added up is a separate feature here; how much each
counts is fitted (answer/reader.py, ``python -m evaluation train``), not set
by hand.

The span finders (``_number_spans``, ``_names``, ``_DATE_RE``, ``_places``)
and the readings of a figure's unit and cues live in answer/extract.py.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

from vietnamese.places import districts_in, provinces_in
from vietnamese.text import NUMBER_RE, fold, lexical_terms, normalize_number, sentence_spans, tokens
from vietnamese.years import years_in

from . import extract as x
from .question import Question

# The features, in the order the fitted weights use. Each is 0 when it does
# not apply to the question's kind (a unit for a name, a role for a figure).
NAMES = [
    "bias_sentence",      # 1 for a whole-sentence candidate, 0 for a span
    "overlap",            # share of the question's words (and bigrams) in the sentence, or with its passage
    "sentence_overlap",   # ... in the sentence alone
    "passage_overlap",    # ... in the passage
    "idf_overlap",        # idf-weighted share in the sentence: "Kuechly" tells more than "của"
    "near_overlap",       # share right around the span (60 chars before, 40 after)
    "before_overlap",     # ... before it
    "after_overlap",      # ... after it
    "names_in_sentence",  # share of the question's capitalised words (an HTX, a person) in the sentence
    "names_in_passage",   # ... in the passage
    "rank",               # 1 / (1 + the passage's retrieval rank)
    "fused",              # the passage's fused retrieval score over the best one's
    "dense",              # 1 / (1 + its dense rank), 0 when dense search did not return it
    "lexical",            # 1 / (1 + its BM25 rank)
    "place_in_sentence",  # the sentence names a place the question asks about
    "place_other",        # the sentence names only other places
    "place_in_article",   # the article's places include one asked
    "place_asked",        # the question names a place
    "year_in_sentence",   # the sentence states a year asked
    "year_other",         # the sentence states only other years
    "year_in_context",    # its paragraph states a year asked
    "year_context_other", # its paragraph states only other years
    "year_asked",         # the question names a year
    "spans_in_sentence",  # 1 / the number of candidate spans in the sentence
    "sentence_length",    # characters / 300, at most 1
    # figures
    "unit_ok", "unit_bonus", "unit_asked", "unit_missing", "unit_before",
    "subject_first", "subject_before_ask", "subject_after_ask",
    "per_asked", "per_group", "cue_penalty", "cue_near", "has_co", "is_percent", "is_money",
    # names, places
    "role_fits", "role_body", "place_is_answer",
    # the hand-weighted scorer of earlier versions (answer/extract.py), read as evidence:
    # its score, whether its checks pass, whether it is its first choice
    "rule_score", "rule_confident", "rule_first",
    # how far each candidate is behind the best of its kind for this question
    "overlap_gap", "idf_gap", "near_gap", "fused_gap", "names_gap", "unit_gap", "subject_gap",
]
# gap feature <- the feature it measures
GAPS = {"overlap_gap": "overlap", "idf_gap": "idf_overlap", "near_gap": "near_overlap", "fused_gap": "fused",
        "names_gap": "names_in_sentence", "unit_gap": "unit_bonus", "subject_gap": "subject_first"}
INDEX = {name: i for i, name in enumerate(NAMES)}

_CAPITAL = re.compile(rf"(?<!\w)[{x._UPPER}][\wÀ-ỹ]*(?:\s+[{x._UPPER}][\wÀ-ỹ]*)*")
_ASKS_HAVE = re.compile(r"\bco\b")


@dataclass
class Candidate:
    source: str
    sentence: str
    start: int  # absolute offsets of the sentence in the article
    end: int
    span: tuple[int, int]  # the answer inside the sentence
    doc: object  # the LangChain Document it came from
    kind: str  # number | who | when | where | what: the model that scores it
    features: list[float] = field(default_factory=list)
    probability: float = 0.0

    @property
    def text(self) -> str:
        return self.sentence[self.span[0] : self.span[1]]


def question_names(q: Question) -> list[str]:
    """The capitalised runs of the question, folded, less provinces,
    abbreviations (HTX, UBND) and a lone capitalised first word: the HTX,
    the person, the district asked about ("Quyết Tiến", "Nguyễn Văn An")."""
    names = []
    for m in _CAPITAL.finditer(q.resolved):
        run = m.group()
        for province in provinces_in(run, loose=True):
            run = run.replace(province, " ")
        words = [w for w in run.split() if not (w.isupper() and len(w) <= 5)]
        if not words or (m.start() == 0 and len(words) == 1 and len(m.group().split()) == 1):
            continue
        names.append(fold(" ".join(words)))
    return names


def _share(needles: list[str], haystack: str) -> float:
    return sum(1 for n in needles if n in haystack) / len(needles) if needles else 0.0


@dataclass
class _Context:
    """What every candidate of one question is measured against."""

    q: Question
    kw_terms: list[str]
    weights: dict | None
    names: list[str]
    cues: x.AskedCues
    role_body: list[str]
    question_folded: str
    asks_day: bool
    asked_numbers: set
    level: str | None


def _context(q: Question, idf) -> _Context:
    keywords = [k for k in q.keywords if k not in q.unit[:1]]
    kw_terms = keywords + [a + "_" + b for a, b in zip(q.keywords, q.keywords[1:])]
    folded = fold(q.resolved)
    level = x._ASKED_LEVEL.search(folded)
    return _Context(
        q=q, kw_terms=kw_terms, weights=idf(kw_terms) if idf is not None and kw_terms else None,
        names=question_names(q), cues=x.asked_cues(q), role_body=x._role_body(folded),
        question_folded=folded,
        asks_day=bool(re.search(r"ngay nao|ngay may|what date|what day|on what day", folded)),
        asked_numbers={normalize_number(n) for n in NUMBER_RE.findall(x._DATE_RE.sub(" ", q.text))},
        level=level.group(1) if level else None)


def _spans(c: _Context, kind: str, sentence: str) -> list[tuple[int, int]]:
    q = c.q
    if kind == "number":
        # A figure the question itself states is not what it asks.
        return [(a, b) for a, b in x._number_spans(sentence) if x._digits(sentence, a) not in c.asked_numbers]
    if kind == "who":
        return list(x._names(sentence))
    if kind == "when":
        return [m.span() for m in x._DATE_RE.finditer(sentence) if not x._year_only(m.group(), q, c.asks_day)]
    if kind == "where":
        return [sp for sp in x._places(sentence, c.level) if sentence[sp[0]:sp[1]] not in q.places]
    return [(0, len(sentence))]


def _figure_features(c: _Context, f: list[float], sentence: str, a: int, b: int, spans) -> None:
    q = c.q
    unit_ok, bonus = x._unit_fit(q, sentence[a:b])
    if q.unit and not unit_ok and q.unit_class != "money":
        unit_ok, bonus = x._unit_before(q, sentence, a)
        f[INDEX["unit_before"]] = float(unit_ok)
    fits = x._subject_fit(q, sentence, a, b, spans)
    f[INDEX["unit_ok"]] = float(unit_ok)
    f[INDEX["unit_bonus"]] = bonus if unit_ok else 0.0
    f[INDEX["unit_asked"]] = float(bool(q.unit))
    f[INDEX["unit_missing"]] = float(bool(q.unit) and not unit_ok)
    f[INDEX["subject_first"]], f[INDEX["subject_before_ask"]], f[INDEX["subject_after_ask"]] = fits
    per = re.match(r"/(\w+)", sentence[b:])
    if per and tokens(per.group(1)) and tokens(per.group(1))[0] in q.keywords:
        f[INDEX["per_asked"]] = 1.0  # "270 triệu đồng/THT" for "mỗi tổ hợp tác"
    elif per and tokens(per.group(1)) and tokens(per.group(1))[0] in ("htx", "tht"):
        f[INDEX["per_group"]] = 1.0
    whole = len(q.unit) >= 2 and bonus >= x._unit_bonus(len(q.unit))
    f[INDEX["cue_penalty"]] = x._cue_penalty(sentence, a, b, c.cues, x._PART if whole else frozenset())
    f[INDEX["cue_near"]] = len(c.cues.near & x._cues(x._near(sentence, a, b, before=2, after=3)))
    f[INDEX["has_co"]] = float(bool(_ASKS_HAVE.search(c.question_folded))
                               and bool(_ASKS_HAVE.search(fold(sentence[:a]))))
    f[INDEX["is_percent"]] = float(sentence[a:b].endswith("%"))
    f[INDEX["is_money"]] = float(bool(re.search(r"(?i)\b(?:tỷ|triệu|nghìn|ngàn)?\s*đồng\b|tỷ\b", sentence[a:b])))


def _sentence_features(c: _Context, doc, rank: int, top_score: float, text: str, s: int, e: int,
                       passage_overlap: float) -> list[float]:
    """Features shared by every span of one sentence."""
    q, meta = c.q, doc.metadata
    sentence = text[s:e]
    f = [0.0] * len(NAMES)
    terms = set(lexical_terms(sentence))
    sentence_overlap = x._overlap(c.kw_terms, terms)
    f[INDEX["sentence_overlap"]] = sentence_overlap
    f[INDEX["passage_overlap"]] = passage_overlap
    f[INDEX["overlap"]] = max(sentence_overlap, 0.5 * sentence_overlap + 0.5 * passage_overlap)
    f[INDEX["idf_overlap"]] = x._weighted_overlap(c.kw_terms, terms, c.weights) if c.weights else 0.0
    folded_sentence, folded_passage = fold(sentence), fold(text)
    f[INDEX["names_in_sentence"]] = _share(c.names, folded_sentence)
    f[INDEX["names_in_passage"]] = _share(c.names, folded_passage)
    f[INDEX["rank"]] = 1.0 / (1 + rank)
    f[INDEX["fused"]] = float(meta.get("score") or 0.0) / top_score if top_score else 0.0
    dense, lexical = meta.get("dense_rank"), meta.get("lexical_rank")
    f[INDEX["dense"]] = 1.0 / (1 + dense) if dense is not None else 0.0
    f[INDEX["lexical"]] = 1.0 / (1 + lexical) if lexical is not None else 0.0
    asked = set(q.places)
    if asked:
        named = set(provinces_in(sentence)) | set(districts_in(sentence))
        f[INDEX["place_asked"]] = 1.0
        f[INDEX["place_in_sentence"]] = float(bool(named & asked) or any(fold(p) in folded_sentence for p in asked))
        f[INDEX["place_other"]] = float(bool(named - asked) and not f[INDEX["place_in_sentence"]])
        article = {p for p in meta.get("places", "").split("|") if p}
        f[INDEX["place_in_article"]] = float(bool(article & asked)
                                             or any(fold(p) in folded_passage for p in asked))
    if q.years:
        own = set(years_in(sentence))
        context = x._years_context(text, s)
        f[INDEX["year_asked"]] = 1.0
        f[INDEX["year_in_sentence"]] = float(bool(own & set(q.years)))
        f[INDEX["year_other"]] = float(bool(own) and not own & set(q.years))
        f[INDEX["year_in_context"]] = float(bool(context & set(q.years)))
        f[INDEX["year_context_other"]] = float(bool(context) and not context & set(q.years))
    f[INDEX["sentence_length"]] = min(len(sentence) / 300, 1.0)
    return f


def candidates(q: Question, docs, idf=None, kinds: tuple[str, ...] | None = None, ruled=None) -> list[Candidate]:
    """Every candidate of the question's kind (and whole sentences, for the
    fallback) in the retrieved passages, with its features."""
    c = _context(q, idf)
    kinds = kinds or ((q.kind,) if q.kind == "number" else (q.kind, "what") if q.kind != "what" else ("what",))
    top_score = max((float(d.metadata.get("score") or 0.0) for d in docs), default=0.0)
    passage_overlap = {id(d): x._overlap(c.kw_terms, set(lexical_terms(d.page_content))) for d in docs}
    out = []
    for rank, doc, s, e in x.retrieved_sentences(docs):
        meta, text = doc.metadata, doc.page_content
        sentence = text[s:e]
        shared = _sentence_features(c, doc, rank, top_score, text, s, e, passage_overlap[id(doc)])
        for kind in kinds:
            spans = _spans(c, kind, sentence)
            for a, b in spans:
                f = list(shared)
                f[INDEX["bias_sentence"]] = float(kind == "what")
                f[INDEX["spans_in_sentence"]] = 1.0 / len(spans)
                _span_features(c, kind, f, sentence, a, b, spans)
                out.append(Candidate(meta["source"], sentence, meta["start"] + s, meta["start"] + e,
                                     (a, b), doc, kind, f))
    _rules(q, x.candidates(q, docs, idf) if ruled is None else ruled, out)
    _gaps(out)
    return out


def _rules(q: Question, ruled: list, out: list[Candidate]) -> None:
    """What the hand-weighted scorer (its ranked candidates) says of the candidates of the question's own kind."""
    by_key = {(c.source, c.start, c.span): c for c in ruled}
    first = (ruled[0].source, ruled[0].start, ruled[0].span) if ruled else None
    for c in out:
        if c.kind != q.kind:
            continue
        r = by_key.get((c.source, c.start, c.span))
        if r is not None:
            c.features[INDEX["rule_score"]] = max(-6.0, min(8.0, r.score))
            c.features[INDEX["rule_confident"]] = float(x.confident(q, r))
            c.features[INDEX["rule_first"]] = float((c.source, c.start, c.span) == first)


def _gaps(candidates: list[Candidate]) -> None:
    """Each candidate's distance to the best value of its kind, per GAPS:
    what counts is being the best-supported figure, not the level of support."""
    for kind in {c.kind for c in candidates}:
        of_kind = [c for c in candidates if c.kind == kind]
        for gap, name in GAPS.items():
            i, g = INDEX[name], INDEX[gap]
            top = max(c.features[i] for c in of_kind)
            for c in of_kind:
                c.features[g] = c.features[i] - top


def _span_features(c: _Context, kind: str, f: list[float], sentence: str, a: int, b: int, spans) -> None:
    if kind == "what":
        return
    before, after, _ = x._window(sentence, a, b)
    f[INDEX["near_overlap"]] = x._overlap(c.kw_terms, before | after)
    f[INDEX["before_overlap"]] = x._overlap(c.kw_terms, before)
    f[INDEX["after_overlap"]] = x._overlap(c.kw_terms, after)
    if kind == "number":
        _figure_features(c, f, sentence, a, b, spans)
    elif kind == "who":
        region = x._role_region(sentence, a, b, spans)
        fits = x._role_fits(region, c.question_folded)
        f[INDEX["role_fits"]] = float(fits)
        if fits and c.role_body:
            f[INDEX["role_body"]] = x._overlap(c.role_body, set(tokens(region)))
    elif kind == "where" and c.q.places:
        named = set(provinces_in(sentence)) | set(districts_in(sentence))
        asked = set(c.q.places)
        f[INDEX["place_is_answer"]] = float(not named & asked and named - asked <= {sentence[a:b]})


SPAN_KINDS = {"number": "figure", "who": "name", "when": "date", "where": "place"}


def spans_in(text: str) -> list[dict]:
    """The figures, names, dates and places of every sentence of a text, as
    the reader finds them (``python -m answer candidates FILE``)."""
    from .question import parse

    probe = {kind: _context(replace(parse("?"), kind=kind), None) for kind in SPAN_KINDS}
    out = []
    for s, e in sentence_spans(text):
        sentence = text[s:e]
        for kind, label in SPAN_KINDS.items():
            for a, b in _spans(probe[kind], kind, sentence):
                out.append({"kind": label, "text": sentence[a:b], "start": s + a, "end": s + b,
                            "sentence": [s, e]})
    return sorted(out, key=lambda item: (item["start"], item["kind"]))


# What the confidence model (answer/reader.py) reads of one question's best
# candidate of a kind: how sure the ranker is, how far ahead of the next
# candidate, whether the candidates agree, and the best one's own evidence.
CONFIDENCE = ["p", "second", "margin", "agreement", "candidates",
              "asks_number", "asks_who", "asks_when", "asks_where", "asks_what", "sentence", "fallback",
              "overlap", "idf_overlap", "near_overlap", "unit_ok", "unit_missing", "cue_penalty",
              "place_asked", "place_in_sentence", "place_in_article", "place_other",
              "year_asked", "year_in_sentence", "year_other", "year_in_context", "rank", "names_in_sentence",
              "rule_score", "rule_confident", "rule_first"]
_TAKEN = [INDEX[name] for name in CONFIDENCE[12:]]


def agreement_key(text: str) -> str:
    """Candidates that say the same thing ("1.025 HTX", "1025 HTX") agree."""
    return re.sub(r"[\s.,]", "", fold(text))


def confidence_features(question_kind: str, kind: str, ranked: list[tuple[float, str, list[float]]]) -> list[float]:
    """``ranked``: (probability, text, features) of the question's candidates
    of ``kind``, best first (at least one)."""
    p1, text, best = ranked[0]
    p2 = ranked[1][0] if len(ranked) > 1 else 0.0
    top = ranked[:10]
    mass = sum(p for p, _, _ in top) or 1.0
    key = agreement_key(text)
    agree = sum(p for p, t, _ in top if agreement_key(t) == key) / mass
    asks = [float(question_kind == k) for k in ("number", "who", "when", "where", "what")]
    sentence = float(kind == "what")
    return [p1, p2, p1 - p2, agree, math.log1p(len(ranked)), *asks, sentence,
            float(sentence and question_kind != "what"), *(best[i] for i in _TAKEN)]


# The gate (answer/reader.py GatedReader) reads the same of the rules'
# choice, put first, and whether the fitted ranker put it first too.
GATE = CONFIDENCE + ["ranker_agrees"]


def gate_features(question_kind: str, chosen: int, ranked: list[tuple[float, str, list[float]]]) -> list[float]:
    """``ranked``: (probability, text, features) of the candidates of the
    question's kind, best first; ``chosen``: the index of the rules' choice."""
    reordered = [ranked[chosen]] + ranked[:chosen] + ranked[chosen + 1:]
    return confidence_features(question_kind, question_kind, reordered) + [float(chosen == 0)]


def rules_choice(candidates: list) -> int | None:
    """The index of the candidate the rules answer with (their first choice,
    when their checks pass), or None."""
    for i, c in enumerate(candidates):
        f = c[2] if isinstance(c, tuple) else c.features
        if f[INDEX["rule_first"]] == 1 and f[INDEX["rule_confident"]] == 1:
            return i
    return None
