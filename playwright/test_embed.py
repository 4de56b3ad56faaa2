"""The card form embedded in a checkout page on another origin, and the redirect flow.

Origins: merchant app http://127.0.0.1:<a>, sandbox PSP http://localhost:<b>, demo shop checkout
http://localhost:<c> (allowed), and an attacker page http://localhost:<d> (not allowed). The invariant
covers everything the merchant app and the checkout origin receive, postMessages included.
"""

import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from flask import Flask
from playwright.sync_api import expect

from panless.core.pan import find_pans
from tests.support import LiveServer
from tests.support.browser import fill_card

YY = f"{(datetime.now(UTC).year + 3) % 100:02d}"
VISA = "4970107111111119"
RECORD_MESSAGES = "window.addEventListener('message', (e) => (window.__received ||= []).push(JSON.stringify(e.data)));"


@pytest.fixture
def checkout(page, shop, invariant):
    """The shop's checkout page, with every postMessage any of its windows receives recorded."""
    page.add_init_script(RECORD_MESSAGES)
    page.goto(shop.url + "/")
    wait_for_event(page, "ready")
    yield page
    for frame in page.frames:
        try:
            invariant.extra += frame.evaluate("() => window.__received || []")
        except Exception:  # a frame that is gone has nothing left to read
            pass
    assert invariant.extra, "no postMessage was recorded: the check would prove nothing"


def wait_for_event(page, name, count=1):
    page.wait_for_function(
        "([name, count]) => (window.panlessEvents || []).filter((e) => e.event === name).length >= count",
        arg=[name, count], timeout=10000)


def events(page):
    return page.evaluate("() => window.panlessEvents.map((e) => e.event)")


def card_frame(page):
    return page.frame_locator("#card-element iframe")


def fill(frame, invariant, number=VISA, cvc="847"):
    fill_card(frame, invariant, number, f"12{YY}", cvc)


def tokenize_requests(page):
    seen = []
    page.on("request", lambda r: "/vault/tokenize/" in r.url and seen.append(r.url))
    return seen


def test_tokenization_through_the_iframe_with_events_in_order(checkout, invariant):
    frame = card_frame(checkout)
    fill(frame, invariant)
    checkout.click("#checkout-pay")  # the parent's own button calls card.submit()
    expect(checkout.locator("#checkout-status")).to_have_text("Card saved: Visa •••• 1119")
    names = events(checkout)
    assert names[0] == "ready" and names[-2:] == ["submit", "tokenized"]
    assert {"change", "focus", "blur"} <= set(names)
    data = checkout.evaluate("() => window.panlessEvents")
    last_change = [e["data"] for e in data if e["event"] == "change"][-1]
    assert last_change["brand"] == "visa" and last_change["complete"] is True
    assert set(last_change["fields"]) == {"name", "number", "expiry", "cvc"}
    card = data[-1]["data"]["card"]
    assert (card["brand"], card["last4"], card["exp_month"], card["exp_year"]) == ("visa", "1119", 12, 2000 + int(YY))
    assert set(card) == {"token", "brand", "brand_name", "last4", "exp_month", "exp_year"}
    assert card["brand_name"] == "Visa"  # the code is for programs, the name for people


def heights(iframe, frame):
    """The iframe's height in the checkout page and its content's height, once they agree (the resize
    message may still be on its way when `ready` arrives), or as they are after 5 s."""
    deadline = time.monotonic() + 5
    while True:
        outer = iframe.evaluate("(el) => el.getBoundingClientRect().height")
        inner = frame.locator("body").evaluate("(el) => Math.ceil(el.getBoundingClientRect().height)")
        if abs(outer - inner) <= 1 or time.monotonic() > deadline:
            return outer, inner
        time.sleep(0.05)


