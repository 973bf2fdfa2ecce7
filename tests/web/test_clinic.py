"""A clinic's settings reach the page: its name as the title and its booking link, escaped."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_the_clinic_name_and_booking_link_are_on_the_chat(clinic_client: TestClient):
    config = clinic_client.get("/config").json()
    assert config["title"] == "Riverside Physio"
    texts = [c.get("props", {}).get("value") for c in config["components"]]
    link = next(t for t in texts if isinstance(t, str) and "Book an appointment" in t)
    assert 'href="https://clinic.example/book?who=&quot;me&quot;&amp;when=soon"' in link


def test_the_api_docs_carry_the_clinic_name(clinic_client: TestClient):
    assert clinic_client.get("/openapi.json").json()["info"]["title"] == "Riverside Physio API"
