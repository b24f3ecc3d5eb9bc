"""python -m bench.furniture: trafilatura against the hand-written line
cleaner (ingest/clean.py), on the seeds and coop-news.

Those articles are plain text, already scraped, with the sites' furniture
lines left in. Each is turned into a web page (first line as <title> and
<h1>, every other line a <p>) and read three ways:

- ``cleaner``: the line cleaner alone, on the text (what a .txt gets);
- ``trafilatura``: ingest/formats.py's web-page reader alone (favor_precision);
- ``trafilatura + cleaner``: the reader, then the cleaner (what the ingest
  does with a .html file: it always cleans what read_text returns).

For each: (a) gold sentences kept: for each question of the project's sets
(tests/data/qa_*.jsonl, "sources" and "answers") citing the article, the
sentence that holds an answer literally, outside furniture lines, and shares
most words with the question; (b) furniture lines kept: lines matching a short list of obvious
furniture (_OBVIOUS: visitor counters, "Skip to main content", menu words,
date-only lines, view counts) and every line from a "Tin liên quan"-like
heading on; (c) characters kept, as a share of the article's own (a way that
keeps frame lines can pass 100%).

A second table puts each article inside a site frame written here (a skip
link, a menu, a "Tin liên quan" list of three other articles' headlines
after the article, a footer with counters), the same on every page, and
counts the frame's lines kept; there the cleaner reads the page's text in
document order, as a page saved to text would give it.

Limits, said plainly: the pages are rebuilt from text, so trafilatura has
no real page structure to use (the frame is one layout, written here); (b)
is not independent of the cleaner, whose rules were written from this same
furniture (its count is near zero by construction); gold sentences are
found by the answer's literal text, so answers written differently from the
article are not counted.

    python -m bench.furniture            # seeds and coop-news
    python -m bench.furniture --lost 10  # also list up to 10 gold sentences each way loses
    python -m bench.furniture --trafilatura-defaults  # trafilatura without favor_precision
"""

from __future__ import annotations

import argparse
import html
import json
import re
import time
from collections import Counter

from config import PROJECT_DIR
from ingest import formats
from ingest.clean import article_lines
from ingest.formats import Unreadable, extract
from ingest.reader import read_text
from vietnamese.text import nfc, sentence_spans, tokens

from . import data

QA = sorted((PROJECT_DIR / "tests" / "data").glob("qa_*.jsonl"))

