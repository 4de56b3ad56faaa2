"""One code per error, and one key set for every language.

The card pages' strings (static/js/frame/i18n-<locale>.js) are keyed by the server's codes (server/merchant/
errors.py CATALOG), by the few only the browser raises (static/js/shared/errors.js BROWSER_CODES), by a field
check's own state, or by a page string's name (label., placeholder., button., status., page.); never by a
second name for a server code, as `number_invalid` was for `invalid_number`. Every catalogue has every key
English has. The tables are read from the modules as Chromium loads them.
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
    field_codes = [code for code in CATALOG if hint(code)["field"] in FORM_FIELDS]
    assert sorted(field_codes) == ["invalid_cvc", "invalid_expiry", "invalid_name", "invalid_number", "invalid_postal"]
    assert [code for code in field_codes if code not in tables[language]] == []


@pytest.mark.parametrize("language", [lang for lang in LOCALES if lang != "en"])
def test_every_catalogue_has_every_english_key(tables, language):
    assert sorted(set(tables["en"]) - set(tables[language])) == []
    # The same placeholders: a translation that drops {size} would show a broken sentence.
    holes = {k: sorted(re.findall(r"\{\w+\}", v)) for k, v in tables["en"].items()}
    assert {k: v for k, v in holes.items() if sorted(re.findall(r"\{\w+\}", tables[language][k])) != v} == {}

