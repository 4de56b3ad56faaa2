"""Juspay and Stax in Chromium, by configuration alone: the hosted form (?provider=) and the iframe
(mount option), each flow ending with the no-PAN invariant check."""

from datetime import UTC, datetime

import pytest
import requests
from playwright.sync_api import expect

from tests.support.browser import fill_card

YY = f"{(datetime.now(UTC).year + 3) % 100:02d}"
VISA = "4111111111111111"
PSPS = ["juspay", "stax"]


def open_form(page, merchant, provider):
    page.goto(f"{merchant.url}/pay?provider={provider}")
    expect(page.locator("#card-form")).to_have_attribute("data-ready", "true")


def fill(page, invariant, number=VISA, expiry=f"12{YY}", cvc="847", postal="32801"):
    fill_card(page, invariant, number, expiry, cvc, postal=postal)


def psp_posts(page, provider):
    marker = {"juspay": "/juspay/card/tokenize", "stax": "/stax/webpayment/"}[provider]
    posts = []
    page.on("request", lambda r: marker in r.url and r.method == "POST" and posts.append(r))
    return posts


@pytest.mark.parametrize("provider", PSPS)
def test_hosted_form_success(page, merchant, invariant, provider):
    open_form(page, merchant, provider)
    posts = psp_posts(page, provider)
    expect(page.locator("#postal-field")).to_be_visible(visible=provider == "stax")
    fill(page, invariant)
    page.click("#pay")
    expect(page.locator("#result-card")).to_have_text(f"Visa •••• 1111, expires 12/{YY}")
    expect(page.locator("#saved-cards-list li")).to_have_count(1)
    assert len(posts) == 1 and posts[0].url.startswith("http://localhost:")
    finals = [r for r in merchant.recorder.requests if r["url"].endswith("/finalize")]
    assert len(finals) == 1


@pytest.mark.parametrize("provider", PSPS)
@pytest.mark.parametrize("field,number,expiry,cvc,message", [
    ("number", "4111111111111112", f"12{YY}", "847", "This card number is not valid. Check the digits."),
    ("expiry", VISA, "0120", "847", "This card has expired."),
    ("cvc", VISA, f"12{YY}", "84", "The security code should be 3 digits."),
])
def test_validation_errors(page, merchant, invariant, provider, field, number, expiry, cvc, message):
    open_form(page, merchant, provider)
    posts = psp_posts(page, provider)
    fill(page, invariant, number, expiry, cvc)
    page.click("#pay")
    expect(page.locator(f"#{field}-error")).to_have_text(message)
    assert posts == []


def test_stax_postal_code_is_required(page, merchant, invariant):
    open_form(page, merchant, "stax")
    fill(page, invariant, postal="")
    page.fill("#postal", "")
    page.click("#pay")
    expect(page.locator("#postal-error")).to_have_text("Enter the billing ZIP or postal code.")


@pytest.mark.parametrize("provider", PSPS)
def test_psp_refusal_then_another_card(page, merchant, invariant, provider):
    open_form(page, merchant, provider)
    fill(page, invariant, number="4970101122334406")
    page.click("#pay")
    expect(page.locator("#form-error")).to_have_text(
        "Your bank refused this card. Try another card or contact your bank.")
    page.fill("#number", "")
    page.locator("#number").press_sequentially("5555555555554444")
    invariant.type("5555555555554444")
    page.click("#pay")
    expect(page.locator("#result-card")).to_have_text(f"Mastercard •••• 4444, expires 12/{YY}")


def test_juspay_expired_token_then_retry(page, merchant, psp, invariant):
    open_form(page, merchant, "juspay")
    fill(page, invariant)

    def late(route):  # the shopper's finalize arrives after the 15-minute token has expired
        requests.post(f"{psp.url}/_sandbox/clock", json={"advance": 16 * 60}, timeout=10)
        route.continue_()

    page.route("**/finalize", late)
    page.click("#pay")
    expect(page.locator("#form-error")).to_have_text("This payment form timed out. Please enter your card again.")
    page.unroute("**/finalize")
    page.click("#pay")  # the card is still in the form; a new token is made
    expect(page.locator("#result-card")).to_have_text(f"Visa •••• 1111, expires 12/{YY}")


@pytest.mark.parametrize("provider", PSPS)
def test_iframe_by_configuration(page, merchant, shop, invariant, provider):
    page.goto(shop.url + "/")
    page.wait_for_function("() => (window.panlessEvents || []).some((e) => e.event === 'ready')")
    page.evaluate("() => window.panlessCard.destroy()")
    page.evaluate("""async ([origin, provider]) => {
        const { mount } = await import(origin + '/static/js/embed/panless.js');
        window.events = [];
        window.card = mount('#card-element', {origin, provider});
        for (const e of ['ready', 'tokenized', 'error']) window.card.on(e, (d) => window.events.push([e, d]));
    }""", [merchant.url, provider])
    page.wait_for_function("() => window.events.some(([e]) => e === 'ready')")
    frame = page.frame_locator("#card-element iframe")
    invariant.type(VISA, "847")
    frame.locator("#name").fill("Jody Smith")
    frame.locator("#number").press_sequentially(VISA)
    frame.locator("#expiry").press_sequentially(f"12{YY}")
    frame.locator("#cvc").press_sequentially("847")
    if provider == "stax":
        frame.locator("#postal").fill("32801")
    frame.locator("#cvc").press("Enter")
    page.wait_for_function("() => window.events.some(([e]) => e === 'tokenized' || e === 'error')")
    events = page.evaluate("() => window.events")
    assert events[-1][0] == "tokenized", events
    assert events[-1][1]["card"]["last4"] == "1111"
