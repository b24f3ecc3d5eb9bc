"""Fit the reader (answer/reader.py) from labelled questions, reproducibly.

    python -m evaluation train [--out answer/reader_weights.json] [--target-wrong 0.03]

1. Every training question goes through the assistant's own path (the
   conversation resolved turn by turn, the same retrieval); each candidate
   of the last turn gets its features (answer/features.py) and a label: it
   is right when its span (a whole sentence for sentence candidates) holds a
   gold answer and comes from a gold article.
2. One logistic regression per candidate kind (number, who, when, where,
   what), features standardised, fitted with scikit-learn.
3. A confidence model: for each question's best span and best sentence
   (ranked by out-of-fold probabilities), a logistic regression over how
   sure the ranker is, its margin over the next candidate, whether the
   candidates agree, and the best one's evidence (features.CONFIDENCE)
   predicts whether it is right.
4. Thresholds: out-of-fold confidences (folds grouped by article, never by
   question) decide, for every question, what the reader would have said at
   each threshold; the thresholds kept answer the most questions right with
   confidently wrong answers at or under ``--target-wrong`` of all questions.
5. The weights, thresholds, the data and the out-of-fold risk–coverage
   curve are written as one JSON text file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from answer import features
from answer.question import Conversation

from .evaluate import answer_matches

KINDS = ("number", "who", "when", "where", "what")


@dataclass
class QuestionRows:
    """One question's candidates: their kinds, features and labels."""

    qid: str
    group: str  # the article: folds never split one
    kind: str  # the question's kind
    answerable: bool
    calibrate: bool = True  # its outcome counts when thresholds are chosen (the coop-news sets)
    cand_kinds: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    X: list[list[float]] = field(default_factory=list)
    y: list[int] = field(default_factory=list)


def question_rows(assistant, item: dict) -> QuestionRows:
    """The candidates of one QA item's last turn, labelled."""
    conversation = Conversation()
    q = None
    for turn in item["turns"]:
        q = assistant.prepare(turn, conversation)
    gold_sources = set(item.get("sources") or [])
    group = sorted(gold_sources)[0] if gold_sources else f"none:{item['id']}"
    if not hasattr(q, "kind"):  # prepared into a refusal (empty, too long)
        return QuestionRows(item["id"], group, "what", bool(gold_sources))
    docs = assistant.retrieve(q)
    rows = QuestionRows(item["id"], group, q.kind, bool(gold_sources))
    for c in features.candidates(q, docs, assistant.search.snapshot.lexical.idf):
        text = c.sentence if c.kind == "what" else c.text
        right = c.source in gold_sources and answer_matches(text, item.get("answers") or [])
        rows.cand_kinds.append(c.kind)
        rows.texts.append(text)
        rows.X.append(c.features)
        rows.y.append(int(right))
    return rows


def collect(assistant, qa: list[dict], progress: bool = True, calibrate: bool = True) -> list[QuestionRows]:
    from tqdm import tqdm

    rows = [question_rows(assistant, item) for item in tqdm(qa, unit="q", disable=not progress)]
    for r in rows:
        r.calibrate = calibrate
    return rows


# Regularisation of the logistic regressions (scikit-learn's C). Out of fold
# on the coop-news questions, C = 0.1 / 1 / 10 / 100 gave 0.47 / 0.49 / 0.50
# / 0.50 of the answerable right at 3% wrong (docs/quality.md).
C = 1.0


def _fit(X: np.ndarray, y: np.ndarray):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(X)
    scale = np.where(scaler.scale_ > 1e-9, scaler.scale_, 1.0)
    if y.min() == y.max():  # one class only: a constant probability
        return scaler.mean_, scale, np.zeros(X.shape[1]), float(-4.0 if y.max() == 0 else 4.0)
    model = LogisticRegression(C=C, max_iter=2000, class_weight=None)
    model.fit((X - scaler.mean_) / scale, y)
    return scaler.mean_, scale, model.coef_[0], float(model.intercept_[0])


def fit_models(questions: list[QuestionRows]) -> dict:
    models = {}
    for kind in KINDS:
        # Sentences rank for what/why/how questions and stand in for names,
        # dates and places; a figure question is never answered by one.
        X = [x for q in questions for k, x in zip(q.cand_kinds, q.X) if k == kind and not _no_sentence(q, k)]
        y = [v for q in questions for k, v in zip(q.cand_kinds, q.y) if k == kind and not _no_sentence(q, k)]
        if not X:
            continue
        models[kind] = _rounded(*_fit(np.array(X), np.array(y)))
    return models


def _no_sentence(q: QuestionRows, kind: str) -> bool:
    return kind == "what" and q.kind == "number"


