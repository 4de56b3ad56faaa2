"""Ecart Pay and Verifone UK Gateway in Chromium through the tokenization relay (its own origin), by
configuration alone: the hosted page and the iframe; success, each validation error, a PSP field error,
refusal and a declined validation hold. Every flow ends with the no-PAN invariant over what the merchant
app received, logged and stored, and the relay's log lines are checked for card data too."""

import json
from datetime import UTC, datetime

import pytest
import requests
from playwright.sync_api import expect

from tests.support import secrets_found
from tests.support.browser import fill_card

YY = f"{(datetime.now(UTC).year + 3) % 100:02d}"
VISA = "4111111111111111"
PSPS = ["ecartpay", "verifone"]
REFUSED = "Your bank refused this card. Try another card or contact your bank."


@pytest.fixture
def flow(page, merchant, relay, invariant):
    """A relayed flow: relay posts recorded; afterwards the relay's own log lines hold no card data."""
    posts = []
    page.on("request", lambda r: r.url.startswith(relay.url) and r.method == "POST" and posts.append(r))
    yield posts
    lines = [line for line in invariant.logs.lines if line.startswith("panless.relay ")]
    assert len([line for line in lines if " POST /" in line]) == len(posts), lines  # one line per request
    assert secrets_found("\n".join(lines), invariant.typed) == []


def open_form(page, merchant, provider):
    page.goto(f"{merchant.url}/pay?provider={provider}")
    expect(page.locator("#card-form")).to_have_attribute("data-ready", "true")


def fill(page, invariant, number=VISA, expiry=None, cvc="847"):
    fill_card(page, invariant, number, expiry or f"12{YY}", cvc)


def save_in_the_shops_iframe(page, merchant, shop, invariant, options: dict) -> list:
    """The demo shop's checkout mounts the frame with `options`; a card is saved with Enter: the events."""
    page.goto(shop.url + "/")
    page.wait_for_function("() => (window.panlessEvents || []).some((e) => e.event === 'ready')")
    page.evaluate("() => window.panlessCard.destroy()")
    page.evaluate("""async ([origin, options]) => {
        const { mount } = await import(origin + '/static/js/embed/panless.js');
        window.events = [];
        window.card = mount('#card-element', {origin, ...options});
        for (const e of ['ready', 'tokenized', 'error']) window.card.on(e, (d) => window.events.push([e, d]));
    }""", [merchant.url, options])
    page.wait_for_function("() => window.events.some(([e]) => e === 'ready')")
    frame = page.frame_locator("#card-element iframe")
    fill_card(frame, invariant, VISA, f"12{YY}", "847")
    frame.locator("#cvc").press("Enter")
    page.wait_for_function("() => window.events.some(([e]) => e === 'tokenized' || e === 'error')")
    return page.evaluate("() => window.events")


@pytest.mark.parametrize("provider", PSPS)
def test_hosted_form_success_through_the_relay(page, merchant, relay, invariant, flow, provider):
    open_form(page, merchant, provider)
    fill(page, invariant)
    page.click("#pay")
    expect(page.locator("#result-card")).to_have_text(f"Visa •••• 1111, expires 12/{YY}")
    assert len(flow) == 1 and "x-relay-ticket" in flow[0].headers
    finals = [r for r in merchant.recorder.requests if r["url"].endswith("/finalize")]
    assert len(finals) == 1 and json.loads(finals[0]["body"])["result"].count(".") == 1  # the relay's receipt


@pytest.mark.parametrize("provider", PSPS)
@pytest.mark.parametrize("field,number,expiry,cvc,message", [
    ("number", "4111111111111112", f"12{YY}", "847", "This card number is not valid. Check the digits."),
    ("expiry", VISA, "0120", "847", "This card has expired."),
    ("cvc", VISA, f"12{YY}", "84", "The security code should be 3 digits."),
])
def test_validation_errors_post_nothing(page, merchant, relay, invariant, flow, provider, field, number, expiry,
                                        cvc, message):
    open_form(page, merchant, provider)
    fill(page, invariant, number, expiry, cvc)
    page.click("#pay")
    expect(page.locator(f"#{field}-error")).to_have_text(message)
    assert flow == []


