"""The pure card module (brands, validators, formatters: static/js/card/card.js) runs in Chromium as the browser
loads it: ES modules over real HTTP, imported dynamically into a blank page of the same origin.

Full card numbers are only the PSPs' published test cards; other brands are given as prefixes,
or built in the page with a Luhn check digit computed there (see BUILD_JS).
"""

import json

import pytest

from tests.support.golden import FIXTURES

# Expiry tests run against a fixed "now": 15 June 2025, local time.
NOW_JS = "new Date(2025, 5, 15, 12, 0, 0)"

# A number of `length` digits starting with `prefix`, made Luhn-valid here rather than by the module
# under test, so that the test does not trust the code it checks.
BUILD_JS = """
const build = (prefix, length) => {
  const body = prefix.padEnd(length - 1, "0");
  let sum = 0;
  [...body].reverse().forEach((c, i) => {
    let d = Number(c);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  });
  return body + String((10 - (sum % 10)) % 10);
};
"""


@pytest.fixture(scope="module")
def card_page(browser, blank_page_server):
    # One page for the module: the functions under test are pure, and a context per case costs 0.3 s.
    context = browser.new_context()
    page = context.new_page()
    page.goto(blank_page_server.url + "/")
    yield page
    context.close()


def call(page, fn: str, *args):
    """Call an exported function of /static/js/card/card.js with JSON arguments."""
    return page.evaluate(
        "async ([path, fn, args]) => { const m = await import(path); return m[fn](...args); }",
        ["/static/js/card/card.js", fn, list(args)],
    )


def brand_type(result):
    return result["brand"]["type"] if result.get("brand") else None


def verdict(result):
    return (result["isValid"], result["isPotentiallyValid"], result.get("reason"))


# --- brands ---------------------------------------------------------------------------------------

ALL_TYPES = ["visa", "mastercard", "amex", "maestro", "bcmc", "discover", "jcb", "diners", "unionpay", "rupay", "elo",
             "mir", "troy"]


def test_table_lists_every_brand_once(card_page):
    types = card_page.evaluate(
        "async () => (await import('/static/js/card/card.js')).BRANDS.map((b) => b.type)"
    )
    assert sorted(types) == sorted(ALL_TYPES)


def test_table_is_deeply_frozen(card_page):
    frozen = card_page.evaluate(
        """async () => {
          const { BRANDS } = await import('/static/js/card/card.js');
          const deep = (v) => typeof v !== 'object' || v === null
            || (Object.isFrozen(v) && Object.values(v).every(deep));
          return deep(BRANDS);
        }"""
    )
    assert frozen is True


@pytest.mark.parametrize(
    "type_, size, cvc_required, lengths",
    [
        ("visa", 3, True, [16, 18, 19]),
        ("mastercard", 3, True, [16]),
        ("amex", 4, True, [15]),
        ("maestro", 3, False, [12, 13, 14, 15, 16, 17, 18, 19]),
        ("bcmc", 0, False, [12, 13, 14, 15, 16, 17, 18, 19]),
        ("discover", 3, True, [16, 19]),
        ("jcb", 3, True, [16, 17, 18, 19]),
        ("diners", 3, True, [14, 16, 19]),
        ("unionpay", 3, True, [14, 15, 16, 17, 18, 19]),
        ("rupay", 3, True, [16]),
        ("elo", 3, True, [16]),
        ("mir", 3, True, [16, 17, 18, 19]),
        ("troy", 3, True, [16]),
    ],
)
def test_table_entry(card_page, type_, size, cvc_required, lengths):
    entry = call(card_page, "brandByType", type_)
    assert set(entry) == {"type", "niceType", "patterns", "gaps", "lengths", "code", "cvcRequired", "luhn"}
    assert entry["code"]["size"] == size
    assert entry["cvcRequired"] is cvc_required
    assert entry["lengths"] == lengths


