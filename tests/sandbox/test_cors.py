"""The sandbox's browser endpoints, found in the app's own routes: every answer, errors included, is readable
cross-origin, and every PSP the browser reaches directly has one (the card goes from the browser straight to
the PSP); the PSPs reached through the tokenization relay have none (their tokenization needs a secret)."""

import re

import pytest
import requests

from panless.relay.routes import PSPS as RELAYED
from panless.sandbox import create_app as create_sandbox
from panless.sandbox.psps import EMULATORS
from tests.support.sandbox import TIMEOUT


def browser_endpoints() -> list[str]:
    """Paths of the views marked answers_browsers, with a placeholder in each path variable."""
    app = create_sandbox()
    return sorted(re.sub(r"<(?:\w+:)?\w+>", "anything", rule.rule) for rule in app.url_map.iter_rules()
                  if hasattr(app.view_functions[rule.endpoint], "answers_browsers"))


BROWSER_ENDPOINTS = browser_endpoints()


def test_every_psp_the_browser_reaches_directly_has_a_browser_endpoint():
    direct = {emulator.name for emulator in EMULATORS} - set(RELAYED)
    assert {path.split("/")[1] for path in BROWSER_ENDPOINTS} == direct


@pytest.mark.parametrize("path", BROWSER_ENDPOINTS)
def test_every_answer_of_a_browser_endpoint_is_readable_cross_origin(sandbox, path):
    """Errors too, even those raised before the PSP's code runs (here: a body over the size limit)."""
    refused = requests.post(sandbox.url + path, data="x" * 300_000, timeout=TIMEOUT,
                            headers={"Origin": "http://shop.example"})
    assert refused.status_code == 413
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
    preflight = requests.options(sandbox.url + path, timeout=TIMEOUT, headers={
        "Origin": "http://shop.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204 and "POST" in preflight.headers["Access-Control-Allow-Methods"]
