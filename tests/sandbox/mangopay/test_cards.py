"""The sandbox's Mangopay: cards viewed, listed by user and fingerprint, deactivated."""

import pytest

from tests.sandbox.mangopay.wire import AMEX, FUTURE, MAESTRO, VISA


def test_card_view(mp):
    card = mp.register_card(VISA)
    assert card["Alias"] == "497010XXXXXX1119" and card["ExpirationDate"] == "1230"
    assert (card["CardProvider"], card["Country"], card["Validity"], card["Active"]) == ("VISA", "FRA", "UNKNOWN", True)
    assert len(card["Fingerprint"]) == 32 and int(card["Fingerprint"], 16) >= 0
    assert card["Currency"] == "EUR" and card["Id"].startswith("card_m_")


@pytest.mark.parametrize("number,card_type,provider,alias", [
    (AMEX, "AMEX", "AMEX", "375989XXXXX1119"),
    (MAESTRO, "MAESTRO", "MAESTRO", "503395XXXXXX0004"),
    (MAESTRO, "BCMC", "BCMC", "503395XXXXXX0004"),
    ("5555555555554444", "CB_VISA_MASTERCARD", "MASTERCARD", "555555XXXXXX4444"),
])
def test_card_provider_and_alias(mp, number, card_type, provider, alias):
    reg = mp.registration(card_type)
    cvc = {"AMEX": "1234", "CB_VISA_MASTERCARD": "123"}.get(card_type, "")
    data = mp.tokenize(reg, number, FUTURE, cvc).text
    card = mp.call("GET", f"/cards/{mp.finish(reg, data).json()['CardId']}").json()
    assert (card["CardProvider"], card["Alias"], card["CardType"]) == (provider, alias, card_type)


def test_fingerprint_stable_per_pan_and_listing(mp):
    user = mp.user()
    a = mp.register_card(VISA, user_id=user["Id"])
    b = mp.register_card(VISA, user_id=user["Id"])
    c = mp.register_card("5555555555554444", user_id=user["Id"])
    assert a["Fingerprint"] == b["Fingerprint"] != c["Fingerprint"]
    listed = mp.call("GET", f"/users/{user['Id']}/cards")
    assert [x["Id"] for x in listed.json()] == [a["Id"], b["Id"], c["Id"]]
    assert listed.headers["X-Number-Of-Items"] == "3"
    paged = mp.call("GET", f"/users/{user['Id']}/cards", params={"page": 2, "per_page": 2})
    assert [x["Id"] for x in paged.json()] == [c["Id"]] and paged.headers["X-Number-Of-Pages"] == "2"
    by_fp = mp.call("GET", f"/cards/fingerprints/{a['Fingerprint']}").json()
    assert {x["Id"] for x in by_fp} == {a["Id"], b["Id"]}


def test_bad_pagination(mp):
    user = mp.user()
    r = mp.call("GET", f"/users/{user['Id']}/cards", params={"per_page": 1000})
    assert r.status_code == 400 and r.json()["Type"] == "param_error"


@pytest.mark.parametrize("active", [False, 0, "false"])
def test_deactivate_card_is_irreversible(mp, active):
    card = mp.register_card()
    # The Python SDK sends every field back, with booleans as integers.
    r = mp.call("PUT", f"/cards/{card['Id']}", json={**card, "Active": active})
    assert r.status_code == 200 and r.json()["Active"] is False
    assert mp.call("GET", f"/cards/{card['Id']}").json()["Active"] is False
    back = mp.call("PUT", f"/cards/{card['Id']}", json={"Active": True})
    assert back.status_code == 400 and "Active" in back.json()["errors"]
    assert mp.call("PUT", f"/cards/{card['Id']}", json={"Active": 1}).status_code == 400


def test_card_active_true_is_a_no_op_and_bad_values_refused(mp):
    card = mp.register_card()
    assert mp.call("PUT", f"/cards/{card['Id']}", json={"Active": 1}).json()["Active"] is True
    assert mp.call("PUT", f"/cards/{card['Id']}", json={"Active": "maybe"}).status_code == 400


def test_unknown_card_and_user_404(mp):
    for path in ("/cards/card_m_nope", "/users/user_m_nope", "/users/user_m_nope/cards"):
        r = mp.call("GET", path)
        assert r.status_code == 404 and "RessourceNotFound" in r.json()["errors"]
