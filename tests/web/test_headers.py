"""Security headers on every response, and a fresh nonce in each page's every script."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from assistant.web.headers import FIXED

SCRIPT = re.compile(r"<script\b([^>]*)>")


def test_every_response_has_the_fixed_headers_and_no_banner(clinic_client: TestClient):
    for path in ("/", "/config", "/healthz", "/widget.js", "/docs", "/openapi.json", "/no-such-page"):
        reply = clinic_client.get(path)
        assert {name: reply.headers.get(name) for name in FIXED} == FIXED, path
        assert "server" not in reply.headers, path
        assert "object-src 'none'" in reply.headers["content-security-policy"]


def test_each_page_gets_its_own_nonce_on_every_script(clinic_client: TestClient):
    nonces = []
    for path in ("/", "/", "/docs"):
        reply = clinic_client.get(path, headers={"accept-encoding": "gzip, br"})
        policy = reply.headers["content-security-policy"]
        nonce = re.search(r"'nonce-([A-Za-z0-9_-]+)'", policy).group(1)
        scripts = SCRIPT.findall(reply.text)
        assert scripts and all(f'nonce="{nonce}"' in attributes for attributes in scripts), path
        assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        assert "<base" not in reply.text
        nonces.append(nonce)
    assert len(set(nonces)) == 3


def test_a_head_request_keeps_the_pages_length(clinic_client: TestClient):
    head = clinic_client.head("/")
    assert head.status_code == 200 and int(head.headers["content-length"]) > 10_000


def test_non_pages_may_load_nothing(clinic_client: TestClient):
    policy = clinic_client.get("/healthz").headers["content-security-policy"]
    assert policy.startswith("default-src 'none'") and "frame-ancestors 'self' https://clinic.example" in policy