def test_frame_height_follows_its_content_and_never_scrolls(checkout, invariant):
    iframe = checkout.locator("#card-element iframe")
    frame = card_frame(checkout)
    before, inner = heights(iframe, frame)
    assert before > 100 and abs(before - inner) <= 1
    fill(frame, invariant, number="4970101122334406")  # refused at validation: a form error appears
    checkout.click("#checkout-pay")
    expect(frame.locator("#form-error")).to_be_visible()
    checkout.wait_for_function(
        "(h) => document.querySelector('#card-element iframe').getBoundingClientRect().height > h",
        arg=before)
    after, after_inner = heights(iframe, frame)
    assert abs(after - after_inner) <= 1
    assert frame.locator("html").evaluate("(el) => el.scrollHeight <= el.clientHeight")
    # And it shrinks back: typing again hides the form's error.
    frame.locator("#name").press("End")
    frame.locator("#name").press_sequentially("e")
    expect(frame.locator("#form-error")).to_be_hidden()
    checkout.wait_for_function(
        "(h) => document.querySelector('#card-element iframe').getBoundingClientRect().height < h", arg=after)
    assert abs(heights(iframe, frame)[0] - before) <= 1


def test_enter_in_the_frame_submits(checkout, invariant):
    frame = card_frame(checkout)
    fill(frame, invariant)
    frame.locator("#cvc").press("Enter")
    wait_for_event(checkout, "tokenized")
    # The field keeps the focus while saving; the form giving way to the saved card then takes it, which
    # is no blur of the shopper's: nothing follows `tokenized`.
    expect(frame.locator("#card-form")).to_be_hidden()
    checkout.wait_for_timeout(300)
    assert events(checkout)[-2:] == ["submit", "tokenized"]


def test_parent_submit_with_invalid_card_reports_the_field(checkout, invariant):
    frame = card_frame(checkout)
    fill(frame, invariant, number="4970107111111118")
    requested = tokenize_requests(checkout)
    checkout.click("#checkout-pay")
    expect(checkout.locator("#checkout-status")).to_have_text("Check the highlighted fields.")
    error = [e for e in checkout.evaluate("() => window.panlessEvents") if e["event"] == "error"][-1]["data"]
    assert error == {"code": "validation_failed", "message": "Check the highlighted fields.", "field": "number"}
    expect(frame.locator("#number-error")).to_have_text("This card number is not valid. Check the digits.")
    assert requested == []


def test_checkout_scripts_cannot_read_the_card_inputs(checkout, invariant):
    fill(card_frame(checkout), invariant)
    probes = checkout.evaluate("""() => {
        const iframe = document.querySelector('#card-element iframe');
        const out = {contentDocument: iframe.contentDocument === null};
        try { out.read = iframe.contentWindow.document.querySelector('#number').value; }
        catch (e) { out.error = e.name; }
        try { out.frames = window.frames[0].document.body.innerHTML; }
        catch (e) { out.framesError = e.name; }
        return out;
    }""")
    assert probes == {"contentDocument": True, "error": "SecurityError", "framesError": "SecurityError"}


@pytest.fixture(scope="module")
def attacker(merchant, shop):
    """A page on an origin that is not allowed to frame the card form."""
    app = Flask("attacker")

    @app.get("/")
    def page():
        honest = f"{merchant.url}/frame?parent=http://localhost:{server.port}"
        lying = f"{merchant.url}/frame?parent={shop.url}"
        return f'<iframe id="honest" src="{honest}"></iframe><iframe id="lying" src="{lying}"></iframe>'

    @app.get("/poster")
    def poster():
        # A popup opened by the checkout page: posts well-formed commands to the card frame in its opener,
        # then reports that it did (so a test knows the messages were really sent).
        return ("<script>opener.frames[0].postMessage({ns: 'panless', v: 1, type: 'submit'}, '*');"
                "opener.frames[0].postMessage({ns: 'panless', v: 1, type: 'clear'}, '*');"
                "fetch('/posted');</script>")

    @app.get("/posted")
    def posted():
        server.posted += 1
        return ""

    server = LiveServer(app, url_host="localhost")
    server.posted = 0
    server.start()
    yield server
    server.stop()


