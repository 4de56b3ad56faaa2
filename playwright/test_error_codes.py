"""One code per error, and one English for each.

The card pages' strings (static/js/frame/i18n-<locale>.js) are keyed by the server's codes (server/merchant/
errors.py CATALOG), by the few only the browser raises (static/js/shared/errors.js BROWSER_CODES), by a field
check's own state, or by a page string's name (label., placeholder., button., status., page.); never by a
second name for a server code, as `number_invalid` was for `invalid_number`. An error the server sends carries
its message, the one English of it (errors.py): English (i18n-en.js) has only the errors the browser raises
itself, and every other catalogue has every key English has plus a translation of the server's shopper errors.
The tables are read from the modules as Chromium loads them.
"""

import re
from pathlib import Path

import pytest

from panless.merchant.errors import CATALOG, hint

FORM_FIELDS = ("name", "number", "expiry", "cvc", "postal")
# States the server never reports, because it never sees the field before it is complete.
FIELD_STATE = re.compile(rf"^({'|'.join(FORM_FIELDS)})_required$|^number_incomplete$|^expiry_past$")
PAGE_STRING = re.compile(r"^(label|placeholder|button|status|page)\.\w+$")
FRAME = Path(__file__).resolve().parent.parent / "static" / "js" / "frame"
LOCALES = sorted(p.stem.removeprefix("i18n-") for p in FRAME.glob("i18n-*.js"))
FIELD_CODES = [code for code in CATALOG if hint(code)["field"] in FORM_FIELDS]
# What the form and the PSP post raise with no message of the server's: clientError("x"), {code: "x", ...}.
RAISED = re.compile(r'(?:clientError\(|\bcode: )"(\w+)"')
# The server's errors a shopper meets in the form, translated by every catalogue but English (errors.py has it).
SHOPPER_ERRORS = ["card_not_found", "card_refused", "cvc_recollection_unsupported", "internal_error", "psp_error",
                  "psp_unavailable", "rate_limited", "session_closed", "session_expired", "too_many_attempts",
                  "unauthenticated", "unsupported_brand"]


def raised_by_the_browser() -> set[str]:
    """The codes the card form shows without a server's message: its own raises, and every field check's."""
    found = {code for module in FRAME.glob("*.js") for code in RAISED.findall(module.read_text())}
    checks = {f"{field}_required" for field in FORM_FIELDS} | {"number_incomplete", "expiry_past", *FIELD_CODES}
    return found | checks


def errors(table: dict) -> set[str]:
    return {key for key in table if not PAGE_STRING.match(key)}


@pytest.fixture(scope="module")
def tables(browser, blank_page_server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(blank_page_server.url + "/")
    yield page.evaluate("""async (locales) => {
      const out = {browser: [...(await import('/static/js/shared/errors.js')).BROWSER_CODES]};
      for (const l of locales) out[l] = (await import(`/static/js/frame/i18n-${l}.js`)).default;
      // English: the form's catalogue and the hosted page's own strings.
      Object.assign(out.en, (await import('/static/js/frame/page-strings.js')).default);
      return out;
    }""", LOCALES)
    context.close()


def test_the_required_languages_are_there():
    assert {"en", "fr", "es", "de", "pt-BR", "it", "nl"} <= set(LOCALES)


def test_browser_codes_are_not_server_codes(tables):
    assert tables["browser"] and not set(tables["browser"]) & set(CATALOG)


@pytest.mark.parametrize("language", LOCALES)
def test_every_message_is_keyed_by_one_known_code(tables, language):
    unknown = [key for key in tables[language] if not (key in CATALOG or key in tables["browser"]
                                                        or FIELD_STATE.match(key) or PAGE_STRING.match(key))]
    assert unknown == []


@pytest.mark.parametrize("language", LOCALES)
def test_each_field_error_has_its_message(tables, language):
    """The form's checks and the PSP's refusals show the same message for a field's error."""
    assert sorted(FIELD_CODES) == ["invalid_cvc", "invalid_expiry", "invalid_name", "invalid_number", "invalid_postal"]
    assert [code for code in FIELD_CODES if code not in tables[language]] == []


def test_english_has_the_errors_the_browser_raises_and_no_other(tables):
    """A server's error is shown with the message it came with: its English lives in errors.py alone."""
    raised = raised_by_the_browser()
    assert {"network_error", "psp_unreachable", "tokenization_failed", "validation_failed"} <= raised
    assert sorted(errors(tables["en"]) ^ raised) == []
    assert [code for code in SHOPPER_ERRORS if code in raised or not hint(code)["message"]] == []


@pytest.mark.parametrize("language", [lang for lang in LOCALES if lang != "en"])
def test_every_other_catalogue_translates_the_shopper_errors_of_the_server(tables, language):
    table = tables[language]
    assert sorted(errors(table) - raised_by_the_browser()) == SHOPPER_ERRORS
    assert [code for code in SHOPPER_ERRORS if table[code] == hint(code)["message"]] == []  # translated, not copied
    holes = {code: re.findall(r"\{\w+\}", hint(code)["message"]) for code in SHOPPER_ERRORS}
    assert {code: v for code, v in holes.items() if re.findall(r"\{\w+\}", table[code]) != v} == {}


@pytest.mark.parametrize("language", [lang for lang in LOCALES if lang != "en"])
def test_every_catalogue_has_every_english_key(tables, language):
    assert sorted(set(tables["en"]) - set(tables[language])) == []
    # The same placeholders: a translation that drops {size} would show a broken sentence.
    holes = {k: sorted(re.findall(r"\{\w+\}", v)) for k, v in tables["en"].items()}
    assert {k: v for k, v in holes.items() if sorted(re.findall(r"\{\w+\}", tables[language][k])) != v} == {}

