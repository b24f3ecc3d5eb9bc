"""The readers (answer/reader.py, answer/features.py) and their training
(evaluation/train.py): the real index of the seeds, the shipped weights."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from answer import features
from answer.question import Conversation
from answer.reader import WEIGHTS, Model
from evaluation import train

PROJECT_DIR = Path(__file__).resolve().parents[1]
LANG_SON = "000_dfa66b99d1f9ccc4.txt"


@pytest.fixture(scope="module")
def fitted(assistant):
    """The assistant over the seed index with the fitted reader (KTTT_READER=fitted)."""
    from answer.assistant import Assistant

    return Assistant(assistant.settings.with_overrides(reader="fitted"), assistant.search)


def test_shipped_weights_match_the_features_and_say_what_they_were_fitted_on():
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    assert data["features"] == features.NAMES
    assert set(data["models"]) >= {"number", "what"}
    for model in data["models"].values():
        assert len(model["coef"]) == len(model["mean"]) == len(model["scale"]) == len(features.NAMES)
    assert data["about"]["trained_on"] and data["about"]["risk_coverage"]
    assert data["about"]["out_of_fold"]["wrong"] <= data["about"]["target_wrong"] + 1e-9
    gate = data["gate"]
    assert gate["features"] == features.GATE and len(gate["model"]["coef"]) == len(features.GATE)
    chosen = next(p for p in gate["out_of_fold"] if p["threshold"] == gate["threshold"])
    assert chosen["value"] == max(p["value"] for p in gate["out_of_fold"])
    Model.load()  # loads


def test_the_right_figure_outranks_its_neighbours(fitted):
    q = fitted.prepare("Đến hết tháng 5/2024, Lạng Sơn có bao nhiêu tổ hợp tác?", Conversation())
    ranked = fitted.reader.ranked(q, fitted.retrieve(q))
    figures = [c for c in ranked if c.kind == "number"]
    assert figures[0].text.startswith("240") and figures[0].source == LANG_SON
    other = next(c for c in figures if c.text.startswith("507"))
    assert figures[0].probability > other.probability
    model = fitted.reader.model
    assert model.sure(q, "number", figures) >= model.threshold(q, "number")


@pytest.mark.parametrize("question, gold", [
    ("Đến hết tháng 5/2024, Lạng Sơn có bao nhiêu tổ hợp tác?", "240"),
    ("How many cooperative groups did Lang Son have at the end of May 2024?", "240"),
])
def test_answers_with_the_sentence_that_says_it(fitted, question, gold):
    answer = fitted.ask(question)
    assert answer.found and gold in answer.text, answer.text
    (c,) = answer.citations
    assert fitted.source_text(c.source)[c.start:c.end] == c.quote and c.source == LANG_SON


def test_an_english_question_gets_an_english_frame(fitted):
    answer = fitted.ask("How many cooperative groups did Lang Son have at the end of May 2024?")
    assert "according to" in answer.text and "theo " not in answer.text


@pytest.mark.parametrize("question", [
    "Năm 2022 Hà Tĩnh có bao nhiêu HTX?",  # the article gives 2023
    "Đà Nẵng có bao nhiêu HTX?",  # no article about Đà Nẵng
    "Thủ đô của nước Pháp là gì?",
])
def test_refuses_what_the_articles_do_not_say(fitted, question):
    assert not fitted.ask(question).found


def test_a_what_question_quotes_consecutive_sentences_verbatim(fitted):
    q = fitted.prepare("Những khó khăn của HTX ở Hà Tĩnh là gì?", Conversation())
    best = next(c for c in fitted.reader.ranked(q, fitted.retrieve(q)) if c.kind == "what")
    from answer.reader import BLOCK_CHARS, quote_block

    citation = quote_block(best)
    assert citation.quote.startswith(best.sentence)
    assert len(citation.quote) <= max(BLOCK_CHARS, len(best.sentence))
    assert fitted.source_text(citation.source)[citation.start:citation.end] == citation.quote
    assert citation.quote[slice(*citation.highlight)] == best.sentence


def _question(kind, answerable, typed, sentence, group):
    """A question whose best typed span and best sentence have these (probability, right)."""
    q = train.QuestionRows(qid=group, group=group, kind=kind, answerable=answerable)
    for cand_kind, (p, right) in (("number", typed), ("what", sentence)):
        q.cand_kinds.append(cand_kind)
        q.texts.append(f"{cand_kind} {p}")
        q.X.append([p])
        q.y.append(int(right))
    return q


def test_thresholds_keep_confidently_wrong_under_the_target():
    # Right answers are sure, wrong ones less so: the chosen threshold answers
    # no more wrong than the target allows, and the curve shows what a low bar costs.
    best = [train.Best("number", True, (0.9, True), (0.2, False)) for _ in range(40)]
    best += [train.Best("number", True, (0.6, False), (0.1, False)) for _ in range(10)]
    best += [train.Best("number", False, (0.3, False), (0.1, False)) for _ in range(10)]
    thresholds, curve = train.choose_thresholds(best, target_wrong=0.02)
    right, wrong = train.outcome(best, thresholds["typed"], thresholds["sentence"], thresholds["fallback"])
    assert right == 40 and wrong == 0
    assert 0.6 < thresholds["typed"] <= 0.9
    assert curve[0]["answered"] == 1.0 and curve[0]["wrong"] > 0.2


def test_a_figure_question_is_never_answered_by_a_sentence():
    best = [train.Best("number", True, (0.1, False), (0.99, True))]
    assert train.outcome(best, 0.5, 0.5, 0.5) == (0, 0)
    best = [train.Best("who", True, (0.1, False), (0.99, True))]
    assert train.outcome(best, 0.5, 0.5, 0.5) == (1, 0)


def test_out_of_fold_never_scores_a_question_with_its_own_article():
    """Two articles whose labels disagree: each one's scores come from a
    model fitted on the other alone, so they are the opposite of its labels."""
    questions = [_question("number", True, (0.9, True), (0.1, False), "a") for _ in range(10)]
    questions += [_question("number", True, (0.9, False), (0.1, True), "b") for _ in range(10)]
    probs = train.out_of_fold(questions, folds=2)
    a, b = probs[0], probs[-1]
    assert a[0] < 0.5 and b[0] > 0.5  # the "number" candidate of each, scored by the other's model


def test_evaluation_is_out_of_the_apps_reach():
    """Nothing the chat imports reaches the evaluation package or scikit-learn."""
    code = "import sys, app; bad = [m for m in sys.modules if m.split('.')[0] in ('evaluation', 'sklearn')]; " \
           "print(bad); sys.exit(1 if bad else 0)"
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_candidates_command_lists_what_the_reader_sees(subprocess_env):
    out = subprocess.run([sys.executable, "-m", "answer", "candidates", "corpus/003_42341fde278f7be2.txt", "--json"],
                         cwd=PROJECT_DIR, capture_output=True, text=True, env=subprocess_env, check=True)
    items = [json.loads(line) for line in out.stdout.splitlines()]
    text = (PROJECT_DIR / "corpus/003_42341fde278f7be2.txt").read_text(encoding="utf-8")
    assert {"figure", "name", "date", "place"} <= {i["kind"] for i in items}
    assert any(i["kind"] == "figure" and i["text"] == "1.025 HTX" for i in items)
    from ingest.reader import read_text

    text = read_text(PROJECT_DIR / "corpus/003_42341fde278f7be2.txt")
    assert all(text[i["start"]:i["end"]] == i["text"] for i in items)


def test_the_default_gate_keeps_a_rules_answer_it_believes(assistant):
    """KTTT_READER=gated (the default): the rules' "1.025 HTX" is shown
    because the gate believes it."""
    from answer.reader import GatedReader

    assert isinstance(assistant.reader, GatedReader)
    q = assistant.prepare("Hà Tĩnh có bao nhiêu HTX năm 2023?", Conversation())
    belief = assistant.reader.believed(q, assistant.retrieve(q))
    assert belief is not None and belief >= assistant.reader.model.gate_threshold
    answer = assistant.reader.answer(q, assistant.retrieve(q))
    assert answer.found and "1.025 HTX" in answer.text


def test_the_gate_refuses_what_it_doubts(assistant):
    """The same answer with a gate that believes nothing is a refusal that
    shows the closest passages; a what-question has no span to gate."""
    from dataclasses import replace

    from answer.reader import GatedReader

    doubting = GatedReader(replace(Model.load(), gate_threshold=1.01), idf=assistant.search.snapshot.lexical.idf)
    q = assistant.prepare("Hà Tĩnh có bao nhiêu HTX năm 2023?", Conversation())
    answer = doubting.answer(q, assistant.retrieve(q))
    assert not answer.found and answer.closest and not answer.citations
    what = assistant.prepare("Những khó khăn của HTX ở Hà Tĩnh là gì?", Conversation())
    assert doubting.believed(what, assistant.retrieve(what)) is None


def test_an_unknown_reader_is_named_in_the_error(assistant):
    from answer.reader import reader_for

    with pytest.raises(ValueError, match="gated, fitted, rules"):
        reader_for(assistant.settings.with_overrides(reader="magic"), None)


def test_a_whole_sentence_answer_is_quoted_with_what_follows(assistant):
    """A what/why/how answer of the default reader quotes its sentence and
    the ones after it, verbatim, introduced as a quotation, the sentence highlighted."""
    answer = assistant.ask("Những khó khăn của HTX ở Hà Tĩnh là gì?")
    assert answer.found and answer.text.startswith("Theo ")
    (c,) = answer.citations
    assert assistant.source_text(c.source)[c.start:c.end] == c.quote
    assert c.highlight[0] == 0 and c.highlight[1] <= len(c.quote)
    assert c.quote in answer.text
