"""The Gradio named endpoint `/ask` through gradio_client, against the running server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from gradio_client import Client

from web.serving import Server


@pytest.fixture(scope="module")
def connected(server: Server) -> Iterator[Client]:
    client = Client(server.url, analytics_enabled=False, verbose=False)
    yield client
    client.close()


@pytest.fixture
def client(connected: Client) -> Client:
    """A fresh session per test: the conversation lives in it."""
    connected.reset_session()
    return connected


def test_ask_replies_with_the_answer_and_its_follow_ups(client: Client):
    reply = client.predict("how do I do the bridge?", api_name="/ask")
    assert reply["role"] == "assistant"
    assert "### Bridge" in reply["content"] and "Source: " in reply["content"]
    assert [o["value"] for o in reply["options"]][:1] == ["How long do I hold it?"]


def test_the_session_keeps_the_conversation_for_follow_ups(client: Client):
    client.predict("how do I do the bridge?", api_name="/ask")
    reply = client.predict("how long do I hold it?", api_name="/ask")
    assert "Hold this position for a few seconds" in reply["content"]


def test_a_too_long_message_gets_a_reply_not_an_error(client: Client):
    reply = client.predict("a" * 4001, api_name="/ask")
    assert "the limit is 4,000" in reply["content"]
    assert "reply-invalid" in reply["content"]


def test_only_the_chat_endpoint_is_public(client: Client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert list(endpoints) == ["/ask"]
