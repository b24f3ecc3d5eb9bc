"""python -m bench [--quick]: how fast the assistant ingests and answers, and
how the textbook pipeline does on the same data in the same run.

Prints one table (each figure the median of repeated runs, with min and max)
and writes it as JSON. Indexes of the three corpus sizes are built once into
a cache folder (see bench/data.py) and reused; the cold-ingest runs always
start from an empty index. Every measurement runs in its own process
(bench/worker.py) so that its peak memory is its own.

    python -m bench            # seeds, 780 and 5,780 articles (the first run builds the 5,780 index: long)
    python -m bench --quick    # seeds and 780 only; cold ingest on 150 coop-news articles
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tqdm import tqdm

import config
from config import PROJECT_DIR

from . import data
from .startup import measure_startup

QUESTIONS = Path(__file__).with_name("questions.txt")
SIZES = {"seeds": 5, "780": 780, "5780": 5780}


def worker(*args, progress_env: bool = False) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KTTT_")}
    done = subprocess.run([sys.executable, "-m", "bench.worker", *map(str, args)], cwd=PROJECT_DIR,
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"bench.worker {args[0]} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


class Bench:
    def __init__(self, args):
        self.args = args
        self.quick = args.quick
        self.sizes = ["seeds", "780"] if args.quick else ["seeds", "780", "5780"]
        self.results: dict = {"quick": args.quick, "machine": {"cpus": os.cpu_count(),
                              "load_before": os.getloadavg()[0]}}
        self.tmp = Path(tempfile.mkdtemp(prefix="kttt-bench-", dir=data.cache_dir()))
        steps = 5 + 2 * len(self.sizes) + (0 if args.no_baseline else 1)
        self.bar = tqdm(total=steps, desc="bench", unit="step", file=sys.stderr)

    def step(self, what: str):
        self.bar.set_postfix_str(what)

    def done(self):
        self.bar.update(1)

    # -- corpora -------------------------------------------------------------

    def cold_corpus(self) -> Path:
        if not self.quick:
            return data.data_dir() / "coop-news"
        n = self.args.cold_articles
        return data.folder_of(f"coop-{n}", [("", data.coop_news()[:n])])

    def cached_index(self, size: str) -> Path:
        """The index of a corpus size, built (or brought up to date) once."""
        index = data.index_dir(size)
        if size == "5780" and not (index / "CURRENT").exists() and (data.index_dir("780") / "CURRENT").exists():
            shutil.rmtree(index, ignore_errors=True)
            shutil.copytree(data.index_dir("780"), index)  # only the 5,000 new articles are embedded
        self.step(f"index {size} (built once, then reused)")
        settings = config.load(corpus_dir=data.corpus(size), index_dir=index)
        from ingest.run import ingest

        report = ingest(settings, progress=True)
        if report.did_work:
            tqdm.write(report.summary())
        return index

    # -- measurements --------------------------------------------------------

    def ingest(self):
        r, corpus = self.args.ingest_repeats, self.cold_corpus()
        runs, base = [], []
        for i in range(r):
            self.step(f"cold ingest {i + 1}/{r}")
            index = self.tmp / f"cold-{i}"
            runs.append(worker("ingest", corpus, index))
            shutil.rmtree(index, ignore_errors=True)
            if not self.args.no_baseline:
                self.step(f"baseline cold ingest {i + 1}/{r}")
                index = self.tmp / f"base-{i}"
                base.append(worker("baseline-ingest", corpus, index))
                shutil.rmtree(index, ignore_errors=True)
        self.done()
        self.results["ingest_cold"] = {"corpus": str(corpus), "runs": runs, "baseline_runs": base}

        cached = self.cached_index("780")
        self.done()
        unchanged = []
        for i in range(5):
            self.step(f"re-index unchanged 780 {i + 1}/5")
            unchanged.append(worker("ingest", data.corpus("780"), cached))
        plus = []
        extra = data.baomoi(5010)[-10:]  # 10 articles none of the indexes hold
        for i in range(3):
            self.step(f"+10 articles {i + 1}/3")
            index = self.tmp / f"plus-{i}"
            shutil.copytree(cached, index)
            corpus = data.folder_of(f"780-plus-10", [("", sorted(data.SEEDS.glob('*.txt'))),
                                                   ("", data.coop_news()), ("extra_", extra)])
            plus.append(worker("ingest", corpus, index))
            shutil.rmtree(index, ignore_errors=True)
        self.done()
        self.results["ingest_unchanged"] = unchanged
        self.results["ingest_plus10"] = plus
        self.step("embedder floor")
        self.results["floor"] = [worker("floor", data.data_dir() / "coop-news") for _ in range(3)]
        self.done()

    def queries(self):
        out = {}
        for size in self.sizes:
            index = self.cached_index(size) if size != "780" else data.index_dir("780")
            self.done()
            self.step(f"queries at {size}")
            out[size] = worker("query", data.corpus(size), index, QUESTIONS, self.args.repeats)
            self.done()
        self.results["query"] = out
        if self.args.no_baseline:
            return
        base = {}
        for size in self.sizes:
            if size == "5780" and not self.args.baseline_at_largest:
                continue
            self.step(f"baseline queries at {size}")
            index = data.index_dir(size, "-baseline")
            if not (index / "built.json").exists():
                shutil.rmtree(index, ignore_errors=True)
                built = worker("baseline-ingest", data.corpus(size), index)
                (index / "built.json").write_text(json.dumps(built))
            base[size] = worker("baseline-query", data.corpus(size), index, QUESTIONS, self.args.repeats)
        self.done()
        self.results["baseline_query"] = base

    def startup(self):
        out = {}
        for size in self.sizes[1:]:
            self.step(f"app start-up at {size}")
            out[size] = [measure_startup(data.corpus(size), data.index_dir(size), QUESTIONS)
                         for _ in range(self.args.startup_repeats)]
        self.results["startup"] = out
        self.done()

    def run(self) -> dict:
        # Each stage's results are saved as it ends (beside the final JSON, as
        # .partial.json), so an hour-long run cut short still has its numbers.
        partial = (self.args.json or data.cache_dir() / "bench-results.json").with_suffix(".partial.json")
        try:
            for stage in (self.ingest, self.queries, self.startup):
                stage()
                partial.write_text(json.dumps(self.results, ensure_ascii=False, indent=1))
        finally:
            self.bar.close()
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.results["machine"]["load_after"] = os.getloadavg()[0]
        return self.results


# -- the table -------------------------------------------------------------

def _fmt(s: dict, digits: int = 0) -> str:
    f = f"{{:,.{digits}f}}"
    return f"{f.format(s['median'])} ({f.format(s['min'])}–{f.format(s['max'])})"


def summarise(res: dict) -> tuple[list[list[str]], dict]:
    rows, summary = [], {}

    def row(name, ours: dict | None, base: dict | None = None, digits=0, higher_is_better=True, ratio=True):
        ratio = "" if ratio else None
        if ours and base and ratio is not None:
            r = ours["median"] / base["median"] if higher_is_better else base["median"] / ours["median"]
            ratio = f"{r:.2f}×"
        ratio = ratio or ""
        rows.append([name, _fmt(ours, digits) if ours else "–", _fmt(base, digits) if base else "–", ratio])
        summary[name] = {"ours": ours, "baseline": base, "ratio": ratio}

    cold = res["ingest_cold"]
    ours = [r for r in cold["runs"]]
    base = cold["baseline_runs"]
    cps = lambda runs: spread([r["article_chars"] / r["seconds"] for r in runs]) if runs else None
    tps = lambda runs: spread([r["article_tokens"] / r["seconds"] for r in runs]) if runs else None
    row("ingest cold: article chars/s", cps(ours), cps(base))
    row("ingest cold: article tokens/s", tps(ours), tps(base))
    row("ingest cold: seconds", spread([r["seconds"] for r in ours]),
        spread([r["seconds"] for r in base]) if base else None, 1, higher_is_better=False)
    row("ingest cold: embedder share %", spread([100 * r["embed_seconds"] / r["seconds"] for r in ours]),
        spread([100 * r["embed_seconds"] / r["seconds"] for r in base]) if base else None, ratio=False)
    row("ingest cold: chars embedded per article char", spread([r["embedded_chars"] / r["article_chars"] for r in ours]),
        spread([r["embedded_chars"] / r["article_chars"] for r in base]) if base else None, 2, ratio=False)
    floor = spread([f["tokens_per_s"] for f in res["floor"]])
    cpt = statistics.median(f["chars_per_token"] for f in res["floor"])
    # The floor: every embedded token at the embedder's own speed, nothing else.
    row("ingest cold: % of embedder floor (embedded tokens/s ÷ model tokens/s)",
        spread([100 * (r["embedded_chars"] / cpt / r["seconds"]) / floor["median"] for r in ours]),
        spread([100 * (r["embedded_chars"] / cpt / r["seconds"]) / floor["median"] for r in base]) if base else None)
    row("embedder alone: tokens/s", floor)
    row("ingest peak RSS MB", spread([r["peak_rss_mb"] for r in ours]),
        spread([r["peak_rss_mb"] for r in base]) if base else None, 0, False)
    row("re-index unchanged 780: seconds", spread([r["seconds"] for r in res["ingest_unchanged"]]), None, 2)
    plus = res["ingest_plus10"]
    row("+10 articles: seconds", spread([r["seconds"] for r in plus]), None, 1)
    row("+10 articles: of which embedding, seconds", spread([r["embed_seconds"] for r in plus]), None, 1)
    row("+10 articles: files embedded", spread([r["added"] + r["changed"] for r in plus]), None)
    for size, q in res["query"].items():
        b = res.get("baseline_query", {}).get(size)
        for p in ("p50_ms", "p95_ms"):
            row(f"query {size} articles: {p[:3]} ms (ask)", spread([r[p] for r in q["runs"]]),
                spread([r[p] for r in b["runs"]]) if b else None, 1, False)
        st = q["stages"]
        rows.append([f"  retrieval at {size}: p50 ms embed / dense / lexical / fusion",
                     " / ".join(f"{st[k]['p50_ms']:.1f}" for k in ("embed", "dense", "lexical", "fusion")),
                     "", ""])
        summary[f"stages {size}"] = st
        row(f"query {size} articles: peak RSS MB (in-process)", spread([q["peak_rss_mb"]]), None)
    sizes = [s for s in res["query"]]
    if len(sizes) >= 2:
        xs = [math.log(res["query"][s]["articles"]) for s in sizes]
        for p in ("p50_ms", "p95_ms"):
            ys = [math.log(statistics.median(r[p] for r in res["query"][s]["runs"])) for s in sizes]
            mx, my = statistics.mean(xs), statistics.mean(ys)
            slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
            rows.append([f"query time vs articles: log-log slope ({p[:3]})", f"{slope:.2f}", "", ""])
            summary[f"slope {p}"] = slope
    for size, runs in res.get("startup", {}).items():
        row(f"app start → first answer at {size}: seconds", spread([r["seconds"] for r in runs]), None, 1)
        row(f"app serving peak RSS MB at {size}", spread([r["peak_rss_mb"] for r in runs]), None)
    return rows, summary


def render(rows: list[list[str]]) -> str:
    head = ["measure", "ours: median (min–max)", "baseline: median (min–max)", "ours vs baseline (>1: ours better)"]
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(4)]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"
    return "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(r) for r in rows])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the two smaller sizes; cold ingest on 150 articles")
    parser.add_argument("--repeats", type=int, default=3, help="query passes over the questions (default 3)")
    parser.add_argument("--ingest-repeats", type=int, help="cold ingests of each pipeline (default 3 quick, 2 full)")
    parser.add_argument("--cold-articles", type=int, default=150,
                        help="with --quick: cold ingest on this many coop-news articles (default 150)")
    parser.add_argument("--startup-repeats", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true", help="skip the textbook pipeline")
    parser.add_argument("--baseline-at-largest", action="store_true",
                        help="also build the baseline over 5,780 articles (another ~hour of embedding)")
    parser.add_argument("--json", type=Path, default=None, help="where to write the results "
                        "(default: bench-results.json in the cache folder)")
    args = parser.parse_args(argv)
    args.ingest_repeats = args.ingest_repeats or (3 if args.quick else 2)
    started = time.time()
    res = Bench(args).run()
    res["seconds"] = time.time() - started
    rows, summary = summarise(res)
    res["table"] = summary
    table = render(rows)
    print(table)
    out = args.json or data.cache_dir() / "bench-results.json"
    out.write_text(json.dumps(res, ensure_ascii=False, indent=1))
    print(f"\nResults: {out} ({res['seconds'] / 60:.0f} min; load average {res['machine']['load_before']:.1f} "
          f"before, {res['machine']['load_after']:.1f} after, on {res['machine']['cpus']} CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
