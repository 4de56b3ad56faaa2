"""Locales: the option, else the browser's languages, with region and case fallbacks; `lang` and `dir` set; an
unknown locale falls back to English with a console warning; the hosted page localised too, PSP errors included.
"""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from panless.merchant.errors import hint
from tests.support.browser import fill_card, mounted

YY = f"{(datetime.now(UTC).year + 3) % 100:02d}"


@pytest.fixture(scope="module")
def modules(browser, blank_page_server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(blank_page_server.url + "/")
    yield page
    context.close()


@pytest.mark.parametrize("tag,expected", [
    ("fr", "fr"), ("fr-CA", "fr"), ("FR", "fr"), ("fr_fr", "fr"), ("pt-BR", "pt-BR"), ("pt_br", "pt-BR"),
    ("pt", "pt-BR"), ("PT-pt", "pt-BR"), ("de-AT", "de"), ("es-419", "es"), ("it", "it"), ("nl-BE", "nl"),
    ("en-GB", "en"), ("ja", None), ("", None), ("x", None),
])
def test_a_tag_finds_its_catalogue(modules, tag, expected):
    found = modules.evaluate("async (tag) => (await import('/static/js/frame/form.js')).matchLocale(tag)", tag)
    assert found == expected


def test_the_option_wins_else_the_browser_languages_else_english(modules):
    warnings = []
    modules.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    picked = modules.evaluate("""async () => {
        const { pickLocale } = await import('/static/js/frame/form.js');
        return [pickLocale('de', ['fr']), pickLocale(undefined, ['ja', 'fr-FR', 'de']), pickLocale(null, ['ja']),
                pickLocale('ja', ['fr'])];
    }""")
    assert picked == ["de", "fr", "en", "en"]
    assert len(warnings) == 1 and 'no catalogue for locale "ja"; using English' in warnings[0]


@pytest.fixture
def checkout(page, shop):
    page.goto(shop.url + "/")
    page.wait_for_function("() => (window.panlessEvents || []).some((e) => e.event === 'ready')")
    return page


def test_a_german_frame_is_german_throughout(checkout, merchant):
    frame = mounted(checkout, merchant, locale="de")
    html = frame.locator("html")
    expect(html).to_have_attribute("lang", "de")
    expect(html).to_have_attribute("dir", "ltr")
    expect(frame.locator("label[for=number]")).to_contain_text("Kartennummer")
    expect(frame.locator("#expiry")).to_have_attribute("placeholder", "MM / JJ")
    expect(frame.locator("#pay")).to_have_text("Karte speichern")
    frame.locator("#number").press_sequentially("4970107111111118")
    frame.locator("#number").press("Enter")
    expect(frame.locator("#number-error")).to_have_text("Diese Kartennummer ist ungültig. Prüfen Sie die Ziffern.")


def test_a_french_frame_sets_lang_and_the_placeholder(checkout, merchant):
    frame = mounted(checkout, merchant, locale="FR")
    expect(frame.locator("html")).to_have_attribute("lang", "fr")
    expect(frame.locator("#expiry")).to_have_attribute("placeholder", "MM / AA")


def test_an_unknown_locale_is_english_with_a_warning(checkout, merchant):
    warnings = []
    checkout.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    frame = mounted(checkout, merchant, locale="ja")
    expect(frame.locator("#pay")).to_have_text("Save card")
    expect(frame.locator("html")).to_have_attribute("lang", "en")
    assert any('no catalogue for locale "ja"' in w for w in warnings)


@pytest.fixture
def french_browser(browser):
    context = browser.new_context(locale="fr-FR")
    yield context.new_page()
    context.close()


def test_a_browser_in_french_gets_a_french_frame_and_page(french_browser, shop, merchant):
    french_browser.goto(shop.url + "/")
    frame = french_browser.frame_locator("#card-element iframe")
    expect(frame.locator("#card-form")).to_have_attribute("data-ready", "true")
    expect(frame.locator("html")).to_have_attribute("lang", "fr")
    expect(frame.locator("label[for=number]")).to_contain_text("Numéro de carte")
    french_browser.goto(merchant.url + "/pay")
    expect(french_browser.locator("h1")).to_have_text("Enregistrer une carte")
    expect(french_browser).to_have_title("Enregistrer une carte")


@pytest.mark.parametrize("locale,title,refused", [
    ("en", "Save a card", hint("card_refused")["message"]),  # the server's English, the only copy of it
    ("es", "Guardar una tarjeta", "Su banco rechazó esta tarjeta. Pruebe otra tarjeta o contacte con su banco."),
    ("pt-BR", "Salvar um cartão", "Seu banco recusou este cartão. Tente outro cartão ou fale com seu banco."),
    ("nl", "Kaart opslaan", "Uw bank heeft deze kaart geweigerd. Probeer een andere kaart of neem contact op "
     "met uw bank."),
])
def test_the_hosted_page_in_another_language_psp_errors_included(page, merchant, invariant, locale, title, refused):
    page.goto(f"{merchant.url}/pay?locale={locale}")
    expect(page.locator("#card-form")).to_have_attribute("data-ready", "true")
    expect(page.locator("html")).to_have_attribute("lang", locale)
    expect(page.locator("h1")).to_have_text(title)
    expect(page).to_have_title(title)
    fill_card(page, invariant, "4970101122334406", f"12{YY}")  # the PSP refuses this card
    page.click("#pay")
    expect(page.locator("#form-error")).to_have_text(refused)
