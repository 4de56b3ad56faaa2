"""The form's manners: brand icons drawn in place (no image fetched), a busy state that locks the fields and says
so, a clear success state, focus on the message after a server-side error, one announcement per event, Back after
the redirect flow, and brand names for people.
"""

import time
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.support.browser import fill_card

YY = f"{(datetime.now(UTC).year + 3) % 100:02d}"
VISA = "4970107111111119"
REFUSED = "4970101122334406"
# Every text a live region (role=status/alert, aria-live) is given, and every focus move, in order.
LISTEN = """() => {
    window.said = [];
    new MutationObserver((changes) => {
        for (const c of changes) {
            const region = (c.target.nodeType === 1 ? c.target : c.target.parentElement)
                .closest('[role=status],[role=alert],[aria-live]');
            if (region && region.id !== 'number-brand' && region.textContent.trim())
                window.said.push(['live', region.textContent.trim()]);
        }
    }).observe(document.body, {subtree: true, childList: true, characterData: true});
    document.addEventListener('focusin', (e) => window.said.push(['focus', e.target.id]));
}"""


def open_form(page, merchant, query=""):
    page.goto(f"{merchant.url}/pay{query}")
    expect(page.locator("#card-form")).to_have_attribute("data-ready", "true")
    page.evaluate(LISTEN)


def said(page):
    return [tuple(x) for x in page.evaluate("() => window.said")]


def wait_held(page, held, seconds=10):
    """Until the route handler has held the request (a test that would wait for ever fails instead)."""
    deadline = time.monotonic() + seconds
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert held, "the request was never sent"


def test_busy_then_saved_then_another(page, merchant, invariant):
    images = []
    page.on("request", lambda r: r.resource_type == "image" and images.append(r.url))
    open_form(page, merchant)
    held = []
    page.route("**/finalize", lambda route: held.append(route))
    fill_card(page, invariant, VISA, f"12{YY}")
    expect(page.locator("#number-brand svg[data-brand=visa]")).to_be_visible()
    page.click("#pay")
    expect(page.locator("#pay")).to_have_text("Saving…")
    expect(page.locator("#pay")).to_be_disabled()
    for field in ("name", "number", "expiry", "cvc"):  # locked: read-only, and disabled for assistive technology
        expect(page.locator(f"#{field}")).to_have_attribute("aria-disabled", "true")
        expect(page.locator(f"#{field}")).to_have_js_property("readOnly", True)
    expect(page.locator("#card-form")).to_have_attribute("aria-busy", "true")
    expect(page.locator("#announce")).to_have_text("Saving your card, please wait.")
    wait_held(page, held)
    held[0].continue_()
    result = page.locator("#result")
    expect(result).to_be_focused()
    expect(page.locator("#card-form")).to_be_hidden()
    expect(page.locator("#result-card")).to_have_text(f"Visa •••• 1119, expires 12/{YY}")
    expect(page.locator("#saved-cards-list li").first).to_contain_text("Visa •••• 1119")
    expect(page.locator("#saved-cards-list li svg[data-brand=visa]").first).to_be_visible()
    page.click("#another")
    expect(page.locator("#card-form")).to_be_visible()
    expect(page.locator("#name")).to_be_focused()
    expect(page.locator("#pay")).to_have_text("Save card")
    expect(page.locator("#number")).to_be_enabled()
    for field in ("name", "number", "expiry", "cvc"):
        expect(page.locator(f"#{field}")).to_have_attribute("aria-disabled", "false")
        expect(page.locator(f"#{field}")).to_have_js_property("readOnly", False)
    assert images == []


def test_enter_in_a_field_keeps_the_focus_there_and_the_field_locked_while_saving(page, merchant, invariant):
    open_form(page, merchant)
    held = []
    page.route("**/finalize", lambda route: held.append(route))
    fill_card(page, invariant, VISA, f"12{YY}")
    cvc = page.locator("#cvc")
    cvc.press("Enter")
    expect(page.locator("#card-form")).to_have_attribute("aria-busy", "true")
    expect(cvc).to_be_focused()  # not dropped on the page, as disabling the focused field would
    cvc.press("9")
    page.keyboard.insert_text("9")
    expect(cvc).to_have_value("847")
    wait_held(page, held)
    held[0].continue_()
    expect(page.locator("#result")).to_be_focused()
    expect(page.locator("#result-card")).to_have_text(f"Visa •••• 1119, expires 12/{YY}")


