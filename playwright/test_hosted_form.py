"""The hosted card form in Chromium: the merchant app on 127.0.0.1, the sandbox PSP on localhost.

Every test takes the `invariant` fixture: after the flow, nothing the merchant app received or logged
may contain the typed PAN, the typed CVC, or any Luhn-valid 13-19 digit run.
"""

import re
import time
from datetime import UTC, datetime

import pytest
import requests
from playwright.sync_api import expect

from tests.support.browser import fill_card

NOW = datetime.now(UTC)
YY = f"{(NOW.year + 3) % 100:02d}"
VISA = "4970107111111119"


def expect_brand(page, code, name):
    """The brand as an inline icon (drawn, not fetched) and its name for people and screen readers."""
    expect(page.locator(f"#number-brand svg[data-brand={code}]")).to_be_visible()
    expect(page.locator("#number-brand .visually-hidden")).to_have_text(name)


def open_form(page, merchant):
    page.goto(f"{merchant.url}/pay")
    expect(page.locator("#card-form")).to_have_attribute("data-ready", "true")


def fill(page, invariant, number=VISA, expiry=f"12{YY}", cvc="847", name="Jody Smith"):
    fill_card(page, invariant, number, expiry, cvc, name)


def psp_posts(page):
    """Record the card posts the page makes to the PSP."""
    posts = []
    page.on("request", lambda r: "/vault/tokenize/" in r.url and posts.append(r))
    return posts


def test_success_saves_and_shows_the_card(page, merchant, invariant):
    open_form(page, merchant)
    posts = psp_posts(page)
    fill(page, invariant)
    expect(page.locator("#number")).to_have_value("4970 1071 1111 1119")
    expect_brand(page, "visa", "Visa")
    page.click("#pay")
    expect(page.locator("#result-card")).to_have_text(f"Visa •••• 1119, expires 12/{YY}")
    expect(page.locator("#saved-cards-list li")).to_have_count(1)
    expect(page.locator("#number")).to_have_value("")  # the card leaves the DOM once saved
    assert len(posts) == 1 and posts[0].url.startswith("http://localhost:")
    finals = [r for r in merchant.recorder.requests if r["url"].endswith("/finalize")]
    assert len(finals) == 1 and finals[0]["body"].startswith('{"result":"data=')


@pytest.mark.parametrize("field,number,expiry,cvc,name,message", [
    ("number", "4970107111111118", f"12{YY}", "847", "Jody Smith", "This card number is not valid. Check the digits."),
    ("number", "497010711111", f"12{YY}", "847", "Jody Smith", "The card number is incomplete."),
    ("expiry", VISA, "0120", "847", "Jody Smith", "This card has expired."),
    ("expiry", VISA, "1", "847", "Jody Smith", "This expiry date is not valid. Use MM / YY."),
    ("cvc", VISA, f"12{YY}", "84", "Jody Smith", "The security code should be 3 digits."),
    ("cvc", "375989111111119", f"12{YY}", "847", "Jody Smith", "The security code should be 4 digits."),
    ("cvc", VISA, f"12{YY}", "", "Jody Smith", "Enter the security code."),
    ("name", VISA, f"12{YY}", "847", "", "Enter the name on the card."),
    ("name", VISA, f"12{YY}", "847", "R2D2 <script>",
     "Use the name as printed on the card (letters, spaces, hyphens, apostrophes)."),
])
def test_validation_errors_stop_before_any_request(page, merchant, invariant, field, number, expiry, cvc, name,
                                                   message):
    open_form(page, merchant)
    posts = psp_posts(page)
    fill(page, invariant, number, expiry, cvc, name)
    page.click("#pay")
    error = page.locator(f"#{field}-error")
    expect(error).to_have_text(message)
    expect(page.locator(f"#{field}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#{field}")).to_be_focused()
    assert posts == []
    assert not [r for r in merchant.recorder.requests if r["url"].endswith("/finalize")]


