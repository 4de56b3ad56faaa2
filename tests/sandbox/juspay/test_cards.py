"""The sandbox's Juspay: saved cards added from a token or from card details, listed and deleted, as documented."""

from urllib.parse import parse_qs

import pytest
import requests

from tests.sandbox.juspay.wire import AUTH, HEADERS, MERCHANT, YEAR, add, same_as_documented, tokenize
from tests.support.golden import load
from tests.support.sandbox import TIMEOUT


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


def test_refused_card_at_add(jp):
    r = add(jp, tokenize(jp, card_number="4970101122334406").json()["token"])
    assert r.status_code == 400 and r.json()["error_info"]["code"] == "INVALID_INPUT"


def add_with_details(jp, **changes):
    """POST /card/add as Juspay's documented raw-card curl, with our merchant and a card valid today."""
    form = {**parse_qs_one(load("juspay", "card_add_card_details")["request"]["body"]), "merchant_id": MERCHANT,
            "card_exp_year": YEAR, **changes}
    return requests.post(f"{jp}/card/add", data={k: v for k, v in form.items() if v is not None},
                         headers={**AUTH, **HEADERS}, timeout=TIMEOUT)


def parse_qs_one(body: str) -> dict:
    return {k: v[0] for k, v in parse_qs(body).items()}


def test_add_with_card_details_as_documented(jp):
    added = same_as_documented("card_add_card_details", add_with_details(jp))
    assert add_with_details(jp).json()["card_token"] == added["card_token"]  # the same card again: the same one
    listed = requests.get(f"{jp}/cards", params={"customer_id": "user_101"}, headers=AUTH, timeout=TIMEOUT).json()
    card = listed["cards"][0]
    assert card["card_token"] == added["card_token"] and card["card_number"].endswith("1111")
    assert (card["card_exp_month"], card["card_exp_year"], card["name_on_card"], card["nickname"]) == (
        "07", YEAR, "name", "Visa card")


def test_a_card_added_by_details_and_by_token_is_one_card(jp):
    by_details = add_with_details(jp, customer_id="customer_1122").json()
    assert add(jp, tokenize(jp).json()["token"]).json()["card_token"] == by_details["card_token"]


@pytest.mark.parametrize("changes,field,code", [
    ({"card_number": "4111111111111112"}, "card_number", "INVALID_INPUT"),
    ({"card_exp_month": None}, "card_exp_month", "MISSING_MANDATORY_PARAMETER"),
    ({"card_exp_month": "13"}, "card_exp_month", "INVALID_INPUT"),
    ({"card_exp_year": None}, "card_exp_year", "MISSING_MANDATORY_PARAMETER"),
    ({"card_exp_year": "30"}, "card_exp_year", "INVALID_INPUT"),
    ({"card_number": None}, "token", "MISSING_MANDATORY_PARAMETER"),  # neither a token nor a card
])
def test_add_with_bad_card_details(jp, changes, field, code):
    r = add_with_details(jp, **changes)
    assert r.status_code == 400
    info = r.json()["error_info"]
    assert (info["fields"][0]["field_name"], info["code"]) == (field, code)


def test_rupay_is_listed_as_rupay(jp):
    # A RuPay range of Juspay's own card form (652150-653149), made Luhn-valid here.
    body = "652150000000000"
    digits = [int(c) for c in body]
    total = sum(d if i % 2 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(reversed(digits)))
    card = add_with_details(jp, card_number=body + str((10 - total % 10) % 10)).json()
    listed = requests.get(f"{jp}/cards", params={"customer_id": "user_101"}, headers=AUTH, timeout=TIMEOUT).json()
    assert [c["card_brand"] for c in listed["cards"] if c["card_token"] == card["card_token"]] == ["RUPAY"]
