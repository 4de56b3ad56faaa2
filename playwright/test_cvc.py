"""CVC re-collection in Chromium: a saved card's security code alone, in the frame (mount option savedCard) and
on the hosted page (?saved_card=), for Juspay (straight to Juspay) and Ecart Pay and Verifone UK Gateway
(through the relay); Mangopay and Stax refuse it with a clear error event; a bad CVC is caught inline; another
customer's card is refused. Every flow ends with the no-PAN/no-CVC invariant check over what the merchant app
received, logged and stored."""

import json
from datetime import UTC, datetime

import pytest
import requests
from playwright.sync_api import expect

from tests.support.browser import fill_card
from tests.support.tokenize import browser_result, post_card

YY = f"{(datetime.now(UTC).year + 3) % 100:02d}"
VISA = "4111111111111111"
CVC = "362"  # the fresh security code; the card was saved with another
SUPPORTED = ["juspay", "ecartpay", "verifone"]
# Where each PSP's CVC-only post goes, and the one field it carries.
POSTS = {"juspay": ("/juspay/card/tokenize", "card_security_code"), "ecartpay": ("/ecartpay/cvc/", "cvc"),
         "verifone": ("/verifone/cvv/", "cvv")}
DESCRIBED = f"Visa •••• 1111, expires 12/{YY}"

MOUNT = """async ([origin, options]) => {
    window.panlessCard.destroy();
    const { mount } = await import(origin + '/static/js/embed/panless.js');
    window.events = [];
    options.customerToken = document.getElementById('checkout').dataset.customerToken;
    window.card = mount('#card-element', {origin, ...options});
    for (const e of ['ready', 'tokenized', 'error']) window.card.on(e, (d) => window.events.push([e, d]));
}"""


def psp_posts(page, provider):
    marker, _field = POSTS[provider]
    posts = []
    page.on("request", lambda r: marker in r.url and r.method == "POST" and posts.append(r))
    return posts


def sent_fields(post) -> set[str]:
    body = post.post_data or ""
    return set(json.loads(body)) if body.startswith("{") else {k for k, _ in (p.split("=", 1) for p in body.split("&"))}


def checkout(page, shop) -> str:
    """The demo shop's checkout, once its own frame is ready: -> its customer token."""
    page.goto(shop.url + "/")
    page.wait_for_function("() => (window.panlessEvents || []).some((e) => e.event === 'ready')")
    return page.evaluate("() => document.getElementById('checkout').dataset.customerToken")


def saved_by_api(merchant, customer_token, provider) -> dict:
    """A card saved for the checkout's customer as the browser would (tests/support/tokenize.py): -> the card."""
    auth = {"Authorization": f"Bearer {customer_token}"}
    session = requests.post(f"{merchant.url}/api/sessions", json={"provider": provider}, headers=auth, timeout=10)
    assert session.status_code == 201, session.text
    target = session.json()["target"]
    response = post_card(target, VISA, f"12{YY}", "847")
    assert response.ok, response.text
    done = requests.post(f"{merchant.url}/api/sessions/{session.json()['id']}/finalize", headers=auth, timeout=10,
                         json={"result": browser_result(target, response)})
    assert done.status_code == 200, done.text
    return done.json()["card"]


def mount(page, merchant, **options):
    page.evaluate(MOUNT, [merchant.url, options])
    page.wait_for_function("() => window.events.some(([e]) => e === 'ready' || e === 'error')")
    return page.frame_locator("#card-element iframe")


def last_event(page):
    page.wait_for_function("() => window.events.some(([e]) => e === 'tokenized' || e === 'error')")
    return page.evaluate("() => window.events")[-1]


@pytest.mark.parametrize("provider", SUPPORTED)
def test_the_frame_takes_the_cvc_alone_and_reports_the_card_ready_to_charge(page, merchant, shop, relay, invariant,
                                                                            provider):
    saved = saved_by_api(merchant, checkout(page, shop), provider)
    posts = psp_posts(page, provider)
    frame = mount(page, merchant, savedCard=saved["token"])
    expect(frame.locator("#saved-card span")).to_have_text(f"Enter the security code of {DESCRIBED} to use it again.")
    for field in ("name", "number", "expiry"):
        expect(frame.locator(f"#{field}")).to_have_count(0)
    expect(frame.locator("#pay")).to_have_text("Confirm card")
    invariant.type(CVC)
    frame.locator("#cvc").press_sequentially(CVC)
    frame.locator("#cvc").press("Enter")
    event, data = last_event(page)
    assert event == "tokenized", data
    card = data["card"]
    assert (card["token"], card["last4"], card["brand_name"]) == (saved["token"], "1111", "Visa")
    assert card["charge"]["token"] and card["charge"]["expires_at"] > saved["created_at"]
    expect(frame.locator("#result-title")).to_have_text("Card confirmed")
    assert len(posts) == 1 and sent_fields(posts[0]) - {"merchant_id", "stored_card_token"} == {POSTS[provider][1]}
    assert '"charge"' in invariant.merchant_rows()  # recorded with the card, the CVC nowhere (the invariant)


