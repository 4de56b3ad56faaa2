"""The sandbox's Juspay over real HTTP, checked against Juspay's documented wire (tests/fixtures/juspay)."""

import base64
from datetime import UTC, datetime

import pytest
import requests

from tests.support import golden
from tests.support.golden import load
from tests.support.sandbox import TIMEOUT

YEAR = str(datetime.now(UTC).year + 3)
KEY = "panless-demo-juspay-key"
AUTH = {"Authorization": "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()}
CARD = {"merchant_id": "panless-demo", "card_number": "4111111111111111", "card_exp_year": YEAR,
        "card_exp_month": "07", "card_security_code": "123", "name_on_card": "Juspay Technologies"}
HEADERS = {"x-merchantid": "panless-demo", "x-routing-id": "customer_1122"}


@pytest.fixture
def jp(sandbox):
    return f"{sandbox.url}/juspay"


def tokenize(jp, **changes):
    form = {k: v for k, v in {**CARD, **changes}.items() if v is not None}
    return requests.post(f"{jp}/card/tokenize", data=form, headers=HEADERS, timeout=TIMEOUT)


def add(jp, token, customer="customer_1122", path="/card/add", field="token"):
    return requests.post(f"{jp}{path}", headers={**AUTH, **HEADERS}, timeout=TIMEOUT, data={
        "merchant_id": "panless-demo", "customer_id": customer, "customer_email": "customer@mail.com", field: token})


def same_as_documented(name, response):
    return golden.same_as_documented("juspay", name, response)


def test_tokenize_as_documented(jp):
    body = same_as_documented("card_tokenize", tokenize(jp))
    assert body["token"].startswith("ctkn_")


def test_tokenize_cors_preflight_for_the_custom_headers(jp):
    pre = requests.options(f"{jp}/card/tokenize", timeout=TIMEOUT, headers={
        "Origin": "http://shop.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-merchantid,x-routing-id"})
    assert pre.headers["Access-Control-Allow-Origin"] == "*"
    allowed = pre.headers["Access-Control-Allow-Headers"].lower()
    assert "x-merchantid" in allowed and "x-routing-id" in allowed
    assert tokenize(jp).headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("sample,changes,field,reason", [
    ("card_tokenize_error_month", {"card_exp_month": "13"}, "card_exp_month", "invalidRange"),
    ("card_tokenize_error_month", {"card_exp_month": "0"}, "card_exp_month", "invalidRange"),
    ("card_tokenize_error_year", {"card_exp_year": "30"}, "card_exp_year", None),
    ("card_tokenize_error_cvc_missing", {"card_security_code": None}, "card_security_code", "nullable"),
])
def test_tokenize_errors_in_juspays_shape(jp, sample, changes, field, reason):
    body = same_as_documented(sample, tokenize(jp, **changes))
    assert body["error_info"]["fields"][0]["field_name"] == field
    assert body["error_code"] == load("juspay", sample)["response"]["body"]["error_code"]
    if reason:
        assert body["error_info"]["fields"][0]["reason"] == reason


@pytest.mark.parametrize("changes,field,code", [
    ({"card_number": "4111111111111112"}, "card_number", "INVALID_INPUT"),
    ({"card_number": None}, "card_number", "MISSING_MANDATORY_PARAMETER"),
    ({"card_security_code": "12"}, "card_security_code", "INVALID_INPUT"),
    ({"merchant_id": "someone-else"}, "merchant_id", "INVALID_INPUT"),
])
def test_other_tokenize_errors(jp, changes, field, code):
    r = tokenize(jp, **changes)
    assert r.status_code == 400
    assert (r.json()["error_info"]["fields"][0]["field_name"], r.json()["error_info"]["code"]) == (field, code)


def test_add_list_delete_as_documented(jp):
    token = tokenize(jp).json()["token"]
    added = same_as_documented("card_add", add(jp, token))
    assert added == add(jp, token).json()  # a repeated add answers with the same card
    listed = same_as_documented("card_list", requests.get(f"{jp}/cards", params={"customer_id": "customer_1122"},
                                                           headers=AUTH, timeout=TIMEOUT))
    card = listed["cards"][0]
    assert card["card_token"] == added["card_token"] and card["card_number"].endswith("1111")
    assert card["card_isin"] == "411111" and card["card_brand"] == "VISA" and card["expired"] is False
    deleted = requests.post(f"{jp}/card/delete", data={"card_token": added["card_token"]}, headers=AUTH,
                            timeout=TIMEOUT)
    same_as_documented("card_delete", deleted)
    after = requests.get(f"{jp}/cards", params={"customer_id": "customer_1122"}, headers=AUTH, timeout=TIMEOUT)
    assert after.json()["cards"] == []


def test_add_by_the_cards_endpoint_with_card_token(jp):
    token = tokenize(jp).json()["token"]
    assert add(jp, token, path="/cards", field="card_token").json()["card_token"]


def test_same_card_twice_is_one_card(jp):
    first = add(jp, tokenize(jp).json()["token"]).json()
    second = add(jp, tokenize(jp).json()["token"]).json()
    assert first["card_token"] == second["card_token"] and first["card_fingerprint"] == second["card_fingerprint"]


def test_expired_token(jp, sandbox):
    token = tokenize(jp).json()["token"]
    requests.post(f"{sandbox.url}/_sandbox/clock", json={"advance": 15 * 60 + 1}, timeout=TIMEOUT)
    body = same_as_documented("card_tokenize_expired_token", add(jp, token))
    assert body["error_info"]["code"] == "EXPIRED"


def test_stored_card_with_a_fresh_cvc(jp):
    card = add(jp, tokenize(jp).json()["token"]).json()
    r = requests.post(f"{jp}/card/tokenize", headers=HEADERS, timeout=TIMEOUT, data={
        "merchant_id": "panless-demo", "stored_card_token": card["card_token"], "card_security_code": "123"})
    same_as_documented("card_tokenize_stored", r)
    missing_cvc = requests.post(f"{jp}/card/tokenize", timeout=TIMEOUT, data={
        "merchant_id": "panless-demo", "stored_card_token": card["card_token"]})
    assert missing_cvc.json()["error_info"]["fields"][0]["field_name"] == "card_security_code"


def test_refused_card_at_add(jp):
    r = add(jp, tokenize(jp, card_number="4970101122334406").json()["token"])
    assert r.status_code == 400 and r.json()["error_info"]["code"] == "INVALID_INPUT"


@pytest.mark.parametrize("auth", [{}, {"Authorization": "Basic " + base64.b64encode(b"wrong:").decode()},
                                  {"Authorization": "Bearer x"}])
def test_server_calls_need_the_api_key(jp, auth):
    r = requests.get(f"{jp}/cards", params={"customer_id": "c"}, headers=auth, timeout=TIMEOUT)
    assert r.status_code == 401 and r.json()["error_info"]["code"] == "UNAUTHENTICATED"


def test_bad_input_never_500(jp):
    for r in (requests.post(f"{jp}/card/tokenize", data=b"\xff\xfe%%%", timeout=TIMEOUT),
              requests.post(f"{jp}/card/add", data="x" * 300_000, headers=AUTH, timeout=TIMEOUT),
              requests.get(f"{jp}/card/tokenize", timeout=TIMEOUT),
              requests.post(f"{jp}/card/delete", headers=AUTH, timeout=TIMEOUT),
              add(jp, "ctkn_unknown")):
        assert 400 <= r.status_code < 500 and "error_info" in r.json()


@pytest.mark.parametrize("path", ["/juspay/card/tokenize", "/stax/webpayment/panless-demo-webpayments/tokenize",
                                  "/mangopay/vault/tokenize/anything"])
def test_every_answer_of_a_browser_endpoint_is_readable_cross_origin(sandbox, path):
    """Errors too, even those raised before the PSP's code runs (here: a body over the size limit)."""
    refused = requests.post(sandbox.url + path, data="x" * 300_000, timeout=TIMEOUT,
                            headers={"Origin": "http://shop.example"})
    assert refused.status_code == 413
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
