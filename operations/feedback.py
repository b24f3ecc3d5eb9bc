"""Feedback on answers: 👍/👎 with an optional comment, in a SQLite file
beside the logs, exported in the evaluation format so that reported mistakes
become test questions.

    from operations import feedback
    feedback.record(settings, rating="down", answer=answer, question="…",
                    comment="Sai số liệu", conversation_turns=["earlier question"])
    feedback.export(settings, "feedback.jsonl", rating="down")

    python -m answer feedback --export FILE.jsonl [--rating down|up|all] [--log-dir DIR]

Where: ``settings.log_dir/feedback.sqlite3`` (``KTTT_LOG_DIR``, default
``logs/``, ignored by git), created on first use; its schema version is its
``PRAGMA user_version``. One row per rating: time (UTC), rating, comment, the
answer text, found, the citations (JSON: source, quote, start, end). What
officials ask stays private, as in ``questions.log``: the question, the
earlier turns of the conversation and the question as understood
(``Answer.understood_as``, which is the question itself, rewritten) are stored
only when question logging is on (``KTTT_LOG_QUESTIONS=1``,
``Settings.log_questions``); otherwise they are NULL.

The chat calls :func:`record` from several threads at once: every call opens
its own connection (WAL journal, a busy timeout) and writes in one
``BEGIN IMMEDIATE`` transaction, under a lock shared by the process.

An exported line is a QA line (evaluation/evaluate.py) plus what was rated:

    {"id": "fb12", "turns": ["earlier question", "question"], "answers": [],
     "sources": ["003_42341fde278f7be2.txt"], "kind": "feedback",
     "rating": "down", "comment": "…", "got": "the answer given", "found": true,
     "citations": [{"source", "quote", "start", "end"}], "time": "…", "note": "…"}

"answers" is left empty: a 👎 becomes a test question once a person writes
there what the articles really say (and corrects "sources", the articles
that say it; none means the articles cannot answer it). Rows stored with
question logging off have no turns and cannot be asked again as they are.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import threading
import unicodedata
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Iterator

FILE_NAME = "feedback.sqlite3"
SCHEMA_VERSION = 1
RATINGS = ("up", "down")
MAX_COMMENT = 1_000
BUSY_TIMEOUT_S = 30.0
NOTE_DOWN = ('👎 rated wrong: fill in "answers" with what the articles really say (and "sources" '
             'with the articles that say it, none if they cannot answer it) to make it a test question')
NOTE_UP = '👍 rated right: fill in "answers" with the figure or name the answer gives to keep it as a test question'
NOTE_NO_QUESTION = "no question text: question logging was off (KTTT_LOG_QUESTIONS=1 keeps it)"

_SCHEMA = ("""
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,                 -- UTC, ISO 8601
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT '',
    answer TEXT NOT NULL,               -- the answer text shown
    found INTEGER NOT NULL,             -- 1: the articles said it, 0: a refusal
    citations TEXT NOT NULL,            -- JSON: [{"source", "quote", "start", "end"}]
    understood_as TEXT,                 -- NULL unless question logging is on
    question TEXT,                      -- NULL unless question logging is on
    turns TEXT                          -- JSON list of the earlier turns, NULL unless question logging is on
)""",
           "CREATE INDEX IF NOT EXISTS feedback_rating ON feedback (rating)")

# One writer at a time within the process; other processes wait on SQLite's lock.
_write_lock = threading.Lock()


class FeedbackError(RuntimeError):
    """A feedback database that cannot be used (newer schema, not a database)."""


def database_path(settings_or_path) -> Path:
    """The feedback file: ``settings.log_dir/feedback.sqlite3`` for Settings, the
    same name inside an existing folder, otherwise the path itself."""
    if hasattr(settings_or_path, "log_dir"):
        return Path(settings_or_path.log_dir) / FILE_NAME
    path = Path(settings_or_path)
    return path / FILE_NAME if path.is_dir() else path


def _clean(text: str, limit: int | None = None) -> str:
    """Control characters dropped (line breaks and tabs kept as spaces or
    line breaks), then cut to ``limit`` characters."""
    if not isinstance(text, str):
        raise TypeError(f"expected text, got {type(text).__name__}")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc")
    text = unicodedata.normalize("NFC", text)
    return text[:limit] if limit is not None else text


def _answer_fields(answer) -> tuple[str, bool, list[dict], str]:
    """(text, found, citations, understood_as) of an answer.types.Answer or of
    its to_json() / as_dict() dict."""
    if isinstance(answer, dict):
        text = answer.get("answer", answer.get("text"))
        found = answer.get("found")
        citations = answer.get("citations") or []
        understood = answer.get("understood_as") or ""
    elif hasattr(answer, "text") and hasattr(answer, "citations"):
        text, found = answer.text, getattr(answer, "found", None)
        citations = [c if isinstance(c, dict) else c.to_json() for c in answer.citations]
        understood = getattr(answer, "understood_as", "") or ""
    else:
        raise TypeError(f"answer must be an answer.types.Answer or its to_json() dict, not {type(answer).__name__}")
    if not isinstance(text, str):
        raise ValueError("answer has no text ('answer' or 'text')")
    if not isinstance(found, bool):
        raise ValueError(f"answer's 'found' must be true or false, not {found!r}")
    cleaned = []
    for c in citations:
        try:
            cleaned.append({"source": str(c["source"]), "quote": str(c["quote"]),
                            "start": int(c["start"]), "end": int(c["end"])})
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"a citation needs source, quote, start and end: {c!r}") from err
    return text, found, cleaned, understood


def _connect(path: Path, *, create: bool) -> sqlite3.Connection:
    if not create:
        if not path.is_file():
            raise FileNotFoundError(f"no feedback database at {path}: nothing has been rated there yet "
                                    "(the chat creates it at the first 👍/👎); is the log folder "
                                    "(--log-dir, KTTT_LOG_DIR) the chat's?")
        # mode=rw: never create an empty database by reading one that is not there.
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=rw", uri=True, timeout=BUSY_TIMEOUT_S,
                               isolation_level=None)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise FeedbackError(f"{path} has feedback schema {version}, newer than this code's "
                                f"({SCHEMA_VERSION}): update the project")
        if create:
            conn.execute("PRAGMA journal_mode = WAL")  # persistent; a no-op once set
            if version < SCHEMA_VERSION:
                _migrate(conn)
        elif version == 0 and not _has_table(conn):
            raise FeedbackError(f"{path} is not a feedback database (no feedback table)")
    except sqlite3.DatabaseError as err:
        conn.close()
        raise FeedbackError(f"{path} cannot be read as a feedback database: {err}") from err
    except BaseException:
        conn.close()
        raise
    return conn


def _has_table(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'feedback'").fetchone() is not None


def _migrate(conn: sqlite3.Connection) -> None:
    """Create (or bring up to date) the schema, once, whoever gets there first."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            for statement in _SCHEMA:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def record(settings_or_path, *, rating: str, answer, question: str | None = None, comment: str = "",
           conversation_turns: list[str] | None = None, keep_question: bool | None = None) -> int:
    """Store one rating of ``answer``; returns its row id.

    ``rating`` is "up" or "down" (anything else: ValueError, nothing stored).
    ``comment`` is cut to 1,000 characters; control characters are dropped
    from it and from the question. ``conversation_turns`` are the earlier
    questions of the conversation (a last one equal to ``question`` is not
    repeated). The question, the turns and ``answer.understood_as`` are kept
    only when ``keep_question`` is true; by default that is
    ``settings.log_questions`` for Settings and false for a path.
    """
    if not isinstance(rating, str) or rating not in RATINGS:
        raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
    if comment is None:
        comment = ""
    comment = _clean(comment, MAX_COMMENT).strip()
    text, found, citations, understood = _answer_fields(answer)
    if keep_question is None:
        keep_question = bool(getattr(settings_or_path, "log_questions", False))
    stored_question = stored_turns = stored_understood = None
    if keep_question:
        if question is not None:
            stored_question = _clean(question).strip()
        turns = [_clean(t).strip() for t in (conversation_turns or [])]
        if turns and stored_question is not None and turns[-1] == stored_question:
            turns = turns[:-1]
        stored_turns = json.dumps(turns, ensure_ascii=False)
        stored_understood = _clean(understood).strip() or None
    row = (datetime.now(timezone.utc).isoformat(timespec="seconds"), rating, comment, text, int(found),
           json.dumps(citations, ensure_ascii=False), stored_understood, stored_question, stored_turns)

    path = database_path(settings_or_path)
    with _write_lock:
        conn = _connect(path, create=True)
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                cursor = conn.execute(
                    "INSERT INTO feedback (time, rating, comment, answer, found, citations, understood_as, "
                    "question, turns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return int(cursor.lastrowid)
        finally:
            conn.close()


def _check_rating_filter(rating: str) -> None:
    if rating not in (*RATINGS, "all"):
        raise ValueError(f"rating must be 'up', 'down' or 'all', not {rating!r}")


def export_lines(path_in, rating: str = "all") -> Iterator[dict]:
    """The stored ratings (oldest first), each as an evaluation-format dict."""
    _check_rating_filter(rating)
    conn = _connect(database_path(path_in), create=False)
    try:
        query = ("SELECT id, time, rating, comment, answer, found, citations, understood_as, question, turns "
                 "FROM feedback")
        params: tuple = ()
        if rating != "all":
            query, params = query + " WHERE rating = ?", (rating,)
        rows = conn.execute(query + " ORDER BY id", params).fetchall()
    except sqlite3.DatabaseError as err:
        raise FeedbackError(f"{database_path(path_in)} cannot be read as a feedback database: {err}") from err
    finally:
        conn.close()
    for rowid, time, rate, comment, text, found, citations, understood, question, turns in rows:
        cited = json.loads(citations or "[]")
        # Earlier turns without the question they led to cannot be asked again.
        conversation = [*json.loads(turns or "[]"), question] if question else []
        notes = [NOTE_DOWN if rate == "down" else NOTE_UP]
        if not question:
            notes.append(NOTE_NO_QUESTION)
        line = {"id": f"fb{rowid}", "turns": conversation, "answers": [],
                "sources": list(dict.fromkeys(c["source"] for c in cited)), "kind": "feedback",
                "rating": rate, "comment": comment, "got": text, "found": bool(found),
                "citations": cited, "time": time}
        if understood:
            line["understood_as"] = understood
        line["note"] = "; ".join(notes)
        yield line


def export(path_in, out_file: str | Path | IO[str], *, rating: str = "all", stats: dict | None = None) -> int:
    """Write the stored ratings (``rating``: "up", "down" or "all") to
    ``out_file`` (a path, written whole or not at all, or an open text file)
    as JSONL; returns how many lines. ``stats``, if given, is filled with
    the counts: rows, up, down, no_question (rows without question text)."""
    lines = list(export_lines(path_in, rating))  # read all first: a missing database writes nothing
    counts = {"rows": len(lines), "up": 0, "down": 0, "no_question": 0}
    for line in lines:
        counts[line["rating"]] += 1
        counts["no_question"] += not line["turns"]
    if stats is not None:
        stats.update(counts)
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    if hasattr(out_file, "write"):
        out_file.write(text)
        return len(lines)
    out = Path(out_file)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(lines)


def add_comment(settings_or_path, row_id: int, comment: str) -> bool:
    """Add (or replace) the comment of a stored rating, given after the 👍/👎
    itself; cut and cleaned like :func:`record`'s. False if no such row."""
    comment = _clean(comment or "", MAX_COMMENT).strip()
    path = database_path(settings_or_path)
    if not path.exists():
        return False
    with _write_lock:
        conn = _connect(path, create=False)
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                changed = conn.execute("UPDATE feedback SET comment = ? WHERE id = ?", (comment, int(row_id))).rowcount
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return changed == 1
        finally:
            conn.close()
