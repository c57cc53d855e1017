"""The spinners of cached reads speak the session's language.

Streamlit keeps a cached read's spinner text from the moment the read is
decorated (at import, in no session's language) and turns it into text when a
cache miss shows it; the text is marked for translation and read then.
"""

from __future__ import annotations

import pytest
from streamlit.delta_generator import DeltaGenerator
from streamlit.string_util import clean_text

from tests.conftest import open_page
from workbench.i18n import N_, TranslatedWhenShown, set_language

ENGLISH = "Adding up account features…"


def test_a_marked_message_reads_in_the_language_in_force_when_shown():
    text = TranslatedWhenShown(N_(ENGLISH))
    try:
        set_language("zh-Hans")
        # what Streamlit's spinner does with the text it was given
        assert clean_text(text) == "正在汇总客户特征…"
        set_language("zh-Hant")
        assert clean_text(text) == "正在彙總客戶特徵…"
        set_language("en")
        assert clean_text(text) == ENGLISH
    finally:
        set_language(None)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-Hans", "正在汇总客户特征…"), ("en", ENGLISH)],
)
def test_the_segments_page_s_spinners_are_in_the_session_s_language(
    monkeypatch, app_db, language, expected
):
    shown: list[str] = []
    original = DeltaGenerator.spinner

    def recorded(self, text, *args, **kwargs):
        shown.append(clean_text(text))
        return original(self, text, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "spinner", recorded)
    open_page("pages/segments.py", language=language)
    assert expected in shown
    if language != "en":
        # no cached read's spinner was left in English
        assert not [text for text in shown if text.isascii()], shown
