"""The sandbox's Juspay: saved cards added from a token, listed and deleted, as documented."""

import requests

from tests.sandbox.juspay.wire import AUTH, add, same_as_documented, tokenize
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
