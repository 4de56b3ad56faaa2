"""Log redaction (core/redaction.py): every logger's records, tracebacks included."""

import logging

import pytest

from panless.core.redaction import install_log_redaction


def test_log_redaction_covers_every_logger(caplog):
    install_log_redaction()
    with caplog.at_level("INFO"):
        logging.getLogger("some.library").info("card %s cvc=%s", "4970107111111119", "123")
        logging.getLogger("werkzeug").info('"POST /x?cardNumber=4970-1071-1111-1119 HTTP/1.1"')
    text = "\n".join(caplog.messages)
    assert "4970107111111119" not in text and "1111-1119" not in text and "cvc=123" not in text
    assert "[PAN]" in text


def test_log_redaction_covers_tracebacks(caplog):
    install_log_redaction()
    with caplog.at_level("INFO"):
        try:
            raise ValueError("card 4970107111111119 refused")
        except ValueError:
            logging.getLogger("some.library").exception("while saving")
    assert "Traceback" in caplog.text and "ValueError: card [PAN] refused" in caplog.text
    assert "4970107111111119" not in caplog.text


def test_a_grouped_number_followed_by_a_short_group_is_still_a_card_number():
    """"4970 1011 2233 4422 123" (a number and its security code, or a status code after a logged path) fails
    Luhn read whole; the tripwire and the redactor read it as a number and a trailing group too."""
    from panless.core.pan import find_pans
    from panless.core.redaction import redact

    for sep in (" ", "-", ".", "+", "%20"):
        grouped = sep.join(["4970", "1011", "2233", "4422", "123"])
        assert find_pans(grouped) == ["4970101122334422"], sep
        assert redact(f"card {grouped} ok") == "card [PAN] ok", sep
    # The access log puts its status after an arrow, so it is not read as a trailing group and hidden.
    assert redact("GET /api/sessions/4970 1011 2233 4422 -> 400 in 0 ms") == "GET /api/sessions/[PAN] -> 400 in 0 ms"
    assert find_pans("4970 1011 2233 4423 123") == []  # neither reading is Luhn-valid


def test_a_group_before_a_grouped_number_does_not_hide_it():
    """"2026 4970 1011 2233 4422": the first four groups read as no card number; the search goes on from the
    second group, not past the fourth."""
    from panless.core.pan import find_pans
    from panless.core.redaction import redact

    for sep in (" ", "-", "."):
        text = sep.join(["2026", "4970", "1011", "2233", "4422"])
        assert find_pans(text) == ["4970101122334422"], sep
        assert redact(f"order {text} ok") == f"order 2026{sep}[PAN] ok", sep


def test_numbers_glued_to_letters_are_redacted_but_not_refused():
    """Digits in an identifier are no reason to refuse a request, but a card number glued to letters is never
    written out: not in a log line, an error's message or a stored report."""
    from panless.core.pan import find_pans
    from panless.core.redaction import redact

    assert find_pans("p4970101122334422") == []
    assert find_pans("p4970101122334422", glued=True) == ["4970101122334422"]
    assert redact("options.p4970101122334422x is unknown") == "options.p[PAN]x is unknown"
    assert redact("ses_aBcDeF 404") == "ses_aBcDeF 404"
    assert redact("x12345678901234567890y") == "x12345678901234567890y"  # 20 digits: no card number


@pytest.mark.parametrize("text", ["x%204970101122334422", "/p/%404970101122334422", "/p/%204970-1011-2233-4422",
                                  "4970101122334422123", "4970_1011_2233_4422", "4970/1011/2233/4422",
                                  "4970\t1011\t2233\t4422", "378282246310005 1234", "3782822463100051234"])
def test_more_shapes_of_a_card_number_are_caught(text):
    """After a percent-escape ending in a digit; a number and its code run together; other separators."""
    from panless.core.pan import find_pans
    from panless.core.redaction import redact

    assert find_pans(text) and find_pans(text)[0] in ("4970101122334422", "378282246310005"), text
    assert "4422" not in redact(text) and "0005" not in redact(text), redact(text)


def test_only_ascii_digits_are_card_digits():
    from panless.core.pan import ascii_digits, luhn_ok

    assert ascii_digits("4970101122334422") and not ascii_digits("٤٩٧٠") and not ascii_digits("²")
    assert not luhn_ok("٠٠") and not luhn_ok("")
