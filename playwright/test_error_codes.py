"""One code per error: the card pages' messages (static/js/frame/form.js in English, i18n-fr.js in French) are keyed
by the server's codes (server/merchant/errors.py CATALOG), by the few only the browser raises
(static/js/shared/errors.js BROWSER_CODES), or by a field check's own state; never by a second name for a server
code, as `number_invalid` was for `invalid_number`. The tables are read from the modules as Chromium loads them.
"""

import re

import pytest

from panless.merchant.errors import CATALOG, hint

FORM_FIELDS = ("name", "number", "expiry", "cvc", "postal")
# States the server never reports, because it never sees the field before it is complete.
FIELD_STATE = re.compile(rf"^({'|'.join(FORM_FIELDS)})_required$|^number_incomplete$|^expiry_past$")
LABEL = re.compile(r"^(label|button)\.\w+$")


@pytest.fixture(scope="module")
def tables(browser, blank_page_server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(blank_page_server.url + "/")
    yield page.evaluate("""async () => ({
      en: (await import('/static/js/frame/form.js')).en,
      fr: (await import('/static/js/frame/i18n-fr.js')).default,
      browser: [...(await import('/static/js/shared/errors.js')).BROWSER_CODES],
    })""")
    context.close()


def test_browser_codes_are_not_server_codes(tables):
    assert tables["browser"] and not set(tables["browser"]) & set(CATALOG)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_message_is_keyed_by_one_known_code(tables, language):
    unknown = [key for key in tables[language] if not (key in CATALOG or key in tables["browser"]
                                                        or FIELD_STATE.match(key) or LABEL.match(key))]
    assert unknown == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_field_error_has_its_message(tables, language):
    """The form's checks and the PSP's refusals show the same message for a field's error."""
    field_codes = [code for code in CATALOG if hint(code)["field"] in FORM_FIELDS]
    assert sorted(field_codes) == ["invalid_cvc", "invalid_expiry", "invalid_name", "invalid_number", "invalid_postal"]
    assert [code for code in field_codes if code not in tables[language]] == []


def test_french_covers_every_english_message(tables):
    assert sorted(set(tables["en"]) - set(tables["fr"])) == []
