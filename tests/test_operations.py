"""Running it for others: the question log (one line per question, no question
text unless turned on, rotating), the health check (API and command), failed
logins logged and slowed down, and the public-link guard."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from gradio_client import Client

import app
import config
from operations import questionlog

PROJECT_DIR = Path(__file__).resolve().parents[1]
HA_TINH = "Hà Tĩnh có bao nhiêu HTX năm 2023?"
HA_TINH_FILE = "003_42341fde278f7be2.txt"


@pytest.fixture
def question_log(tmp_path):
    """The question log pointed at a tmp folder; detached afterwards."""

    def start(**changes) -> Path:
        return questionlog.setup(config.Settings(log_dir=tmp_path / "logs", **changes))

    yield start
    for logger in (logging.getLogger(questionlog.LOGGER), logging.getLogger("kttt")):
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_one_line_per_question_without_its_text(assistant, question_log):
    path = question_log()
    assistant.ask(HA_TINH)
    assistant.ask("Đà Nẵng có bao nhiêu HTX?")
    list(assistant.stream("Còn số tổ hợp tác thì sao?"))
    found, refused, _ = lines(path)
    assert found["found"] is True and found["sources"] == [HA_TINH_FILE]
    assert refused["found"] is False and refused["sources"] == []
    for line in (found, refused):
        assert set(line) == {"time", "seconds", "found", "sources", "chars", "mode"}
        assert line["seconds"] >= 0 and line["mode"] == "extractive"
    assert found["chars"] == len(HA_TINH)
    text = path.read_text(encoding="utf-8")
    assert "Hà Tĩnh" not in text and "Đà Nẵng" not in text and "bao nhiêu" not in text


def test_question_text_only_when_the_operator_turns_it_on(assistant, question_log, monkeypatch):
    monkeypatch.setenv("KTTT_LOG_QUESTIONS", "1")
    assert config.load().log_questions is True
    monkeypatch.setenv("KTTT_LOG_QUESTIONS", "0")
    assert config.load().log_questions is False
    path = question_log(log_questions=True)
    assistant.ask(HA_TINH)
    assert lines(path)[-1]["question"] == HA_TINH


def test_the_log_rotates(assistant, question_log):
    path = question_log(log_max_bytes=600, log_backups=2)
    for _ in range(30):
        assistant.ask("Đà Nẵng có bao nhiêu HTX?")
    files = sorted(p.name for p in path.parent.glob("questions.log*"))
    assert files == ["questions.log", "questions.log.1", "questions.log.2"]
    assert all(p.stat().st_size <= 600 for p in path.parent.glob("questions.log*"))


def test_the_chat_server_logs_each_question(app_url, question_log):
    path = question_log()
    client = Client(app_url, verbose=False, download_files=False)
    client.predict(HA_TINH, api_name="/ask")
    client.predict(HA_TINH, [], api_name="/chat")
    logged = lines(path)
    assert len(logged) == 2 and all(line["sources"] == [HA_TINH_FILE] for line in logged)


def test_cli_logs_to_the_configured_folder(seed_index, subprocess_env, tmp_path):
    env = {**subprocess_env, "KTTT_LOG_DIR": str(tmp_path / "logs")}
    done = subprocess.run([sys.executable, "-m", "answer", "ask", HA_TINH, "--index",
                           str(seed_index.resolved_index_dir())], cwd=PROJECT_DIR, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    (line,) = lines(tmp_path / "logs" / "questions.log")
    assert line["found"] and line["sources"] == [HA_TINH_FILE] and "question" not in line


# --- health ----------------------------------------------------------------------

def test_health_of_the_running_app(app_url):
    report = Client(app_url, verbose=False, download_files=False).predict(api_name="/health")
    assert report["status"] == "ok", report
    assert report["index"]["articles"] == 5 and report["index"]["passages"] > 0
    assert report["index"]["chroma_passages"] == report["index"]["passages"]
    assert report["model"]["loaded"] is True and report["model"]["dimensions"] == 384
    assert report["answer_mode"] == "extractive"


def test_health_command(seed_index, subprocess_env, tmp_path):
    ok = subprocess.run([sys.executable, "-m", "answer", "health", "--index", str(seed_index.resolved_index_dir())],
                        cwd=PROJECT_DIR, env=subprocess_env, capture_output=True, text=True, timeout=600)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["status"] == "ok"
    # No index there: said plainly, exit 1, no traceback, nothing built.
    missing = tmp_path / "no-index"
    bad = subprocess.run([sys.executable, "-m", "answer", "health", "--index", str(missing)],
                         cwd=PROJECT_DIR, env=subprocess_env, capture_output=True, text=True, timeout=600)
    assert bad.returncode == 1
    report = json.loads(bad.stdout)
    assert report["status"] == "error" and report["problems"]
    assert "Traceback" not in bad.stderr
    assert not (missing / "CURRENT").exists()


# --- logins ------------------------------------------------------------------------

class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_login_guard_logs_failures_and_locks_a_name(caplog):
    clock = Clock()
    guard = app.LoginGuard([("minh", "mật-khẩu")], max_failures=3, window=300, lockout=60, clock=clock)
    caplog.set_level(logging.WARNING, logger="kttt.auth")
    assert guard("minh", "mật-khẩu")
    assert not guard("minh", "sai") and not guard("ai-do", "x")
    assert "login failed for user 'minh'" in caplog.text and "login failed for user 'ai-do'" in caplog.text
    assert "sai" not in caplog.text.replace("'minh'", "")  # never the password
    assert not guard("minh", "sai2") and not guard("minh", "sai3")
    assert "locked" in caplog.text
    assert not guard("minh", "mật-khẩu")  # locked: even the right password waits
    clock.now += 61
    assert guard("minh", "mật-khẩu")


def test_the_guard_says_why_a_login_was_refused():
    from operations.login import refusal_message

    clock = Clock()
    guard = app.LoginGuard([("minh", "dung")], max_failures=2, window=300, lockout=60, clock=clock)
    assert guard.check("minh", "sai") == "wrong"
    assert guard.check("minh", "sai") == "locked"  # the failure that locks it says so at once
    assert guard.check("minh", "dung") == "locked"
    clock.now += 20
    assert "Hãy chờ 40 giây" in refusal_message(guard, "locked", "minh")
    assert refusal_message(guard, "wrong", "minh") == "Sai tên đăng nhập hoặc mật khẩu."
    clock.now += 41
    assert guard.check("minh", "dung") == "ok"


def test_sessions_expire_and_end():
    from operations.login import Sessions

    clock = Clock()
    sessions = Sessions(seconds=100, clock=clock)
    token = sessions.start("lan")
    assert sessions.user(token) == "lan" and sessions.user("forged") is None and sessions.user(None) is None
    clock.now += 101
    assert sessions.user(token) is None
    token = sessions.start("lan")
    sessions.end(token)
    assert sessions.user(token) is None


def test_the_login_form_sends_nobody_to_another_site():
    from operations.login import _safe_next

    assert _safe_next("/?tab=1") == "/?tab=1"
    for bad in ("https://evil.example/", "//evil.example/", "/\\evil.example", "", None, "javascript:x"):
        assert _safe_next(bad) == "/"


def test_failed_logins_on_a_real_server_are_logged_and_limited(assistant, caplog):
    from conftest import free_port

    caplog.set_level(logging.WARNING, logger="kttt.auth")
    demo = app.build_app(assistant)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                **app.SignIn(app.LoginGuard([("minh", "dung")], max_failures=3), app.TITLE).launch_options())
    url = f"http://127.0.0.1:{port}"

    def login(password: str) -> int:
        data = urllib.parse.urlencode({"username": "minh", "password": password}).encode()
        try:
            return urllib.request.urlopen(urllib.request.Request(f"{url}/login", data=data), timeout=30).status
        except urllib.error.HTTPError as err:
            return err.code

    try:
        assert login("dung") == 200
        # An API client signs in as gradio_client does, and is answered.
        signed = Client(url + "/", auth=("minh", "dung"), verbose=False, download_files=False)
        assert "1.025" in signed.predict(HA_TINH, api_name="/ask")
        assert [login("sai") for _ in range(3)] == [400, 400, 400]
        assert login("dung") == 400  # locked for a minute
        assert caplog.text.count("login failed for user 'minh'") == 3
        assert "locked" in caplog.text
        # Without a login the API is closed too.
        with pytest.raises(Exception):
            Client(url + "/", verbose=False, download_files=False).predict(HA_TINH, api_name="/ask")
    finally:
        demo.close()


def test_public_link_needs_auth_or_the_acknowledging_flag(capsys):
    for argv in (["--share"], ["--share", "--host", "0.0.0.0"]):
        with pytest.raises(SystemExit) as exc:
            app.parse_args(argv)
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert "--auth" in err and "--i-know-this-is-public" in err and "Refusing to start" in err
    assert app.parse_args(["--share", "--auth", "minh:dung"]).share
    assert app.parse_args(["--share", "--i-know-this-is-public"]).i_know_this_is_public


# --- the answer path evaluates nothing ------------------------------------------------

def test_no_code_path_evaluates_or_unpickles_text():
    """Document text and questions are only ever data: nothing on the way
    from a file to the page calls eval/exec/compile, unpickles, or runs a
    shell (article HTML is escaped: test_app.py, test_browser.py)."""
    import ast

    banned_calls = {"eval", "exec", "compile", "__import__", "system", "popen", "execv", "spawnv"}
    banned_modules = {"pickle", "marshal", "shelve", "subprocess", "dill", "cloudpickle"}
    found = []
    files = [PROJECT_DIR / "app.py"] + [p for d in ("answer", "retriever", "index", "ingest", "vietnamese")
                                        for p in sorted((PROJECT_DIR / d).glob("*.py"))]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.id if isinstance(f, ast.Name) else None  # eval(...), not re.compile(...)
                if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "os":
                    name = f.attr  # os.system(...), os.popen(...)
                if name in banned_calls:
                    found.append(f"{path.name}:{node.lineno} {name}()")
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
                if any((n or "").split(".")[0] in banned_modules for n in names):
                    found.append(f"{path.name}:{node.lineno} import {names}")
    assert len(files) > 20
    assert found == []