@pytest.mark.parametrize(
    "digits, expected",
    [
        ("4", "visa"),
        ("49", "visa"),
        ("4970107111111119", "visa"),
        ("4970105181818183", "visa"),
        ("4111111111111111", "visa"),
        ("4242 4242", "visa"),
        ("34", "amex"),
        ("37", "amex"),
        ("375989111111119", "amex"),
        ("375987000000005", "amex"),
        ("51", "mastercard"),
        ("53", "mastercard"),
        ("55", "mastercard"),
        ("2221", "mastercard"),
        ("2500", "mastercard"),
        ("2720", "mastercard"),
        ("5555555555554444", "mastercard"),
        ("5200000000002235", "mastercard"),
        ("5018", "maestro"),
        ("5020", "maestro"),
        ("5033", "maestro"),
        ("5038", "maestro"),
        ("5033951000000004", "maestro"),
        ("56", "maestro"),
        ("58", "maestro"),
        ("5893", "maestro"),
        ("6304", "maestro"),
        ("6759", "maestro"),
        ("6761", "maestro"),
        ("6762", "maestro"),
        ("6763", "maestro"),
        ("6703", "bcmc"),
        ("670312", "bcmc"),
        ("479658", "bcmc"),
        ("606005", "bcmc"),
        ("6011", "discover"),
        ("644", "discover"),
        ("649", "discover"),
        ("65", "discover"),
        ("3528", "jcb"),
        ("3589", "jcb"),
        ("2131", "jcb"),
        ("1800", "jcb"),
        ("30", "diners"),
        ("300", "diners"),
        ("305", "diners"),
        ("3095", "diners"),
        ("36", "diners"),
        ("38", "diners"),
        ("39", "diners"),
        ("62", "unionpay"),
        ("6212", "unionpay"),
        ("8171", "unionpay"),
    ],
)
def test_detect_brand(card_page, digits, expected):
    assert (call(card_page, "detectBrand", digits) or {}).get("type") == expected


@pytest.mark.parametrize(
    "digits",
    [
        "",  # nothing typed
        "3",  # amex, diners or jcb
        "5",  # mastercard or maestro
        "2",  # mastercard, jcb or mir
        "22",  # mastercard (2221-2720) or mir (2200-2204)
        "50",  # maestro, rupay (508500-508999) or elo (504175, 509000-509999...)
        "35",  # jcb (3528-3589) or rupay (353800)
        "81",  # unionpay (8100-8171) or rupay (817290...)
        "5019",  # Dankort: not taken
        "2220",
        "2721",
        "306",
        "3590",
        "7",
        "4970107111111119" + "0000",  # longer than any Visa
    ],
)
def test_detect_brand_none(card_page, digits):
    assert call(card_page, "detectBrand", digits) is None


@pytest.mark.parametrize(
    "digits, expected",
    [
        ("", ALL_TYPES),
        ("3", ["amex", "jcb", "diners", "rupay"]),
        ("5", ["mastercard", "maestro", "rupay", "elo"]),
        ("2", ["mastercard", "jcb", "mir"]),
        ("4", ["visa", "bcmc", "elo"]),
        ("6", ["maestro", "bcmc", "discover", "unionpay", "rupay", "elo"]),
        ("60", ["maestro", "bcmc", "discover", "rupay"]),
        ("62", ["maestro", "unionpay", "elo"]),
        ("37", ["amex"]),
        ("5019", []),
        ("8", ["unionpay", "rupay"]),
        ("9", ["troy"]),
        ("55555555555544440", []),  # 17 digits: Mastercard stops at 16
    ],
)
def test_candidate_brands(card_page, digits, expected):
    found = [b["type"] for b in call(card_page, "candidateBrands", digits)]
    assert sorted(found) == sorted(expected)


# --- validators: luhn and number ----------------------------------------------------------------

PUBLISHED = [
    ("4970107111111119", "visa"),
    ("4970105181818183", "visa"),
    ("4111111111111111", "visa"),
    ("4242424242424242", "visa"),
    ("5033951000000004", "maestro"),
    ("5555555555554444", "mastercard"),
    ("5200000000002235", "mastercard"),
    ("375989111111119", "amex"),
    ("375987000000005", "amex"),
]


@pytest.mark.parametrize("digits", [number for number, _ in PUBLISHED] + ["79927398713", "0"])
def test_luhn_valid(card_page, digits):
    assert call(card_page, "luhn", digits) is True


@pytest.mark.parametrize(
    "digits",
    [
        "4970107111111118",
        "4970107111111110",
        "4111111111111112",
        "5555555555554445",
        "375989111111118",
        "79927398710",
        "",
        "abc",
        "4242 4242 4242 4242",  # luhn() takes bare digits
    ],
)
def test_luhn_invalid(card_page, digits):
    assert call(card_page, "luhn", digits) is False


