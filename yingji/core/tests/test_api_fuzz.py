"""schemathesis against /api/v1/schema/ as four roles (issue 15): whatever the generated
request, no server error, and every answer as the schema documents it (its status codes,
content type and body). The number of examples is bounded so the suite stays quick."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from yingji.accounts.services import token_create
from yingji.core.actors import SYSTEM
from yingji.org.testing import build_cast
from yingji.wsgi import application

EXAMPLES = int(os.environ.get("YINGJI_FUZZ_EXAMPLES", "8"))
ROLES = ("admin", "office", "staff", "vendor")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# Generated requests only (no coverage or stateful phases): a bounded run on every pass.
CONFIG = SchemathesisConfig.from_dict(
    {
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "generation": {"max-examples": EXAMPLES},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application, config=CONFIG)


@pytest.fixture
def tokens(db: Any) -> Iterator[dict[str, str]]:
    cast = build_cast()
    # As Django's test client does: the test's connection (and its transaction) must survive
    # each request, which the real handler would close at its end.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield {role: token_create(actor=SYSTEM, user=cast[role], name="fuzz")[1] for role in ROLES}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_never_fails_and_answers_as_documented(case: Any, tokens: dict[str, str]) -> None:
    for role in ROLES:
        case.call_and_validate(headers={"Authorization": f"Bearer {tokens[role]}"}, checks=CHECKS)
