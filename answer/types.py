"""What an answer is: a sentence, whether the articles said it, and where."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Citation:
    source: str  # file name relative to the corpus folder
    quote: str  # verbatim: == article_text[start:end]
    start: int
    end: int
    # The passage around the quote (verbatim too) and where the answer sits in
    # the quote (offsets into ``quote``), for highlighting. None: no span.
    passage: str = ""
    passage_start: int = 0
    highlight: tuple[int, int] | None = None
    title: str = ""  # the article's title, or its first sentence when it has none
    publisher: str = ""  # "Báo Lạng Sơn", when the article says it
    date: str = ""  # the article's date, yyyy-mm-dd, when it states one

    def to_json(self) -> dict:
        return {"source": self.source, "quote": self.quote, "start": self.start, "end": self.end}


@dataclass
class Answer:
    text: str  # one Vietnamese sentence (or a clear refusal)
    found: bool
    citations: list[Citation] = field(default_factory=list)
    # Passages shown when nothing was found: the closest the articles come.
    closest: list[Citation] = field(default_factory=list)
    # The question as understood after the conversation so far
    # ("Còn số tổ hợp tác thì sao?" -> "Hà Tĩnh có bao nhiêu tổ hợp tác năm 2023?").
    understood_as: str = ""
    span: str = ""  # the figure, name, date or place itself ("1.025 HTX")
    seconds: float = 0.0
    # A comparison, trend, total, rank or latest-of-several (answer/figures.py):
    # which one, and every figure it states (answer.figures.figure_json).
    aggregate: str = ""
    figures: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "answer": self.text,
            "found": self.found,
            "citations": [c.to_json() for c in self.citations],
            "seconds": round(self.seconds, 4),
            **({"figures": self.figures} if self.figures else {}),
        }

    def as_dict(self) -> dict:
        return asdict(self)