@pytest.mark.parametrize("provider,cvc_field", [("ecartpay", "cvc"), ("verifone", "cvv")])
def test_a_psp_field_error_through_the_relay_then_a_new_session(page, merchant, relay, invariant, flow, provider,
                                                                cvc_field):
    open_form(page, merchant, provider)
    fill(page, invariant)

    bypassed = []

    def short_cvc(route):  # the first post as a form whose own check was bypassed would send it
        if route.request.method != "POST" or bypassed:
            return route.continue_()
        bypassed.append(route.request.url)
        route.continue_(post_data=json.dumps({**json.loads(route.request.post_data), cvc_field: "84"}))

    page.route(f"{relay.url}/**", short_cvc)
    page.click("#pay")
    expect(page.locator("#cvc-error")).to_have_text("The security code should be 3 digits.")  # one message a code
    # Enter, not a click: the click's blur clears the error line and the button moves under the pointer.
    page.locator("#cvc").press("Enter")  # the spent ticket is not reused: the form made a new session
    expect(page.locator("#result-card")).to_have_text(f"Visa •••• 1111, expires 12/{YY}")
    tickets = [r.headers["x-relay-ticket"] for r in flow]
    assert len(tickets) == 2 and tickets[0] != tickets[1]


@pytest.mark.parametrize("provider", PSPS)
def test_refusal_then_another_card(page, merchant, relay, invariant, flow, provider):
    open_form(page, merchant, provider)
    fill(page, invariant, number="4970101122334406")
    page.click("#pay")
    expect(page.locator("#form-error")).to_have_text(REFUSED)
    page.fill("#number", "")
    page.locator("#number").press_sequentially("5555555555554444")
    invariant.type("5555555555554444")
    page.click("#pay")
    expect(page.locator("#result-card")).to_have_text(f"Mastercard •••• 4444, expires 12/{YY}")


def test_ecartpay_declined_validation_hold(page, merchant, relay, psp, invariant, flow):
    open_form(page, merchant, "ecartpay")
    fill(page, invariant, number="4970101122334414")
    page.click("#pay")
    expect(page.locator("#form-error")).to_have_text(REFUSED)
    log = requests.get(f"{psp.url}/ecartpay/_sandbox/transactions", timeout=10).json()["transactions"]
    assert [(t["type"], t["amount"], t["status"]) for t in log] == [("presale", "10.00", "declined")]
    assert [r["url"] for r in merchant.recorder.requests if r["url"].endswith("/finalize")] == []


@pytest.mark.parametrize("provider", PSPS)
def test_iframe_through_the_relay(page, merchant, shop, relay, invariant, flow, provider):
    events = save_in_the_shops_iframe(page, merchant, shop, invariant, {"provider": provider})
    assert events[-1][0] == "tokenized", events
    assert events[-1][1]["card"]["last4"] == "1111" and len(flow) == 1


def test_session_options_from_the_checkout_reach_the_psp(page, merchant, shop, relay, psp, invariant, flow):
    """Installments and a temporary token are the checkout's to ask for: mount(..., {sessionOptions}) passes them
    to the merchant app, which puts them in the relay ticket; the browser cannot add to them on the way."""
    options = {"provider": "ecartpay", "sessionOptions": {"installments": 6, "fixed_installments": True}}
    events = save_in_the_shops_iframe(page, merchant, shop, invariant, options)
    assert events[-1][0] == "tokenized", events
    sessions = [json.loads(r["body"]) for r in merchant.recorder.requests
                if r["method"] == "POST" and r["url"].endswith("/api/sessions")]  # the frame's (no OPTIONS)
    assert sessions[-1]["options"] == {"installments": 6, "fixed_installments": True}
    token = events[-1][1]["card"]["token"]
    kept = requests.get(f"{psp.url}/ecartpay/_sandbox/tokens/{token}", timeout=10).json()
    assert (kept["installments"], kept["fixed_installments"]) == (6, True)
