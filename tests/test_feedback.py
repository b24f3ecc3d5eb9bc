"""👍/👎 on answers (operations/feedback.py): stored in a real SQLite file
beside the logs, the question text only when question logging is on, safe
under concurrent writes, and exported in the eval format by
``python -m answer feedback --export``."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import config
from answer.types import Answer, Citation
from operations import feedback

PROJECT_DIR = Path(__file__).resolve().parents[1]
HA_TINH_FILE = "003_42341fde278f7be2.txt"
LEAD = "Hà Tĩnh có bao nhiêu HTX năm 2023?"
FOLLOW_UP = "Còn số tổ hợp tác thì sao?"
UNDERSTOOD = "Hà Tĩnh có bao nhiêu tổ hợp tác năm 2023?"


def an_answer(found: bool = True) -> Answer:
    if not found:
        return Answer(text="Các bài báo không nêu thông tin này.", found=False, understood_as=UNDERSTOOD)
    return Answer(text="Theo bài báo, tỉnh có 1.025 HTX.", found=True, understood_as=UNDERSTOOD,
                  citations=[Citation(source=HA_TINH_FILE, quote="toàn tỉnh có 1.025 HTX", start=120, end=142,
                                      passage="…", title="HTX Hà Tĩnh"),
                             Citation(source="000_dfa66b99d1f9ccc4.txt", quote="240 tổ hợp tác", start=5, end=19),
                             Citation(source=HA_TINH_FILE, quote="năm 2023", start=300, end=308)])


def settings(tmp_path: Path, log_questions: bool = False) -> config.Settings:
    return config.Settings(log_dir=tmp_path / "logs", log_questions=log_questions)


def stored(tmp_path: Path) -> list[dict]:
    conn = sqlite3.connect(tmp_path / "logs" / feedback.FILE_NAME)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM feedback ORDER BY id")]
    finally:
        conn.close()


def test_up_and_down_stored_with_answer_and_citations(tmp_path):
    s = settings(tmp_path)
    up = feedback.record(s, rating="up", answer=an_answer(), question=FOLLOW_UP, conversation_turns=[LEAD])
    down = feedback.record(s, rating="down", answer=an_answer(found=False), question=LEAD, comment="Có số liệu mà!")
    assert (up, down) == (1, 2)
    path = tmp_path / "logs" / "feedback.sqlite3"
    assert feedback.database_path(s) == path and path.is_file()
    first, second = stored(tmp_path)
    assert first["rating"] == "up" and second["rating"] == "down"
    assert first["answer"] == "Theo bài báo, tỉnh có 1.025 HTX." and first["found"] == 1
    assert second["answer"] == "Các bài báo không nêu thông tin này." and second["found"] == 0
    assert first["comment"] == "" and second["comment"] == "Có số liệu mà!"
    assert json.loads(first["citations"]) == [
        {"source": HA_TINH_FILE, "quote": "toàn tỉnh có 1.025 HTX", "start": 120, "end": 142},
        {"source": "000_dfa66b99d1f9ccc4.txt", "quote": "240 tổ hợp tác", "start": 5, "end": 19},
        {"source": HA_TINH_FILE, "quote": "năm 2023", "start": 300, "end": 308}]
    assert json.loads(second["citations"]) == []
    assert first["time"].endswith("+00:00") and "T" in first["time"]
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == feedback.SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_the_to_json_dict_of_an_answer_is_accepted(tmp_path):
    feedback.record(settings(tmp_path), rating="down", answer=an_answer().to_json())
    (row,) = stored(tmp_path)
    assert row["answer"] == "Theo bài báo, tỉnh có 1.025 HTX." and row["found"] == 1
    assert [c["source"] for c in json.loads(row["citations"])] == [HA_TINH_FILE, "000_dfa66b99d1f9ccc4.txt",
                                                                   HA_TINH_FILE]


def test_no_question_text_stored_when_question_logging_is_off(tmp_path):
    feedback.record(settings(tmp_path), rating="down", answer=an_answer(), question=FOLLOW_UP,
                    conversation_turns=[LEAD], comment="sai")
    (row,) = stored(tmp_path)
    assert row["question"] is None and row["turns"] is None and row["understood_as"] is None
    # Nowhere in the files either (database, WAL): only the answer and its quotes.
    raw = b"".join(p.read_bytes() for p in (tmp_path / "logs").iterdir())
    for private in (FOLLOW_UP, LEAD, UNDERSTOOD, "bao nhiêu"):
        assert private.encode() not in raw
    # A bare path keeps nothing private unless told to.
    feedback.record(tmp_path / "logs", rating="up", answer=an_answer(), question=LEAD)
    assert stored(tmp_path)[1]["question"] is None


def test_question_and_earlier_turns_stored_when_question_logging_is_on(tmp_path):
    s = settings(tmp_path, log_questions=True)
    feedback.record(s, rating="down", answer=an_answer(), question=FOLLOW_UP, conversation_turns=[LEAD])
    # The question repeated as the last turn is not stored twice.
    feedback.record(s, rating="up", answer=an_answer(), question=LEAD, conversation_turns=[LEAD])
    first, second = stored(tmp_path)
    assert first["question"] == FOLLOW_UP and json.loads(first["turns"]) == [LEAD]
    assert first["understood_as"] == UNDERSTOOD
    assert second["question"] == LEAD and json.loads(second["turns"]) == []


@pytest.mark.parametrize("rating", ["", "UP", "good", "👍", None, 1, True])
def test_a_bad_rating_is_refused_and_nothing_stored(tmp_path, rating):
    s = settings(tmp_path)
    with pytest.raises(ValueError, match="rating must be 'up' or 'down'"):
        feedback.record(s, rating=rating, answer=an_answer(), question=LEAD)
    assert not feedback.database_path(s).exists()  # not even created
    feedback.record(s, rating="up", answer=an_answer())
    with pytest.raises(ValueError):
        feedback.record(s, rating=rating, answer=an_answer(), comment="x")
    assert [r["rating"] for r in stored(tmp_path)] == ["up"]


def test_a_bad_answer_is_refused(tmp_path):
    s = settings(tmp_path)
    with pytest.raises(TypeError):
        feedback.record(s, rating="up", answer="just a string")
    with pytest.raises(ValueError, match="found"):
        feedback.record(s, rating="up", answer={"answer": "x"})
    with pytest.raises(ValueError, match="citation"):
        feedback.record(s, rating="up", answer={"answer": "x", "found": True, "citations": [{"source": "a"}]})
    assert not feedback.database_path(s).exists()


def test_a_long_comment_is_cut_and_control_characters_dropped(tmp_path):
    s = settings(tmp_path, log_questions=True)
    feedback.record(s, rating="down", answer=an_answer(), comment="Sai " * 600)
    feedback.record(s, rating="down", answer=an_answer(), question="Hà\x00 Tĩnh\x1b[31m?\u0085",
                    comment="số\x00 liệu\x07 cũ\r\ndòng hai\x7f\tTab")
    long_one, dirty = stored(tmp_path)
    assert len(long_one["comment"]) <= feedback.MAX_COMMENT and long_one["comment"].startswith("Sai Sai")
    assert len(long_one["comment"]) >= feedback.MAX_COMMENT - 1  # cut, then the trailing space dropped
    assert dirty["comment"] == "số liệu cũ\ndòng hai Tab"
    assert dirty["question"] == "Hà Tĩnh[31m?"


def test_concurrent_writes_from_8_threads_are_all_stored(tmp_path):
    s = settings(tmp_path)
    start = threading.Barrier(8)
    ids: list[int] = []
    errors: list[BaseException] = []

    def rate(worker: int) -> None:
        try:
            start.wait()  # all at once, on a database none of them has created yet
            for i in range(15):
                ids.append(feedback.record(s, rating="up" if i % 2 else "down", answer=an_answer(),
                                           comment=f"w{worker}-{i}"))
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=rate, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    rows = stored(tmp_path)
    assert len(rows) == 120 and sorted(ids) == list(range(1, 121))
    assert {r["comment"] for r in rows} == {f"w{w}-{i}" for w in range(8) for i in range(15)}


def test_export_is_eval_format_jsonl_filtered_by_rating(tmp_path):
    on, off = settings(tmp_path, log_questions=True), settings(tmp_path, log_questions=False)
    feedback.record(on, rating="down", answer=an_answer(), question=FOLLOW_UP, conversation_turns=[LEAD],
                    comment="Sai năm")
    feedback.record(on, rating="up", answer=an_answer(found=False), question="Đà Nẵng có bao nhiêu HTX?")
    feedback.record(off, rating="down", answer=an_answer(found=False), question=LEAD)
    out = tmp_path / "out" / "feedback.jsonl"
    stats: dict = {}
    assert feedback.export(on, out, stats=stats) == 3
    assert stats == {"rows": 3, "up": 1, "down": 2, "no_question": 1}
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["fb1", "fb2", "fb3"]
    down, up, private = lines
    for line in lines:  # a QA line (evaluation/evaluate.py) plus what was rated
        assert {"id", "turns", "answers", "sources", "kind", "rating", "comment", "got", "citations",
                "time", "note"} <= set(line)
        assert line["answers"] == []
    assert down["turns"] == [LEAD, FOLLOW_UP] and down["rating"] == "down" and down["comment"] == "Sai năm"
    assert down["sources"] == [HA_TINH_FILE, "000_dfa66b99d1f9ccc4.txt"]
    assert down["got"] == "Theo bài báo, tỉnh có 1.025 HTX." and down["found"] is True
    assert down["citations"][0] == {"source": HA_TINH_FILE, "quote": "toàn tỉnh có 1.025 HTX",
                                    "start": 120, "end": 142}
    assert down["understood_as"] == UNDERSTOOD and '"answers"' in down["note"]
    assert up["turns"] == ["Đà Nẵng có bao nhiêu HTX?"] and up["sources"] == [] and up["found"] is False
    assert private["turns"] == [] and "understood_as" not in private and "logging was off" in private["note"]

    assert feedback.export(on, out, rating="down") == 2
    assert [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()] == ["fb1", "fb3"]
    assert feedback.export(tmp_path / "logs", out, rating="up") == 1
    assert json.loads(out.read_text(encoding="utf-8"))["id"] == "fb2"
    with pytest.raises(ValueError):
        feedback.export(on, out, rating="bad")


def test_exporting_a_missing_database_says_so_and_creates_nothing(tmp_path):
    with pytest.raises(FileNotFoundError, match="no feedback database"):
        feedback.export(settings(tmp_path), tmp_path / "out.jsonl")
    assert not (tmp_path / "logs").exists() and not (tmp_path / "out.jsonl").exists()


def test_a_newer_schema_or_another_file_is_refused(tmp_path):
    s = settings(tmp_path)
    feedback.record(s, rating="up", answer=an_answer())
    conn = sqlite3.connect(feedback.database_path(s))
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(feedback.FeedbackError, match="newer"):
        feedback.record(s, rating="up", answer=an_answer())
    with pytest.raises(feedback.FeedbackError, match="newer"):
        feedback.export(s, tmp_path / "out.jsonl")
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("not a database at all, just text " * 50)
    with pytest.raises(feedback.FeedbackError):
        feedback.export(junk, tmp_path / "out.jsonl")


def run_cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "answer", "feedback", *args], cwd=PROJECT_DIR, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_command_exports_end_to_end(tmp_path, subprocess_env):
    logs = tmp_path / "chat-logs"
    on = config.Settings(log_dir=logs, log_questions=True)
    feedback.record(on, rating="down", answer=an_answer(), question=FOLLOW_UP, conversation_turns=[LEAD],
                    comment="Sai")
    feedback.record(on, rating="up", answer=an_answer())
    feedback.record(config.Settings(log_dir=logs), rating="down", answer=an_answer(found=False), question=LEAD)

    out = tmp_path / "all.jsonl"
    done = run_cli(subprocess_env, "--export", str(out), "--log-dir", str(logs))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    summary = done.stderr.strip()
    assert "\n" not in summary
    assert summary.startswith(f"3 feedback rows written to {out} (👍 1, 👎 2)")
    assert "2 rows have no question text: question logging was off" in summary
    assert '"answers"' in summary
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(x["id"], x["rating"]) for x in lines] == [("fb1", "down"), ("fb2", "up"), ("fb3", "down")]
    assert lines[0]["turns"] == [LEAD, FOLLOW_UP] and lines[0]["comment"] == "Sai"

    # The log folder from KTTT_LOG_DIR, as the chat has it; only the 👎.
    env = {**subprocess_env, "KTTT_LOG_DIR": str(logs)}
    down = tmp_path / "down.jsonl"
    done = run_cli(env, "--export", str(down), "--rating", "down")
    assert done.returncode == 0, done.stderr
    assert "2 feedback rows written" in done.stderr and "(👍 0, 👎 2)" in done.stderr
    assert [json.loads(x)["id"] for x in down.read_text(encoding="utf-8").splitlines()] == ["fb1", "fb3"]

    done = run_cli(env, "--export", "-", "--rating", "up")
    assert done.returncode == 0 and [json.loads(x)["id"] for x in done.stdout.splitlines()] == ["fb2"]


def test_the_command_on_a_missing_database_exits_2_with_a_message(tmp_path, subprocess_env):
    out = tmp_path / "out.jsonl"
    done = run_cli(subprocess_env, "--export", str(out), "--log-dir", str(tmp_path / "nowhere"))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: no feedback database at ")
    assert str(tmp_path / "nowhere" / "feedback.sqlite3") in done.stderr
    assert not out.exists() and not (tmp_path / "nowhere").exists()

    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "feedback.sqlite3").write_text("not sqlite " * 100)
    done = run_cli(subprocess_env, "--export", str(out), "--log-dir", str(junk))
    assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.startswith("error: ")
    assert not out.exists()
