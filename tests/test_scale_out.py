"""Bigger than one machine: one real Chroma server (`chroma run` on
127.0.0.1), the articles ingested by one process, and two separate chat
processes (`python app.py`) answering from them: one sharing the ingest's
index folder, one with a folder of its own that it rebuilds from the server
without embedding anything again."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from gradio_client import Client

from conftest import free_port, stop
from test_chroma_server import HA_TINH, LANG_SON_2017, QUESTION, chroma_server, http_collection

import config

PROJECT_DIR = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


@contextmanager
def app_process(env: dict, index: Path, corpus: Path, log_path: Path):
    """`python app.py` on a free port; yield its URL once it answers HTTP."""
    port = free_port()
    with open(log_path, "w") as log:
        proc = subprocess.Popen([PYTHON, "app.py", "--corpus", str(corpus), "--index", str(index),
                                 "--port", str(port)], cwd=PROJECT_DIR, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            yield proc, f"http://127.0.0.1:{port}/"
        finally:
            stop(proc, timeout=20)


def wait_for_client(proc, url: str, log_path: Path, timeout: float = 240) -> Client:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            pytest.fail(f"app.py exited with {proc.returncode}:\n" + log_path.read_text()[-3000:])
        try:
            return Client(url, verbose=False, download_files=False)
        except Exception:
            if time.monotonic() > deadline:
                pytest.fail(f"app.py did not serve {url} within {timeout} s:\n" + log_path.read_text()[-3000:])
            time.sleep(0.5)


def test_two_app_processes_answer_from_one_chroma_server(tmp_path, subprocess_env):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in (HA_TINH, LANG_SON_2017):
        shutil.copy2(PROJECT_DIR / "corpus" / name, corpus / name)
    with chroma_server(tmp_path, subprocess_env) as port:
        env = {**subprocess_env, "KTTT_CHROMA_HOST": "127.0.0.1", "KTTT_CHROMA_PORT": str(port)}
        shared_index = tmp_path / "index-shared"
        # A third process ingests; the apps below embed nothing.
        done = subprocess.run([PYTHON, "-m", "ingest", str(corpus), "--index", str(shared_index), "--quiet"],
                              cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "2 added" in done.stdout
        settings = config.Settings(corpus_dir=corpus, chroma_host="127.0.0.1", chroma_port=port)
        stored = http_collection(settings)[1].count()
        assert stored > 0

        with ExitStack() as stack:
            apps = []
            for name, index in (("a", shared_index), ("b", tmp_path / "index-own")):
                log = tmp_path / f"app-{name}.log"
                proc, url = stack.enter_context(app_process(env, index, corpus, log))
                apps.append((proc, url, log, index))
            for proc, url, log, index in apps:
                reply = wait_for_client(proc, url, log).predict(QUESTION, api_name="/ask")
                assert "1.025" in reply and HA_TINH in reply, reply
                assert not (index / "chroma").exists(), "a local Chroma was created although a server is set"
        # Neither app embedded or wrote anything: the server holds what the ingest wrote.
        assert http_collection(settings)[1].count() == stored
        for name in ("a", "b"):
            assert "Embedding" not in (tmp_path / f"app-{name}.log").read_text()
