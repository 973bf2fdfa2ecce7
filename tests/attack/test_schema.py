"""Finding 8, by property: schemathesis generates requests for every operation in /openapi.json (valid,
invalid, odd); the real server answers none of them with a 5xx, and every reply whose status the schema
documents (an answer, a 422) matches the schema: /openapi.json is the contract."""

from __future__ import annotations

import itertools

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from web.serving import Server

from attack import raw

EXAMPLES = 80  # per operation: bounded, a few seconds on loopback


def test_no_generated_request_is_a_server_error(target: Server):
    # The schema's own runner, driven from here: schemathesis's pytest plugin does not run on pytest 9.
    schema = schemathesis.openapi.from_url(f"{target.url}/openapi.json")
    clients = itertools.count(1000)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/ask", "/healthz", "/widget.js"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case: schemathesis.Case) -> None:
            # Each example from its own address, so the rate limits do not turn the run into 429s.
            response = case.call(headers=raw.client(next(clients) % 250), timeout=30)
            assert response.status_code < 500, (case.method, case.path, case.body, response.text[:300])
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

        call()
