"""/openapi.json describes POST /api/ask's reply exactly as `Answer.to_dict()` builds it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant import Assistant
from assistant.web.schema import AskResponse

# Replies of every kind and shape: an exercise card, a list, a passage, small talk, a refusal, a caution,
# "the article doesn't say", an emergency and unusable input.
QUESTIONS = ["how do I do the bridge?", "what stretches help lower back pain?", "is it safe to exercise every day?",
             "hello", "what tablets should I take?", "im pregnant, can i do the bridge?",
             "how often should I do the superman?", "I can't feel it when I wipe", "???"]


def test_the_models_fields_are_the_contracts_keys(fake_bot: Assistant):
    assert set(AskResponse.model_fields) == set(fake_bot.ask("how do I do the bridge?").to_dict())


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_reply_validates_against_the_model_unchanged(fake_bot: Assistant, question: str):
    reply = fake_bot.ask(question).to_dict()
    assert AskResponse.model_validate(reply).model_dump() == reply


def test_the_replies_cover_every_kind_and_an_exercise(fake_bot: Assistant):
    replies = [fake_bot.ask(q) for q in QUESTIONS]
    assert {r.kind for r in replies} >= {"answer", "emergency", "out_of_scope", "invalid"}
    assert any(r.exercise for r in replies) and any(r.category for r in replies)


def test_the_published_schema_names_the_reply_model_with_its_optional_fields(clinic_client: TestClient):
    schema = clinic_client.get("/openapi.json").json()
    reply = schema["paths"]["/api/ask"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert reply == {"$ref": "#/components/schemas/AskResponse"}
    model = schema["components"]["schemas"]["AskResponse"]
    assert set(model["required"]) == set(AskResponse.model_fields)
    assert model["additionalProperties"] is False
    assert {"$ref": "#/components/schemas/ExerciseModel"} in model["properties"]["exercise"]["anyOf"]
    assert {"type": "null"} in model["properties"]["category"]["anyOf"]
    exercise = schema["components"]["schemas"]["ExerciseModel"]
    assert exercise["properties"]["aspect"]["enum"] == ["card", "steps", "dose", "targets", "other_side"]