@pytest.mark.parametrize("number, brand", PUBLISHED)
def test_number_published_cards_valid(card_page, number, brand):
    result = call(card_page, "validateNumber", number)
    assert verdict(result) == (True, True, None)
    assert brand_type(result) == brand


@pytest.mark.parametrize(
    "value",
    ["4970 1071 1111 1119", "4970-1071-1111-1119", " 4970107111111119 ", "3759 891111 11119"],
)
def test_number_separators_allowed(card_page, value):
    assert call(card_page, "validateNumber", value)["isValid"] is True


@pytest.mark.parametrize(
    "prefix, length, brand",
    [
        ("4000", 19, "visa"),
        ("4000", 18, "visa"),
        ("2221", 16, "mastercard"),
        ("2720", 16, "mastercard"),
        ("3400", 15, "amex"),
        ("6759", 12, "maestro"),
        ("5018", 19, "maestro"),
        ("6703", 16, "bcmc"),
        ("6703", 17, "bcmc"),
        ("6703", 19, "bcmc"),
        ("6011", 16, "discover"),
        ("6500", 19, "discover"),
        ("3530", 16, "jcb"),
        ("3530", 19, "jcb"),
        ("3600", 14, "diners"),
        ("3000", 16, "diners"),
    ],
)
def test_number_built_per_brand(card_page, prefix, length, brand):
    valid, corrupted = card_page.evaluate(
        "async ([prefix, length]) => {" + BUILD_JS + """
          const { validateNumber } = await import('/static/js/card/card.js');
          const number = build(prefix, length);
          const wrong = number.slice(0, -1) + String((Number(number.at(-1)) + 1) % 10);
          return [validateNumber(number), validateNumber(wrong)];
        }""",
        [prefix, length],
    )
    assert verdict(valid) == (True, True, None)
    assert brand_type(valid) == brand
    assert corrupted["isValid"] is False and corrupted["reason"] == "invalid_number"


@pytest.mark.parametrize(
    "prefix, length",
    [
        ("5100", 15),  # Mastercard is 16 only
        ("3400", 16),  # Amex is 15 only
        ("4000", 17),  # Visa skips 17
        ("3600", 15),  # Diners: 14, 16 or 19
    ],
)
def test_number_luhn_valid_but_wrong_length(card_page, prefix, length):
    result = card_page.evaluate(
        "async ([prefix, length]) => {" + BUILD_JS + """
          const { validateNumber } = await import('/static/js/card/card.js');
          return validateNumber(build(prefix, length));
        }""",
        [prefix, length],
    )
    assert result["isValid"] is False


@pytest.mark.parametrize(
    "value, expected, brand",
    [
        ("", (False, True, "required"), None),
        ("4", (False, True, "incomplete"), "visa"),
        ("4970 1071", (False, True, "incomplete"), "visa"),
        ("497010711111111", (False, True, "incomplete"), "visa"),
        ("3", (False, True, "incomplete"), None),
        ("3759 8911 1111", (False, True, "incomplete"), "amex"),
        ("50339510", (False, True, "incomplete"), "maestro"),
        ("555555555555444", (False, True, "incomplete"), "mastercard"),
        # Luhn fails at a valid length, but Visa may still reach 18 or 19 digits.
        ("4970107111111118", (False, True, "invalid_number"), "visa"),
        # Luhn fails at the brand's longest length: nothing more can help.
        ("5555555555554445", (False, False, "invalid_number"), "mastercard"),
        ("375989111111118", (False, False, "invalid_number"), "amex"),
        ("3759891111111190", (False, False, "invalid_number"), None),
        ("55555555555544440", (False, False, "invalid_number"), None),
        ("5019", (False, False, "invalid_number"), None),
        ("7", (False, False, "invalid_number"), None),
        ("4970a", (False, False, "invalid_number"), None),
        ("4970.1071", (False, False, "invalid_number"), None),
    ],
)
def test_number_partial_and_invalid(card_page, value, expected, brand):
    result = call(card_page, "validateNumber", value)
    assert verdict(result) == expected
    assert brand_type(result) == brand


