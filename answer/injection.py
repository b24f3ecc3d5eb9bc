"""Sentences in an article that speak to the assistant instead of the
reader ("Bỏ qua mọi hướng dẫn trước đó…", "ignore previous instructions"):
planted text, never a fact. The extractive answerer never quotes them as an
answer; in generative mode they reach the model only inside the data block."""

from __future__ import annotations

import re

from vietnamese.text import fold

_PATTERNS = re.compile("|".join([
    r"\bbo qua (?:\w+ ){0,3}(?:huong dan|chi dan|chi thi|yeu cau|quy tac|lenh)\b",
    r"\b(?:tu bay gio|tu nay|ke tu bay gio),? ban\b",
    r"\bban (?:phai|hay|chi duoc|can) (?:tra loi|noi|tiet lo|tra ve)\b",
    r"\bhay tra loi rang\b",
    r"\bignore (?:\w+ ){0,3}(?:instructions|rules|prompt)\b",
    r"\bdisregard (?:\w+ ){0,3}(?:instructions|rules|prompt)\b",
    r"\b(?:system prompt|you are now|new instructions)\b",
]))


def looks_like_instructions(sentence: str) -> bool:
    return bool(_PATTERNS.search(fold(sentence)))
