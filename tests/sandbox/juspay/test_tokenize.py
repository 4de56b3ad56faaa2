"""The sandbox's Juspay: /card/tokenize from the browser, new cards and stored ones, as documented."""

import uuid

import pytest
import requests

from tests.sandbox.juspay.wire import HEADERS, MERCHANT, add, same_as_documented, tokenize
from tests.support.golden import load
from tests.support.sandbox import TIMEOUT


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
    assert body["error_info"]["href"] == "NA"
    assert str(uuid.UUID(body["error_info"]["request_id"])) == body["error_info"]["request_id"]


def test_every_error_has_its_own_request_id(jp):
    ids = {tokenize(jp, card_exp_month="13").json()["error_info"]["request_id"] for _ in range(3)}
    assert len(ids) == 3


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


def test_stored_card_with_a_fresh_cvc(jp):
    card = add(jp, tokenize(jp).json()["token"]).json()
    r = requests.post(f"{jp}/card/tokenize", headers=HEADERS, timeout=TIMEOUT, data={
        "merchant_id": MERCHANT, "stored_card_token": card["card_token"], "card_security_code": "123"})
    same_as_documented("card_tokenize_stored", r)
    missing_cvc = requests.post(f"{jp}/card/tokenize", timeout=TIMEOUT, data={
        "merchant_id": MERCHANT, "stored_card_token": card["card_token"]})
    assert missing_cvc.json()["error_info"]["fields"][0]["field_name"] == "card_security_code"
