"""python -m bench.metadata_coverage: how many articles ingest/metadata.py's
describe() gives a title, a date and a publisher, on the 5 seeds and the 775
coop-news articles, now and before (the describe() of an earlier commit, read
from git: by default the one before VERSION became 4).

Coverage only: a date or publisher found is not checked here to be right.
``--sample N`` prints N random coop-news articles with what describe() found
and the lines it read it from, for checking by hand against the text.

    python -m bench.metadata_coverage                 # the table
    python -m bench.metadata_coverage --before HEAD   # against another commit
    python -m bench.metadata_coverage --sample 30 --seed 12
    python -m bench.metadata_coverage --list          # one line per article
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import types
from collections import Counter
from pathlib import Path

from bench.data import SEEDS, coop_news
from config import PROJECT_DIR
from ingest import metadata
from ingest.clean import article_lines
from ingest.reader import read_text


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=PROJECT_DIR, capture_output=True, text=True,
                          check=True).stdout


def default_before() -> str:
    """The commit before the one that made metadata.VERSION 4; HEAD while that is not committed."""
    found = _git("log", "--format=%H", "-S", "VERSION = 4", "--", "ingest/metadata.py").split()
    return f"{found[-1]}^" if found else "HEAD"


def describe_at(rev: str):
    """describe() as ingest/metadata.py had it at ``rev``."""
    module = types.ModuleType("metadata_before")
    module.__package__ = "ingest"
    sys.modules[module.__name__] = module  # dataclasses look their module up there
    exec(compile(_git("show", f"{rev}:ingest/metadata.py"), f"{rev}:ingest/metadata.py", "exec"),
         module.__dict__)
    return module.describe


def _read(path: Path):
    text = read_text(path)
    return text, article_lines(text)


def coverage(files: list[Path], describe) -> Counter:
    counts: Counter = Counter()
    for path in files:
        text, lines = _read(path)
        if not lines:
            counts["no article"] += 1
            continue
        info = describe(text, lines)
        counts["articles"] += 1
        for name in ("title", "date", "publisher"):
            counts[name] += bool(getattr(info, name, ""))
        counts["display title"] += bool(getattr(info, "display_title", info.title))
    return counts


def how_found(files: list[Path]) -> Counter:
    counts: Counter = Counter()
    for path in files:
        text, lines = _read(path)
        if lines:
            _, how = metadata.describe_how(text, lines)
            for name, way in how.items():
                if way:
                    counts[f"{name}: {way}"] += 1
    return counts


def table(corpora: dict[str, list[Path]], before_rev: str | None) -> str:
    before = describe_at(before_rev) if before_rev else None
    rows = []
    for name, files in corpora.items():
        now = coverage(files, metadata.describe)
        then = coverage(files, before) if before else Counter()
        n = now["articles"]
        cells = [name, str(n)]
        for field in ("title", "date", "publisher", "display title"):
            was = f"{then[field]}" if before else "-"
            cells.append(f"{was} → {now[field]} ({100 * now[field] / max(n, 1):.0f}%)")
        rows.append(cells)
    head = ["corpus", "articles", "title", "date", "publisher", "display title"]
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    fmt = " | ".join(f"{{:<{w}}}" for w in widths)
    out = [f"before = describe() at {before_rev}, after = the working tree (metadata.VERSION {metadata.VERSION})"
           if before_rev else "after = the working tree", fmt.format(*head),
           "-|-".join("-" * w for w in widths)]
    out += [fmt.format(*r) for r in rows]
    return "\n".join(out)


def show(path: Path) -> str:
    text, lines = _read(path)
    info, how = metadata.describe_how(text, lines)
    first = [text[s:e][:140] for s, e in lines[:3]]
    last = [text[s:e][-140:] for s, e in lines[-2:]]
    return "\n".join([
        f"== {path.name}",
        f"   title:     {info.title!r}",
        f"   display:   {info.display_title!r}",
        f"   date:      {info.date!r} ({how['date'] or '-'})",
        f"   publisher: {info.publisher!r} ({how['publisher'] or '-'})",
        *(f"   head| {t}" for t in first),
        *(f"   tail| …{t}" for t in last),
    ])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default=None, help="commit to compare with (default: before VERSION 4)")
    parser.add_argument("--no-before", action="store_true", help="the working tree only")
    parser.add_argument("--sample", type=int, default=0, help="print N random coop-news articles to check by hand")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--list", action="store_true", help="one line per article")
    args = parser.parse_args(argv)

    corpora = {"seeds": sorted(SEEDS.glob("*.txt")), "coop-news": coop_news()}
    if args.sample:
        for path in random.Random(args.seed).sample(corpora["coop-news"], args.sample):
            print(show(path))
        return
    if args.list:
        for files in corpora.values():
            for path in files:
                text, lines = _read(path)
                info, how = metadata.describe_how(text, lines) if lines else (metadata.DocumentInfo(), {})
                print(f"{path.name}\t{info.display_title}\t{info.date}\t{info.publisher}\t"
                      f"{how.get('date', '')}\t{how.get('publisher', '')}")
        return
    before = None if args.no_before else (args.before or default_before())
    print(table(corpora, before))
    print()
    all_files = [p for files in corpora.values() for p in files]
    print("how the date and publisher were found (all articles): " + ", ".join(
        f"{k} {v}" for k, v in sorted(how_found(all_files).items())))


if __name__ == "__main__":
    main()
