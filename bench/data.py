"""The benchmark's corpora, assembled from the shared data into a cache folder.

Nothing is copied into the repository: each corpus is a flat folder of
copies under the cache (``$KTTT_BENCH_CACHE``, default ``~/.cache/kttt-bench``;
copies, not symbolic links: the ingest skips links that lead out of the
corpus), and the baomoi archive is extracted there once.
The three sizes the issue names:

- ``seeds``: the 5 articles in corpus/;
- ``780``: seeds + ../shared/data/coop-news (775);
- ``5780``: those + 5,000 articles of baomoi-35k (the first 5,000 by file
  name that are not already in coop-news), fixed so every run sees the same.
"""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

from config import PROJECT_DIR

SEEDS = PROJECT_DIR / "corpus"


def data_dir() -> Path:
    """../shared/data next to the checkout (or $KTTT_BENCH_DATA)."""
    if os.environ.get("KTTT_BENCH_DATA"):
        return Path(os.environ["KTTT_BENCH_DATA"])
    for candidate in (PROJECT_DIR.parent / "shared" / "data", PROJECT_DIR.parent.parent / "shared" / "data"):
        if (candidate / "coop-news").is_dir():
            return candidate
    raise FileNotFoundError("Benchmark data not found: set KTTT_BENCH_DATA to the folder holding "
                            "coop-news/ and baomoi-35k.tar.gz (../shared/data).")


def cache_dir() -> Path:
    root = Path(os.environ.get("KTTT_BENCH_CACHE") or Path.home() / ".cache" / "kttt-bench")
    root.mkdir(parents=True, exist_ok=True)
    return root


def coop_news() -> list[Path]:
    return sorted((data_dir() / "coop-news").glob("*.txt"))


def baomoi(n: int = 5000) -> list[Path]:
    """The first ``n`` baomoi-35k articles by name, extracted once into the
    cache, leaving out those coop-news already holds (same article id)."""
    folder = cache_dir() / "baomoi-35k"
    done = folder / ".extracted"
    if not done.exists():
        with tarfile.open(data_dir() / "baomoi-35k.tar.gz") as tar:
            tar.extractall(folder, filter="data")
        done.touch()
    taken = {p.name.removeprefix("baomoi_") for p in coop_news()}
    files = sorted((folder / "articles").glob("*.txt"))
    return [p for p in files if p.name not in taken][:n]


def folder_of(name: str, groups: list[tuple[str, list[Path]]]) -> Path:
    """A flat folder of copies, one per article (prefix + file name), with
    their modification times, so the index built on them stays valid; files
    that should not be there are removed."""
    from evaluation.datasets import sync_file

    folder = cache_dir() / "corpora" / name
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {prefix + p.name: p for prefix, files in groups for p in files}
    for path in folder.iterdir():
        if path.name not in wanted:
            path.unlink()
    for name_, source in wanted.items():
        sync_file(source, folder / name_)
    return folder


def corpus(size: str) -> Path:
    """The folder for one of the sizes 'seeds', '780', '5780'."""
    seeds = [("", sorted(SEEDS.glob("*.txt")))]
    if size == "seeds":
        return folder_of("seeds", seeds)
    coop = [("", coop_news())]
    if size == "780":
        return folder_of("780", seeds + coop)
    if size == "5780":
        return folder_of("5780", seeds + coop + [("baomoi35k_", baomoi(5000))])
    raise ValueError(f"unknown corpus size {size!r}")


def index_dir(size: str, tag: str = "") -> Path:
    """Where the cached index of a corpus size lives (reused between runs)."""
    return cache_dir() / "indexes" / f"{size}{tag}"
