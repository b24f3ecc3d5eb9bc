"""Why a file was skipped, in Vietnamese, for the page's upload report.

The ingest reports its reasons in English (``python -m ingest`` prints them,
logs and scripts read them); an operator on the page reads them here. Each
pattern matches one reason the ingest gives (ingest/formats.py, reader.py,
run.py); what a library said inside the brackets is kept as it was. A reason
no pattern knows is shown as the ingest wrote it, after a Vietnamese lead.
"""

from __future__ import annotations

import re

# (reason as the ingest writes it, as a regex) -> the Vietnamese, with the groups.
REASONS = [
    (r"empty file( \(only whitespace\))?", "tệp rỗng, không có chữ"),
    (r"broken UTF-16 \((.+)\)", r"tệp UTF-16 bị hỏng (\1)"),
    (r"binary file \((contains NUL bytes|control characters)\)", "không phải tệp văn bản (tệp nhị phân)"),
    (r"not valid UTF-8 \((.+?)\)(; save it as UTF-8)?", r"không phải văn bản UTF-8 (\1): hãy lưu lại với mã UTF-8"),
    (r"an old Word \.doc file, not a \.docx: save it as \.docx", "tệp Word .doc cũ, không phải .docx: hãy lưu lại thành .docx"),
    (r"corrupt \.docx \(not a Word document: not a zip package\)", "tệp .docx hỏng (không phải tài liệu Word)"),
    (r"corrupt \.docx \(unpacks to (\d+) MB\)", r"tệp .docx hỏng (giải nén ra \1 MB)"),
    (r"corrupt \.docx \((.+)\)", r"tệp .docx hỏng (\1)"),
    (r"the \.docx has no text", "tệp .docx không có chữ"),
    (r"the PDF is password-protected", "tệp PDF có mật khẩu"),
    (r"the PDF is encrypted with AES and the 'cryptography' package is missing",
     "tệp PDF mã hóa AES: cần cài gói 'cryptography' để đọc"),
    (r"corrupt PDF \((.+)\)", r"tệp PDF hỏng (\1)"),
    (r"the PDF has no pages", "tệp PDF không có trang nào"),
    (r"PDF has no text layer \(scanned image\?\)", "tệp PDF không có lớp chữ (có thể là ảnh quét)"),
    (r"web page could not be read \((.+)\)", r"không đọc được trang web (\1)"),
    (r"web page has no main text \(only menus, links or scripts\)",
     "trang web không có nội dung chính (chỉ có menu, liên kết hoặc mã)"),
    (r"too large \((\d+) MB; the limit is (\d+) MB\)", r"tệp quá lớn (\1 MB; tối đa \2 MB)"),
    (r"a link to a file outside the corpus folder", "liên kết tới một tệp ngoài thư mục bài"),
    (r"same content as (.+)", r"trùng nội dung với \1"),
    (r"no article text \(only page furniture\)", "không có nội dung bài (chỉ có phần khung của trang)"),
]
KEPT = "; the previously indexed version is kept"
KEPT_VI = "; bản đã lập chỉ mục trước đó được giữ lại"
_COMPILED = [(re.compile(pattern + "$"), vietnamese) for pattern, vietnamese in REASONS]


def known(reason: str) -> bool:
    reason = reason.removesuffix(KEPT)
    return any(p.match(reason) for p, _ in _COMPILED)


def in_vietnamese(reason: str) -> str:
    kept = reason.endswith(KEPT)
    reason = reason.removesuffix(KEPT)
    for pattern, vietnamese in _COMPILED:
        found = pattern.match(reason)
        if found:
            return found.expand(vietnamese) + (KEPT_VI if kept else "")
    return f"không đọc được ({reason})" + (KEPT_VI if kept else "")