def test_a_page_on_another_origin_cannot_frame_the_form(page, attacker, merchant, invariant):
    violations, answers = [], []
    page.on("console", lambda m: "frame-ancestors" in m.text and violations.append(m.text))
    page.on("response", lambda r: "/frame?" in r.url and answers.append((r.url, r.status)))
    page.goto(attacker.url + "/")
    page.wait_for_timeout(1000)
    mine = [status for url, status in answers if str(attacker.port) in url]
    claimed = [status for url, status in answers if str(attacker.port) not in url]
    # Honest about its origin: the server refuses (400), and even the error page cannot be framed.
    assert mine == [400] and page.frame_locator("#honest").locator("#card-form").count() == 0
    # Lying about its origin: the server answers, but frame-ancestors names the shop, not this page.
    assert claimed == [200] and page.frame_locator("#lying").locator("#card-form").count() == 0
    assert len(violations) >= 2, "Chromium should report each frame-ancestors refusal"
    direct = requests.get(f"{merchant.url}/pay", timeout=10)
    assert (direct.headers["X-Frame-Options"] == "DENY"
            and "frame-ancestors 'none'" in direct.headers["Content-Security-Policy"])
    api = requests.get(f"{merchant.url}/api/cards", timeout=10)
    assert "frame-ancestors 'none'" in api.headers["Content-Security-Policy"]


def test_foreign_and_malformed_messages_are_ignored(checkout, attacker, merchant, shop, invariant):
    frame = card_frame(checkout)
    fill(frame, invariant)
    requested = tokenize_requests(checkout)
    origin = merchant.url
    # Wrong shapes, from the right window and origin.
    checkout.evaluate("""(origin) => {
        const target = document.querySelector('#card-element iframe').contentWindow;
        for (const message of [
            'submit', ['panless', 1, 'submit'], {ns: 'panless', v: 2, type: 'submit'},
            {ns: 'other', v: 1, type: 'submit'}, {ns: 'panless', v: 1, type: 'submit', data: 'x'},
            {ns: 'panless', v: 1, type: 'explode'}, {ns: 'panless', v: 1, type: 'submit', id: 7},
            {ns: 'panless', v: '1', type: 'submit'}, null,
        ]) target.postMessage(message, origin);
    }""", origin)
    # The right shape from the wrong origin: a page of the attacker's, opened by the checkout page.
    posted = attacker.posted
    with checkout.context.expect_page() as poster_info:
        checkout.evaluate("(url) => window.open(url)", attacker.url + "/poster")
    poster_info.value.wait_for_load_state()
    deadline = time.monotonic() + 5
    while attacker.posted == posted and time.monotonic() < deadline:
        time.sleep(0.05)
    assert attacker.posted == posted + 1, "the attacker's page did not post its messages"
    poster_info.value.close()
    # The right shape and origin from the wrong window: a popup of the shop's own origin.
    with checkout.context.expect_page() as popup_info:
        checkout.evaluate("(url) => window.open(url)", shop.url + "/")
    popup = popup_info.value
    popup.wait_for_load_state()
    popup.evaluate("""(origin) => window.opener.frames[0].postMessage({ns: 'panless', v: 1, type: 'submit'}, origin)""",
                   origin)
    checkout.wait_for_timeout(1200)
    popup.close()
    assert requested == []
    assert "submit" not in events(checkout) and "tokenized" not in events(checkout)
    assert not [r for r in merchant.recorder.requests if r["url"].endswith("/finalize")]
    assert frame.locator("#number").input_value() == "4970 1071 1111 1119"  # the foreign "clear" was ignored
    # The real parent is still heard: the same command from it goes through.
    checkout.click("#checkout-pay")
    wait_for_event(checkout, "tokenized")
    assert len(requested) == 1


def test_redirect_mode_returns_to_the_checkout_without_card_data(page, shop, merchant, invariant):
    urls = []
    page.on("framenavigated", lambda f: urls.append(f.url))
    page.goto(shop.url + "/")
    wait_for_event(page, "ready")  # the frame has its final height: the link no longer moves under the click
    page.click("#hosted-link")
    expect(page.locator("#card-form")).to_have_attribute("data-ready", "true")
    invariant.type(VISA, "847")
    page.fill("#name", "Jody Smith")
    page.locator("#number").press_sequentially(VISA)
    page.locator("#expiry").press_sequentially(f"12{YY}")
    page.locator("#cvc").press_sequentially("847")
    page.click("#pay")
    page.wait_for_url(f"{shop.url}/return*")
    expect(page.locator("#outcome")).to_contain_text("completed")
    expect(page.locator("#saved")).to_have_text(f"Card saved: Visa •••• 1119, expires 12/{YY}")
    assert any("panless_session=ses_" in u for u in urls)
    for url in urls:  # the CVC as a number of its own: a random key or token may hold those digits inside
        assert not find_pans(url) and not re.search(r"(?<![0-9A-Za-z])847(?![0-9A-Za-z])", url)