# --- validators: expiry -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("12/26", {"month": 12, "year": 2026}),
        ("12 / 26", {"month": 12, "year": 2026}),
        ("1226", {"month": 12, "year": 2026}),
        ("12/2026", {"month": 12, "year": 2026}),
        ("122026", {"month": 12, "year": 2026}),
        ("1/26", {"month": 1, "year": 2026}),
        ("1 / 2030", {"month": 1, "year": 2030}),
        ("01/30", {"month": 1, "year": 2030}),
        ("12-26", {"month": 12, "year": 2026}),
        ("12 26", {"month": 12, "year": 2026}),
        (" 07/28 ", {"month": 7, "year": 2028}),
        ("13/26", {"month": 13, "year": 2026}),  # parsed; validateExpiry rejects the month
        ("", None),
        ("1", None),
        ("12", None),
        ("12 / ", None),
        ("12/2", None),
        ("12/026", None),
        ("ab/cd", None),
        ("1/2/26", None),
    ],
)
def test_parse_expiry(card_page, value, expected):
    assert call(card_page, "parseExpiry", value) == expected


def validate_expiry(page, value):
    return page.evaluate(
        f"async (v) => (await import('/static/js/card/card.js')).validateExpiry(v, {NOW_JS})",
        value,
    )


@pytest.mark.parametrize(
    "value, expected",
    [
        ("06/25", (True, True, None)),  # the current month is still good
        ("6/25", (True, True, None)),
        ("06 / 2025", (True, True, None)),
        ("0625", (True, True, None)),
        ("07/25", (True, True, None)),
        ("12 / 26", (True, True, None)),
        ("01/30", (True, True, None)),
        ("12/45", (True, True, None)),  # 20 years ahead
        ("12/2045", (True, True, None)),
        ("05/25", (False, False, "expired")),
        ("5/25", (False, False, "expired")),
        ("12/24", (False, False, "expired")),
        ("01/2025", (False, False, "expired")),
        ("12/19", (False, False, "expired")),
        ("12/20", (False, True, "expired")),  # may still become 12/2030
        ("01/46", (False, False, "invalid_year")),
        ("01/2046", (False, False, "invalid_year")),
        ("12/99", (False, False, "invalid_year")),
        ("13/26", (False, False, "invalid_month")),
        ("00/26", (False, False, "invalid_month")),
        ("0/26", (False, False, "invalid_month")),
        ("20", (False, False, "invalid_month")),
        ("", (False, True, "required")),
        ("0", (False, True, "incomplete")),
        ("1", (False, True, "incomplete")),
        ("12", (False, True, "incomplete")),
        ("12 / ", (False, True, "incomplete")),
        ("12 / 2", (False, True, "incomplete")),
        ("12/202", (False, True, "incomplete")),
        ("12/205", (False, False, "invalid_year")),
        ("12 / 9", (False, False, "invalid_year")),
        ("ab", (False, False, "invalid_expiry")),
        ("12/26/1", (False, False, "invalid_expiry")),
        ("2027-01", (True, True, None)),  # YYYY-MM
        ("2025-05", (False, False, "expired")),
        ("2027-13", (False, False, "invalid_month")),
        ("127", (True, True, None)),  # 1/27: no separator, one-digit month
        ("22027", (True, True, None)),  # 2/2027
        ("52019", (False, False, "expired")),
    ],
)
def test_validate_expiry(card_page, value, expected):
    assert verdict(validate_expiry(card_page, value)) == expected


def test_validate_expiry_returns_parsed_date(card_page):
    result = validate_expiry(card_page, "1 / 27")
    assert (result["month"], result["year"]) == (1, 2027)


def test_validate_expiry_defaults_to_today(card_page):
    results = card_page.evaluate(
        """async () => {
          const { validateExpiry } = await import('/static/js/card/card.js');
          const y = new Date().getFullYear();
          return [validateExpiry(`12/${y + 1}`).isValid, validateExpiry(`01/${y - 1}`).isValid];
        }"""
    )
    assert results == [True, False]


# --- validators: cvc and name -------------------------------------------------------------------


