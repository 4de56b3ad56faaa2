"""docs/openapi.yaml, generated against: schemathesis makes requests from the spec (a fixed seed, over 1,000
cases) and checks every answer: never a 5xx, never a status or body the spec does not describe."""

from __future__ import annotations

from pathlib import Path

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from panless import create_app
from panless.sandbox import create_app as create_sandbox
from tests.support import UNLIMITED, LiveServer, providers_on
from tests.support.merchant import Shopper

SPEC = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
EXAMPLES = 210  # per operation; the ones with no inputs have a handful of distinct cases at most
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def api():
    sandbox = LiveServer(create_sandbox()).start()
    merchant = LiveServer(create_app({**providers_on(sandbox.url), **UNLIMITED, "DATABASE_URL": ":memory:"})).start()
    yield merchant.url
    merchant.stop()
    sandbox.stop()


def test_the_api_answers_as_documented(api):
    schema = schemathesis.openapi.from_path(str(SPEC))
    headers = Shopper(api).headers
    counted = {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @hypothesis.seed(1313)
        @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @hypothesis.given(case=operation.as_strategy())
        def run(case):
            counted[case.operation.label] = counted.get(case.operation.label, 0) + 1
            case.call_and_validate(base_url=api, headers=headers, checks=CHECKS, timeout=30)

        run()
    print("schemathesis cases:", counted)
    assert sum(counted.values()) >= 1000, counted
