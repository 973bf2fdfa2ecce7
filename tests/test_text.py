"""Input hygiene keeps every script's letters and drops what can hide or break things."""

from __future__ import annotations

from assistant.text import clean, escape_markdown, fold, for_matching, tokenize, words


def test_clean_drops_controls_zero_width_and_lone_surrogates():
    assert clean("a\x00b\u200bc\u202ed\ud800e\n\tf") == "a bcd?e f"
    assert clean("  many   \n\n spaces ") == "many spaces"


def test_clean_keeps_other_languages():
    assert clean("¿Qué ejercicios ayudan?") == "¿Qué ejercicios ayudan?"
    assert clean("腰痛に効く運動") == "腰痛に効く運動"


def test_clean_writes_dictated_punctuation_as_the_mark():
    assert clean("both legs Full  stop what's a good stretch question mark") == "both legs. what's a good stretch?"
    assert clean("my back comma my hip exclamation mark") == "my back, my hip!"
    assert clean("period pain, a dot on the map, the commander") == "period pain, a dot on the map, the commander"


def test_escape_markdown_neutralises_html_and_links():
    escaped = escape_markdown("<script>alert(1)</script> [x](javascript:alert(1)) <img onerror=1>")
    assert "<" not in escaped and ">" not in escaped
    assert "](" not in escaped
    assert escaped.startswith("&lt;script&gt;")


def test_for_matching_folds_case_accents_and_apostrophes():
    assert for_matching("Child’s Pose!") == for_matching("Child's Pose!") == "childs pose"
    assert for_matching("CAT-COW Stretch") == "cat cow stretch"
    assert for_matching("Piriformis ÉTIREMENT") == "piriformis etirement"


def test_names_rules_and_search_terms_fold_the_same_letters():
    """One character folding under for_matching, fold (triage) and tokenize (BM25)."""
    said = "Child’s PÓSE—can’t"
    assert for_matching(said) == "childs pose cant"
    assert fold(said) == "child's pose,cant " and len(fold(said)) == len(said), "triage quotes by position"
    assert tokenize(said) == ["child", "pose", "cant"]
    assert words(said) == for_matching(said).split()