@pytest.mark.parametrize(
    "cvc, brand, expected",
    [
        ("123", "visa", (True, True, None)),
        ("123", "mastercard", (True, True, None)),
        ("123", "discover", (True, True, None)),
        ("123", "jcb", (True, True, None)),
        ("123", "diners", (True, True, None)),
        ("123", "unionpay", (True, True, None)),
        ("123", "rupay", (True, True, None)),
        ("1234", "rupay", (False, False, "invalid_cvc")),
        ("", "rupay", (False, True, "required")),  # RuPay is not Maestro: its code is required
        ("123", "elo", (True, True, None)),
        ("123", "mir", (True, True, None)),
        ("123", "troy", (True, True, None)),
        ("12", "visa", (False, True, "incomplete")),
        ("1234", "visa", (False, False, "invalid_cvc")),
        ("", "visa", (False, True, "required")),
        ("12a", "visa", (False, False, "invalid_cvc")),
        # card-validator refuses whitespace in a CVC; Panless trims it, as a pasted or autofilled code may carry it.
        (" 123 ", "visa", (True, True, None)),
        ("1234", "amex", (True, True, None)),
        ("123", "amex", (False, True, "incomplete")),
        ("12345", "amex", (False, False, "invalid_cvc")),
        ("", "amex", (False, True, "required")),
        # credit-card-type makes Maestro's code required; Panless leaves it optional, because Mangopay's published
        # Maestro test card (5033951000000004) is registered without one and some Maestro cards have none.
        ("", "maestro", (True, True, None)),
        ("123", "maestro", (True, True, None)),
        ("12", "maestro", (False, True, "incomplete")),
        ("1234", "maestro", (False, False, "invalid_cvc")),
        ("", "bcmc", (True, True, None)),  # Bancontact has no code
        ("123", "bcmc", (False, False, "invalid_cvc")),
        ("123", None, (True, True, None)),  # brand unknown yet: 3 or 4
        ("1234", None, (True, True, None)),
        ("12345", None, (False, False, "invalid_cvc")),
        ("", None, (False, True, "required")),
    ],
)
def test_validate_cvc(card_page, cvc, brand, expected):
    assert verdict(call(card_page, "validateCvc", cvc, brand)) == expected


def test_validate_cvc_takes_brand_entry(card_page):
    results = card_page.evaluate(
        """async () => {
          const { validateCvc } = await import('/static/js/card/card.js');
          const { detectBrand } = await import('/static/js/card/card.js');
          return [validateCvc('1234', detectBrand('37')).isValid, validateCvc('', detectBrand('5033')).isValid];
        }"""
    )
    assert results == [True, True]


@pytest.mark.parametrize(
    "name",
    [
        "Jean Dupont",
        "José Álvarez",
        "Anne-Marie O'Neil",
        "D’Arcy Smith",
        "J. R. R. Tolkien",
        "Zoë Ångström",
        "Łukasz Żółć",
        "Nguyễn Văn An",
        "Li",
        "  Ana Lima  ",
        "A" * 45,
    ],
)
def test_validate_name_valid(card_page, name):
    assert verdict(call(card_page, "validateName", name)) == (True, True, None)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("", (False, True, "required")),
        ("   ", (False, True, "required")),
        ("A", (False, True, "incomplete")),
        ("John3", (False, False, "invalid_name")),
        ("-John", (False, False, "invalid_name")),
        (".", (False, False, "invalid_name")),
        ("John_Doe", (False, False, "invalid_name")),
        ("Jean@Dupont", (False, False, "invalid_name")),
        ("<script>", (False, False, "invalid_name")),
        ("A" * 46, (False, False, "invalid_name")),
    ],
)
def test_validate_name_invalid(card_page, name, expected):
    assert verdict(call(card_page, "validateName", name)) == expected


# --- formatters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("4970 1071-1111 1119", "4970107111111119"),
        ("12 / 26", "1226"),
        ("abc", ""),
        ("", ""),
        (None, ""),
        (" 3 7 5 ", "375"),
    ],
)
def test_digits_only(card_page, value, expected):
    assert call(card_page, "digitsOnly", value) == expected


