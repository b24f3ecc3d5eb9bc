"""The benchmark's corpora, assembled from the shared data into a cache folder.

Nothing is copied into the repository: each corpus is a flat folder of
symbolic links under the cache (``$KTTT_BENCH_CACHE``, default
``~/.cache/kttt-bench``), and the baomoi archive is extracted there once.
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


def _linked(name: str, groups: list[tuple[str, list[Path]]]) -> Path:
    """A flat folder of links, one per article (prefix + file name); links
    that should not be there are removed, existing ones kept (so their
    modification times, and the index built on them, stay valid)."""
    folder = cache_dir() / "corpora" / name
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {prefix + p.name: p.resolve() for prefix, files in groups for p in files}
    for link in folder.iterdir():
        if link.name not in wanted or not link.is_symlink() or link.resolve() != wanted[link.name]:
            link.unlink()
    for name_, target in wanted.items():
        link = folder / name_
        if not link.is_symlink():
            link.symlink_to(target)
    return folder


def corpus(size: str) -> Path:
    """The folder for one of the sizes 'seeds', '780', '5780'."""
    seeds = [("", sorted(SEEDS.glob("*.txt")))]
    if size == "seeds":
        return _linked("seeds", seeds)
    coop = [("", coop_news())]
    if size == "780":
        return _linked("780", seeds + coop)
    if size == "5780":
        return _linked("5780", seeds + coop + [("baomoi35k_", baomoi(5000))])
    raise ValueError(f"unknown corpus size {size!r}")


def index_dir(size: str, tag: str = "") -> Path:
    """Where the cached index of a corpus size lives (reused between runs)."""
    return cache_dir() / "indexes" / f"{size}{tag}"