def _probabilities(models: dict, q: QuestionRows) -> list[float]:
    from answer.reader import KindModel

    fitted = {k: KindModel(**m) for k, m in models.items()}
    return [fitted[k].probability(x) if k in fitted else 0.0 for k, x in zip(q.cand_kinds, q.X)]


def _folds(groups: set[str], folds: int) -> dict[str, int]:
    """Articles dealt into folds at random (seeded): one article's questions share a fold."""
    return {g: i % folds for i, g in enumerate(np.random.default_rng(0).permutation(sorted(groups)))}


def out_of_fold(questions: list[QuestionRows], folds: int = 5) -> list[list[float]]:
    """Each question's candidate probabilities from models fitted without its article."""
    fold_of = _folds({q.group for q in questions}, folds)
    probs: list[list[float]] = [[] for _ in questions]
    for k in range(folds):
        models = fit_models([q for q in questions if fold_of[q.group] != k])
        for i, q in enumerate(questions):
            if fold_of[q.group] == k:
                probs[i] = _probabilities(models, q)
    return probs


def _ranked(q: QuestionRows, p: list[float], kind: str):
    """The question's candidates of one kind as (probability, text, features, right), best first."""
    out = [(pi, t, x, bool(y)) for pi, k, t, x, y in zip(p, q.cand_kinds, q.texts, q.X, q.y) if k == kind]
    return sorted(out, key=lambda c: -c[0])


@dataclass
class Choice:
    """One question's best candidate of one kind (its typed span, or the best sentence)."""

    question: int  # index into the questions
    group: str
    sentence: bool
    features: list[float]
    right: bool
    confidence: float = 0.0


def choices(questions: list[QuestionRows], probs: list[list[float]]) -> list[Choice]:
    out = []
    for i, (q, p) in enumerate(zip(questions, probs)):
        for kind in dict.fromkeys([q.kind, "what"]):
            ranked = _ranked(q, p, kind) if not _no_sentence(q, kind) else []
            if ranked:
                f = features.confidence_features(q.kind, kind, [(pi, t, x) for pi, t, x, _ in ranked])
                out.append(Choice(i, q.group, kind == "what", f, ranked[0][3]))
    return out


def fit_confidence(rows: list[Choice]) -> dict:
    """One confidence model for typed spans, one for sentences."""
    out = {}
    for name, sentence in (("typed", False), ("sentence", True)):
        part = [r for r in rows if r.sentence == sentence]
        out[name] = _rounded(*_fit(np.array([r.features for r in part]), np.array([r.right for r in part])))
    return out


def _rounded(mean, scale, coef, intercept) -> dict:
    return {"mean": [round(float(v), 6) for v in mean], "scale": [round(float(v), 6) for v in scale],
            "coef": [round(float(v), 6) for v in coef], "intercept": round(float(intercept), 6)}


def _confidences_out_of_fold(rows: list, fit, model_of, folds: int = 5) -> None:
    """Set each row's ``confidence`` from models fitted (``fit``: rows ->
    {name: fitted dict}) without its article; ``model_of(row)`` names its model."""
    from answer.reader import KindModel

    fold_of = _folds({r.group for r in rows}, folds)
    for k in range(folds):
        models = {name: KindModel(**m) for name, m in fit([r for r in rows if fold_of[r.group] != k]).items()}
        for r in rows:
            if fold_of[r.group] == k:
                r.confidence = models[model_of(r)].probability(r.features)


def confidence_out_of_fold(rows: list[Choice], folds: int = 5) -> None:
    """Each choice's confidence from a model fitted without its article."""
    _confidences_out_of_fold(rows, fit_confidence, lambda r: "sentence" if r.sentence else "typed", folds)


@dataclass
class Best:
    """For one question: its kind, and (confidence, right) of its best typed span and best sentence."""

    kind: str
    answerable: bool
    typed: tuple[float, bool]
    sentence: tuple[float, bool]
    calibrate: bool = True


def best_of(questions: list[QuestionRows], rows: list[Choice]) -> list[Best]:
    typed, sentence = {}, {}
    for r in rows:
        (sentence if r.sentence else typed)[r.question] = (r.confidence, r.right)
    return [Best(q.kind, q.answerable, typed.get(i, (0.0, False)) if q.kind != "what" else (0.0, False),
                 sentence.get(i, (0.0, False)), q.calibrate) for i, q in enumerate(questions)]


def outcome(best: list[Best], t_typed: float, t_sentence: float, t_fallback: float | None = None) -> tuple[int, int]:
    """(right, confidently wrong) over the questions at these thresholds, as
    the reader decides: a sentence answers a what-question at ``t_sentence``
    and stands in for a name, date or place at ``t_fallback``."""
    t_fallback = t_sentence if t_fallback is None else t_fallback
    right = wrong = 0
    for b in best:
        if b.kind != "what" and b.typed[0] >= t_typed:
            ok = b.typed[1]
        elif b.kind != "number" and b.sentence[0] >= (t_sentence if b.kind == "what" else t_fallback):
            ok = b.sentence[1]
        else:
            continue
        right += ok
        wrong += not ok
    return right, wrong