# Obvious furniture, written for this measurement (not ingest/clean.py's rules).
_OBVIOUS = re.compile(
    r"""^[•·▪►\s]*(
        skip\ to\ (main\ )?content | menu | trang\ chủ | top | down | chia\ sẻ | in\ bài | share | ss | \.
      | (đang\ truy\ cập|hôm\ nay|hôm\ qua|tháng\ hiện\ tại|tháng\ trước|tuần\ này|năm\ nay|tổng\ lượt\ truy\ cập
         |lượt\ truy\ cập)\s*:?\s*[\d.,]+
      | lượt\ xem\s*:.* | bạn\ đã\ không\ sử\ dụng\ site.*
      | ((thứ\ \w+|chủ\ nhật)\s*[-,]?\s*)?\d{1,2}/\d{1,2}/\d{4}[\d:\s]*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_TAIL = re.compile(r"^(tin liên quan|bài viết liên quan|tin cùng chuyên mục|các tin khác|tin khác|xem thêm"
                   r"|văn bản mới|tổng số điểm của bài viết)\b", re.IGNORECASE)

FRAME_TOP = ["Skip to main content", "Trang chủ", "Thời sự", "Kinh tế", "Xã hội", "Nông nghiệp", "Video"]
FRAME_BOTTOM = ["Đang truy cập: 56", "Hôm nay: 23.339", "Tổng lượt truy cập: 28.562.146",
                "Bản quyền thuộc Báo điện tử tỉnh. Địa chỉ: 25 đường Bà Triệu, thành phố."]


def _norm(text: str) -> str:
    return " ".join(text.split())


def articles() -> dict[str, str]:
    """Source name as the question sets write it -> text as read_text gives it."""
    found = {p.name: read_text(p) for p in sorted(data.SEEDS.glob("*.txt"))}
    found.update({f"coop-news/{p.name}": read_text(p) for p in data.coop_news()})
    return found


def furniture_lines(lines: list[str]) -> Counter:
    """The obvious furniture among an article's lines (normalised, with repeats)."""
    found, tail = Counter(), False
    for line in lines:
        tail = tail or bool(_TAIL.match(line.strip()))
        if line.strip() and (tail or _OBVIOUS.match(line.strip())):
            found[_norm(line)] += 1
    return found


def _line_of(text: str, start: int) -> str:
    return text[text.rfind("\n", 0, start) + 1 : (text.find("\n", start) + 1 or len(text) + 1) - 1]


def _cited(text: str, question: str, answers: list[str]) -> str | None:
    """The sentence a question cites: of the article's sentences (furniture
    lines left out) holding one of its answers literally, the one sharing
    most words with the question (an answer such as "2020" is in many)."""
    asked, furniture = set(tokens(question)), furniture_lines(text.split("\n"))
    holding = [(len(asked & set(tokens(text[s:e]))), -s, _norm(text[s:e])) for s, e in sentence_spans(text)
               if any(nfc(a) in text[s:e] for a in answers) and _norm(_line_of(text, s)) not in furniture]
    return max(holding)[2] if holding else None


def gold_sentences(texts: dict[str, str]) -> dict[str, set[str]]:
    """Per article, the sentences the question sets cite in it."""
    gold: dict[str, set[str]] = {name: set() for name in texts}
    for path in QA:
        for row in map(json.loads, filter(str.strip, path.read_text(encoding="utf-8").splitlines())):
            for source in row.get("sources", []):
                if source in texts and row.get("answers"):
                    cited = _cited(texts[source], " ".join(row["turns"]), row["answers"])
                    gold[source] |= {cited} if cited else set()
    return gold


def page(lines: list[str], frame: list[str] | None = None) -> bytes:
    """A web page for an article: first line <title> and <h1>, the rest <p>;
    with ``frame`` (three headlines), inside a site frame."""
    title, body = html.escape(lines[0]), "".join(f"<p>{html.escape(line)}</p>\n" for line in lines[1:])
    article = f"<article><h1>{title}</h1>\n{body}</article>\n"
    if frame is not None:
        menu = "".join(f'<li><a href="/{i}">{html.escape(m)}</a></li>' for i, m in enumerate(FRAME_TOP[1:]))
        related = "".join(f'<li><a href="/tin/{i}">{html.escape(h)}</a></li>' for i, h in enumerate(frame))
        footer = "".join(f"<p>{html.escape(f)}</p>" for f in FRAME_BOTTOM)
        article = (f'<header><a href="#main">{FRAME_TOP[0]}</a><nav><ul>{menu}</ul></nav></header>\n'
                   f'<main id="main">{article}<aside><h3>Tin liên quan</h3><ul>{related}</ul></aside></main>\n'
                   f"<footer>{footer}</footer>\n")
    return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head>\n'
            f"<body>\n{article}</body></html>\n").encode("utf-8")


def _cleaned(text: str) -> list[str]:
    return [text[s:e] for s, e in article_lines(text)]


def _trafilatura(page_bytes: bytes) -> list[str]:
    try:
        return nfc(extract(page_bytes, ".html")).split("\n")
    except Unreadable:
        return []


def ways(text: str, frame: list[str] | None = None) -> dict[str, list[str]]:
    """The lines each way keeps of one article (in its page)."""
    lines = [line for line in text.split("\n") if line.strip()]
    as_text = "\n".join(FRAME_TOP + lines + ["Tin liên quan", *frame] + FRAME_BOTTOM) if frame is not None else text
    read = _trafilatura(page(lines, frame))
    return {"cleaner": _cleaned(as_text), "trafilatura": read, "trafilatura + cleaner": _cleaned("\n".join(read))}