def test_a_save_changes_nothing_on_the_page_until_it_has_taken_a_moment(page, merchant, invariant):
    open_form(page, merchant)
    held = []
    page.route("**/finalize", lambda route: held.append(route))
    fill_card(page, invariant, VISA, f"12{YY}")
    # In the click's own task: the save has begun (a second click is ignored), and nothing is drawn or said yet.
    state = page.evaluate("""() => {
        const pay = document.getElementById('pay'), number = document.getElementById('number');
        pay.click();
        pay.click();
        return [pay.textContent, pay.disabled, number.readOnly, number.getAttribute('aria-disabled'),
                document.getElementById('card-form').getAttribute('aria-busy')];
    }""")
    assert state == ["Save card", False, False, None, None], state
    expect(page.locator("#pay")).to_have_text("Saving…")  # then, the save still under way, the busy state
    expect(page.locator("#number")).to_have_attribute("aria-disabled", "true")
    expect(page.locator("#announce")).to_have_text("Saving your card, please wait.")
    wait_held(page, held)
    page.wait_for_timeout(300)  # time for a second save's tokenization and finalize, were one under way
    assert len(held) == 1  # the second click sent nothing
    held[0].continue_()
    expect(page.locator("#result")).to_be_focused()


def test_a_server_side_error_moves_focus_to_the_message_and_is_said_once(page, merchant, invariant):
    open_form(page, merchant)
    held = []
    page.route("**/finalize", lambda route: held.append(route))
    fill_card(page, invariant, REFUSED, f"12{YY}")
    page.evaluate("() => (window.said = [])")
    page.click("#pay")
    # A save slow enough to say it is busy: the refusal comes after that.
    expect(page.locator("#announce")).to_have_text("Saving your card, please wait.")
    wait_held(page, held)
    held[0].continue_()
    error = page.locator("#form-error")
    expect(error).to_be_focused()
    expect(error).to_have_text("Your bank refused this card. Try another card or contact your bank.")
    page.wait_for_timeout(300)
    # The click focuses the button; then one thing said per event: busy (live), refused (focus on the message).
    assert said(page)[1:] == [("live", "Saving your card, please wait."), ("focus", "form-error")], said(page)


def test_an_empty_submit_is_one_announcement(page, merchant):
    open_form(page, merchant)
    page.locator("#name").fill("Jody Smith")
    page.evaluate("() => (window.said = [])")
    page.locator("#name").press("Enter")
    expect(page.locator("#cvc-error")).to_have_text("Enter the security code.")
    page.wait_for_timeout(300)
    # Three fields in error: focus moves to the first, read with its error (aria-describedby), and that is all.
    assert said(page) == [("focus", "number")], said(page)
    expect(page.locator("#number")).to_have_attribute("aria-invalid", "true")
    # Already in the first field in error: focus cannot move, so its error is said.
    page.evaluate("() => (window.said = [])")
    page.locator("#number").press("Enter")
    page.wait_for_timeout(300)
    assert said(page) == [("live", "Enter the card number.")], said(page)


def test_a_refusal_in_the_embed_is_said_once_by_the_checkout(page, shop, invariant):
    page.goto(shop.url + "/")
    page.wait_for_function("() => (window.panlessEvents || []).some((e) => e.event === 'ready')")
    frame = page.frame(url=lambda url: "/frame?" in url)
    frame.evaluate(LISTEN)
    fill_card(page.frame_locator("#card-element iframe"), invariant, REFUSED, f"12{YY}")
    frame.evaluate("() => (window.said = [])")
    page.click("#checkout-pay")
    expect(page.locator("#checkout-status")).to_have_text(
        "Your bank refused this card. Try another card or contact your bank.")
    page.wait_for_timeout(300)
    # The checkout's status says it; the frame, whose button is hidden, shows it without saying it again.
    assert frame.evaluate("() => window.said") == []
    expect(page.frame_locator("#card-element iframe").locator("#form-error")).to_be_visible()


@pytest.mark.parametrize("how", ["completed", "cancelled"])
def test_back_after_the_redirect_returns_to_the_checkout(page, shop, invariant, how):
    page.goto(shop.url + "/")
    page.wait_for_function("() => (window.panlessEvents || []).some((e) => e.event === 'ready')")
    page.click("#hosted-link")
    expect(page.locator("#card-form")).to_have_attribute("data-ready", "true")
    if how == "completed":
        fill_card(page, invariant, VISA, f"12{YY}")
        page.click("#pay")
    else:
        page.click("#cancel")
    page.wait_for_url(f"{shop.url}/return*")
    expect(page.locator("#outcome")).to_contain_text(how)
    if how == "completed":
        expect(page.locator("#saved")).to_contain_text("Card saved: Visa ••••")
    page.go_back()
    page.wait_for_url(f"{shop.url}/")
    expect(page.locator("h1")).to_have_text("Demo shop · checkout")
