"""The newest complete snapshot, served: a running chat sees every ingest.

An :class:`~answer.assistant.Assistant` is bound to one snapshot of its
index. ``LiveAssistant`` holds the current one and, before each question,
looks at the index folder's ``CURRENT`` (one small file read): when an
ingest (the CLI, another process, an upload from the page) has committed a
newer snapshot, it loads it and serves it from the next question on. A
question already being answered keeps the assistant it started with, so it
finishes on its own snapshot; a snapshot is never seen half-written, because
``CURRENT`` names only committed ones (index/snapshot.py). While a newer
snapshot loads, other questions are answered from the one before.

An embedded Chroma caches its vector index per process, so vectors another
process added are invisible to a client opened before them: on a new
snapshot from elsewhere the embedded client is opened afresh.
"""

from __future__ import annotations

import logging
import threading

from index import embeddings as embedders
from index import snapshot as snapshots
from index.store import open_store
from retriever.hybrid import HybridSearch

from .assistant import Assistant

log = logging.getLogger("kttt.live")


class LiveAssistant:
    """An Assistant that follows its index folder's newest snapshot. The
    chat, the API and health use it like an Assistant."""

    def __init__(self, assistant: Assistant):
        self._current = assistant
        self._lock = threading.Lock()
        self.settings = assistant.settings
        self._index_dir = assistant.settings.resolved_index_dir()

    @property
    def current(self) -> Assistant:
        """The assistant over the newest committed snapshot (loaded now if
        an ingest committed one since the last question)."""
        name = snapshots.current_name(self._index_dir)
        if name and name != self._current.search.snapshot.name and self._lock.acquire(blocking=False):
            try:
                if name != self._current.search.snapshot.name:
                    self._current = self._reload()
            except Exception:  # a snapshot replaced while read, a store gone: keep serving the last one
                log.exception("loading the new snapshot %s failed; still serving %s", name,
                              self._current.search.snapshot.name)
            finally:
                self._lock.release()
        return self._current

    @property
    def newer_snapshot(self) -> bool:
        """Whether the index folder has a newer snapshot than the one served."""
        name = snapshots.current_name(self._index_dir)
        return bool(name) and name != self._current.search.snapshot.name

    def _reload(self) -> Assistant:
        old = self._current
        snapshot = snapshots.load(self._index_dir)
        if snapshot is None:
            return old
        settings = old.settings
        store = old.search.store if settings.chroma_host else open_store(
            settings, embedders.identity(settings.embedder), fresh=True)
        search = HybridSearch(settings, embedder=old.search.embedder, snapshot=snapshot, store=store)
        log.info("serving snapshot %s (%d articles, %d passages)", snapshot.name, len(snapshot.files),
                 len(snapshot.ids))
        return Assistant(settings, search, old.chat_model)

    def adopt(self, snapshot) -> None:
        """Serve ``snapshot`` now: one this process just committed (an upload),
        whose vectors its own Chroma client already holds."""
        with self._lock:
            old = self._current
            search = HybridSearch(old.settings, embedder=old.search.embedder, snapshot=snapshot,
                                  store=old.search.store)
            self._current = Assistant(old.settings, search, old.chat_model)

    # -- what the chat calls: each call on the newest snapshot ------------------

    def ask(self, *args, **kwargs):
        return self.current.ask(*args, **kwargs)

    def stream(self, *args, **kwargs):
        return self.current.stream(*args, **kwargs)

    def sources(self):
        return self.current.sources()

    def source_text(self, name: str) -> str:
        return self.current.source_text(name)

    def article(self, name: str) -> dict:
        return self.current.article(name)

    @property
    def figures(self):
        return self.current.figures

    def __getattr__(self, name):  # search, mode, chat_model, retrieve, ...: the current assistant's
        return getattr(self._current, name)
