"""Theming: the appearance option's CSS variables (named, hsl() and rgba() colours too), refused values reported in
the console, the button's label, a dark theme for the frame, and the hosted page's dark theme and
prefers-color-scheme. Contrast of each theme is checked by axe in test_a11y.py.
"""

import pytest
from playwright.sync_api import expect

from tests.support.browser import mounted


@pytest.fixture
def checkout(page, shop):
    page.goto(shop.url + "/")
    page.wait_for_function("() => (window.panlessEvents || []).some((e) => e.event === 'ready')")
    return page


def computed(frame, selector, *properties):
    return frame.locator(selector).evaluate(
        "(el, props) => props.map((p) => getComputedStyle(el)[p])", list(properties))


def test_every_documented_variable_and_colour_syntax_is_applied(checkout, merchant):
    frame = mounted(checkout, merchant, appearance={"buttonLabel": "Pay €12.00", "variables": {
        "colorText": "rebeccapurple", "colorBackground": "hsl(0 0% 98%)", "colorInputBackground": "rgba(0, 0, 0, 0.05)",
        "colorInputText": "#101010", "colorBorder": "darkslategray", "colorPrimary": "#8a4b08",
        "colorPrimaryText": "white", "colorDanger": "hsl(0, 70%, 40%)", "spacing": "20px", "fontSize": "18px",
        "borderRadius": "0", "fontFamily": "Georgia, serif", "colorFocus": "#005fcc"}})
    assert computed(frame, "body", "color", "backgroundColor", "fontSize", "fontFamily") == [
        "rgb(102, 51, 153)", "rgb(250, 250, 250)", "18px", "Georgia, serif"]
    assert computed(frame, "#number", "backgroundColor", "color", "borderTopColor", "borderTopLeftRadius") == [
        "rgba(0, 0, 0, 0.05)", "rgb(16, 16, 16)", "rgb(47, 79, 79)", "0px"]
    assert computed(frame, ".row", "columnGap") == ["20px"]
    assert computed(frame, "#pay", "backgroundColor", "color") == ["rgb(138, 75, 8)", "rgb(255, 255, 255)"]
    expect(frame.locator("#pay")).to_have_text("Pay €12.00")
    frame.locator("#number").focus()
    assert computed(frame, "#number", "outlineColor") == ["rgb(0, 95, 204)"]


def test_refused_values_and_unknown_options_are_named_in_the_console(checkout, merchant):
    warnings = []
    checkout.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    frame = mounted(checkout, merchant, appearance={"theme": "neon", "colours": {}, "buttonLabel": "x" * 41,
                                                    "variables": {"colorText": "red; background: url(//evil.example)",
                                                                  "colorBackground": "var(--x)", "colorBorder": "nope",
                                                                  "borderRadius": "9", "colorPrimary": ["#112233"],
                                                                  "unknown": "#123456"}})
    expect(frame.locator("#pay")).to_have_text("Save card")
    assert frame.locator("html").evaluate("(el) => el.getAttribute('style')") is None
    refused = sorted(w.split(" = ")[0] for w in warnings if w.startswith("Panless: appearance."))
    assert refused == ["Panless: appearance.buttonLabel", "Panless: appearance.colours", "Panless: appearance.theme",
                       "Panless: appearance.variables.borderRadius", "Panless: appearance.variables.colorBackground",
                       "Panless: appearance.variables.colorBorder", "Panless: appearance.variables.colorPrimary",
                       "Panless: appearance.variables.colorText", "Panless: appearance.variables.unknown"]
    assert any("expected a colour" in w and "colorBorder" in w for w in warnings)


def test_a_dark_frame_has_dark_inputs(checkout, merchant):
    frame = mounted(checkout, merchant, appearance={"theme": "dark"})
    expect(frame.locator("html")).to_have_attribute("data-theme", "dark")
    background, text = computed(frame, "#number", "backgroundColor", "color")
    assert background == "rgb(34, 36, 47)" and text == "rgb(236, 238, 245)"


def test_auto_follows_the_shoppers_scheme(checkout, merchant):
    checkout.emulate_media(color_scheme="dark")
    frame = mounted(checkout, merchant, appearance={"theme": "auto"})
    expect(frame.locator("html")).to_have_attribute("data-theme", "dark")
    checkout.emulate_media(color_scheme="light")
    expect(frame.locator("html")).to_have_attribute("data-theme", "light")


def test_the_hosted_page_follows_prefers_color_scheme_unless_told(page, merchant):
    page.emulate_media(color_scheme="dark")
    page.goto(merchant.url + "/pay")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert page.locator("main").evaluate("(el) => getComputedStyle(el).backgroundColor") == "rgb(21, 22, 30)"
    page.goto(merchant.url + "/pay?theme=light")
    expect(page.locator("#card-form")).to_have_attribute("data-ready", "true")
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    assert page.locator("main").evaluate("(el) => getComputedStyle(el).backgroundColor") == "rgb(255, 255, 255)"
