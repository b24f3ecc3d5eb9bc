"""Hostile and broken questions get a clear answer or message, never a stack
trace: through the assistant, the command line (ask and batch, real
subprocesses) and the chat server (gradio_client)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from gradio_client import Client

import app
from answer.assistant import MAX_QUESTION_CHARS

PROJECT_DIR = Path(__file__).resolve().parents[1]
HA_TINH = "Hà Tĩnh có bao nhiêu HTX năm 2023?"
LONG = (HA_TINH + " ") * 572  # a pasted 20,000-character document
assert len(LONG) >= 20_000

# name -> (question, what the answer must say: a phrase, or "1.025" when it should still be answered)
QUESTIONS = {
    "empty": ("", "Hãy nhập một câu hỏi"),
    "whitespace": ("   \t\n  \u3000 ", "Hãy nhập một câu hỏi"),
    "long": (LONG, "quá dài"),
    "control": ("\x00\x01Hà Tĩnh\x07 có bao nhiêu\x1b[31m HTX năm 2023?\x7f\x08", "1.025"),
    "only-control": ("\x00\x01\x02\x1b\x7f", "Hãy nhập một câu hỏi"),
    "emoji": ("🤔🙏🏻🇻🇳❓", None),
    "html": ("<script>alert(1)</script>", None),
    "html-question": ('<img src=x onerror="alert(1)"> Hà Tĩnh có bao nhiêu HTX năm 2023?', "1.025"),
    "code": ("{{7*7}} ${7*7} __import__('os').system('id') `rm -rf /`", None),
    "sql": ("'; DROP TABLE passages; --", None),
}
IDS = list(QUESTIONS)


def check_answer_text(text: str, expected: str | None) -> None:
    assert text and text.strip(), "an empty reply"
    assert "Traceback" not in text and "Error" not in text
    if expected:
        assert expected in text, text


@pytest.mark.parametrize("name", IDS)
def test_assistant_answers_every_question_clearly(assistant, name):
    question, expected = QUESTIONS[name]
    answer = assistant.ask(question)
    check_answer_text(answer.text, expected)
    if name == "code":
        assert "49" not in answer.text  # {{7*7}} was never evaluated
    if expected != "1.025":
        assert not answer.found
    streamed = list(assistant.stream(question))
    assert streamed and streamed[-1].text == answer.text


def test_long_question_message_names_the_limit(assistant):
    text = assistant.ask(LONG).text
    assert f"{MAX_QUESTION_CHARS:,}".replace(",", ".") in text  # Vietnamese: 2.000


def test_cli_batch_answers_every_question(seed_index, subprocess_env, tmp_path):
    lines = [json.dumps({"id": name, "turns": [q]}, ensure_ascii=False) for name, (q, _) in QUESTIONS.items()]
    lines.append(json.dumps({"id": "follow-up-then-empty", "turns": [HA_TINH, "", "Còn số tổ hợp tác thì sao?"]},
                            ensure_ascii=False))
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "answer", "batch", str(src), "--index",
                           str(seed_index.resolved_index_dir())], cwd=PROJECT_DIR, env=subprocess_env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    out = {row["id"]: row for row in map(json.loads, done.stdout.splitlines())}
    assert list(out) == [*IDS, "follow-up-then-empty"]
    for name, (_, expected) in QUESTIONS.items():
        check_answer_text(out[name]["answer"], expected)
    # An empty turn in the middle does not break the conversation.
    assert "2.579" in out["follow-up-then-empty"]["answer"]


@pytest.mark.parametrize("name", ["empty", "long", "emoji", "html"])
def test_cli_ask_answers_clearly(seed_index, subprocess_env, name):
    question, expected = QUESTIONS[name]
    done = subprocess.run([sys.executable, "-m", "answer", "ask", question, "--json", "--index",
                           str(seed_index.resolved_index_dir())], cwd=PROJECT_DIR, env=subprocess_env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    check_answer_text(json.loads(done.stdout)["answer"], expected)


@pytest.mark.parametrize("name", IDS)
def test_chat_server_answers_every_question(app_url, name):
    question, expected = QUESTIONS[name]
    client = Client(app_url, verbose=False, download_files=False)
    reply = client.predict(question, api_name="/ask")
    check_answer_text(reply, expected)
    assert app.ERROR_TEXT not in reply
    for tag in ("<script", "<img"):
        assert tag not in reply

    textbox, history, _, _, _ = client.predict(question, [], api_name="/chat")
    assert textbox == ""
    if not question.strip():
        assert history == []  # nothing was asked: nothing shown, nothing answered
        return
    assert [m["role"] for m in history] == ["user", "assistant"]
    shown = [_text(m) for m in history]
    assert app.ERROR_TEXT not in shown[1]
    check_answer_text(shown[1], expected)
    for tag in ("<script", "<img"):
        assert tag not in shown[0] and tag not in shown[1]


@pytest.mark.parametrize("query", ["🤔🙏🏻", "???", "\u200b", "— … —"])
def test_search_with_no_words_finds_nothing_and_does_not_fail(assistant, query):
    assert assistant.search.snapshot.lexical.search(query, 10) == []
    assistant.search.search(query)  # the dense side still runs; no exception


def _text(message: dict) -> str:
    content = message["content"]
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
