"""Many users at once: N gradio_client sessions, each its own 5-turn
conversation, against a real chat server. Prints throughput and latency.

    .venv/bin/python tests/load.py                  # serves the seed corpus itself
    .venv/bin/python tests/load.py --url http://127.0.0.1:7860/ --sessions 20 --turns 5

tests/test_many_users.py uses the same functions to check that every session
got the answers a lone user gets; speed is printed here, never asserted.
(`python -m bench` belongs to the benchmarks; it can call :func:`run`.)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
QA = PROJECT_DIR / "tests" / "data" / "qa_seeds.jsonl"
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))


def conversations(sessions: int = 20, turns: int = 5) -> list[dict]:
    """``sessions`` different conversations of ``turns`` turns from the gold
    set: single questions first, then one of the gold multi-turn
    conversations, so each ends on a follow-up that only that session's own
    history can answer (a leak between sessions changes the answer)."""
    rows = [json.loads(line) for line in QA.read_text(encoding="utf-8").splitlines() if line.strip()]
    singles = [r for r in rows if len(r["turns"]) == 1]
    multi = [r for r in rows if len(r["turns"]) > 1]
    out, next_single = [], 0
    for i in range(sessions):
        ending = multi[i % len(multi)]
        lead = []
        while len(lead) + len(ending["turns"]) < turns:
            lead.append(singles[next_single % len(singles)]["turns"][0])
            next_single += 1
        out.append({"id": f"s{i:02d}-{ending['id']}", "turns": lead + ending["turns"][: turns - len(lead)],
                    "answers": ending.get("answers", []), "sources": ending.get("sources", [])})
    return out


@dataclass
class SessionResult:
    id: str
    replies: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    error: str | None = None


def run(url: str, convs: list[dict], timeout: float = 300) -> tuple[list[SessionResult], float]:
    """Every conversation in its own gradio_client session, all at once
    (each in a thread, started together). Returns the results and the wall time."""
    from gradio_client import Client

    results = [SessionResult(c["id"]) for c in convs]
    start = threading.Barrier(len(convs) + 1)

    def session(conv: dict, result: SessionResult) -> None:
        try:
            client = Client(url, verbose=False, download_files=False)  # its own session
        except Exception as err:
            result.error = f"connect: {type(err).__name__}: {err}"
            start.wait()
            return
        start.wait()
        try:
            for turn in conv["turns"]:
                t0 = time.perf_counter()
                job = client.submit(turn, api_name="/ask")
                result.replies.append(job.result(timeout=timeout))
                result.seconds.append(time.perf_counter() - t0)
        except Exception as err:
            result.error = f"{type(err).__name__}: {err}"

    threads = [threading.Thread(target=session, args=(c, r), daemon=True) for c, r in zip(convs, results)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join(timeout)
    return results, time.perf_counter() - began


def summary(results: list[SessionResult], wall: float) -> dict:
    latencies = sorted(s for r in results for s in r.seconds)
    answered = len(latencies)
    q = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else latencies * 99
    return {"sessions": len(results), "questions": answered, "errors": sum(r.error is not None for r in results),
            "wall_s": round(wall, 2), "throughput_qps": round(answered / wall, 2) if wall else 0.0,
            "p50_s": round(q[49], 3) if q else None, "p95_s": round(q[94], 3) if q else None,
            "max_s": round(latencies[-1], 3) if latencies else None}


def serve_seed_corpus():
    """A chat server over corpus/ on a free port: (url, demo)."""
    import socket

    import app
    import config
    from answer.assistant import Assistant

    assistant = Assistant.open(config.load(), progress=False)
    demo = app.build_app(assistant)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    return f"http://127.0.0.1:{port}/", demo


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running chat (default: serve corpus/ here)")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--turns", type=int, default=5)
    args = parser.parse_args(argv)
    demo = None
    url = args.url
    if not url:
        url, demo = serve_seed_corpus()
    try:
        results, wall = run(url, conversations(args.sessions, args.turns))
    finally:
        if demo is not None:
            demo.close()
    for r in results:
        if r.error:
            print(f"{r.id}: {r.error}", file=sys.stderr)
    print(json.dumps(summary(results, wall)))
    return 0 if all(r.error is None for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
