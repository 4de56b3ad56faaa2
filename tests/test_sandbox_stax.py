"""The sandbox's Stax over real HTTP, checked against Stax's documented wire (tests/fixtures/stax)."""

from datetime import UTC, datetime

import pytest
import requests

from tests.support import golden
from tests.support.golden import load
from tests.support.sandbox import TIMEOUT

YY = f"{(datetime.now(UTC).year + 3) % 100:02d}"
AUTH = {"Authorization": "Bearer panless-demo-stax-key", "Accept": "application/json"}
WEB = "panless-demo-webpayments"
CARD = {"method": "card", "person_name": "Bob Smithers", "card_number": "4111111111111111", "card_exp": f"03{YY}",
        "card_cvv": "123", "address_zip": "32801"}
# Our sandbox leaves out what its accounts never have (a "meta" blob, purged cards' extras).
EXTRA_OK = {"has_cvv", "is_usable_in_vt", "is_tokenized", "allow_invoice_credit_card_payments", "cc_sms"}


@pytest.fixture
def stax(sandbox):
    return f"{sandbox.url}/stax"


def customer(stax) -> dict:
    body = load("stax", "customer_create")["request"]["body"]
    r = requests.post(f"{stax}/customer", json=body, headers=AUTH, timeout=TIMEOUT)
    assert r.status_code == 200, r.text
    return r.json()


def tokenize(stax, token=WEB, **changes):
    body = {k: v for k, v in {**CARD, **changes}.items() if v is not None}
    return requests.post(f"{stax}/webpayment/{token}/tokenize", json=body, timeout=TIMEOUT,
                         headers={"Accept": "application/json"})


def same_as_documented(name, response):
    return golden.same_as_documented("stax", name, response, extra_ok=EXTRA_OK, ordered=False)


def test_customer_create_as_documented(stax):
    same_as_documented("customer_create", requests.post(
        f"{stax}/customer", json=load("stax", "customer_create")["request"]["body"], headers=AUTH, timeout=TIMEOUT))


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
    assert tokenize(stax, token="panless-demo-stax-key").status_code == 401


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


def test_payment_method_view_update_delete_list(stax):
    owner = customer(stax)
    method = tokenize(stax, customer_id=owner["id"]).json()
    view = requests.get(f"{stax}/payment-method/{method['id']}", headers=AUTH, timeout=TIMEOUT)
    same_as_documented("payment_method_view", view)
    assert view.json()["id"] == method["id"]
    update = requests.put(f"{stax}/payment-method/{method['id']}", headers=AUTH, timeout=TIMEOUT,
                          json={"person_name": "Carl Junior Sr.", "is_default": 1, "card_last_four": "9999"})
    updated = same_as_documented("payment_method_update", update)
    assert updated["person_name"] == "Carl Junior Sr." and updated["card_last_four"] == "1111"  # read-only
    listed = requests.get(f"{stax}/customer/{owner['id']}/payment-method", headers=AUTH, timeout=TIMEOUT)
    assert [m["id"] for m in same_as_documented("customer_payment_methods", listed)] == [method["id"]]
    deleted = requests.delete(f"{stax}/payment-method/{method['id']}", headers=AUTH, timeout=TIMEOUT)
    assert same_as_documented("payment_method_delete", deleted)["deleted_at"]
    # soft delete: still viewable, gone from the customer's list
    assert requests.get(f"{stax}/payment-method/{method['id']}", headers=AUTH, timeout=TIMEOUT).json()["deleted_at"]
    assert requests.get(f"{stax}/customer/{owner['id']}/payment-method", headers=AUTH, timeout=TIMEOUT).json() == []


def test_associate_a_customer_later(stax):
    method = tokenize(stax).json()
    assert method["customer_id"] is None
    owner = customer(stax)
    r = requests.put(f"{stax}/payment-method/{method['id']}", json={"customer_id": owner["id"]}, headers=AUTH,
                     timeout=TIMEOUT)
    assert r.json()["customer_id"] == owner["id"]


def test_unknown_payment_method(stax):
    same_as_documented("payment_method_view_invalid_id",
                       requests.get(f"{stax}/payment-method/nope", headers=AUTH, timeout=TIMEOUT))


@pytest.mark.parametrize("auth", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Bearer {WEB}"}])
def test_server_calls_need_the_api_key(stax, auth):
    assert requests.get(f"{stax}/customer/x/payment-method", headers=auth, timeout=TIMEOUT).status_code == 401


def test_bad_input_never_500(stax):
    for r in (requests.post(f"{stax}/webpayment/{WEB}/tokenize", data=b"{nope", timeout=TIMEOUT),
              requests.post(f"{stax}/webpayment/{WEB}/tokenize", json=["a"], timeout=TIMEOUT),
              requests.post(f"{stax}/customer", data="x" * 300_000, headers=AUTH, timeout=TIMEOUT),
              requests.patch(f"{stax}/payment-method/x", headers=AUTH, timeout=TIMEOUT),
              requests.put(f"{stax}/payment-method/x", data="{", headers=AUTH, timeout=TIMEOUT)):
        assert 400 <= r.status_code < 500, r.text
        assert isinstance(r.json(), dict)
