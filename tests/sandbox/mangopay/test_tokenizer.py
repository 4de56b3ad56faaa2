"""The sandbox's Mangopay tokenizer (the card registration URL the browser posts the card to)."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from panless.sandbox import create_app as create_sandbox
from tests.sandbox.mangopay.wire import AMEX, FUTURE, LAST_YEAR, MAESTRO, THIS_MONTH, VISA
from tests.support import LiveServer
from tests.support.sandbox import TIMEOUT, MangopayWire


def test_tokenize_success_is_plain_text_data(mp):
    r = mp.tokenize(mp.registration(), VISA, FUTURE)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain")
    assert r.text.startswith("data=") and len(r.text) > 60
    assert VISA not in r.text


@pytest.mark.parametrize("card_type,number,expiry,cvc,code", [
    ("CB_VISA_MASTERCARD", "4970107111111118", FUTURE, "123", "02625"),   # Luhn fails
    ("CB_VISA_MASTERCARD", "4970 1071 1111 1119", FUTURE, "123", "02625"),  # not digits only
    ("CB_VISA_MASTERCARD", "49701071", FUTURE, "123", "02625"),            # too short
    ("CB_VISA_MASTERCARD", AMEX, FUTURE, "1234", "02625"),                 # brand does not fit the type
    ("AMEX", VISA, FUTURE, "123", "02625"),
    ("CB_VISA_MASTERCARD", VISA, LAST_YEAR, "123", "02626"),               # expired
    ("CB_VISA_MASTERCARD", VISA, "1330", "123", "02626"),                  # month 13
    ("CB_VISA_MASTERCARD", VISA, "12/30", "123", "02626"),                 # not MMYY
    ("CB_VISA_MASTERCARD", VISA, "", "123", "02626"),
    ("CB_VISA_MASTERCARD", VISA, FUTURE, "12", "02627"),
    ("CB_VISA_MASTERCARD", VISA, FUTURE, "1234", "02627"),
    ("CB_VISA_MASTERCARD", VISA, FUTURE, "", "02627"),
    ("AMEX", AMEX, FUTURE, "123", "02627"),                                # Amex needs 4
])
def test_tokenize_errors(mp, card_type, number, expiry, cvc, code):
    r = mp.tokenize(mp.registration(card_type), number, expiry, cvc)
    assert r.status_code == 200 and r.text == f"errorCode={code}"


@pytest.mark.parametrize("card_type,number,cvc", [
    ("AMEX", AMEX, "1234"), ("MAESTRO", MAESTRO, ""), ("MAESTRO", MAESTRO, "000"), ("BCMC", MAESTRO, ""),
    ("CB_VISA_MASTERCARD", VISA, "123"), ("CB_VISA_MASTERCARD", "5555555555554444", "123"),
])
def test_tokenize_cvc_by_card_type(mp, card_type, number, cvc):
    assert mp.tokenize(mp.registration(card_type), number, FUTURE, cvc).text.startswith("data=")


def test_current_month_is_not_expired(mp):
    assert mp.tokenize(mp.registration(), VISA, THIS_MONTH).text.startswith("data=")


@pytest.mark.parametrize("field", ["accessKeyRef", "data"])
def test_tokenize_checks_access_key_and_data(mp, field):
    reg = mp.registration()
    r = mp.tokenize(reg, VISA, FUTURE, **{field: "wrong"})
    assert r.text == "errorCode=09101"


def test_tokenize_needs_the_registrations_own_url(mp):
    reg, other = mp.registration(), mp.registration()
    reg["CardRegistrationURL"] = other["CardRegistrationURL"]
    assert mp.tokenize(reg, VISA, FUTURE).text == "errorCode=09101"


def test_tokenize_get_is_refused_with_02632(mp):
    r = requests.get(mp.registration()["CardRegistrationURL"], timeout=TIMEOUT)
    assert r.status_code == 200 and r.text == "errorCode=02632"


def test_tokenize_too_late_02631(mp, sandbox):
    reg = mp.registration()
    requests.post(f"{sandbox.url}/_sandbox/clock", json={"advance": 30 * 60 + 1}, timeout=TIMEOUT)
    assert mp.tokenize(reg, VISA, FUTURE).text == "errorCode=02631"


def test_tokenize_delay_is_configurable(monkeypatch, tmp_path):
    monkeypatch.setenv("PANLESS_SANDBOX__TOKENIZE_DELAY", "60")
    server = LiveServer(create_sandbox({"SANDBOX": {"DB": str(tmp_path / "delay.db")}})).start()
    try:
        mp = MangopayWire(server.url)
        late = mp.registration()
        requests.post(f"{server.url}/_sandbox/clock", json={"advance": 59}, timeout=TIMEOUT)
        in_time = mp.registration()
        requests.post(f"{server.url}/_sandbox/clock", json={"advance": 2}, timeout=TIMEOUT)
        assert mp.tokenize(late, VISA, FUTURE).text == "errorCode=02631"
        assert mp.tokenize(in_time, VISA, FUTURE).text.startswith("data=")
    finally:
        server.stop()


def test_tokenize_parses_form_without_content_type(mp):
    reg = mp.registration()
    body = (f"data={reg['PreregistrationData']}&accessKeyRef={reg['AccessKey']}"
            f"&cardNumber={VISA}&cardExpirationDate={FUTURE}&cardCvx=123")
    for content_type in (None, "text/plain", "application/json"):
        headers = {"Content-Type": content_type} if content_type else {}
        req = requests.Request("POST", reg["CardRegistrationURL"], data=body.encode(), headers=headers).prepare()
        if content_type is None:
            req.headers.pop("Content-Type", None)
        assert requests.Session().send(req, timeout=TIMEOUT).text.startswith("data=")


def test_tokenize_return_url_redirects(mp):
    reg = mp.registration()
    ok = mp.tokenize(reg, VISA, FUTURE, returnURL="https://shop.example/back?order=7")
    assert ok.status_code == 302
    target = urlsplit(ok.headers["Location"])
    query = parse_qs(target.query)
    assert target.netloc == "shop.example" and query["order"] == ["7"]
    done = mp.finish(reg, "data=" + query["data"][0]).json()
    assert done["Status"] == "VALIDATED"
    bad = mp.tokenize(mp.registration(), "4970107111111118", FUTURE, returnURL="https://shop.example/back")
    assert parse_qs(urlsplit(bad.headers["Location"]).query) == {"errorCode": ["02625"]}
    for broken in ("javascript:alert(1)", "http://[::1"):
        assert mp.tokenize(mp.registration(), VISA, FUTURE, returnURL=broken).text == "errorCode=02628"


def test_tokenizer_cors_simple_and_preflight(mp):
    reg = mp.registration()
    pre = requests.options(reg["CardRegistrationURL"], timeout=TIMEOUT, headers={
        "Origin": "http://shop.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code in (200, 204)
    assert pre.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    simple = mp.tokenize(reg, VISA, FUTURE)
    assert simple.headers["Access-Control-Allow-Origin"] == "*"


def test_tokenizer_survives_junk(mp):
    reg = mp.registration()
    for body in (b"", b"\xff\xfe", b"a=%zz&&&==", b"cardNumber=" + b"9" * 5000):
        r = requests.post(reg["CardRegistrationURL"], data=body, timeout=TIMEOUT)
        assert r.status_code == 200 and r.text.startswith("errorCode=")
