"""A user's words are escaped for the browser and read back exactly as typed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assistant.web.user_text import escape, unescape


@given(st.text())
def test_unescape_gives_back_exactly_what_was_typed(text: str):
    assert unescape(escape(text)) == text


def test_every_markdown_and_html_character_is_escaped():
    typed = "![x](http://h/t.png) <img src=x> $$x^2$$ *b* _i_ `c` # h > q | t ~ s \\"
    escaped = escape(typed)
    assert all(f"\\{c}" in escaped for c in "![]()<>$*_`#|~\\")
    assert "http\\:\\/\\/h\\/t\\.png" in escaped, "a bare URL is not turned into a link"


def test_letters_digits_spaces_and_other_scripts_are_left_alone():
    assert escape("Back pain 2 days, ça va? 腰痛") == "Back pain 2 days\\, ça va\\? 腰痛"
