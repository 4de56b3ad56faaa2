"""The frame's import map pins only the on-demand modules its mount can use (the catalogue the embed picked, the
appearance checks when an appearance is given), none at all for a plain mount; and the frame never imports a module
its map does not pin: a configure asking for one gets English or the default look, said in the console."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import fill_card, mounted

FRAME_URL = re.compile(r"/frame\?")


@pytest.fixture
def checkout(page, shop, merchant):
    page.goto(shop.url + "/")
    page.wait_for_function("() => (window.panlessEvents || []).some((e) => e.event === 'ready')")
    merchant.recorder.requests.clear()  # the shop's own mount aside
    return page


def card_frame(page):
    return next(f for f in page.frames if FRAME_URL.search(f.url))


def pinned(page) -> list[str] | None:
    """The frame's import map entries as source names ("i18n-fr"), or None when its HTML has no import map."""
    text = card_frame(page).evaluate("() => document.querySelector('script[type=importmap]')?.textContent ?? null")
    if text is None:
        return None
    return sorted(re.sub(r"\.[0-9a-f]{12}\.js$", "", url.rsplit("/", 1)[-1]) for url in json.loads(text)["integrity"])


def modules_loaded(page) -> list[str]:
    """The on-demand modules the card frame loaded, from the network or its cache (Resource Timing sees both)."""
    names = card_frame(page).evaluate("() => performance.getEntriesByType('resource').map((e) => e.name)")
    return sorted(re.sub(r"\.[0-9a-f]{12}\.js$", "", url.rsplit("/", 1)[-1]) for url in names
                  if re.search(r"/static/js/frame/(i18n-|appearance\.)", url))


def frame_queries(merchant) -> list[str]:
    return [r["url"].split("?", 1)[1] for r in merchant.recorder.requests if r["url"].startswith("/frame?")]


def test_a_french_mount_pins_and_loads_the_french_catalogue_alone(checkout, merchant):
    frame = mounted(checkout, merchant, locale="fr-CA")
    expect(frame.locator("html")).to_have_attribute("lang", "fr")
    expect(frame.locator("#pay")).to_have_text("Enregistrer la carte")
    queries = frame_queries(merchant)
    assert queries and all("&locale=fr" in q and "appearance" not in q for q in queries)
    assert pinned(checkout) == ["i18n-fr"]
    assert modules_loaded(checkout) == ["i18n-fr"]


def test_a_mount_with_an_appearance_pins_its_checks(checkout, merchant):
    frame = mounted(checkout, merchant, locale="de", appearance={"buttonLabel": "Zahlen"})
    expect(frame.locator("#pay")).to_have_text("Zahlen")
    assert pinned(checkout) == ["appearance", "i18n-de"]
    assert modules_loaded(checkout) == ["appearance", "i18n-de"]


def test_a_plain_mount_has_no_import_map_and_saves_a_card(checkout, merchant, invariant):
    frame = mounted(checkout, merchant)  # English (the test browser's language), no appearance
    assert pinned(checkout) is None
    fill_card(frame, invariant, "4970107111111119", "1230", "847")
    card = checkout.evaluate("() => window.card.submit()")
    assert card["last4"] == "1119" and card["token"]
    assert modules_loaded(checkout) == []


def rewritten(page, old, new):
    """The frame's request reaches the server with `old` in its query replaced by `new` (as from a hand-made URL),
    while the checkout's configure still names the option."""
    page.route(FRAME_URL, lambda route: route.continue_(url=route.request.url.replace(old, new)))


def test_a_locale_the_map_does_not_pin_is_english_and_never_fetched(checkout, merchant):
    warnings = []
    checkout.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    rewritten(checkout, "locale=fr", "locale=en")
    frame = mounted(checkout, merchant, locale="fr")
    expect(frame.locator("#pay")).to_have_text("Save card")
    expect(frame.locator("html")).to_have_attribute("lang", "en")
    assert frame_queries(merchant) and all("locale=en" in q for q in frame_queries(merchant))
    assert pinned(checkout) is None
    assert modules_loaded(checkout) == []
    assert any("i18n-fr.js is not in the frame's import map" in w and "using English" in w for w in warnings), warnings


def test_an_appearance_the_map_does_not_pin_is_the_default_look_and_never_fetched(checkout, merchant):
    warnings = []
    checkout.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    rewritten(checkout, "&appearance=1", "")
    frame = mounted(checkout, merchant, appearance={"buttonLabel": "Pay now", "theme": "dark"})
    expect(frame.locator("#pay")).to_have_text("Save card")
    expect(frame.locator("html")).to_have_attribute("data-theme", "light")
    assert modules_loaded(checkout) == []
    assert any("appearance.js is not in the frame's import map" in w for w in warnings), warnings


def test_a_frame_url_naming_no_locale_pins_everything_and_the_frame_uses_it(checkout, merchant):
    # An older embed's URL (its public URL is cached for minutes): the frame works as before.
    rewritten(checkout, "&locale=fr&appearance=1", "")
    frame = mounted(checkout, merchant, locale="fr", appearance={"buttonLabel": "Payer"})
    expect(frame.locator("html")).to_have_attribute("lang", "fr")
    expect(frame.locator("#pay")).to_have_text("Payer")
    assert pinned(checkout) == sorted(["appearance", *(f"i18n-{n}" for n in ("de", "es", "fr", "it", "nl", "pt-BR"))])
    assert modules_loaded(checkout) == ["appearance", "i18n-fr"]


def test_a_pinned_catalogue_whose_bytes_changed_does_not_run(checkout, merchant):
    def tamper(route):
        response = route.fetch()
        route.fulfill(response=response, body=response.text() + "\nwindow.skimmed = true;\n")

    checkout.route(re.compile(r"/static/js/frame/i18n-fr\."), tamper)
    errors = []
    checkout.on("console", lambda m: m.type == "error" and errors.append(m.text))
    frame = mounted(checkout, merchant, locale="fr")
    expect(frame.locator("#pay")).to_have_text("Save card")  # without its catalogue the form speaks English
    assert card_frame(checkout).evaluate("() => window.skimmed") is None
    assert any("integrity" in e.lower() for e in errors), errors
