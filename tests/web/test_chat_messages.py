"""What the chat page receives with each reply, what the widget script carries, and which pictures are served."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant import Assistant, Settings
from assistant.web import api, chat
from assistant.web.votes import reply_id_in
from web.serving import Server

CONTACT = {"clinic_name": "Riverside Physio", "clinic_phone": "01234 567890",
           "booking_link": "https://riverside.example/book?a=1&b='2'",
           "emergency_action": "call 999 </script><script>alert(1)</script>"}


def test_a_reply_is_marked_for_the_page_without_changing_its_words(fake_bot: Assistant):
    reply = fake_bot.ask("how do I do the child's pose?")
    message = chat.as_message(reply)
    content = message["content"]
    assert content.startswith('<div class="reply reply-answer footer-full exercise aspect-card hold-30">\n\n')
    assert reply.text.removeprefix("### Child's Pose (pain relief exercise)\n\n") in content
    picture = re.search(r"!\[(.+?)\]\(<(.+?)>\)", content)
    assert picture and picture.group(2) == "/corpus/images/childs-pose.svg"
    assert picture.group(1).startswith("Line drawing: kneeling")
    assert content.index("### Child's Pose") < picture.start() < content.index("**What it works:**")
    assert [o["value"] for o in message["options"]] == list(reply.suggestions)


def test_the_picture_stays_under_the_cards_heading_when_a_warning_list_comes_first(fake_bot: Assistant):
    reply = fake_bot.ask("I get pins and needles now and then, how do I do the child's pose?")
    content = chat.as_message(reply)["content"]
    picture = re.search(r"!\[(.+?)\]\(<(.+?)>\)", content)
    assert "Get help first" in content, "the question describes a symptom, so the safety net comes first"
    assert picture and content.index("Get help first") < content.index("### Child's Pose") < picture.start()


def test_the_wrapper_carries_the_page_classes_and_the_id_a_vote_sends_back(fake_bot: Assistant):
    """The page reads the classes (Gradio strips data attributes there); a vote reads the id from the value."""
    reply = fake_bot.ask("how do I do the child's pose?")
    content = chat.as_message(reply, "A" * 22, compact_footer=fake_bot.settings.compact_footer)["content"]
    assert content.startswith('<div class="reply reply-answer footer-compact exercise aspect-card hold-30" '
                              f'data-reply="{"A" * 22}">\n\n')
    assert reply_id_in([content]) == "A" * 22


def test_a_reply_message_carries_its_chunk_ids_and_the_next_question_gets_them_back(fake_bot: Assistant):
    """The chat keeps the topic as data in the message's metadata, which the page sends back as it got it."""
    first = fake_bot.ask("how do I do the bridge?")
    message = chat.as_message(first, "A" * 22)
    assert json.loads(message["metadata"]["id"]) == [s.chunk_id for s in first.sources]
    # As the browser returns it: content as text parts, metadata untouched.
    returned = {**message, "content": [{"type": "text", "text": "(no Source line)"}]}
    history = chat.with_state([{"role": "user", "content": [{"type": "text", "text": "how do I do the bridge?"}],
                                "metadata": None}, returned])
    assert history[1]["chunk_ids"] == ["strengthen/bridge"] and "chunk_ids" not in history[0]
    assert fake_bot.ask("how long do I hold it?", history).topic.chunk_id == "strengthen/bridge"


@pytest.mark.parametrize("metadata", [None, {}, {"id": 7}, {"id": "not json"}, {"id": '{"a": 1}'},
                                      {"id": "[1, 2]"}, {"id": "[" + '"a",' * 2_000 + '"a"]'}])
def test_metadata_we_did_not_write_is_read_as_plain_text(metadata: object):
    message = {"role": "assistant", "content": "x", "metadata": metadata}
    assert chat.with_state([message]) == [{"role": "assistant", "content": "x"}]


def test_later_replies_end_with_the_compact_footer(fake_bot: Assistant):
    reply = fake_bot.ask("how long do I hold it?", [
        {"role": "user", "content": "how do I do the bridge?"},
        {"role": "assistant", "content": fake_bot.ask("how do I do the bridge?").text}])
    content = chat.as_message(reply, compact_footer=fake_bot.settings.compact_footer)["content"]
    assert "footer-compact" in content and "aspect-dose" in content and "hold-" not in content
    assert content.endswith(f"---\n\n{fake_bot.settings.compact_footer}\n\n</div>")
    assert reply.footer not in content
    assert "![" not in content, "a reply about the hold time has no picture"


@pytest.mark.parametrize(("saved", "expected"), [
    ('["how do I do the bridge?", "how long do I hold it?"]', ["how do I do the bridge?", "how long do I hold it?"]),
    ("not json", []),
    ('{"question": "x"}', []),
    ('["ok", 3]', []),
    (json.dumps([f"q{i}" for i in range(40)]), [f"q{i}" for i in range(10, 40)]),
])
def test_a_reloaded_tab_sends_back_only_a_short_list_of_questions(saved: str, expected: list[str]):
    assert chat.saved_questions(saved, Settings().max_question_chars) == expected


def test_the_widget_script_carries_the_clinics_contacts_safely(fake_settings: Settings):
    script = api.widget_script(fake_settings.updated(CONTACT))
    written = re.search(r"var CONFIG = (\{.*?\});\n", script)
    assert written and "</script>" not in written.group(1) and api.WIDGET_CONFIG not in script
    config = json.loads(written.group(1))
    assert {"text": "01234 567890", "href": "tel:01234567890"} in config["contact"]
    assert {"text": "book an appointment", "href": CONTACT["booking_link"]} in config["contact"]
    assert set(config["problems"]) == {"down", "blocked", "lost"}
    assert config["emergency"] == "If it is an emergency, call 999 </script><script>alert(1)</script>."


def test_without_contacts_the_widget_still_says_who_to_ask(fake_settings: Settings):
    written = re.search(r"var CONFIG = (\{.*?\});\n", api.widget_script(fake_settings))
    assert written
    config = json.loads(written.group(1))
    assert config["contact"] == [{"text": "To talk to someone, please contact your clinic."}]
    assert config["emergency"].startswith("If it is an emergency, call your local emergency number")


def test_the_rest_reply_names_the_exercise_and_its_picture(server: Server):
    body = httpx.post(f"{server.url}/api/ask", json={"question": "how do I do the bridge?"}, timeout=30).json()
    assert body["exercise"] == {"chunk_id": "strengthen/bridge", "title": "Bridge", "aspect": "card",
                                "hold_seconds": 0, "image": "images/bridge.svg",
                                "image_alt": body["exercise"]["image_alt"]}
    picture = httpx.get(f"{server.url}/corpus/{body['exercise']['image']}")
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/svg+xml"
    assert picture.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/corpus/lower-back-exercises.txt", "/corpus/lower-back-exercises.toml",
                                  "/corpus/images/", "/corpus/../pyproject.toml", "/corpus/%2e%2e/README.md"])
def test_only_the_pictures_the_corpus_names_are_served(clinic_client: TestClient, path: str):
    assert clinic_client.get(path).status_code == 404
