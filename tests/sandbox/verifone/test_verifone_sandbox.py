"""Verifone UK Gateway on the sandbox: the documented wire (golden samples), card create/view/update, and a
CVV held until one transaction uses it (or 24 hours), then re-attached to the same card."""

from pathlib import Path

import pytest
import requests

from panless.core.demo import CREDENTIALS
from tests.support.golden import assert_same_shape, load
from tests.support.sandbox import TIMEOUT

API_KEY, ORGANISATION = CREDENTIALS["verifone"]["API_KEY"], CREDENTIALS["verifone"]["ORGANISATION"]
SAMPLES = sorted(p.stem for p in (Path(__file__).parents[2] / "fixtures" / "verifone").glob("*.json"))
CARD = {"card_number": "4111111111111111", "cvv": "123", "expiry_month": "12", "expiry_year": "2030",
        "organisation": ORGANISATION}


class Verifone:
    def __init__(self, root):
        self.root, self.base = root, f"{root}/verifone"

    def call(self, method, path, body=None, api_key=API_KEY):
        return requests.request(method, self.base + path, json=body, headers={"X-APIKEY": api_key}, timeout=TIMEOUT)

    def card(self, **fields):
        answer = self.call("POST", "/v1/card", {**CARD, **fields})
        assert answer.status_code == 200, answer.text
        return answer.json()

    def pay(self, card_id):
        answer = self.call("POST", "/v1/transaction", {"account": "acc_1", "amount": 1000, "card": card_id,
                                                       "capture_now": False})
        assert answer.status_code == 201, answer.text
        return answer.json()


@pytest.fixture
def vf(sandbox):
    return Verifone(sandbox.url)


def fill(value, ids):
    if isinstance(value, str):
        for name, real in ids.items():
            value = value.replace("{" + name + "}", real)
        return value
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("name", SAMPLES)
def test_sandbox_matches_the_golden_sample(vf, name):
    sample = load("verifone", name)
    request, documented = sample["request"], sample["response"]
    ids = {"api_key": API_KEY, "organisation": ORGANISATION}
    if "{card_id}" in request["path"] + str(request["body"]):
        ids["card_id"] = vf.card()["_id"]
    response = requests.request(request["method"], vf.base + fill(request["path"], ids),
                                headers=fill(request["headers"], ids), timeout=TIMEOUT,
                                **({"json": fill(request["body"], ids)} if request["body"] is not None else {}))
    assert response.status_code == documented["status"], response.text
    assert response.headers["Content-Type"].split(";")[0] == documented["content_type"]
    assert_same_shape(documented["body"], response.json(), name)
    for key in ("error", "code", "cvv_result", "status"):
        if key in documented["body"]:
            assert response.json()[key] == documented["body"][key], key


def test_the_cvv_serves_one_transaction_then_is_reattached_to_the_same_card(vf):
    card = vf.card()
    assert vf.pay(card["_id"])["cvv_result"] == "1"
    assert vf.pay(card["_id"])["cvv_result"] == "0"  # discarded after one transaction; the card still works
    updated = vf.call("POST", f"/v1/card/{card['_id']}", {"cvv": "456", "organisation": ORGANISATION})
    assert updated.status_code == 200 and updated.json()["_id"] == card["_id"]
    assert vf.pay(card["_id"])["cvv_result"] == "1"


def test_the_cvv_is_discarded_after_24_hours(vf, sandbox):
    card = vf.card()
    requests.post(f"{sandbox.url}/_sandbox/clock", json={"advance": 24 * 3600 + 1}, timeout=TIMEOUT)
    assert vf.pay(card["_id"])["cvv_result"] == "0"


def test_a_card_without_cvv_can_be_used(vf):
    card = vf.card(cvv=None)
    assert vf.pay(card["_id"])["cvv_result"] == "0"


def test_the_card_is_read_back_as_created(vf):
    card = vf.card()
    assert vf.call("GET", f"/v1/card/{card['_id']}").json() == card
    assert card["last_four"] == "1111" and card["brand"] == "VISA" and "card_number" not in card


@pytest.mark.parametrize("body,error", [({"expiry_month": 12}, "invalid_expiry_month"),
                                        ({"organisation": "another"}, "invalid_organisation"),
                                        ({"expiry_year": "2019"}, "invalid_expiry_year")])
def test_create_errors(vf, body, error):
    answer = vf.call("POST", "/v1/card", {**CARD, **body})
    assert answer.status_code == 400 and answer.json()["error"] == error


def test_update_needs_the_organisation_and_a_field(vf):
    card = vf.card()
    assert vf.call("POST", f"/v1/card/{card['_id']}", {"organisation": ORGANISATION}).status_code == 400
    assert vf.call("POST", f"/v1/card/{card['_id']}", {"cvv": "456"}).status_code == 400
    assert vf.call("POST", "/v1/card/unknown", {"cvv": "456", "organisation": ORGANISATION}).status_code == 404


def test_every_call_needs_the_api_key(vf):
    assert vf.call("GET", "/v1/card/x", api_key="wrong").status_code == 401
    assert vf.call("POST", "/v1/transaction", {}, api_key="").status_code == 401
