"""Generative mode: any LangChain chat model writes the answer sentence.

Off by default. The model sees the system rules first, then the retrieved
passages inside one delimited data block (``<du_lieu>…</du_lieu>``, which no
article text can close: see :func:`_inert`) with the rule that instructions
inside it are data, then the question; the prompts are in prompts/.

Its answer is checked before it is shown: every number it states must occur
in the passages it was given, a question for a figure must get one, a figure
the extractive answerer quoted verbatim must not be contradicted, and no link
is passed on; otherwise the extractive answer (or a refusal) is shown
instead. While it streams, only text already checkable is shown. A fluent
sentence with an invented figure is the one thing this assistant must never
show.
"""

from __future__ import annotations

import re
from dataclasses import replace

from langchain_core.prompts import ChatPromptTemplate

import config
from vietnamese.text import NUMBER_RE, normalize_number

from . import extract
from .types import Answer

NOT_FOUND = "KHÔNG CÓ THÔNG TIN"
_LINK = re.compile(r"https?://|www\.|\]\(|<a\s", re.I)
_CITATION = re.compile(r"\[\d+\]")  # [1]: which passage, not a figure


def prompt() -> ChatPromptTemplate:
    folder = config.PROJECT_DIR / "prompts"
    return ChatPromptTemplate.from_messages([
        ("system", (folder / "system.txt").read_text(encoding="utf-8")),
        ("human", (folder / "question.txt").read_text(encoding="utf-8")),
    ])


def chat_model_from(settings):
    """The configured chat model: an OpenAI-compatible endpoint or Ollama."""
    if settings.llm_provider == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(model=settings.llm_model, base_url=settings.llm_base_url or "http://127.0.0.1:11434",
                          temperature=settings.llm_temperature)
    if settings.llm_provider == "openai":
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(model=settings.llm_model, base_url=settings.llm_base_url,
                          api_key=settings.llm_api_key or "not-needed", temperature=settings.llm_temperature)
    raise ValueError(f"Unknown LLM provider {settings.llm_provider!r}: use 'openai' or 'ollama'.")


DATA_OPEN, DATA_CLOSE = "<du_lieu>", "</du_lieu>"


def _inert(text: str) -> str:
    """Article text as it goes into the prompt: angle brackets swapped for
    look-alikes, so no article can close the data block (or open a fake
    one) and speak with the voice of the instructions."""
    return text.replace("<", "‹").replace(">", "›")


def _context(docs) -> str:
    """The passages as one delimited data block, each numbered with its file."""
    parts = [f'<doan so="{i}" tep="{_inert(d.metadata["source"])}">\n{_inert(d.page_content)}\n</doan>'
             for i, d in enumerate(docs, 1)]
    return "\n".join([DATA_OPEN, *parts, DATA_CLOSE])


def _numbers(text: str) -> set[str]:
    return {normalize_number(n) for n in NUMBER_RE.findall(text)}


def _checked(q, docs, text: str, reader) -> Answer:
    """Turn the model's text into an Answer, or fall back if it cannot be trusted."""
    text = text.strip()
    fallback = reader.answer(q, docs)
    if not docs or NOT_FOUND in text.upper():
        return replace(fallback, found=False, citations=[], text=extract.refusal(q)) \
            if not fallback.found else fallback
    given = set().union(*(_numbers(d.page_content) for d in docs)) | {str(y) for y in q.years}
    stated = _numbers(_CITATION.sub(" ", text))
    if stated - given:
        return fallback  # a figure the passages do not contain: never show it
    if _LINK.search(text):
        return fallback  # the model never sends anyone anywhere (a planted link)
    if q.kind == "number" and not stated:
        return fallback  # asked for a figure, given none: likely talked round by a passage
    quoted = _numbers(fallback.span) if fallback.found and fallback.span else set()
    if quoted and not quoted & stated:
        return fallback  # disagrees with the figure quoted verbatim: show the quote
    # Cite what supports the figures: the sentence the extractive answerer
    # quoted verbatim when it agrees, else the passages the model named (or
    # any passage) that contain every figure it states.
    if fallback.found and fallback.citations:
        return Answer(text=text, found=True, citations=fallback.citations, understood_as=q.resolved,
                      span=fallback.span)
    figures = stated - {str(y) for y in q.years}
    named = [int(n) - 1 for n in re.findall(r"\[(\d+)\]", text)]
    order = [i for i in dict.fromkeys(named) if 0 <= i < len(docs)] + list(range(len(docs)))
    supporting = [i for i in dict.fromkeys(order) if figures <= _numbers(docs[i].page_content)]
    if not supporting:
        return fallback
    return Answer(text=text, found=True, citations=[extract.passage_citation(docs[supporting[0]])],
                  understood_as=q.resolved)


def generate(assistant, q) -> Answer:
    docs = assistant.retrieve(q)
    if not docs:
        return assistant.extractive(q)
    messages = prompt().invoke({"context": _context(docs), "question": q.resolved})
    return _checked(q, docs, assistant.chat_model.invoke(messages).content, assistant.reader)


def _shown_so_far(text: str, given: set[str]) -> str:
    """The part of a half-written answer that may be shown while the model
    is still writing: up to the first figure that is not in the passages,
    and never a figure that may still be growing ("1." of "1.025"), nor a link."""
    if text and not text[-1].isspace():
        text = text[:max(text.rfind(" "), 0)]  # the last word may still be growing ("htt", "1.0")
    link = _LINK.search(text)
    text = text[:link.start()] if link else text
    for m in NUMBER_RE.finditer(text):
        rest = text[m.end():]
        if text[:m.start()].endswith("[") and rest.startswith("]"):
            continue  # a citation marker, [1]
        if not rest.strip(".,") or normalize_number(m.group()) not in given:
            return text[:m.start()].rstrip()
    return text


def stream_generative(assistant, text: str, conversation):
    """Stream the model's tokens (only what is already checkable), then the
    checked final answer."""
    q = assistant.prepare(text, conversation)
    if isinstance(q, Answer):
        yield q
        return
    several = assistant.across_articles(q, conversation)
    if several is not None and several[1]:
        yield several[0]  # computed from quoted figures: no model needed
        return
    docs = assistant.retrieve(q)
    if not docs:
        yield assistant.extractive(q)
        return
    given = set().union(*(_numbers(d.page_content) for d in docs)) | {str(y) for y in q.years}
    messages = prompt().invoke({"context": _context(docs), "question": q.resolved})
    so_far = ""
    for chunk in assistant.chat_model.stream(messages):
        so_far += chunk.content
        if NOT_FOUND not in so_far.upper():
            yield Answer(text=_shown_so_far(so_far, given), found=True, understood_as=q.resolved)
    yield _checked(q, docs, so_far, assistant.reader)