def test_psp_refusal_then_retry_with_another_card(page, merchant, invariant):
    open_form(page, merchant)
    fill(page, invariant, number="4970101122334406")
    page.click("#pay")
    expect(page.locator("#form-error")).to_have_text(
        "Your bank refused this card. Try another card or contact your bank.")
    expect(page.locator("#pay")).to_be_enabled()
    page.fill("#number", "")
    page.locator("#number").press_sequentially("4970105181818183")
    invariant.type("4970105181818183")
    page.click("#pay")
    expect(page.locator("#result-card")).to_have_text(f"Visa •••• 8183, expires 12/{YY}")
    sessions = [r for r in merchant.recorder.requests if r["method"] == "POST" and r["url"] == "/api/sessions"]
    assert len(sessions) >= 2  # the refused session was closed, a new one was made for the retry


def test_expired_session_is_renewed_and_the_retry_succeeds(page, merchant, psp, invariant):
    open_form(page, merchant)
    requests.post(f"{psp.url}/_sandbox/clock", json={"advance": 31 * 60}, timeout=10)
    fill(page, invariant)
    page.click("#pay")
    expect(page.locator("#form-error")).to_have_text("This payment form timed out. Please enter your card again.")
    page.click("#pay")
    expect(page.locator("#result-card")).to_have_text(f"Visa •••• 1119, expires 12/{YY}")


def test_second_card_and_deactivation(page, merchant, invariant):
    open_form(page, merchant)
    fill(page, invariant)
    page.click("#pay")
    expect(page.locator("#saved-cards-list li")).to_have_count(1)
    page.click("#another")
    fill(page, invariant, number="375989111111119", cvc="9371")
    expect(page.locator("#number")).to_have_value("3759 891111 11119")
    expect_brand(page, "amex", "American Express")
    page.click("#pay")
    expect(page.locator("#result-card")).to_have_text(f"American Express •••• 1119, expires 12/{YY}")
    expect(page.locator("#saved-cards-list li")).to_have_count(2)
    page.locator("#saved-cards-list li").first.get_by_role("button", name="Remove").click()
    expect(page.locator("#saved-cards-list li").first).to_have_attribute("data-active", "false")
    expect(page.locator("#saved-cards-list li").first).to_contain_text("(removed)")
    page.reload()
    expect(page.locator("#saved-cards-list li").first).to_have_attribute("data-active", "false")


def test_maestro_without_cvc(page, merchant, invariant):
    open_form(page, merchant)
    fill(page, invariant, number="5033951000000004", cvc="")
    expect_brand(page, "maestro", "Maestro")
    expect(page.locator("#cvc-optional")).to_be_visible()
    page.click("#pay")
    expect(page.locator("#result-card")).to_have_text(f"Maestro •••• 0004, expires 12/{YY}")


def test_formatting_keeps_the_caret_and_accepts_pasted_numbers(page, merchant, invariant):
    open_form(page, merchant)
    invariant.type(VISA)
    number = page.locator("#number")
    number.fill("4970 1071 1111 1119")  # a paste of a spaced number
    number.dispatch_event("input")
    expect(number).to_have_value("4970 1071 1111 1119")
    number.fill("")
    number.press_sequentially("497011")
    number.press("ArrowLeft")          # caret after "4970 1"
    number.press_sequentially("07")
    expect(number).to_have_value("4970 1071")
    assert number.evaluate("el => el.selectionStart") == 8  # still right after the typed "07"
    page.locator("#expiry").press_sequentially("4")
    expect(page.locator("#expiry")).to_have_value("04 / ")


