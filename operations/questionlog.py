"""The question log: one JSON line per question answered, in a rotating file.

    {"time": "2026-11-24T11:50:01+00:00", "seconds": 0.051, "found": true,
     "sources": ["003_42341fde278f7be2.txt"], "chars": 34, "mode": "extractive"}

What officials ask stays private by default: the line says how long the
question was, not what it said. An operator who wants the text (to find
questions the articles cannot answer) turns it on with ``KTTT_LOG_QUESTIONS=1``
(config.Settings.log_questions). Where: ``KTTT_LOG_DIR`` (default ``logs/``,
ignored by git), file ``questions.log``, rotated at ``log_max_bytes``; the
app's own messages (errors, failed logins) go to ``app.log`` beside it.

The chat and the CLI call :func:`setup`; library use (tests, scripts) logs
nowhere unless it does too. Logging never breaks an answer.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
from datetime import datetime, timezone
from pathlib import Path

LOGGER = "kttt.questions"
FILE_NAME = "questions.log"
_log = logging.getLogger(LOGGER)
_log.propagate = False  # question lines go to their file, not to the console
_with_text = False


def setup(settings) -> Path:
    """Send question lines to ``settings.log_dir/questions.log``; returns the path."""
    global _with_text
    folder = Path(settings.log_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE_NAME
    for old in list(_log.handlers):
        _log.removeHandler(old)
        old.close()
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=settings.log_max_bytes,
                                                   backupCount=settings.log_backups, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(message)s"))
    _log.addHandler(handler)
    _log.setLevel(logging.INFO)
    _with_text = bool(settings.log_questions)
    # Everything else the app logs (errors, failed logins) goes to app.log beside it.
    app_log = logging.getLogger("kttt")
    for old in [h for h in app_log.handlers if getattr(h, "_kttt", False)]:
        app_log.removeHandler(old)
        old.close()
    app_handler = logging.handlers.RotatingFileHandler(folder / "app.log", maxBytes=settings.log_max_bytes,
                                                       backupCount=settings.log_backups, encoding="utf-8")
    app_handler._kttt = True
    app_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    app_log.addHandler(app_handler)
    if app_log.level == logging.NOTSET or app_log.level > logging.INFO:
        app_log.setLevel(logging.INFO)
    return path


def record(question: str, answer=None, seconds: float = 0.0, mode: str = "extractive",
           error: str | None = None) -> None:
    if not _log.handlers:
        return
    try:
        line = {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "seconds": round(seconds, 4),
                "found": bool(answer is not None and answer.found),
                "sources": sorted({c.source for c in (answer.citations if answer is not None else [])}),
                "chars": len(question or ""),
                "mode": mode}
        if error:
            line["error"] = error
        if _with_text:
            line["question"] = question
        _log.info(json.dumps(line, ensure_ascii=False))
    except Exception:  # a full disk must not cost the user their answer
        logging.getLogger("kttt").exception("could not write the question log")
