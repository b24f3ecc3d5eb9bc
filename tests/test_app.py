"""The chat app, served for real (tests/conftest.py: app_url) and driven with
gradio_client, the way a script would use it. No mocks: the seed index and the
real assistant answer."""

from __future__ import annotations

import subprocess
import sys
import urllib.request

import pytest
from gradio_client import Client

import app
from answer.types import Answer, Citation

HA_TINH = "Hà Tĩnh có bao nhiêu HTX năm 2023?"
FOLLOW_UP = "Còn số tổ hợp tác thì sao?"
HA_TINH_FILE = "003_42341fde278f7be2.txt"
REFUSALS = ("không có thông tin", "không nêu", "không tìm thấy")


def client(url: str) -> Client:
    """A new client is a new browser session: its own conversation."""
    return Client(url, verbose=False, download_files=False)


def test_answer_cites_its_source(app_url):
    reply = client(app_url).predict(HA_TINH, api_name="/ask")
    assert "1.025" in reply
    assert HA_TINH_FILE in reply
    # The quoted sentence, with the figure marked.
    assert "Hà Tĩnh hiện có 2.579 tổ hợp tác" in reply
    assert "<mark>1.025 HTX</mark>" in reply


def test_unknown_place_is_refused(app_url):
    reply = client(app_url).predict("Đà Nẵng có bao nhiêu HTX?", api_name="/ask")
    assert "1.025" not in reply
    assert any(phrase in reply for phrase in REFUSALS), reply
    assert app.CLOSEST_HEADING in reply  # what the articles come closest to saying


def test_each_session_has_its_own_conversation(app_url):
    first, second = client(app_url), client(app_url)
    assert "1.025" in first.predict(HA_TINH, api_name="/ask")
    follow = first.predict(FOLLOW_UP, api_name="/ask")
    assert "2.579" in follow
    assert f"{app.UNDERSTOOD_PREFIX} Hà Tĩnh" in follow  # how the follow-up was read

    # The other session never asked about Hà Tĩnh: no place or year to borrow.
    other = second.predict(FOLLOW_UP, api_name="/ask")
    assert "2.579" not in other and "1.025" not in other
    assert "Hà Tĩnh" not in other

    # Clearing forgets the conversation.
    first.predict(api_name="/clear")
    after = first.predict(FOLLOW_UP, api_name="/ask")
    assert "2.579" not in after


def test_chat_streams_and_shows_sources(app_url):
    job = client(app_url).submit(HA_TINH, [], api_name="/chat")
    textbox, history, source, article, chart = job.result(timeout=120)
    updates = job.outputs()
    assert len(updates) > 2, "the answer should arrive in several steps"
    assert textbox == ""
    assert [m["role"] for m in history] == ["user", "assistant"]
    answer = _text(history[-1])
    assert "1.025" in answer and HA_TINH_FILE in answer and "<mark>" in answer
    # The cited article is opened in the side panel, its sentence marked.
    source = source.get("value") if isinstance(source, dict) else source  # an update with fresh choices
    assert source == HA_TINH_FILE
    assert "<mark>Hà Tĩnh hiện có 2.579 tổ hợp tác" in article
    assert chart["visible"] is False  # a one-figure answer draws no chart


@pytest.mark.parametrize("attack", [
    "<script>alert(1)</script>",
    '<img src=x onerror="window.__xss=1"> Hà Tĩnh có bao nhiêu HTX năm 2023?',
])
def test_html_in_questions_is_shown_as_text(app_url, attack):
    c = client(app_url)
    _, history, _, _, _ = c.predict(attack, [], api_name="/chat")
    shown = _text(history[0])
    assert "<script" not in shown and "<img" not in shown
    assert "&lt;" in shown  # escaped, so the page shows the characters
    for message in history:
        assert "<script" not in _text(message) and "<img" not in _text(message)
    reply = c.predict(attack, api_name="/ask")
    assert "<script" not in reply and "<img" not in reply


def test_source_articles_can_be_read(app_url, assistant):
    c = client(app_url)
    assert c.predict(api_name="/sources") == assistant.sources()
    assert "1.025 HTX" in c.predict(HA_TINH_FILE, api_name="/source_text")
    with pytest.raises(Exception):
        c.predict("../config.py", api_name="/source_text")


def test_page_is_vietnamese_and_offline(app_url):
    page = urllib.request.urlopen(app_url, timeout=30).read().decode("utf-8")
    assert app.TITLE in page
    theme = urllib.request.urlopen(app_url + "theme.css", timeout=30).read().decode("utf-8")
    for outside in ("fonts.googleapis", "fonts.gstatic", "cdn.jsdelivr"):
        assert outside not in page and outside not in theme


# -- rendering, without the server ---------------------------------------------

def test_escape_keeps_text_literal():
    assert app.escape_md("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert "<img" not in app.escape_md('<img src=x onerror="window.__xss=1">')
    assert app.escape_md("1.025 HTX, 003_42341fde278f7be2.txt") == "1.025 HTX, 003_42341fde278f7be2.txt"
    assert app.escape_md("# a\n- b\n1. c\n*d* [e](f)") == "\\# a\n\\- b\n1\\. c\n\\*d\\* \\[e\\](f)"


def test_render_marks_the_span_and_escapes_documents():
    quote = "Tỉnh có <b>1.025</b>\n HTX."
    start = quote.index("1.025")
    c = Citation(source="x_<y>.txt", quote=quote, start=0, end=len(quote), highlight=(start, start + 5))
    out = app.render_answer(Answer(text="Có 1.025 HTX.", found=True, citations=[c],
                                   understood_as="Có bao nhiêu HTX?"), "Có bao nhiêu HTX?")
    assert "<mark>1.025</mark>" in out
    assert "&lt;b&gt;" in out and "<b>" not in out
    assert app.UNDERSTOOD_PREFIX not in out  # same question: nothing to explain
    refusal = app.render_answer(Answer(text="Không có.", found=False, closest=[c]), "q")
    assert app.CLOSEST_HEADING in refusal and "&lt;b&gt;" in refusal


def test_share_without_auth_refuses(capsys):
    with pytest.raises(SystemExit) as exc:
        app.main(["--share"])
    assert exc.value.code != 0
    assert "--auth" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        app.parse_args(["--auth", "no-password-here"])
    args = app.parse_args(["--share", "--auth", "a:b:c", "--auth", "d:e"])
    assert args.auth == [("a", "b:c"), ("d", "e")]
    assert app.parse_args(["--share", "--i-know-this-is-public"]).share


def test_share_without_auth_refuses_from_the_command_line():
    done = subprocess.run([sys.executable, app.__file__, "--share"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode != 0
    assert "--auth" in done.stderr


def _text(message: dict) -> str:
    content = message["content"]
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
