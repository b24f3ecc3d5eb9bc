"""The hybrid search as a LangChain ``BaseRetriever`` returning ``Document``s.

Constraints can be given explicitly (``invoke(q, places=[...], years=[...])``,
as the answerer does after resolving a conversation) or are read from the
query itself.
"""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from .constraints import places_in_question, years_in_question
from .hybrid import HybridSearch, SearchResult


def to_documents(result: SearchResult) -> list[Document]:
    return [
        Document(
            id=hit.id,
            page_content=hit.text,
            metadata={**hit.metadata, "id": hit.id, "score": hit.score,
                      "dense_rank": hit.dense_rank, "lexical_rank": hit.lexical_rank},
        )
        for hit in result.hits
    ]


class HybridRetriever(BaseRetriever):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    search: HybridSearch
    k: int | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                places=None, years=None) -> list[Document]:
        if places is None:
            places = places_in_question(query, self.search.known_places)
        if years is None:
            years = years_in_question(query)
        return to_documents(self.search.search(query, places=places, years=years, k=self.k))