def test_submit_disabled_while_in_flight(page, merchant, invariant):
    open_form(page, merchant)
    fill(page, invariant)
    held = []
    page.route("**/vault/tokenize/**", lambda route: held.append(route))
    page.click("#pay")
    expect(page.locator("#pay")).to_be_disabled()
    expect(page.locator("#card-form")).to_have_attribute("aria-busy", "true")
    for _ in range(50):  # the route handler runs as Playwright processes events
        if held:
            break
        page.wait_for_timeout(100)
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator("#result-card")).to_have_text(f"Visa •••• 1119, expires 12/{YY}")
    expect(page.locator("#pay")).to_be_enabled()


def test_labels_and_autocomplete(page, merchant, invariant):
    open_form(page, merchant)
    for field, autocomplete, label in (("name", "cc-name", "Name on card"), ("number", "cc-number", "Card number"),
                                       ("expiry", "cc-exp", "Expiry date"), ("cvc", "cc-csc", "Security code")):
        expect(page.get_by_label(label, exact=False).first).to_have_attribute("autocomplete", autocomplete)
        assert page.locator(f"#{field}").get_attribute("name") is None  # a native submit sends no card data


def test_the_detector_has_teeth(page, merchant, invariant):
    """Negative control: a PAN sent to the merchant app is seen by the recorder (and refused)."""
    open_form(page, merchant)
    status = page.evaluate("""async (pan) => (await fetch('/api/sessions', {method: 'POST',
        headers: {'Content-Type': 'application/json'}, body: JSON.stringify({note: pan})})).status""", VISA)
    assert status == 400
    invariant.type(VISA)
    assert invariant.violations()
    merchant.recorder.requests[:] = [r for r in merchant.recorder.requests if VISA not in r["body"]]


@pytest.mark.parametrize("where", ["hosted page", "frame"])
def test_modules_are_fetched_at_once_and_once(page, merchant, shop, where):
    """The page's modules come as one bundle (server/merchant/build.py), content-hashed: one request, made once,
    and no module is fetched on its own (the English catalogue, the tokenizer and the brand marks are in the
    bundle; other languages and the appearance checks on demand)."""
    asked = []

    def record(r):
        if "/static/js/" in r.url and ("/frame?" in r.frame.url) == (where == "frame"):
            asked.append(r.url.split("/static/js/")[1])

    page.on("request", record)
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    if where == "hosted page":
        open_form(page, merchant)
        entry = "frame/page"
    else:
        page.goto(shop.url + "/")
        expect(page.frame_locator("iframe").locator("#card-form")).to_have_attribute("data-ready", "true")
        entry = "frame/frame"
    # The demo shop mounts the frame with an `appearance`: its checks are the one module fetched on demand.
    on_demand = ["frame/appearance"] if where == "frame" else []
    assert re.fullmatch(rf"{entry}\.[0-9a-f]{{12}}\.js", asked[0]), asked
    assert [a.split(".")[0] for a in asked[1:]] == on_demand
    assert all(re.search(r"\.[0-9a-f]{12}\.js$", a) for a in asked)
    assert errors == []


def test_a_psp_outage_is_retried_once_then_told(page, merchant, invariant):
    """finalize answers 503: the form waits the Retry-After (at most 3 s) and tries once more by itself; a
    second 503 is told to the shopper, whose next click then saves the card."""
    open_form(page, merchant)
    fill(page, invariant)
    calls = []

    def unavailable(route):
        calls.append(time.monotonic())
        route.fulfill(status=503, headers={"Retry-After": "1", "Content-Type": "application/json"},
                      body='{"error": {"code": "psp_unavailable", "message": "The payment provider is not reachable '
                           'right now. Please try again in a moment.", "field": null, "retry": "same_session"}}')

    page.route("**/finalize", unavailable)
    page.click("#pay")
    expect(page.locator("#form-error")).to_have_text(
        "The payment provider is not reachable right now. Please try again in a moment.")
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.9  # one retry, after the wait
    page.unroute("**/finalize")
    page.click("#pay")
    expect(page.locator("#result-card")).to_have_text(f"Visa •••• 1119, expires 12/{YY}")