def _row() -> dict:
    return {"articles": 0, "gold": 0, "gold_kept": 0, "furniture": 0, "furniture_kept": 0, "chars": 0, "lost": []}


def measure(texts: dict[str, str], gold: dict[str, set[str]], framed: bool) -> dict[str, dict[str, dict]]:
    """Totals per corpus ("seeds", "coop-news") and way."""
    names = sorted(texts)
    totals: dict[str, dict[str, dict]] = {}
    for i, name in enumerate(names):
        text = texts[name]
        headlines = [texts[names[(i + k) % len(names)]].lstrip().split("\n", 1)[0] for k in (1, 2, 3)]
        frame = headlines if framed else None
        own = Counter(_norm(line) for line in text.split("\n") if line.strip())
        if framed:  # the frame's lines, less any the article itself has ("Skip to main content")
            watched = Counter(map(_norm, FRAME_TOP + ["Tin liên quan", *headlines] + FRAME_BOTTOM)) - own
        else:
            watched = furniture_lines(text.split("\n"))
        article = own - watched  # a kept line is the article's own first, when it is both (a repeated caption)
        corpus = "coop-news" if name.startswith("coop-news/") else "seeds"
        for way, kept in ways(text, frame).items():
            row = totals.setdefault(corpus, {}).setdefault(way, _row())
            joined = "\n".join(map(_norm, kept))
            lost = [g for g in sorted(gold[name]) if g not in joined]
            row["articles"] += 1
            row["gold"] += len(gold[name])
            row["gold_kept"] += len(gold[name]) - len(lost)
            row["lost"] += [(name, g) for g in lost]
            row["furniture"] += watched.total()
            row["furniture_kept"] += ((Counter(map(_norm, kept)) - article) & watched).total()
            row["chars"] += sum(len(line.strip()) for line in kept)
    return totals


def table(totals: dict[str, dict[str, dict]], input_chars: dict[str, int], what: str) -> str:
    out = [f"{'corpus':<10} {'way':<22} {'articles':>8} {'gold sentences kept':>21} {what:>24} "
           f"{'characters kept':>22}"]
    for corpus, by_way in totals.items():
        for way, r in by_way.items():
            gold = f"{r['gold_kept']}/{r['gold']} {100 * r['gold_kept'] / max(1, r['gold']):5.1f}%"
            furniture = f"{r['furniture_kept']}/{r['furniture']}"
            chars = f"{r['chars']:,} ({100 * r['chars'] / max(1, input_chars[corpus]):5.1f}%)"
            out.append(f"{corpus:<10} {way:<22} {r['articles']:>8} {gold:>21} {furniture:>24} {chars:>22}")
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.furniture", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lost", type=int, default=0, metavar="N",
                        help="list up to N gold sentences each way loses")
    parser.add_argument("--trafilatura-defaults", action="store_true",
                        help="measure trafilatura's default settings instead of the reader's (favor_precision)")
    args = parser.parse_args(argv)
    if args.trafilatura_defaults:
        formats.TRAFILATURA_OPTIONS = {k: v for k, v in formats.TRAFILATURA_OPTIONS.items() if k != "favor_precision"}
    started = time.perf_counter()
    texts = articles()
    gold = gold_sentences(texts)
    input_chars = {"seeds": 0, "coop-news": 0}
    for name, text in texts.items():
        input_chars["coop-news" if name.startswith("coop-news/") else "seeds"] += sum(
            len(line.strip()) for line in text.split("\n"))
    for framed, what in ((False, "furniture lines kept"), (True, "frame lines kept")):
        totals = measure(texts, gold, framed)
        print("Pages in a site frame written here:" if framed else "Pages rebuilt from the article text:")
        print(table(totals, input_chars, what))
        for corpus, by_way in totals.items():
            for way, r in by_way.items():
                for name, sentence in r["lost"][: args.lost]:
                    print(f"  lost by {way} ({corpus}): {name}: {sentence[:110]}")
        print()
    print(f"{len(texts)} articles, {sum(map(len, gold.values()))} gold sentences, "
          f"{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