def test_redirect_mode_cancel(page, shop, invariant):
    page.goto(shop.url + "/")
    wait_for_event(page, "ready")  # the frame has its final height: the link no longer moves under the click
    page.click("#hosted-link")
    expect(page.locator("#card-form")).to_have_attribute("data-ready", "true")
    page.click("#cancel")
    page.wait_for_url(f"{shop.url}/return*")
    expect(page.locator("#outcome")).to_contain_text("cancelled")


def test_the_readme_snippet_works_as_pasted(page, merchant, snippet_slot, invariant):
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme.split("Paste this into the checkout page", 1)[1]
    snippet = section.split("```html", 1)[1].split("```", 1)[0]
    with merchant.app.test_request_context():
        from panless.merchant.auth import issue_customer_token, new_customer_id

        token = issue_customer_token(new_customer_id())
    html = snippet.replace("https://pay.example.com", merchant.url).replace("TOKEN_FROM_YOUR_BACKEND", token)
    app = Flask("snippet")
    app.get("/")(lambda: f"<!doctype html><title>My checkout</title>{html}")
    snippet_slot.slot.app = app
    page.goto(snippet_slot.url + "/")
    frame = page.frame_locator("#card-element iframe")
    expect(frame.locator("#card-form")).to_have_attribute("data-ready", "true")
    fill(frame, invariant)
    page.click("#pay")
    expect(page.locator("body")).to_contain_text("Saved: Visa ending 1119")


def test_french_frame_loads_its_locale_under_the_strict_policy(checkout, merchant, invariant):
    checkout.evaluate("() => window.panlessCard.destroy()")
    checkout.evaluate("""async (origin) => {
        const { mount } = await import(origin + '/static/js/embed/panless.js');
        window.events = [];
        window.card = mount('#card-element', {origin, locale: 'fr'});
        for (const e of ['ready', 'error']) window.card.on(e, (d) => window.events.push([e, d]));
    }""", merchant.url)
    checkout.wait_for_function("() => window.events.some(([e]) => e === 'ready')")
    frame = card_frame(checkout)
    expect(frame.locator("label[for=number] [data-t]")).to_have_text("Numéro de carte")
    expect(frame.locator("#pay")).to_have_text("Enregistrer la carte")
    invariant.type("4970107111111118")
    frame.locator("#number").press_sequentially("4970107111111118")
    frame.locator("#number").press("Enter")
    expect(frame.locator("#number-error")).to_have_text("Ce numéro de carte n'est pas valide. Vérifiez les chiffres.")