@pytest.mark.parametrize(
    "value, brand, expected",
    [
        ("4970107111111119", None, "4970 1071 1111 1119"),
        ("4970-1071-1111-1119", None, "4970 1071 1111 1119"),
        ("4970 1071 1111 1119", None, "4970 1071 1111 1119"),
        ("4970107111111119123", None, "4970 1071 1111 1119 123"),
        ("49701071111111191234", None, "4970 1071 1111 1119 123"),  # Visa caps at 19
        ("375989111111119", None, "3759 891111 11119"),
        ("3759891111111190000", None, "3759 891111 11119"),  # Amex caps at 15
        ("5555555555554444999", None, "5555 5555 5555 4444"),  # Mastercard caps at 16
        ("5033951000000004", None, "5033 9510 0000 0004"),
        ("4", None, "4"),
        ("4242", None, "4242"),
        ("42424", None, "4242 4"),
        ("37598", None, "3759 8"),
        ("3759891111", None, "3759 891111"),
        ("37598911111", None, "3759 891111 1"),
        ("", None, ""),
        ("99999999", None, "9999 9999"),  # no brand: 4-4-4-4
        ("9" * 25, None, "9999 9999 9999 9999 999"),  # no brand: 19 at most
        ("12345678901234", "diners", "1234 567890 1234"),
        ("12345678901234567", "amex", "1234 567890 12345"),
        ("1234567890123456789012", "visa", "1234 5678 9012 3456 789"),
        ("12345678901234567", "mastercard", "1234 5678 9012 3456"),
    ],
)
def test_format_number(card_page, value, brand, expected):
    assert call(card_page, "formatNumber", value, brand) == expected


def test_format_number_takes_brand_entry(card_page):
    out = card_page.evaluate(
        """async () => {
          const { formatNumber } = await import('/static/js/card/card.js');
          const { brandByType } = await import('/static/js/card/card.js');
          return formatNumber('123456789012345', brandByType('amex'));
        }"""
    )
    assert out == "1234 567890 12345"


def split_caret(marked: str):
    """'4970 10|71' -> ('4970 1071', 7): the bar marks the caret."""
    return marked.replace("|", ""), marked.index("|")


@pytest.mark.parametrize(
    "edited, previous, brand, expected",
    [
        # typing at the end
        ("4970|", "497", None, "4970|"),
        ("49701|", "4970", None, "4970 1|"),
        ("4970 1071 1111 1119|", "4970 1071 1111 111", None, "4970 1071 1111 1119|"),
        ("37598|", "3759", None, "3759 8|"),
        ("3759 8911111|", "3759 891111", None, "3759 891111 1|"),
        # typing in the middle: the caret stays after the typed digit
        ("4970 1|071", "4970 071", None, "4970 1|071"),
        ("499|70 1071 1111 111", "4970 1071 1111 111", None, "499|7 0107 1111 1111"),
        ("49705| 1071", "4970 1071", None, "4970 5|107 1"),
        ("4970 9|1071", "4970 1071", None, "4970 9|107 1"),
        # a digit beyond the brand's length is dropped
        ("5555 5555 5555 44449|", "5555 5555 5555 4444", None, "5555 5555 5555 4444|"),
        # pasting
        ("4970 1071 1111 1119|", "", None, "4970 1071 1111 1119|"),
        ("4970-1071-1111-1119|", "", None, "4970 1071 1111 1119|"),
        ("4970107111111119|", "", None, "4970 1071 1111 1119|"),
        ("375989111111119|", "", None, "3759 891111 11119|"),
        ("4970 1071-1111-1119|", "4970 ", None, "4970 1071 1111 1119|"),
        ("4970 1071-1111|5", "4970 5", None, "4970 1071 1111| 5"),
        ("42424242|", "4242 4242", None, "4242 4242|"),  # paste over a selection of itself
        # deleting a digit
        ("4970 1|71 1111 1119", "4970 1071 1111 1119", None, "4970 1|711 1111 119"),
        ("4970 |071", "4970 1071", None, "4970| 071"),
        ("497| 1071", "4970 1071", None, "497|1 071"),
        ("|970 1071", "4970 1071", None, "|9701 071"),
        ("4970 |1111", "4970 1071 1111", None, "4970| 1111"),  # a selection removed
        ("4970 1071 1111 111|", "4970 1071 1111 1119", None, "4970 1071 1111 111|"),
        # Backspace over a space takes the digit before it too
        ("4970|1071", "4970 1071", None, "497|1 071"),
        ("4970 1071|1111 1119", "4970 1071 1111 1119", None, "4970 107|1 1111 119"),
        ("3759|891111 11119", "3759 891111 11119", None, "375|8 911111 1119"),
        # an explicit brand decides the grouping
        ("12345|", "1234", "amex", "1234 5|"),
        ("1234 56789012|", "1234 5678901", "amex", "1234 567890 12|"),
    ],
)
def test_format_with_caret(card_page, edited, previous, brand, expected):
    value, caret = split_caret(edited)
    out = call(card_page, "formatWithCaret", value, caret, brand, previous)
    assert out["value"][: out["caret"]] + "|" + out["value"][out["caret"] :] == expected


