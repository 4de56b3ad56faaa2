"""axe-core finds no WCAG 2.2 A or AA violation on the hosted page and in the frame, in every state (empty,
errors, server-side error, success) and theme (light, dark), and in another language.

axe.min.js comes from the axe-playwright-python package (the test extra), never from npm at test time. The
pages' CSP (Trusted Types included) is bypassed for the tests' context only: axe is injected, not the page's.
"""

from datetime import UTC, datetime
from importlib.resources import files

import pytest
from playwright.sync_api import expect

from tests.support.browser import fill_card

YY = f"{(datetime.now(UTC).year + 3) % 100:02d}"
AXE = files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def violations(target):
    """axe's violations in a page or frame, as "rule: nodes" lines (empty when it passes)."""
    target.evaluate(AXE)
    found = target.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
                            ".then((r) => ({ran: r.passes.length, bad: r.violations.map((v) =>"
                            " `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)}))", TAGS)
    assert found["ran"] > 10, "axe checked almost nothing: the check would prove nothing"
    return found["bad"]


@pytest.fixture(params=["light", "dark"])
def scheme(request):
    return request.param


@pytest.fixture
def axe_page(browser, scheme):
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)
    yield context.new_page()
    context.close()


def hosted_states(page, merchant, invariant):
    """Each state of the hosted page, as (name, None) once the page is in it."""
    page.goto(f"{merchant.url}/pay")
    expect(page.locator("#card-form")).to_have_attribute("data-ready", "true")
    yield "empty"
    page.locator("#name").fill("Jody Smith")
    page.locator("#name").press("Enter")
    expect(page.locator("#number-error")).not_to_be_empty()
    yield "field errors"
    page.locator("#name").fill("")
    fill_card(page, invariant, "4970101122334406", f"12{YY}")
    page.click("#pay")
    expect(page.locator("#form-error")).to_be_visible()
    yield "refused by the PSP"
    page.fill("#number", "")
    page.locator("#number").press_sequentially("4970107111111119")
    invariant.type("4970107111111119")
    page.click("#pay")
    expect(page.locator("#result")).to_be_visible()
    yield "saved, with the saved cards list"


def test_the_hosted_page_in_every_state_and_theme(axe_page, merchant, invariant, scheme):
    for state in hosted_states(axe_page, merchant, invariant):
        expect(axe_page.locator("html")).to_have_attribute("data-theme", scheme)
        assert violations(axe_page) == [], f"{scheme}, {state}"


def test_the_hosted_page_in_french(axe_page, merchant):
    axe_page.goto(f"{merchant.url}/pay?locale=fr")
    expect(axe_page.locator("#card-form")).to_have_attribute("data-ready", "true")
    axe_page.locator("#number").press("Enter")
    expect(axe_page.locator("html")).to_have_attribute("lang", "fr")
    assert violations(axe_page) == []


def test_the_cvc_only_form_in_every_state_and_theme(axe_page, merchant, invariant, scheme):
    """CVC re-collection on the hosted page: asked, a field error, confirmed."""
    page = axe_page
    page.goto(f"{merchant.url}/pay?provider=juspay")
    expect(page.locator("#card-form")).to_have_attribute("data-ready", "true")
    fill_card(page, invariant, "4111111111111111", f"12{YY}")
    page.click("#pay")
    expect(page.locator("#result")).to_be_visible()
    page.goto(f"{merchant.url}/pay?saved_card={page.locator('#result').get_attribute('data-token')}")
    expect(page.locator("#saved-card")).to_be_visible()
    assert violations(page) == [], f"{scheme}, asked"
    page.locator("#cvc").press_sequentially("36")
    page.click("#pay")
    expect(page.locator("#cvc-error")).not_to_be_empty()
    assert violations(page) == [], f"{scheme}, field error"
    invariant.type("362")
    page.locator("#cvc").fill("362")
    page.click("#pay")
    expect(page.locator("#result-title")).to_have_text("Card confirmed")
    assert violations(page) == [], f"{scheme}, confirmed"


MOUNT = """async ([origin, theme]) => {
    window.panlessCard.destroy();
    const { mount } = await import(origin + '/static/js/embed/panless.js');
    window.events = [];
    window.card = mount('#card-element', {origin, appearance: {theme}});
    for (const e of ['ready', 'tokenized', 'error']) window.card.on(e, () => window.events.push(e));
}"""


def test_the_frame_in_every_state_and_theme(axe_page, shop, merchant, invariant, scheme):
    page = axe_page
    page.goto(shop.url + "/")
    page.wait_for_function("() => (window.panlessEvents || []).some((e) => e.event === 'ready')")
    page.evaluate(MOUNT, [merchant.url, scheme])  # the frame's own button shown, in this theme
    page.wait_for_function("() => window.events.includes('ready')")
    frame = page.frame(url=lambda url: "/frame?" in url)
    card = page.frame_locator("#card-element iframe")
    expect(card.locator("html")).to_have_attribute("data-theme", scheme)
    assert violations(frame) == [], f"{scheme}, empty"
    card.locator("#name").fill("Jody Smith")
    card.locator("#name").press("Enter")
    expect(card.locator("#number-error")).not_to_be_empty()
    assert violations(frame) == [], f"{scheme}, field errors"
    card.locator("#name").fill("")
    fill_card(card, invariant, "4970101122334406", f"12{YY}")
    card.locator("#pay").click()
    expect(card.locator("#form-error")).to_be_visible()
    assert violations(frame) == [], f"{scheme}, refused"
    card.locator("#number").fill("")
    card.locator("#number").press_sequentially("4970107111111119")
    invariant.type("4970107111111119")
    card.locator("#pay").click()
    expect(card.locator("#result")).to_be_visible()
    assert violations(frame) == [], f"{scheme}, saved"


def test_the_check_can_fail_a_merchants_low_contrast(browser, shop, merchant):
    """A merchant's own grey-on-white is theirs to check; here it shows the check above can fail."""
    context = browser.new_context(bypass_csp=True)
    axe_page = context.new_page()
    axe_page.goto(shop.url + "/")
    axe_page.wait_for_function("() => (window.panlessEvents || []).some((e) => e.event === 'ready')")
    axe_page.evaluate("""async (origin) => {
        window.panlessCard.destroy();
        const { mount } = await import(origin + '/static/js/embed/panless.js');
        window.events = [];
        window.card = mount('#card-element', {origin, appearance: {variables: {colorText: '#c8c8c8'}}});
        window.card.on('ready', () => window.events.push('ready'));
    }""", merchant.url)
    axe_page.wait_for_function("() => window.events.includes('ready')")
    found = violations(axe_page.frame(url=lambda url: "/frame?" in url))
    context.close()
    assert any(v.startswith("color-contrast:") for v in found), found