def test_appearance_variables_style_the_frame_and_bad_values_are_ignored(checkout, merchant):
    checkout.evaluate("() => window.panlessCard.destroy()")
    checkout.evaluate("""async (origin) => {
        const { mount } = await import(origin + '/static/js/embed/panless.js');
        window.events = [];
        const variables = JSON.parse(`{"colorPrimary": "#112233", "colorDanger": "rgb(200, 0, 0)",
            "colorText": "#445566", "colorBackground": "#fafafa", "borderRadius": "9px",
            "fontFamily": "Georgia, serif", "__proto__": "#000", "constructor": "#000", "toString": "#000"}`);
        window.card = mount('#card-element', {origin, appearance: {variables}});
        window.card.on('ready', () => window.events.push('ready'));
    }""", merchant.url)
    checkout.wait_for_function("() => window.events.includes('ready')")
    styles = card_frame(checkout).locator("#number").evaluate("""(el) => {
        const s = getComputedStyle(el), b = getComputedStyle(document.body);
        const pay = getComputedStyle(document.getElementById('pay'));
        return [pay.backgroundColor, b.color, b.backgroundColor, s.borderTopLeftRadius, b.fontFamily];
    }""")
    assert styles == ["rgb(17, 34, 51)", "rgb(68, 85, 102)", "rgb(250, 250, 250)", "9px", "Georgia, serif"]

    checkout.evaluate("() => window.card.destroy()")
    checkout.evaluate("""async (origin) => {
        const { mount } = await import(origin + '/static/js/embed/panless.js');
        window.events = [];
        const variables = {colorPrimary: ['#112233'], colorText: 'red; background: url(//evil.example)',
            borderRadius: '9', fontFamily: 'x'.repeat(81), unknown: '#123456'};
        window.card = mount('#card-element', {origin, appearance: {variables}});
        window.card.on('ready', () => window.events.push('ready'));
    }""", merchant.url)
    checkout.wait_for_function("() => window.events.includes('ready')")
    defaults = card_frame(checkout).locator("#number").evaluate("""(el) => {
        const root = getComputedStyle(document.documentElement);
        return ['accent', 'text', 'radius'].map((n) => root.getPropertyValue('--panless-' + n).trim())
            .concat(document.documentElement.getAttribute('style'));
    }""")
    assert defaults == ["#3a4ee0", "#1c1c28", "6px", None]


def test_odd_options_and_commands_are_ignored(checkout, merchant):
    checkout.evaluate("() => window.panlessCard.destroy()")
    checkout.evaluate("""async (origin) => {
        const { mount } = await import(origin + '/static/js/embed/panless.js');
        window.events = [];
        window.card = mount('#card-element', {origin, locale: ['fr']});
        window.card.on('ready', () => window.events.push('ready'));
    }""", merchant.url)
    checkout.wait_for_function("() => window.events.includes('ready')")
    frame = card_frame(checkout)
    expect(frame.locator("#pay")).to_have_text("Save card")  # a locale must be a string: English
    errors = []
    checkout.on("pageerror", lambda error: errors.append(str(error)))
    checkout.on("console", lambda m: m.type == "error" and errors.append(m.text))
    checkout.evaluate("() => ['constructor', '__proto__', 'toString', 'number'].forEach((f) => window.card.focus(f))")
    expect(frame.locator("#number")).to_be_focused()
    assert errors == []


def outcome_events(page, since):
    """The events after index `since` that tell the outcome (typing's change, focus and blur left out)."""
    return [(e["event"], e["data"].get("code")) for e in page.evaluate("() => window.panlessEvents")[since:]
            if e["event"] in ("submit", "tokenized", "error")]


def test_enter_and_submit_take_one_path_and_the_checkout_learns_the_outcome(checkout, invariant):
    """With hideButton, Enter in the frame and the checkout's submit() give the same events, and the demo shop
    shows the outcome either way (it follows the events, not only the promise)."""
    frame = card_frame(checkout)
    status = checkout.locator("#checkout-status")
    seen = {}
    for how in ("enter", "submit"):
        for number in ("4970107111111118", VISA):  # refused by the form's check, then saved
            checkout.evaluate("() => window.panlessCard.clear()")
            expect(frame.locator("#number")).to_have_value("")
            since = len(checkout.evaluate("() => window.panlessEvents"))
            fill(frame, invariant, number=number)
            if how == "enter":
                frame.locator("#cvc").press("Enter")
            else:
                checkout.click("#checkout-pay")
            last = "tokenized" if number == VISA else "error"
            checkout.wait_for_function("([n, e]) => window.panlessEvents.slice(n).some((x) => x.event === e)",
                                       arg=[since, last])
            seen[how, number] = outcome_events(checkout, since)
            expect(status).to_have_text("Card saved: Visa •••• 1119" if number == VISA
                                        else "Check the highlighted fields.")
    assert seen["enter", VISA] == seen["submit", VISA] == [("submit", None), ("tokenized", None)]
    bad = "4970107111111118"
    assert seen["enter", bad] == seen["submit", bad] == [("error", "validation_failed")]