@pytest.mark.parametrize(
    "edited, expected",
    [
        ("4970|1071", "4970| 1071"),  # without `previous` the space just comes back
        ("4970 1071|", "4970 1071|"),
        ("49701071|", "4970 1071|"),
    ],
)
def test_format_with_caret_without_previous(card_page, edited, expected):
    value, caret = split_caret(edited)
    out = call(card_page, "formatWithCaret", value, caret)
    assert out["value"][: out["caret"]] + "|" + out["value"][out["caret"] :] == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("", ""),
        ("0", "0"),
        ("1", "1"),
        ("2", "02 / "),
        ("9", "09 / "),
        ("10", "10 / "),
        ("12", "12 / "),
        ("13", "01 / 3"),  # no 13th month: the 3 starts the year
        ("1/", "01 / "),
        ("1 ", "01 / "),
        ("12/", "12 / "),
        ("12 / ", "12 / "),
        ("12 / 2", "12 / 2"),
        ("12 / 26", "12 / 26"),
        ("1226", "12 / 26"),
        ("12/26", "12 / 26"),
        ("1/26", "01 / 26"),
        ("12/2026", "12 / 2026"),
        ("2027-01", "01 / 2027"),  # <input type=month>, some autofill
        ("12 /", "1"),  # Backspace on "12 / "
        ("02 /", "0"),
        ("ab", ""),
    ],
)
def test_format_expiry(card_page, value, expected):
    assert call(card_page, "formatExpiry", value) == expected


def test_format_expiry_typing_and_deleting(card_page):
    steps = card_page.evaluate(
        """async () => {
          const { formatExpiry } = await import('/static/js/card/card.js');
          const seen = [];
          let v = '';
          for (const key of '1226') seen.push(v = formatExpiry(v + key));
          while (v) seen.push(v = formatExpiry(v.slice(0, -1)));
          return seen;
        }"""
    )
    assert steps == ["1", "12 / ", "12 / 2", "12 / 26", "12 / 2", "12 / ", "1", ""]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("12 / 26", {"month": "12", "year": "2026"}),
        ("1/2030", {"month": "01", "year": "2030"}),
        ("0728", {"month": "07", "year": "2028"}),
        ("12 /", None),
        ("00/26", None),
    ],
)
def test_expiry_parts(card_page, value, expected):
    assert call(card_page, "expiryParts", value) == expected


# --- every brand's published ranges and lengths (tests/fixtures/cards) -----------------------------

CARDS = json.loads((FIXTURES / "cards" / "brands.json").read_text())
BRAND_TABLE = {entry["type"]: entry for entry in CARDS["brands"]}


def test_fixture_names_every_brand_of_the_module():
    assert sorted(BRAND_TABLE) == sorted(ALL_TYPES)


@pytest.mark.parametrize("type_", sorted(BRAND_TABLE))
def test_brand_entry_as_published(card_page, type_):
    expected = BRAND_TABLE[type_]
    entry = call(card_page, "brandByType", type_)
    assert entry["niceType"] == expected["niceType"]
    assert entry["lengths"] == expected["lengths"] and entry["gaps"] == expected["gaps"]
    assert (entry["code"]["size"], entry["cvcRequired"], entry["luhn"]) == (
        expected["cvc"], expected["cvcRequired"], expected["luhn"])


RANGES_JS = "async ([ranges, cvc]) => {" + BUILD_JS + """
  const card = await import('/static/js/card/card.js');
  const out = [];
  for (const [prefix, lengths] of ranges) {
    for (let length = 12; length <= 19; length++) {
      const number = build(prefix, length);
      const wrong = number.slice(0, -1) + String((Number(number.at(-1)) + 1) % 10);
      const r = card.validateNumber(number);
      out.push({ prefix, length, number, valid: r.isValid, brand: r.brand?.type ?? null,
                 wrongValid: card.validateNumber(wrong).isValid, detected: card.detectBrand(number)?.type ?? null,
                 formatted: card.formatNumber(number), expected: lengths.includes(length) });
    }
  }
  const brand = card.detectBrand(ranges[0][0]);
  const codes = [cvc, cvc + 1].map((n) => card.validateCvc('1'.repeat(n), brand).isValid);
  return { out, codes, blank: card.validateCvc('', brand).isValid };
}"""


