"""Ecart Pay on the sandbox: the documented wire (golden samples), authorization tokens, temporary and
permanent tokens, the validation-hold sequence in the transaction log, installments and saved-card tokens."""

import base64
import time
from pathlib import Path

import pytest
import requests

from panless.core.demo import CREDENTIALS
from tests.support.golden import assert_same_shape, load
from tests.support.sandbox import TIMEOUT

KEYS = CREDENTIALS["ecartpay"]
SAMPLES = sorted(p.stem for p in (Path(__file__).parents[2] / "fixtures" / "ecartpay").glob("*.json"))
CARD = {"name": "Jody Smith", "number": "4111111111111111", "exp_month": "12", "exp_year": "2030", "cvc": "123"}


class EcartPay:
    def __init__(self, root):
        self.base = f"{root}/ecartpay"
        self.root = root

    def authorize(self, public=KEYS["PUBLIC_KEY"], private=KEYS["PRIVATE_KEY"]):
        return requests.post(f"{self.base}/api/authorizations/token", auth=(public, private),
                             headers={"accept": "application/json"}, timeout=TIMEOUT)

    def token(self, body, authorization=None):
        authorization = authorization or self.authorize().json()["token"]
        return requests.post(f"{self.base}/api/tokens", json=body, headers={"Authorization": authorization},
                             timeout=TIMEOUT)

    def describe(self, token):
        return requests.get(f"{self.base}/_sandbox/tokens/{token}", timeout=TIMEOUT).json()

    def log(self):
        return requests.get(f"{self.base}/_sandbox/transactions", timeout=TIMEOUT).json()["transactions"]

    def advance(self, seconds):
        requests.post(f"{self.root}/_sandbox/clock", json={"advance": seconds}, timeout=TIMEOUT).raise_for_status()


@pytest.fixture
def ep(sandbox):
    return EcartPay(sandbox.url)


@pytest.mark.parametrize("name", SAMPLES)
def test_sandbox_matches_the_golden_sample(ep, name):
    sample = load("ecartpay", name)
    request, documented = sample["request"], sample["response"]
    headers = dict(request["headers"])
    if headers.get("Authorization") == "Basic {basic}":
        pair = f"{KEYS['PUBLIC_KEY']}:{KEYS['PRIVATE_KEY']}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    elif "{token}" in headers.get("Authorization", ""):
        headers["Authorization"] = headers["Authorization"].replace("{token}", ep.authorize().json()["token"])
    body = request["body"]
    if isinstance(body, dict) and "id" in body:  # a saved card's id: one the sandbox made
        body = {**body, "id": ep.token({**CARD, "tokenization": True}).json()["token"]}
    response = requests.request(request["method"], ep.base + request["path"], headers=headers, timeout=TIMEOUT,
                                **({"json": body} if body is not None else {}))
    assert response.status_code == documented["status"], response.text
    assert response.headers["Content-Type"].split(";")[0] == documented["content_type"]
    assert_same_shape(documented["body"], response.json(), name)
    if "code" in documented["body"]:
        assert response.json()["code"] == documented["body"]["code"]


def test_the_authorization_token_is_a_one_hour_jwt_sent_raw_or_as_bearer(ep):
    token = ep.authorize().json()["token"]
    assert token.count(".") == 2
    assert ep.token(CARD, token).status_code == 200
    assert ep.token(CARD, f"Bearer {token}").status_code == 200
    ep.advance(3601)
    expired = ep.token(CARD, token)
    assert expired.status_code == 401 and expired.json()["code"] == "unauthorized"


def test_wrong_keys_get_no_authorization_token(ep):
    assert ep.authorize(private="wrong").status_code == 401


def test_a_temporary_token_lasts_15_minutes_and_places_no_hold(ep):
    token = ep.token(CARD).json()["token"]
    described = ep.describe(token)
    assert described["permanent"] is False and described["expired"] is False
    assert ep.log() == []
    ep.advance(15 * 60 + 1)
    assert ep.describe(token)["expired"] is True


@pytest.mark.parametrize("year", ["30", "2030"])
def test_two_or_four_digit_years(ep, year):
    assert ep.token({**CARD, "exp_year": year}).status_code == 200


def wait_for_log(ep, count):
    for _ in range(50):
        log = ep.log()
        if len(log) >= count:
            return log
        time.sleep(0.05)
    return ep.log()


def test_permanent_tokenization_holds_10_mxn_then_finalizes_at_a_cent_and_cancels(ep):
    answer = ep.token({**CARD, "tokenization": True})
    assert answer.status_code == 200
    token = answer.json()["token"]
    log = wait_for_log(ep, 3)
    steps = [(t["type"], t["amount"], t["currency"], t["status"]) for t in log]
    assert steps == [("presale", "10.00", "MXN", "approved"), ("finalize", "0.01", "MXN", "completed"),
                     ("cancel", "0.01", "MXN", "cancelled")]
    assert {t["token"] for t in log} == {token}
    assert ep.describe(token)["permanent"] is True and ep.describe(token)["expires_at"] is None


def test_a_declined_hold_fails_the_request_at_once(ep):
    answer = ep.token({**CARD, "number": "4970101122334414", "tokenization": True})
    assert answer.status_code == 402 and answer.json()["code"] == "validation_declined"
    time.sleep(0.2)
    assert [(t["type"], t["status"]) for t in ep.log()] == [("presale", "declined")]
    assert ep.token({**CARD, "number": "4970101122334414"}).status_code == 200  # temporary: no hold


def test_installments_are_stored_with_the_token(ep):
    token = ep.token({**CARD, "installments": 6, "fixed_installments": True}).json()["token"]
    described = ep.describe(token)
    assert (described["installments"], described["fixed_installments"]) == (6, True)


@pytest.mark.parametrize("options", [{"installments": 5}, {"installments": "6"}, {"fixed_installments": "yes"}])
def test_invalid_installments_are_refused(ep, options):
    answer = ep.token({**CARD, **options})
    assert answer.status_code == 400 and answer.json()["code"].startswith("invalid_")


def test_a_saved_card_id_with_a_cvc_and_one_click_checkout(ep):
    saved = ep.token({**CARD, "tokenization": True}).json()["token"]
    again = ep.token({"id": saved, "cvc": "321"}).json()["token"]
    assert again != saved
    described = ep.describe(again)
    assert described["cvc_supplied"] is True and described["permanent"] is False and described["last4"] == "1111"
    one_click = ep.token({"id": saved, "source": "one_click_checkout"}).json()["token"]
    assert ep.describe(one_click)["permanent"] is True
    assert ep.token({"id": "ca_unknown", "cvc": "123"}).status_code == 404


@pytest.mark.parametrize("field,value,code", [("number", "4111111111111112", "invalid_number"),
                                              ("exp_month", "13", "invalid_exp_month"),
                                              ("exp_year", "203", "invalid_exp_year"),
                                              ("exp_year", "2020", "card_expired"),
                                              ("cvc", "1234", "invalid_cvc"), ("name", "", "invalid_name"),
                                              ("number", 4111111111111111, "invalid_number")])
def test_card_errors_in_ecart_pays_shape(ep, field, value, code):
    answer = ep.token({**CARD, field: value})
    assert answer.status_code == 400 and answer.json() == {"code": code, "message": answer.json()["message"]}
