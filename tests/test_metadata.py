"""ingest/metadata.py's describe(): the title, date and publisher a source is
named by, on small made-up texts of each form the papers use and on the five
seed articles (corpus/). Fast: no model, no index."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import metadata
from ingest.clean import article_lines
from ingest.metadata import DocumentInfo, describe, display_title, short_title
from ingest.reader import read_text
from vietnamese.press import press_name, reporter_paper

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
BODY = "Hội nghị tổng kết hoạt động của Liên minh hợp tác xã tỉnh diễn ra tại hội trường."


def info(text: str) -> DocumentInfo:
    return describe(text, article_lines(text))


def seed(prefix: str) -> DocumentInfo:
    (path,) = CORPUS.glob(prefix + "_*.txt")
    text = read_text(path)
    return describe(text, article_lines(text))


# --- titles ----------------------------------------------------------------------


def test_title_is_the_first_line():
    assert info(f"Liên minh HTX tỉnh tổng kết năm 2023\n{BODY}").title == "Liên minh HTX tỉnh tổng kết năm 2023"


def test_kicker_is_joined_with_the_headline():
    text = f"Sơ kết kinh tế tập thể 6 tháng đầu năm:\n\nBám sát các hợp tác xã\n\n{BODY}"
    assert info(text).title == "Sơ kết kinh tế tập thể 6 tháng đầu năm: Bám sát các hợp tác xã"


@pytest.mark.parametrize("dateline", [
    "Thứ hai, 27/09/2021",
    "Thứ Sáu, 04/03/2022, 09:50 (GMT+7)",
    "Cập nhật: 12/6/2024",
    "Ngày đăng: 12/06/2024 - 09:50",
    "Trang chủ > Kinh tế > Hợp tác xã",
    "Báo Hà Tĩnh",
])
def test_title_after_a_head_line(dateline):
    assert info(f"{dateline}\nHợp tác xã kiểu mới phát triển\n{BODY}").title == "Hợp tác xã kiểu mới phát triển"


def test_skip_link_is_no_title():
    assert info(f"Skip to main content\n\nHợp tác xã kiểu mới phát triển\n\n{BODY}").title \
        == "Hợp tác xã kiểu mới phát triển"


@pytest.mark.parametrize("headline", [
    "Những chính sách mới có hiệu lực từ 1/1/2016",  # a date in a headline
    "Nỗi niềm xe buýt: người bỏ nghề, người vỡ nợ...",  # coop-news/vietnews_train_020000
    "Đà Lạt có thể là \"Hà Lan\" về hoa, nếu…",  # coop-news/vietnews_test_018625
    "Bí mật dự án ' tỷ đô’ mà GĐ Sở bị chuyển công tác đòi thanh tra (4)",
])
def test_headline_shapes(headline):
    assert info(f"{headline}\n{BODY}").title == headline


def test_an_article_that_opens_with_its_lead_has_no_title():
    lead = ("Sáng 20/2, Ban Chỉ đạo Đổi mới và phát triển kinh tế tập thể tỉnh họp triển khai nhiệm vụ "
            "năm 2024, với sự tham dự của lãnh đạo các sở, ngành và địa phương trong tỉnh.")
    assert info(f"{lead}\nCác đại biểu tham dự cuộc họp.\n{BODY}").title == ""
    # ... nor does one that opens with a picture's caption.
    assert info(f"(Quang cảnh buổi làm việc)\n{BODY}").title == ""
    # A dateline prefix marks the lead, however short.
    assert info("LSO-Sáng nay, Liên minh HTX tỉnh họp\nCâu thứ hai của bài.").title == ""


# --- display_title -----------------------------------------------------------------


def test_display_title_is_the_title_when_there_is_one():
    text = f"Hợp tác xã kiểu mới phát triển\n{BODY}"
    assert info(text).display_title == "Hợp tác xã kiểu mới phát triển"
    assert display_title("Hợp tác xã kiểu mới phát triển", text) == "Hợp tác xã kiểu mới phát triển"


def test_display_title_falls_back_to_a_short_first_sentence():
    text = ("Phó Bí thư Thường trực Tỉnh ủy Trần Thế Dũng yêu cầu các sở, ngành, địa phương tập trung "
            "tháo gỡ vướng mắc, tạo điều kiện phát triển kinh tế tập thể. Câu thứ hai.\nCâu khác.")
    got = info(text)
    assert got.title == ""
    assert got.display_title == "Phó Bí thư Thường trực Tỉnh ủy Trần Thế Dũng yêu cầu các sở, ngành, địa phương…"
    assert len(got.display_title) <= 81 and got.display_title.endswith("…")
    assert display_title("", text) == got.display_title
    assert display_title("", text, article_lines(text)) == got.display_title


def test_display_title_of_a_short_lead_is_the_whole_sentence():
    text = "Sáng 20/2, Liên minh HTX tỉnh họp triển khai nhiệm vụ năm 2024 với các sở, ngành liên quan và rất nhiều đại biểu.\nCâu hai."
    assert info("Liên minh HTX tỉnh họp. Câu hai.\nCâu ba.").display_title == "Liên minh HTX tỉnh họp"
    assert info(text).display_title.startswith("Sáng 20/2, Liên minh HTX tỉnh họp")


def test_display_title_leaves_out_the_dateline_prefix():
    assert info("LSO-Sáng nay, Liên minh HTX tỉnh tổ chức hội nghị. Câu hai.").display_title \
        == "Sáng nay, Liên minh HTX tỉnh tổ chức hội nghị"


def test_short_title_cuts_at_a_word_edge():
    sentence = "một " * 40
    cut = short_title(sentence, 80)
    assert cut.endswith("một…") and len(cut) <= 81
    assert short_title("Ngắn gọn.") == "Ngắn gọn"
    assert display_title("", "") == ""


# --- dates -----------------------------------------------------------------------


@pytest.mark.parametrize("head, iso", [
    ("Thứ hai, 27/09/2021\nHợp tác xã phát triển", "2021-09-27"),
    ("Hợp tác xã phát triển\nThứ sáu - 04/03/2022 09:50 310 0", "2022-03-04"),
    ("Hợp tác xã phát triển\nThứ Sáu, 04-03-2022 | 09:50", "2022-03-04"),
    ("Hợp tác xã phát triển\n04/03/2022 09:50", "2022-03-04"),
    ("Hợp tác xã phát triển\nCập nhật: 12/6/2024", "2024-06-12"),
    ("Hợp tác xã phát triển\nCập nhật lúc 09:50 12/6/2024", "2024-06-12"),
    ("Hợp tác xã phát triển\nNgày đăng: Thứ tư, 12/06/2024 - 09:50", "2024-06-12"),
    ("Hợp tác xã phát triển\nTác giả: Thu Trang | Ngày cập nhật: 2024-06-12", "2024-06-12"),
    ("Hợp tác xã phát triển\nNgày đăng: 12 tháng 6 năm 2024", "2024-06-12"),
    # baomoi_22301897: a time stamp opening the lead.
    ("Hợp tác xã phát triển\n[17/05/2017 17:49:47] Chiều 17/5/2017, tại Hà Nội diễn ra họp báo.", "2017-05-17"),
    # The lead's first words date it, with the year.
    ("Hợp tác xã phát triển\nNgày 3/6/2017, Tổng Bí thư đã ký ban hành Nghị quyết.", "2017-06-03"),
    ("Hợp tác xã phát triển\nLSO-Sáng nay (27/7/2017), Ban Chỉ đạo họp.", "2017-07-27"),
])
def test_date_forms(head, iso):
    assert info(f"{head}\n{BODY}").date == iso


@pytest.mark.parametrize("text", [
    # A date without its year dates an event, never the article.
    f"Hợp tác xã phát triển\nNgày 12/6, Đoàn công tác của UBND tỉnh làm việc với Liên minh HTX.\n{BODY}",
    # Dates of documents, deadlines and history in the body are not the article's.
    "Tiêu chí hỗ trợ HTX nông nghiệp\nThông tư số 15/2016 ngày 10/6/2016 của Bộ NN-PTNT hướng dẫn điều kiện.",
    "Hợp tác xã phát triển\nCác đơn vị báo cáo kết quả về Tổng cục trước ngày 20/2/2017.",
    f"Hợp tác xã phát triển\n{BODY}\nTheo Chủ tịch, ngày 28/11/1959, Chủ tịch Hồ Chí Minh đã về thăm.",
    # A date with its year, but deep in the article.
    f"Hợp tác xã phát triển\n{BODY}\nCâu thứ hai của bài.\nCâu thứ ba của bài.\nNgày 5/5/2023, tỉnh họp.",
    # No such day.
    "Hợp tác xã phát triển\nThứ hai, 31/02/2021\n" + BODY,
    # A bare date opening a sentence is no dateline.
    "Hợp tác xã phát triển\n22/5/2016 bầu cử Quốc hội khóa XIV diễn ra.",
])
def test_dates_that_are_not_the_articles(text):
    assert info(text).date == ""


# --- publishers ------------------------------------------------------------------


@pytest.mark.parametrize("text, paper", [
    (f"Hợp tác xã phát triển\n{BODY}\nNguồn: baolangson.vn", "Báo Lạng Sơn"),
    (f"Hợp tác xã phát triển\n{BODY}\nTheo: Báo Lạng Sơn", "Báo Lạng Sơn"),
    (f"Hợp tác xã phát triển\n{BODY}\nTheo TTXVN", "TTXVN"),
    (f"Hợp tác xã phát triển\n{BODY}\nTheo TTXVN / Vietnam +", "Vietnam+"),
    (f"Hợp tác xã phát triển\n{BODY} Thu Hằng  (TTXVN)", "TTXVN"),
    (f"Hợp tác xã phát triển\n{BODY}/. Vũ Dũng/VOV", "VOV"),
    (f"Hợp tác xã phát triển\n{BODY}/. PV/VOV-Đông Bắc", "VOV"),
    (f"Hợp tác xã phát triển\n{BODY} Theo Võ Hải/VnExpress.net", "VnExpress"),
    (f"Hợp tác xã phát triển\n{BODY} Theo Hồng Hoa (Báo Quảng Ngãi)", "Báo Quảng Ngãi"),
    (f"Hợp tác xã phát triển\n{BODY} TTXVN/Tin Tức", "Báo Tin Tức"),
    (f"Hợp tác xã phát triển\n{BODY} Bài và ảnh: Minh Tâm (TTXVN)", "TTXVN"),
    (f"Hợp tác xã phát triển\n{BODY}\nPhương Vũ (Theo SCMP)\nMột bức ảnh ở Bắc Kinh.", "South China Morning Post"),
    (f"Hợp tác xã phát triển\nLSO-Sáng nay, {BODY}", "Báo Lạng Sơn"),
    (f"Hợp tác xã phát triển\nHà Nội (TTXVN) - {BODY}", "TTXVN"),
    (f"Hợp tác xã phát triển\n(TTXVN) - {BODY}", "TTXVN"),
    (f"Hợp tác xã phát triển\nGD&TĐ - {BODY}", "Giáo dục & Thời đại"),
    (f"Báo Hà Tĩnh\nHợp tác xã phát triển\n{BODY}", "Báo Hà Tĩnh"),
    (f"Hợp tác xã phát triển\n{BODY}\nhttps://www.baolangson.vn/kinh-te/hop-tac-xa-123.html", "Báo Lạng Sơn"),
    (f"Hợp tác xã phát triển\n{BODY}\nhttps://baohatinh.vn/kinh-te/hop-tac-xa-123.html", "baohatinh.vn"),
    (f"Hợp tác xã phát triển\n{BODY} Trao đổi với PV Báo Hà Tĩnh điện tử chiều 8/2, bà Nga cho biết.", "Báo Hà Tĩnh"),
    (f"Hợp tác xã phát triển\n{BODY} Ông Khải chia sẻ với phóng viên TTXVN.", "TTXVN"),
])
def test_publisher_forms(text, paper):
    assert info(text).publisher == paper


@pytest.mark.parametrize("text", [
    f"Hợp tác xã phát triển\n{BODY}\nTheo: Tuyết Trinh",  # corpus/002: a person
    f"Hợp tác xã phát triển\n{BODY}\nTÂN AN",
    f"Hợp tác xã phát triển\n{BODY}\nNguồn: internet",
    f"Hợp tác xã phát triển\n{BODY} Ảnh: Văn Điệp/TTXVN",  # a photo's credit
    f"Hợp tác xã phát triển\n{BODY}\nLộ trình thu hồi đất - Nguồn: UBND tỉnh Đồng Nai - Đồ hoạ: TẤN ĐẠT",
    # "Nguồn:" under a picture, above the end: the picture's source (vietnews_train_096276).
    f"Hợp tác xã phát triển\n{BODY}\nCá chết ở huyện Kỳ Sơn.\nNguồn: Báo Hoà Bình\n{BODY}\nCâu hai.\nCâu ba.\nCâu bốn.\nCâu năm.",
    f"Hợp tác xã phát triển\n{BODY}\nCá chết ở huyện Kỳ Sơn.\nNguồn: Báo Hoà Bình\nCâu cuối của bài.",
    f"Hợp tác xã phát triển\nTheo báo cáo tại buổi làm việc, {BODY}",  # "báo cáo": a report
    f"Hợp tác xã phát triển\n{BODY} Báo cáo kết quả về Bộ Tài chính trước ngày 31/3/2017.",
    f"Hợp tác xã phát triển\n{BODY} Theo Chủ tịch UBND tỉnh, các HTX cần đổi mới.",
    f"Hợp tác xã phát triển\n{BODY}\nhttps://facebook.com/hoptacxa",
])
def test_no_publisher_when_the_text_names_none(text):
    assert info(text).publisher == ""


def test_press_names():
    assert press_name("VOV.VN") == press_name("vov") == "VOV"
    assert press_name("Báo Quảng Ngãi") == "Báo Quảng Ngãi"
    assert press_name("báo Người đưa tin") == "Người Đưa Tin"
    assert press_name("Tuyết Trinh") == press_name("internet") == press_name("giatieu.com") == ""
    assert press_name("Báo cáo") == press_name("Báo Giáo dục") == ""
    assert reporter_paper("phóng viên Báo điện tử Giáo dục Việt Nam liên hệ") == "Báo Giáo dục Việt Nam"
    assert reporter_paper("Trao đổi với PV Báo Giáo dục nhiều lần") == ""  # a name cut short: not trusted


# --- the five seeds ------------------------------------------------------------------


@pytest.mark.parametrize("prefix, title, date, publisher", [
    ("000", "Liên minh hợp tác xã tỉnh cần tiếp tục nâng cao hơn nữa trách nhiệm, chất lượng hỗ trợ hợp tác xã",
     "", "Báo Lạng Sơn"),  # "Nguồn: baolangson.vn"; "Ngày 12/6, ..." has no year
    ("001", "Triển khai nhiệm vụ Ban Chỉ đạo phát triển kinh tế tập thể tỉnh năm 2022",
     "2022-03-04", ""),  # "Thứ sáu - 04/03/2022 09:50"; "Tác giả: Thu Trang" is a person
    ("002", "", "", ""),  # opens with its lead; "Theo: Tuyết Trinh" is a person
    ("003", "", "", ""),  # opens with its lead; "Sáng 20/2" has no year; "Thu Phương" a person
    ("004", "Sơ kết hoạt động kinh tế tập thể 6 tháng đầu năm: Bám sát các hợp tác xã để đánh giá hiệu quả",
     "2021-09-27", "Báo Lạng Sơn"),  # "Thứ hai, 27/09/2021"; "LSO-Sáng nay"
])
def test_seeds(prefix, title, date, publisher):
    got = seed(prefix)
    assert (got.title, got.date, got.publisher) == (title, date, publisher)
    assert got.display_title


def test_seeds_without_title_show_their_first_sentence():
    assert seed("002").display_title == "Tổ công tác có ông Nguyễn Trọng Nhân - Phó Chủ tịch Liên minh hợp tác xã tỉnh…"
    assert seed("003").display_title == \
        "Phó Bí thư Thường trực Tỉnh ủy Trần Thế Dũng yêu cầu các sở, ngành, địa phương…"


def test_passage_metadata_carries_the_publisher_as_a_string():
    from ingest.passages import make_passages

    (path,) = CORPUS.glob("000_*.txt")
    text = read_text(path)
    lines = article_lines(text)
    passages = make_passages(path.name, text, lines, describe(text, lines), "x", max_chars=1200, overlap=1)
    assert passages and all(p.metadata["publisher"] == "Báo Lạng Sơn" for p in passages)
    assert all(isinstance(v, (str, int, float, bool)) for p in passages for v in p.metadata.values())
    assert metadata.VERSION >= 4  # 4 added the publisher
