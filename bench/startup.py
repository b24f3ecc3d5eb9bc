"""Start-up: seconds from launching ``python app.py`` on an existing index
until its first answer arrives through gradio_client, then the app's peak
resident memory (VmHWM) after it has answered the benchmark's questions."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from config import PROJECT_DIR

FIRST = "Hà Tĩnh có bao nhiêu HTX năm 2023?"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure_startup(corpus: Path, index: Path, questions: Path, timeout: float = 600) -> dict:
    from gradio_client import Client

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KTTT_")}
    log = tempfile.TemporaryFile()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "app.py", "--corpus", str(corpus), "--index", str(index),
                             "--port", str(port)], cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        client = None
        while client is None:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"app.py exited with {proc.returncode}: {log.read()[-3000:].decode(errors='replace')}")
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"app.py did not serve within {timeout} s")
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False, download_files=False)
            except Exception:
                time.sleep(0.1)
        reply = client.predict(FIRST, api_name="/ask")
        seconds = time.perf_counter() - started
        if "1.025" not in reply:
            raise RuntimeError(f"the first answer is wrong: {reply[:300]}")
        lines = [q for q in Path(questions).read_text(encoding="utf-8").splitlines() if q and not q.startswith("#")]
        for q in lines:
            client.predict(q, api_name="/ask")
        return {"seconds": seconds, "peak_rss_mb": _peak_rss_mb(proc.pid)}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