@pytest.mark.parametrize("provider", ["juspay", "verifone"])
def test_the_hosted_page_with_saved_card(page, merchant, relay, invariant, provider):
    page.goto(f"{merchant.url}/pay?provider={provider}")
    expect(page.locator("#card-form")).to_have_attribute("data-ready", "true")
    fill_card(page, invariant, VISA, f"12{YY}")
    page.click("#pay")
    expect(page.locator("#result-card")).to_have_text(DESCRIBED)
    token = page.locator("#result").get_attribute("data-token")
    posts = psp_posts(page, provider)
    page.goto(f"{merchant.url}/pay?saved_card={token}")
    expect(page.locator("#card-form")).to_have_attribute("data-ready", "true")
    expect(page.locator("h1")).to_have_text("Confirm your card")
    expect(page.locator("#saved-card")).to_contain_text(DESCRIBED)
    expect(page.locator("#saved-card svg")).to_have_attribute("data-brand", "visa")
    expect(page.locator("#number")).to_have_count(0)
    invariant.type(CVC)
    page.locator("#cvc").press_sequentially(CVC)
    page.click("#pay")
    expect(page.locator("#result-title")).to_have_text("Card confirmed")
    expect(page.locator("#result-card")).to_have_text(DESCRIBED)
    expect(page.locator("#another")).to_be_hidden()
    assert len(posts) == 1
    finals = [r for r in merchant.recorder.requests if r["url"].endswith("/finalize")]
    assert len(finals) == 2  # the save, then the CVC


@pytest.mark.parametrize("provider", ["juspay", "ecartpay"])
def test_a_bad_cvc_is_caught_inline_and_nothing_is_posted(page, merchant, shop, relay, invariant, provider):
    saved = saved_by_api(merchant, checkout(page, shop), provider)
    posts = psp_posts(page, provider)
    frame = mount(page, merchant, savedCard=saved["token"])
    # Not given to the invariant: two digits occur by chance in any transcript (times, ports); that nothing
    # left the frame is what `posts` shows, and the typed CVC after it is checked.
    frame.locator("#cvc").press_sequentially("36")
    frame.locator("#pay").click()
    expect(frame.locator("#cvc-error")).to_have_text("The security code should be 3 digits.")
    expect(frame.locator("#cvc")).to_have_attribute("aria-invalid", "true")
    event, data = last_event(page)
    assert (event, data["code"], data["field"]) == ("error", "validation_failed", "cvc")
    assert posts == []
    invariant.type(CVC)
    frame.locator("#cvc").fill("")
    frame.locator("#cvc").press_sequentially(CVC)
    frame.locator("#cvc").press("Enter")
    page.wait_for_function("() => window.events.some(([e]) => e === 'tokenized')")
    assert len(posts) == 1


@pytest.mark.parametrize("provider", ["mangopay", "stax"])
def test_psps_without_cvc_recollection_fail_with_a_clear_error_event(page, merchant, shop, invariant, provider):
    saved = saved_by_api(merchant, checkout(page, shop), provider)
    console = []
    page.on("console", lambda m: m.type == "error" and console.append(m.text))
    frame = mount(page, merchant, savedCard=saved["token"])
    event, data = page.evaluate("() => window.events")[-1]
    assert (event, data["code"]) == ("error", "cvc_recollection_unsupported"), data
    expect(frame.locator("#form-error")).to_have_text(
        "This card cannot be confirmed with a new security code here. Enter the card again instead.")
    rejected = page.evaluate("() => window.card.submit().then(() => null, (e) => e.code)")
    assert rejected == "cvc_recollection_unsupported"
    assert any("leave savedCard out" in line for line in console), console


def test_a_card_of_another_customer_is_refused(page, browser, merchant, shop, invariant):
    saved = saved_by_api(merchant, checkout(page, shop), "juspay")
    other = browser.new_context()  # another shopper: another cookie, another customer
    try:
        stranger = other.new_page()
        stranger.goto(f"{merchant.url}/pay?saved_card={saved['token']}")
        expect(stranger.locator("#form-error")).to_have_text("This saved card is no longer available.")
        expect(stranger.locator("#card-form")).not_to_have_attribute("data-ready", "true")
    finally:
        other.close()
    frame = mount(page, merchant, savedCard=saved["token"] + "x")  # no such card of this customer
    event, data = page.evaluate("() => window.events")[-1]
    assert (event, data["code"]) == ("error", "card_not_found")
    expect(frame.locator("#form-error")).to_be_visible()
