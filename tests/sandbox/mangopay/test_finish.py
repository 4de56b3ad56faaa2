"""The sandbox's Mangopay: finishing a card registration with the tokenizer's RegistrationData, as SDKs
and browser kits do."""

import pytest
import requests

from tests.sandbox.mangopay.wire import FUTURE, REGISTRATION_KEYS, VISA
from tests.support.sandbox import CLIENT_ID, TIMEOUT


def test_finish_authenticated_put_ignores_read_only_fields(mp):
    reg = mp.registration()
    data = mp.tokenize(reg, VISA, FUTURE).text
    # What the Python SDK sends: every non-null field, read-only ones included.
    body = {**{k: v for k, v in reg.items() if v is not None}, "RegistrationData": data, "Unknown": 1,
            "Status": "CREATED", "CardType": "AMEX"}
    r = mp.call("PUT", f"/cardregistrations/{reg['Id']}", json=body)
    done = r.json()
    assert r.status_code == 200 and list(done) == REGISTRATION_KEYS
    assert (done["Status"], done["ResultCode"], done["ResultMessage"]) == ("VALIDATED", "000000", "Success")
    assert done["CardId"].startswith("card_m_") and done["CardType"] == "CB_VISA_MASTERCARD"
    assert done["RegistrationData"] == data


def test_finish_unauthenticated_post_form_takes_id_from_path(mp):
    reg = mp.registration()
    data = mp.tokenize(reg, VISA, FUTURE).text
    # The JS kit's call; the legacy iOS kit sends the ClientId as Id, so the body's Id is ignored.
    r = requests.post(f"{mp.base}/{CLIENT_ID}/CardRegistrations/{reg['Id']}", timeout=TIMEOUT,
                      data={"Id": CLIENT_ID, "RegistrationData": data},
                      headers={"Origin": "http://shop.example"})
    assert r.status_code == 200 and r.json()["Status"] == "VALIDATED"
    assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_finish_unauthenticated_put_json_vault_style(mp):
    reg = mp.registration()
    data = mp.tokenize(reg, VISA, FUTURE).text
    url = f"{mp.base}/{CLIENT_ID}/CardRegistrations/{reg['Id']}"
    pre = requests.options(url, timeout=TIMEOUT, headers={
        "Origin": "http://shop.example", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "content-type,x-tentant-id"})
    assert "x-tentant-id" in pre.headers["Access-Control-Allow-Headers"]
    r = requests.put(url, json={"RegistrationData": data}, headers={"x-tentant-id": "eu"}, timeout=TIMEOUT)
    assert r.json()["Status"] == "VALIDATED"


def test_legacy_android_path_v2(mp):
    reg = mp.registration()
    data = mp.tokenize(reg, VISA, FUTURE).text
    r = requests.post(f"{mp.root}/mangopay/v2/{CLIENT_ID}/CardRegistrations/{reg['Id']}",
                      data={"Id": reg["Id"], "RegistrationData": data}, timeout=TIMEOUT)
    assert r.json()["Status"] == "VALIDATED"


@pytest.mark.parametrize("registration_data,code,message", [
    ("errorCode=02625", "105202", "Card number: invalid format"),
    ("errorCode=02626", "105203", "Expiry date: missing or invalid format"),
    ("errorCode=02627", "105204", "CVV: missing or invalid format"),
    ("errorCode=09101", "105299", "Token input Error"),
    ("garbage", "105206", "Registration data : Invalid format"),
    ("data=not-a-token-we-issued", "105206", "Registration data : Invalid format"),
])
def test_finish_maps_tokenizer_results(mp, registration_data, code, message):
    reg = mp.registration()
    r = mp.finish(reg, registration_data)
    assert r.status_code == 200
    done = r.json()
    assert (done["Status"], done["ResultCode"], done["ResultMessage"]) == ("ERROR", code, message)
    assert done["CardId"] is None


def test_finish_with_another_registrations_token_is_refused(mp):
    reg, other = mp.registration(), mp.registration()
    data = mp.tokenize(other, VISA, FUTURE).text
    assert mp.finish(reg, data).json()["ResultCode"] == "105206"


def test_magic_card_refused_at_validation(mp):
    reg = mp.registration()
    data = mp.tokenize(reg, "4970101122334406", FUTURE).text
    assert data.startswith("data=")
    done = mp.finish(reg, data).json()
    assert (done["Status"], done["ResultCode"]) == ("ERROR", "105299")


def test_finish_retry_is_idempotent_and_other_data_refused(mp):
    reg = mp.registration()
    data = mp.tokenize(reg, VISA, FUTURE).text
    first = mp.finish(reg, data).json()
    assert mp.finish(reg, data).json() == first
    again = mp.finish(reg, "errorCode=02625")
    assert again.status_code == 400 and "RegistrationData" in again.json()["errors"]
    assert mp.tokenize(reg, VISA, FUTURE).text == "errorCode=09101"  # used registrations are closed


@pytest.mark.parametrize("body", [{}, {"RegistrationData": 5}, {"RegistrationData": ""},
                                  {"RegistrationData": "data=x", "CardHolderName": "x" * 256}])
def test_finish_bad_input(mp, body):
    reg = mp.registration()
    r = mp.call("PUT", f"/cardregistrations/{reg['Id']}", json=body)
    assert r.status_code == 400 and r.json()["Type"] == "param_error"


def test_card_holder_name_from_finish_is_on_the_card_not_the_registration(mp):
    reg = mp.registration()
    data = mp.tokenize(reg, VISA, FUTURE).text
    done = mp.call("PUT", f"/cardregistrations/{reg['Id']}",
                   json={"RegistrationData": data, "CardHolderName": "Jody Smith"}).json()
    assert "CardHolderName" not in done
    assert mp.call("GET", f"/cards/{done['CardId']}").json()["CardHolderName"] == "Jody Smith"
