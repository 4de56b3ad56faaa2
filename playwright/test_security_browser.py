"""The browser enforces what the headers promise: an injected inline script is blocked and reported,
a TokenizationTarget tampered to point elsewhere cannot send the card, a tampered module does not run."""

from datetime import UTC, datetime

import pytest
import requests
from flask import Flask, request
from playwright.sync_api import expect

from tests.support import LiveServer
from tests.support.browser import fill_card

YY = f"{(datetime.now(UTC).year + 3) % 100:02d}"


def csp_reports(merchant):
    return requests.get(f"{merchant.url}/csp-report", timeout=10).json()


def wait_for_report(page, merchant, directive, before):
    page.wait_for_timeout(200)
    for _ in range(40):
        reports = csp_reports(merchant)["reports"]
        count = sum(r["count"] for r in reports if r["directive"].startswith(directive))
        if count > before:
            return reports
        page.wait_for_timeout(100)
    raise AssertionError(f"no {directive} report arrived")


def count(merchant, directive):
    return sum(r["count"] for r in csp_reports(merchant)["reports"] if r["directive"].startswith(directive))


def test_injected_inline_script_is_blocked_and_reported(page, merchant, invariant):
    before = count(merchant, "script-src")

    def inject(route):  # an attacker who can add markup to the page (XSS, a compromised proxy)
        response = route.fetch()
        html = response.text().replace("<body>", "<body><script>window.pwned = true</script>", 1)
        route.fulfill(response=response, body=html)

    page.route("**/pay", inject)
    page.goto(f"{merchant.url}/pay")
    expect(page.locator("#card-form")).to_have_attribute("data-ready", "true")  # our nonce'd code still runs
    assert page.evaluate("() => window.pwned") is None
    reports = wait_for_report(page, merchant, "script-src", before)
    assert any(r["blocked"] == "inline" and r["document"] == "/pay" for r in reports)


@pytest.fixture(scope="module")
def collector():
    """Where a tampered target would send the card: records anything that reaches it."""
    app = Flask("collector")
    received = []

    @app.route("/steal", methods=["POST", "OPTIONS"])
    def steal():
        received.append(request.get_data(as_text=True))
        return "data=stolen", 200, {"Access-Control-Allow-Origin": "*"}

    server = LiveServer(app, url_host="localhost").start()
    server.received = received
    yield server
    server.stop()


def test_tampered_target_cannot_send_the_card(page, merchant, invariant, collector):
    before = count(merchant, "connect-src")

    def tamper(route):  # the session answer rewritten to post the card to the attacker
        response = route.fetch()
        session = response.json()
        session["target"]["url"] = f"{collector.url}/steal"
        route.fulfill(response=response, json=session)

    page.route("**/api/sessions", tamper)
    page.goto(f"{merchant.url}/pay")
    expect(page.locator("#card-form")).to_have_attribute("data-ready", "true")
    fill_card(page, invariant, "4970107111111119", f"12{YY}")
    page.click("#pay")
    expect(page.locator("#form-error")).to_contain_text("could not be reached")
    assert collector.received == []
    reports = wait_for_report(page, merchant, "connect-src", before)
    assert any(r["blocked"] == collector.url for r in reports)
    assert not [r for r in merchant.recorder.requests if r["url"].endswith("/finalize")]


def test_tampered_module_does_not_run(page, merchant, invariant):
    def tamper(route):
        response = route.fetch()
        route.fulfill(response=response, body=response.text() + "\nwindow.skimmed = true;\n")

    page.route("**/static/js/frame/page.*.js", tamper)  # the hosted page's bundle, tokenize.js within
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(f"{merchant.url}/pay")
    page.wait_for_timeout(1000)
    assert page.locator("#card-form").get_attribute("data-ready") is None  # the form never starts
    assert page.evaluate("() => window.skimmed") is None
    assert any("integrity" in e.lower() for e in errors), errors


def test_the_frame_opened_as_a_page_of_its_own_shows_no_form(page, shop, merchant):
    # A link to the frame's URL, its fragment holding the sender's token: the browser says it wants a document,
    # not a frame, and gets the refusal, not a card form.
    response = page.goto(f"{merchant.url}/frame?parent={shop.url}&customer=1#token=someone-elses&config=%7B%7D")
    assert response.status == 400
    assert page.locator("#number").count() == 0
