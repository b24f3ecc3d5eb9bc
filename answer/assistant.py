"""The assistant: conversation -> question -> retrieval -> answer.

One object serves the chat, the command line and the benchmarks, so they all
answer the same way. ``Assistant.open`` brings the index up to date first
(a no-op when nothing changed), then loads it.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from operations import questionlog
from vietnamese.numbers import vietnamese_number
from retriever.hybrid import HybridSearch
from retriever.langchain import HybridRetriever

from . import extract
from . import figures as multi
from . import refusals
from .question import Conversation, is_follow_up, parse, resolve
from .reader import Answerer, reader_for
from .types import Answer

MAX_QUESTION_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")  # terminal colour codes pasted with a question
# Markup pasted with a question ('<img src=x onerror=…> Hà Tĩnh có …'): read
# without its tags (the page shows the question escaped, tags and all).
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")

__all__ = ["Assistant", "Conversation"]


def _previous(conversation):
    """The question before the one just added to the conversation, if any."""
    turns = conversation.turns if conversation is not None else []
    return turns[-2] if len(turns) > 1 else None


class Assistant:
    def __init__(self, settings, search: HybridSearch, chat_model=None):
        self.settings = settings
        self.search = search
        self.retriever = HybridRetriever(search=search)
        self.chat_model = chat_model  # a LangChain chat model in generative mode
        self._reader: Answerer | None = None
        self._figures: tuple[object, multi.Table] | None = None

    @property
    def reader(self) -> Answerer:
        """The extractive :class:`~answer.reader.Answerer` (``settings.reader``);
        the generative mode falls back to this same object."""
        if self._reader is None:
            self._reader = reader_for(self.settings, self.search.snapshot.lexical.idf)
        return self._reader

    @property
    def figures(self) -> multi.Table:
        """The counts the live snapshot's articles report (answer/figures.py)."""
        snapshot = self.search.snapshot
        if self._figures is None or self._figures[0] is not snapshot:
            self._figures = (snapshot, multi.Table.of(snapshot))
        return self._figures[1]

    @classmethod
    def open(cls, settings, *, build: bool = True, progress: bool = True, chat_model=None,
             embedder=None) -> "Assistant":
        if build:
            from index import embeddings as embedders
            from ingest.run import ingest

            embedder = embedder or embedders.load(settings.embedder, settings.embed_batch_size)
            report = ingest(settings, progress=progress, embedder=embedder)
            if report.did_work and progress:
                print(report.summary())
            snapshot = report.snapshot  # already in memory: loading it again doubles start-up
        else:
            snapshot = None
        if chat_model is None and settings.answer_mode == "generative":
            from .generate import chat_model_from

            chat_model = chat_model_from(settings)
        return cls(settings, HybridSearch(settings, embedder=embedder, snapshot=snapshot), chat_model)

    # -- answering ---------------------------------------------------------

    def ask(self, text: str, conversation: Conversation | None = None) -> Answer:
        started = time.perf_counter()
        try:
            answer = self._answer(text, conversation)
        except Exception as err:
            questionlog.record(text, None, time.perf_counter() - started, self.mode, error=type(err).__name__)
            raise
        answer.seconds = time.perf_counter() - started
        self.described(answer)
        questionlog.record(text, answer, answer.seconds, self.mode)
        return answer

    @property
    def mode(self) -> str:
        return "generative" if self.chat_model is not None else "extractive"

    def stream(self, text: str, conversation: Conversation | None = None) -> Iterator[Answer]:
        """Answers with a growing ``text``; the last one is complete. The
        extractive answer is ready at once and is streamed word by word so the
        chat reads like one; a chat model streams its own tokens."""
        if self.chat_model is not None:
            from .generate import stream_generative

            started, last = time.perf_counter(), None
            for last in stream_generative(self, text, conversation):
                yield self.described(last)
            questionlog.record(text, last, time.perf_counter() - started, self.mode)
            return
        answer = self.ask(text, conversation)
        words = answer.text.split(" ")
        for i in range(1, len(words), 4):
            yield replace(answer, text=" ".join(words[:i]))
        yield answer

    def _answer(self, text: str, conversation: Conversation | None, helpful: bool = True) -> Answer:
        q = self.prepare(text, conversation)
        if isinstance(q, Answer):
            return q
        several = self.across_articles(q, conversation)
        if several is not None:
            reply, final = several
            if final:
                return reply
            # A change an article states itself ("tăng 5 HTX so với năm 2022")
            # answers only if its sentence names every year asked: not 2022 for 2015.
            single = self._single(q)
            quoted = " ".join(c.quote for c in single.citations or [])
            return single if single.found and all(str(y) in quoted for y in multi.years_asked(q)) else reply
        # Several measures asked ("thành lập mới và giải thể bao nhiêu HTX"): one passage's span
        # answers one of them, the counts read at ingest each. Else those only when the reader refuses.
        several = len(multi.measures_in(q.resolved or q.text)) > 1
        answer = (several and multi.one_figure(q, self.figures, self.source_text, _previous(conversation))) \
            or self._single(q)
        if not answer.found:  # the one count read at ingest for this place, measure and year, if there is one
            answer = multi.one_figure(q, self.figures, self.source_text, _previous(conversation)) or answer
        if not answer.found and helpful:  # say why, and what it can answer (answer/refusals.py)
            answer = refusals.helpful(answer, q, self, getattr(answer, "unmet", None))
        return answer

    def answer_quietly(self, text: str, conversation: Conversation | None = None) -> Answer:
        """An answer that is neither logged nor made helpful: for checking suggestions."""
        return self._answer(text, conversation, helpful=False)

    def across_articles(self, q, conversation: Conversation | None):
        """(Answer, final) when q asks for figures of several articles
        (answer/figures.py), else None."""
        turns = conversation.turns if conversation is not None else []
        return multi.answer(q, self.figures, self.source_text, _previous(conversation), tuple(turns[:-1]))

    def _single(self, q) -> Answer:
        """The answer from one passage: the reader's, or the chat model's."""
        if self.chat_model is not None:
            from .generate import generate

            return generate(self, q)
        return self.extractive(q)

    def prepare(self, text: str, conversation: Conversation | None):
        """The question parsed and resolved against the conversation (and
        added to it), or an Answer that says why it cannot be answered."""
        # NFC: a question typed with decomposed accents (some Windows and
        # macOS keyboards) must read like the same question composed.
        text = unicodedata.normalize("NFC", _CONTROL.sub(" ", _ANSI.sub("", text or ""))).strip()
        text = _TAG.sub(" ", text).strip() or text  # only tags: kept, and answered as written
        if not text:
            return Answer(text="Hãy nhập một câu hỏi, ví dụ: “Hà Tĩnh có bao nhiêu HTX năm 2023?”", found=False)
        if not any(ch.isalnum() for ch in text):
            return Answer(text="Câu hỏi chưa có chữ hay số nào để tìm. Hãy hỏi bằng lời, ví dụ: "
                               "“Hà Tĩnh có bao nhiêu HTX năm 2023?”", found=False)
        if len(text) > MAX_QUESTION_CHARS:
            return Answer(text=f"Câu hỏi quá dài ({vietnamese_number(len(text))} ký tự). Hãy hỏi ngắn gọn, dưới "
                               f"{vietnamese_number(MAX_QUESTION_CHARS)} ký tự, về một con số hoặc một sự việc.",
                          found=False)
        conversation = conversation if conversation is not None else Conversation()
        known = self.search.known_places
        q = resolve(parse(text, known), conversation.last, known)
        if conversation.last is None and is_follow_up(q.text) and q.kind == "what":
            return Answer(text="Câu hỏi này nối tiếp một câu hỏi trước, nhưng cuộc trò chuyện chưa có câu "
                               "nào. Hãy hỏi đầy đủ, nêu cả địa phương và năm, ví dụ: “Tỉnh … có bao nhiêu tổ hợp tác năm 2023?”",
                          found=False, understood_as=q.resolved)
        conversation.turns.append(q)
        return q

    def retrieve(self, q, **constraints):
        return self.retriever.invoke(q.search_text, places=list(constraints.get("places", q.places)),
                                     years=list(constraints.get("years", q.years)))

    def extractive(self, q) -> Answer:
        docs = self.retrieve(q)
        if docs:
            return self.reader.answer(q, docs)
        # Nothing satisfies the place or year: say which, show what is closest.
        closest = self.retrieve(q, years=[]) if q.places else []
        unmet = "year" if closest else "place"
        if not closest:
            closest = self.retrieve(q, places=[], years=[])
        return Answer(text=extract.refusal(q, unmet), found=False, understood_as=q.resolved,
                      closest=[extract.passage_citation(d) for d in closest[:3]])

    # -- articles ----------------------------------------------------------

    def sources(self) -> list[str]:
        return sorted(self.search.snapshot.files)

    def article(self, name: str) -> dict:
        """How to name an indexed article: {"title" (its title, or its first
        sentence cut short), "publisher", "date" (yyyy-mm-dd or ""), "file"}."""
        cache = self.__dict__.setdefault("_articles", {})
        key = (self.search.snapshot.name, name)
        if key not in cache:
            from ingest.metadata import display_title

            records = self.search.snapshot.records(name)
            meta = records[0][2] if records else {}
            try:
                title = display_title(meta.get("title", ""), self.source_text(name))
            except (ValueError, OSError):
                title = meta.get("title", "")
            cache[key] = {"title": title, "publisher": meta.get("publisher", ""), "date": meta.get("date", ""),
                          "file": name}
        return cache[key]

    def described(self, answer: Answer) -> Answer:
        """Each citation named as people know its article (title, publisher, date)."""
        for c in [*answer.citations, *answer.closest]:
            if c.source in self.search.snapshot.files:
                info = self.article(c.source)
                c.title, c.publisher, c.date = info["title"], info["publisher"], info["date"]
        return answer

    def source_text(self, name: str) -> str:
        """The full text of an indexed article. Only files inside the corpus
        that the index knows are served: no "../", no absolute paths, no
        symlinks leading out."""
        from ingest.reader import read_text

        corpus = Path(self.settings.corpus_dir).resolve()
        if name not in self.search.snapshot.files:
            raise ValueError(f"Not an indexed article: {name!r}")
        path = (corpus / name).resolve()
        if not path.is_relative_to(corpus) or not path.is_file():
            raise ValueError(f"Not an article inside the corpus: {name!r}")
        return read_text(path)
