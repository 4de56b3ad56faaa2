"""The sandbox's Mangopay: card registrations created and viewed."""

import pytest
import requests

from tests.sandbox.mangopay.wire import ERROR_KEYS, REGISTRATION_KEYS
from tests.support.sandbox import CLIENT_ID, TIMEOUT


def test_registration_created_with_all_fields(mp):
    reg = mp.registration()
    assert list(reg) == REGISTRATION_KEYS
    assert reg["Status"] == "CREATED" and reg["CardType"] == "CB_VISA_MASTERCARD"
    assert all(reg[k] is None for k in ("Tag", "RegistrationData", "CardId", "ResultCode", "ResultMessage"))
    assert isinstance(reg["CreationDate"], int) and isinstance(reg["Id"], str)
    assert len(reg["AccessKey"]) >= 20 and len(reg["PreregistrationData"]) >= 64
    assert reg["CardRegistrationURL"].startswith(mp.root + "/mangopay/")
    other = mp.registration()
    assert other["AccessKey"] != reg["AccessKey"]
    assert other["CardRegistrationURL"] != reg["CardRegistrationURL"]


@pytest.mark.parametrize("card_type", ["CB_VISA_MASTERCARD", "AMEX", "MAESTRO", "BCMC"])
def test_registration_card_types(mp, card_type):
    assert mp.registration(card_type)["CardType"] == card_type


@pytest.mark.parametrize("body,field", [
    ({"Currency": "EUR"}, "UserId"),
    ({"UserId": "USER", "Currency": "XPX"}, "Currency"),
    ({"UserId": "USER", "Currency": "EUR", "CardType": "VISA_PLATINUM"}, "CardType"),
    ({"UserId": "USER", "Currency": 978}, "Currency"),
    ({"UserId": ["x"], "Currency": "EUR"}, "UserId"),
    ({"UserId": "user_m_unknown", "Currency": "EUR"}, "UserId"),
])
def test_registration_bad_input(mp, body, field):
    if body.get("UserId") == "USER":
        body["UserId"] = mp.user()["Id"]
    r = mp.call("POST", "/cardregistrations", json=body)
    assert r.status_code == 400
    assert set(r.json()) == ERROR_KEYS
    assert r.json()["Type"] == "param_error" and field in r.json()["errors"]


@pytest.mark.parametrize("path", ["/cardregistrations/{id}", "/CardRegistrations/{id}", "//cardregistrations//{id}/"])
def test_registration_view_paths(mp, path):
    reg = mp.registration()
    r = mp.call("GET", path.format(id=reg["Id"]))
    assert r.status_code == 200 and r.json() == reg
    legacy = requests.get(f"{mp.root}/mangopay/v2/{CLIENT_ID}/CardRegistrations/{reg['Id']}",
                          headers=mp.auth, timeout=TIMEOUT)
    assert legacy.json() == reg


def test_unknown_registration_404_carries_errors(mp):
    r = mp.call("GET", "/cardregistrations/cardreg_m_nope")
    assert r.status_code == 404
    body = r.json()
    assert body["Type"] == "ressource_not_found"
    assert body["errors"] == {
        "RessourceNotFound": "Cannot found the ressource CardRegistration with the id=cardreg_m_nope "}
