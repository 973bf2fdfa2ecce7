"""Settings: bundled defaults, then a TOML file, then environment variables; mistakes are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import AssistantError, Settings


def test_defaults_serve_the_bundled_corpus():
    settings = Settings.load(environ={})
    assert settings.corpus_dir.name == "corpus" and (settings.corpus_dir / "lower-back-exercises.txt").exists()
    assert "not medical advice" in settings.footer
    assert settings.log_questions is False


def test_toml_then_environment(tmp_path: Path):
    config = tmp_path / "clinic.toml"
    config.write_text('clinic_name = "Riverside Physio"\nallowed_origins = ["https://a.example/", "https://b.example"]\n'
                      'emergency_action = "call 999"\n')
    environ = {"ASSISTANT_EMERGENCY_ACTION": "call 112", "ASSISTANT_LOG_QUESTIONS": "yes"}
    settings = Settings.load(config, environ=environ)
    assert settings.clinic_name == "Riverside Physio"
    assert settings.allowed_origins == ("https://a.example", "https://b.example")
    assert settings.emergency_action == "call 112"
    assert settings.log_questions is True


def test_config_path_from_environment(tmp_path: Path):
    config = tmp_path / "c.toml"
    config.write_text('index_dir = "/tmp/somewhere"\n')
    assert Settings.load(environ={"ASSISTANT_CONFIG": str(config)}).index_dir == Path("/tmp/somewhere")


def test_unknown_or_unusable_settings_are_named(tmp_path: Path):
    config = tmp_path / "bad.toml"
    config.write_text('clinic_nmae = "typo"\n')
    with pytest.raises(AssistantError, match="clinic_nmae"):
        Settings.load(config, environ={})
    with pytest.raises(AssistantError, match="max_question_chars"):
        Settings.load(environ={"ASSISTANT_MAX_QUESTION_CHARS": "lots"})
    with pytest.raises(AssistantError, match="missing.toml"):
        Settings.load(tmp_path / "missing.toml", environ={})


@pytest.mark.parametrize(("name", "value"), [
    ("booking_link", "javascript:alert(1)"),
    ("booking_link", "https://clinic.example/book now"),
    ("clinic_phone", "call us"),
    ("clinic_phone", "0123<script>"),
])
def test_contact_settings_that_would_not_make_a_plain_link_are_refused(name: str, value: str):
    with pytest.raises(AssistantError, match=name):
        Settings().updated({name: value})
    assert Settings().updated({"booking_link": "https://clinic.example/book?a=1", "clinic_phone": "+44 1234 567890"})


def test_every_mistyped_value_is_named_at_once():
    with pytest.raises(AssistantError) as refused:
        Settings().updated({"max_sessions": 0, "rate_limit_api": "lots", "footer": " ",
                            "emergency_number": "call 911", "trusted_proxy_header": "X Forwarded"})
    for name in ("max_sessions", "rate_limit_api", "footer", "emergency_number", "trusted_proxy_header"):
        assert f"- {name}: " in str(refused.value)


@pytest.mark.parametrize(("written", "meant"), [("on", True), ("Yes", True), ("1", True), ("off", False),
                                                ("false", False), ("0", False)])
def test_switches_read_the_usual_words(written: str, meant: bool):
    assert Settings.load(environ={"ASSISTANT_RECORD_EVENTS": written}).record_events is meant


def test_a_switch_that_is_neither_on_nor_off_is_refused():
    with pytest.raises(AssistantError, match="record_events.*maybe"):
        Settings.load(environ={"ASSISTANT_RECORD_EVENTS": "maybe"})
