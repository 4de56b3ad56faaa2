"""The sandbox's Stax: web payments tokenize from the browser, as documented."""

import pytest
import requests

from tests.sandbox.stax.wire import API_KEY, WEB, YY, customer, same_as_documented, tokenize
from tests.support.sandbox import TIMEOUT


def test_webpayment_tokenize_as_documented(stax):
    owner = customer(stax)
    body = same_as_documented("webpayment_tokenize", tokenize(stax, customer_id=owner["id"]))
    assert (body["card_type"], body["card_last_four"], body["card_exp"]) == ("visa", "1111", f"0320{YY}")
    assert body["customer_id"] == owner["id"] and body["customer"]["id"] == owner["id"]
    assert body["has_cvv"] == 1 and body["user_id"] == "hosted-payments"


def test_webpayment_cors(stax):
    pre = requests.options(f"{stax}/webpayment/{WEB}/tokenize", timeout=TIMEOUT, headers={
        "Origin": "http://shop.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert pre.headers["Access-Control-Allow-Origin"] == "*"
    assert tokenize(stax).headers["Access-Control-Allow-Origin"] == "*"


def test_webpayment_errors_as_documented(stax):
    same_as_documented("webpayment_validation_error", tokenize(stax, method="bitcoin"))
    same_as_documented("webpayment_unauthorized", tokenize(stax, token="not-a-real-webpayments-token"))
    missing = tokenize(stax, person_name="", address_zip="")
    same_as_documented("webpayment_missing", missing)


def test_the_api_key_does_not_open_web_payments(stax):
    assert tokenize(stax, token=API_KEY).status_code == 401


@pytest.mark.parametrize("changes,field", [
    ({"card_number": "4111111111111112"}, "card_number"),
    ({"card_exp": "0120"}, "card_exp"),
    ({"card_exp": "13/30"}, "card_exp"),
    ({"card_cvv": "12"}, "card_cvv"),
    ({"card_number": "4970101122334406"}, "card"),
    ({"customer_id": "no-such-customer"}, "id"),
])
def test_webpayment_validation(stax, changes, field):
    r = tokenize(stax, **changes)
    assert r.status_code == 422 and list(r.json()) == [field] and isinstance(r.json()[field], list)