def grouped(number: str, gaps: list[int]) -> str:
    return "".join((" " if i in gaps else "") + d for i, d in enumerate(number))


def published_brand(number: str) -> str | None:
    """The brand whose published range holds the number with the longest prefix, from the fixture alone."""
    best, longest = None, 0
    for type_, entry in BRAND_TABLE.items():
        for low, high in entry["ranges"]:
            if low <= number[: len(low)] <= high and len(low) > longest:
                best, longest = type_, len(low)
    return best


@pytest.mark.parametrize("type_", sorted(BRAND_TABLE))
def test_every_range_and_length_of_the_brand(card_page, type_):
    """Both ends of each published range, at every length from 12 to 19: valid exactly at the brand's lengths,
    with a check digit when the brand has one; grouped by the brand's gaps; the CVC of the brand's size."""
    expected = BRAND_TABLE[type_]
    ranges = [(end, expected.get("range_lengths", {}).get(low, expected["lengths"]))
              for low, high in expected["ranges"] for end in sorted({low, high})]
    result = card_page.evaluate(RANGES_JS, [ranges, expected["cvc"]])
    checked = 0
    for case in result["out"]:
        where = f"{type_} {case['prefix']} x{case['length']}"
        if published_brand(case["number"]) != type_:
            continue  # the zeros after the prefix fall in another brand's narrower range (5099 -> Elo's 509900)
        if case["length"] > max(expected["lengths"]):
            assert not (case["valid"] and case["brand"] == type_), where
            continue
        checked += 1
        assert case["detected"] == type_, where
        assert case["valid"] is case["expected"], where
        if case["expected"]:
            assert case["brand"] == type_, where
            assert case["wrongValid"] is (not expected["luhn"]), where
            assert case["formatted"] == grouped(case["number"], expected["gaps"]), where
    assert checked >= len(expected["ranges"])
    assert result["codes"] == [True, False]  # a code of the brand's size, not one digit more (none: blank)
    assert result["blank"] is (not expected["cvcRequired"])


@pytest.mark.parametrize("type_, prefix", [(t, p) for t, e in sorted(BRAND_TABLE.items()) for p in e["outside"]])
def test_next_to_a_range_is_not_the_brand(card_page, type_, prefix):
    assert (call(card_page, "detectBrand", prefix) or {}).get("type") != type_


@pytest.mark.parametrize("value, expected, why", CARDS["expiry"])
def test_expiry_read_as_the_reference_reads_it(card_page, value, expected, why):
    parsed = card_page.evaluate(
        f"async (v) => (await import('/static/js/card/card.js')).parseExpiry(v, {NOW_JS})", value)
    assert parsed == expected, why


@pytest.mark.parametrize(
    "prefix, length, verdict_, brand",
    [
        # RuPay is its own brand (Juspay's table), not Maestro, not Discover: its code is required.
        ("508500", 16, (True, True, None), "rupay"),
        ("652150", 16, (True, True, None), "rupay"),
        ("652150", 17, (False, True, "incomplete"), "discover"),  # RuPay is 16 only: longer, only Discover's 19
        # Bancontact on 6703 keeps Maestro's 12-15 (credit-card-type: Maestro), but 479658 has Visa's lengths.
        ("6703", 12, (True, True, None), "bcmc"),
        ("6703", 15, (True, True, None), "bcmc"),
        ("479658", 17, (False, True, "incomplete"), "bcmc"),
        ("479658", 18, (True, True, None), "bcmc"),
    ],
)
def test_co_badged_ranges(card_page, prefix, length, verdict_, brand):
    result = card_page.evaluate(
        "async ([prefix, length]) => {" + BUILD_JS + """
          return (await import('/static/js/card/card.js')).validateNumber(build(prefix, length));
        }""",
        [prefix, length],
    )
    assert verdict(result) == verdict_
    assert brand_type(result) == brand
