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
SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "screenshot.png"
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
    page.wait_for_timeout(500)  # let the panel scroll to the mark
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