GRID = [round(0.025 * i, 3) for i in range(4, 40)]


def choose_thresholds(best: list[Best], target_wrong: float) -> tuple[dict, list[dict]]:
    """The thresholds with the most right answers at confidently wrong ≤
    target (of all questions), and the risk–coverage curve (one point per
    threshold, the same for spans and sentences)."""
    n = len(best)
    chosen, top = None, (-1, 0)
    for t in GRID:
        for ts in GRID:
            for tf in GRID[::2]:
                right, wrong = outcome(best, t, ts, tf)
                if wrong <= target_wrong * n and (right, -wrong) > top:
                    top, chosen = (right, -wrong), {"typed": t, "sentence": ts, "fallback": tf}
    curve = []
    for t in GRID:
        right, wrong = outcome(best, t, t)
        curve.append({"threshold": t, "answered": round((right + wrong) / n, 3), "right": round(right / n, 3),
                      "wrong": round(wrong / n, 3)})
    return chosen or {"typed": 1.0, "sentence": 1.0, "fallback": 1.0}, curve


# What a confidently wrong answer costs, in refused questions, when the
# gate's threshold is chosen: refusing three right answers to stop one wrong
# figure is worth it; refusing four is not. (A product decision, not a fit.)
WRONG_COST = 3.0


@dataclass
class Gated:
    """A question the rules answer with one of its typed candidates."""

    group: str
    features: list[float]
    right: bool
    calibrate: bool
    confidence: float = 0.0


def gated_rows(questions: list[QuestionRows], probs: list[list[float]]) -> list[Gated]:
    out = []
    for q, p in zip(questions, probs):
        if q.kind == "what":
            continue
        ranked = _ranked(q, p, q.kind)
        chosen = features.rules_choice(ranked)
        if chosen is None:
            continue
        f = features.gate_features(q.kind, chosen, [(pi, t, x) for pi, t, x, _ in ranked])
        out.append(Gated(q.group, f, ranked[chosen][3], q.calibrate))
    return out


def fit_gate(rows: list[Gated], n_questions: int) -> dict:
    """The gate's model, and its threshold from out-of-fold confidences:
    the most right answers less WRONG_COST per wrong one, over the
    questions thresholds are chosen on."""
    def fit(part: list[Gated]) -> dict:
        return {"gate": _rounded(*_fit(np.array([r.features for r in part]), np.array([r.right for r in part])))}

    _confidences_out_of_fold(rows, fit, lambda r: "gate")
    scored = [r for r in rows if r.calibrate]
    curve = []
    for t in [0.0] + GRID:
        right = sum(r.right for r in scored if r.confidence >= t)
        wrong = sum(not r.right for r in scored if r.confidence >= t)
        curve.append({"threshold": t, "right": round(right / n_questions, 3), "wrong": round(wrong / n_questions, 3),
                      "value": right - WRONG_COST * wrong})
    best = max(curve, key=lambda c: (c["value"], -c["threshold"]))
    return {"model": fit(rows)["gate"], "threshold": best["threshold"], "wrong_cost": WRONG_COST,
            "features": features.GATE, "out_of_fold": curve}


def train(questions: list[QuestionRows], target_wrong: float, about: dict) -> dict:
    probs = out_of_fold(questions)
    rows = choices(questions, probs)
    confidence_out_of_fold(rows)
    everything = best_of(questions, rows)
    # Thresholds are chosen on the questions the product is for (coop-news
    # articles, with unanswerable ones); XQuAD-vi trains the rankers only.
    best = [b for b in everything if b.calibrate]
    thresholds, curve = choose_thresholds(best, target_wrong)
    right, wrong = outcome(best, thresholds["typed"], thresholds["sentence"], thresholds["fallback"])
    n = len(best)
    answerable = sum(b.answerable for b in best)
    return {
        "features": features.NAMES,
        "confidence_features": features.CONFIDENCE,
        "about": {**about, "target_wrong": target_wrong, "C": C,
                  "out_of_fold": {"questions": n, "answerable": answerable, "right": round(right / n, 3),
                                  "right_of_answerable": round(right / max(answerable, 1), 3),
                                  "wrong": round(wrong / n, 3)},
                  "risk_coverage": curve},
        "models": fit_models(questions),
        "confidence": fit_confidence(rows),
        "thresholds": thresholds,
        "gate": fit_gate(gated_rows(questions, probs), n),
    }


def write(weights: dict, path: Path) -> None:
    path.write_text(json.dumps(weights, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
