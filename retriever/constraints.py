"""Which places and years a question is about."""

from __future__ import annotations

import re

from vietnamese.places import PROVINCES, provinces_in
from vietnamese.text import fold, has_diacritics
from vietnamese.years import years_in


def places_in_question(question: str, known_places=()) -> list[str]:
    """Provinces (any in the gazetteer) and the districts the index knows,
    matched without diacritics when the question has none."""
    found = provinces_in(question, loose=True)
    loose = not has_diacritics(question)
    target = fold(question) if loose else question
    for place in known_places:
        if place in PROVINCES or place in found:
            continue
        if loose and len(place.split()) < 2:
            continue  # "doan", "vi": too often an ordinary word typed without marks
        # A one-word place must keep its capital: "đoàn công tác" is no district "Đoàn".
        flags = re.IGNORECASE if len(place.split()) >= 2 else 0
        form = fold(place) if loose else place
        if re.search(r"(?<!\w)" + re.escape(form) + r"(?!\w)", target, flags):
            found.append(place)
    return found


def years_in_question(question: str) -> list[int]:
    """Years asked about; "so với năm 2020" is a comparison, not the subject."""
    return years_in(question)
