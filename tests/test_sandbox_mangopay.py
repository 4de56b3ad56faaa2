"""The sandbox's Mangopay over real HTTP: auth, users, registrations, the tokenizer, finishing, cards."""

import base64
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from panless.sandbox import create_app as create_sandbox
from tests.support import LiveServer
from tests.support.sandbox import API_KEY, BASIC, CLIENT_ID, TIMEOUT, MangopayWire

NOW = datetime.now(UTC)
FUTURE = f"12{(NOW.year + 3) % 100:02d}"
THIS_MONTH = f"{NOW.month:02d}{NOW.year % 100:02d}"
LAST_YEAR = f"12{(NOW.year - 1) % 100:02d}"
VISA = "4970107111111119"
AMEX = "375989111111119"
MAESTRO = "5033951000000004"
REGISTRATION_KEYS = ["Id", "Tag", "CreationDate", "UserId", "AccessKey", "PreregistrationData",
                     "RegistrationData", "CardId", "CardType", "CardRegistrationURL", "ResultCode",
                     "ResultMessage", "Currency", "Status"]
ERROR_KEYS = {"Message", "Type", "Id", "Date", "errors"}


# -- OAuth and authentication --------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/oauth/token", "/oauth/token/", "//OAuth/Token"])
@pytest.mark.parametrize("body", ["grant_type=client_credentials", '{"grant_type": "client_credentials"}', ""])
def test_oauth_token_any_body_any_slash(sandbox, path, body):
    r = requests.post(f"{sandbox.url}/mangopay/v2.01{path}", data=body, timeout=TIMEOUT,
                      headers={"Authorization": BASIC, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200
    token = r.json()
    assert token["token_type"].lower() == "bearer" and isinstance(token["expires_in"], int)
    assert len(token["access_token"]) == 32


@pytest.mark.parametrize("auth", [None, "Basic " + base64.b64encode(b"panless-demo:wrong").decode(),
                                  "Basic not-base64!", "Bearer abc"])
def test_oauth_token_refuses_other_credentials(sandbox, auth):
    headers = {"Authorization": auth} if auth else {}
    r = requests.post(f"{sandbox.url}/mangopay/v2.01/oauth/token", headers=headers, timeout=TIMEOUT)
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_client"


def test_basic_auth_accepted_on_api_calls(sandbox):
    r = requests.post(f"{sandbox.url}/mangopay/v2.01/{CLIENT_ID}/users/natural", timeout=TIMEOUT,
                      headers={"Authorization": BASIC},
                      json={"FirstName": "A", "LastName": "B", "Email": "a@example.com"})
    assert r.status_code == 200 and r.json()["PersonType"] == "NATURAL"


@pytest.mark.parametrize("auth,type_", [
    (None, "not_authorized"),
    ("Bearer 00000000000000000000000000000000", "invalid_credentials"),
    ("Basic " + base64.b64encode(f"{CLIENT_ID}:nope".encode()).decode(), "invalid_credentials"),
    ("Basic " + base64.b64encode(f"someone-else:{API_KEY}".encode()).decode(), "invalid_credentials"),
])
def test_api_refuses_bad_credentials_in_mangopay_shape(sandbox, auth, type_):
    headers = {"Authorization": auth} if auth else {}
    r = requests.get(f"{sandbox.url}/mangopay/v2.01/{CLIENT_ID}/users/x", headers=headers, timeout=TIMEOUT)
    assert r.status_code == 401
    assert set(r.json()) == ERROR_KEYS and r.json()["Type"] == type_


def test_token_of_one_client_does_not_open_another(mp):
    r = requests.get(f"{mp.base}/another-client/users/x", headers=mp.auth, timeout=TIMEOUT)
    assert r.status_code == 401


def test_expired_token_is_refused(mp, sandbox):
    requests.post(f"{sandbox.url}/_sandbox/clock", json={"advance": 1201}, timeout=TIMEOUT)
    assert mp.call("GET", "/users/x").status_code == 401


# -- users ----------------------------------------------------------------------------------------------------

def test_natural_user_create_and_view(mp):
    user = mp.user()
    assert user["Id"].startswith("user_m_") and isinstance(user["CreationDate"], int)
    assert user["PersonType"] == "NATURAL" and user["Email"] == "jody@example.com"
    for path in (f"/users/{user['Id']}", f"/users/natural/{user['Id']}", f"/Users/Natural/{user['Id']}"):
        r = mp.call("GET", path)
        assert r.status_code == 200 and r.json() == user


@pytest.mark.parametrize("body,field", [
    ({"LastName": "B", "Email": "a@example.com"}, "FirstName"),
    ({"FirstName": "A", "Email": "a@example.com"}, "LastName"),
    ({"FirstName": "A", "LastName": "B", "Email": "not-an-email"}, "Email"),
    ({"FirstName": 7, "LastName": "B", "Email": "a@example.com"}, "FirstName"),
    ({"FirstName": "A", "LastName": "B", "Email": "a@example.com", "UserCategory": "BOSS"}, "UserCategory"),
])
def test_natural_user_bad_input(mp, body, field):
    r = mp.call("POST", "/users/natural", json=body)
    assert r.status_code == 400
    assert r.json()["Type"] == "param_error" and field in r.json()["errors"]


# -- card registrations ------------------------------------------------------------------------------------------

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


# -- the tokenizer -------------------------------------------------------------------------------------------------

def test_tokenize_success_is_plain_text_data(mp):
    r = mp.tokenize(mp.registration(), VISA, FUTURE)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain")
    assert r.text.startswith("data=") and len(r.text) > 60
    assert VISA not in r.text


@pytest.mark.parametrize("card_type,number,expiry,cvc,code", [
    ("CB_VISA_MASTERCARD", "4970107111111118", FUTURE, "123", "02625"),   # Luhn fails
    ("CB_VISA_MASTERCARD", "4970 1071 1111 1119", FUTURE, "123", "02625"),  # not digits only
    ("CB_VISA_MASTERCARD", "49701071", FUTURE, "123", "02625"),            # too short
    ("CB_VISA_MASTERCARD", AMEX, FUTURE, "1234", "02625"),                 # brand does not fit the type
    ("AMEX", VISA, FUTURE, "123", "02625"),
    ("CB_VISA_MASTERCARD", VISA, LAST_YEAR, "123", "02626"),               # expired
    ("CB_VISA_MASTERCARD", VISA, "1330", "123", "02626"),                  # month 13
    ("CB_VISA_MASTERCARD", VISA, "12/30", "123", "02626"),                 # not MMYY
    ("CB_VISA_MASTERCARD", VISA, "", "123", "02626"),
    ("CB_VISA_MASTERCARD", VISA, FUTURE, "12", "02627"),
    ("CB_VISA_MASTERCARD", VISA, FUTURE, "1234", "02627"),
    ("CB_VISA_MASTERCARD", VISA, FUTURE, "", "02627"),
    ("AMEX", AMEX, FUTURE, "123", "02627"),                                # Amex needs 4
])
def test_tokenize_errors(mp, card_type, number, expiry, cvc, code):
    r = mp.tokenize(mp.registration(card_type), number, expiry, cvc)
    assert r.status_code == 200 and r.text == f"errorCode={code}"


@pytest.mark.parametrize("card_type,number,cvc", [
    ("AMEX", AMEX, "1234"), ("MAESTRO", MAESTRO, ""), ("MAESTRO", MAESTRO, "000"), ("BCMC", MAESTRO, ""),
    ("CB_VISA_MASTERCARD", VISA, "123"), ("CB_VISA_MASTERCARD", "5555555555554444", "123"),
])
def test_tokenize_cvc_by_card_type(mp, card_type, number, cvc):
    assert mp.tokenize(mp.registration(card_type), number, FUTURE, cvc).text.startswith("data=")


def test_current_month_is_not_expired(mp):
    assert mp.tokenize(mp.registration(), VISA, THIS_MONTH).text.startswith("data=")


@pytest.mark.parametrize("field", ["accessKeyRef", "data"])
def test_tokenize_checks_access_key_and_data(mp, field):
    reg = mp.registration()
    r = mp.tokenize(reg, VISA, FUTURE, **{field: "wrong"})
    assert r.text == "errorCode=09101"


def test_tokenize_needs_the_registrations_own_url(mp):
    reg, other = mp.registration(), mp.registration()
    reg["CardRegistrationURL"] = other["CardRegistrationURL"]
    assert mp.tokenize(reg, VISA, FUTURE).text == "errorCode=09101"


def test_tokenize_get_is_refused_with_02632(mp):
    r = requests.get(mp.registration()["CardRegistrationURL"], timeout=TIMEOUT)
    assert r.status_code == 200 and r.text == "errorCode=02632"


def test_tokenize_too_late_02631(mp, sandbox):
    reg = mp.registration()
    requests.post(f"{sandbox.url}/_sandbox/clock", json={"advance": 30 * 60 + 1}, timeout=TIMEOUT)
    assert mp.tokenize(reg, VISA, FUTURE).text == "errorCode=02631"


def test_tokenize_parses_form_without_content_type(mp):
    reg = mp.registration()
    body = (f"data={reg['PreregistrationData']}&accessKeyRef={reg['AccessKey']}"
            f"&cardNumber={VISA}&cardExpirationDate={FUTURE}&cardCvx=123")
    for content_type in (None, "text/plain", "application/json"):
        headers = {"Content-Type": content_type} if content_type else {}
        req = requests.Request("POST", reg["CardRegistrationURL"], data=body.encode(), headers=headers).prepare()
        if content_type is None:
            req.headers.pop("Content-Type", None)
        assert requests.Session().send(req, timeout=TIMEOUT).text.startswith("data=")


def test_tokenize_return_url_redirects(mp):
    reg = mp.registration()
    ok = mp.tokenize(reg, VISA, FUTURE, returnURL="https://shop.example/back?order=7")
    assert ok.status_code == 302
    target = urlsplit(ok.headers["Location"])
    query = parse_qs(target.query)
    assert target.netloc == "shop.example" and query["order"] == ["7"]
    done = mp.finish(reg, "data=" + query["data"][0]).json()
    assert done["Status"] == "VALIDATED"
    bad = mp.tokenize(mp.registration(), "4970107111111118", FUTURE, returnURL="https://shop.example/back")
    assert parse_qs(urlsplit(bad.headers["Location"]).query) == {"errorCode": ["02625"]}
    assert mp.tokenize(mp.registration(), VISA, FUTURE, returnURL="javascript:alert(1)").text == "errorCode=02628"


def test_tokenizer_cors_simple_and_preflight(mp):
    reg = mp.registration()
    pre = requests.options(reg["CardRegistrationURL"], timeout=TIMEOUT, headers={
        "Origin": "http://shop.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code in (200, 204)
    assert pre.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    simple = mp.tokenize(reg, VISA, FUTURE)
    assert simple.headers["Access-Control-Allow-Origin"] == "*"


# -- finishing ---------------------------------------------------------------------------------------------------

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


# -- cards -------------------------------------------------------------------------------------------------

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


# -- idempotency ----------------------------------------------------------------------------------------------

def test_idempotency_key_keeps_first_response(mp):
    user = mp.user()
    key = "panless-test-key-0001"
    first = mp.call("POST", "/cardregistrations", json={"UserId": user["Id"], "Currency": "EUR"},
                    headers={"Idempotency-Key": key})
    assert first.status_code == 200
    again = mp.call("POST", "/cardregistrations", json={"UserId": user["Id"], "Currency": "EUR"},
                    headers={"Idempotency-Key": key})
    assert again.status_code == 409 and again.json()["Type"] == "idempotent_creation_conflict"
    for path in (f"/responses/{key}", f"//responses//{key}"):  # the Python SDK doubles the slash
        stored = mp.call("GET", path)
        assert stored.status_code == 200
        body = stored.json()
        assert body["StatusCode"] == "200" and body["Resource"] == first.json()
        assert all(isinstance(body[k], str)
                   for k in ("StatusCode", "ContentLength", "ContentType", "Date", "RequestURL"))


def test_idempotency_key_used_on_a_failed_call_is_still_taken(mp):
    key = "panless-test-key-0002"
    bad = mp.call("POST", "/cardregistrations", json={"Currency": "EUR"}, headers={"Idempotency-Key": key})
    assert bad.status_code == 400
    stored = mp.call("GET", f"/responses/{key}").json()
    assert stored["StatusCode"] == "400" and stored["Resource"]["Type"] == "param_error"
    assert mp.call("POST", "/cardregistrations", json={}, headers={"Idempotency-Key": key}).status_code == 409


def test_idempotency_key_expires_after_24h(mp, sandbox):
    user = mp.user()
    key = "panless-test-key-0003"
    mp.call("POST", "/cardregistrations", json={"UserId": user["Id"], "Currency": "EUR"},
            headers={"Idempotency-Key": key})
    requests.post(f"{sandbox.url}/_sandbox/clock", json={"advance": 24 * 3600 + 1}, timeout=TIMEOUT)
    mp.__init__(sandbox.url)  # the OAuth token expired too
    assert mp.call("GET", f"/responses/{key}").json()["Type"] == "correlationid_not_found"
    assert mp.call("POST", "/users/natural", headers={"Idempotency-Key": key},
                   json={"FirstName": "A", "LastName": "B", "Email": "a@example.com"}).status_code == 200


def test_unknown_idempotency_key(mp):
    r = mp.call("GET", "/responses/never-used-key-0000")
    assert r.status_code == 400 and r.json()["Type"] == "correlationid_not_found"


@pytest.mark.parametrize("key", ["short", "x" * 37, "has spaces in the key!"])
def test_idempotency_key_format(mp, key):
    r = mp.call("POST", "/users/natural", headers={"Idempotency-Key": key},
                json={"FirstName": "A", "LastName": "B", "Email": "a@example.com"})
    assert r.status_code == 400 and "Idempotency-Key" in r.json()["errors"]


# -- bad input of every kind: Mangopay's shapes, never a 500 ----------------------------------------------------

@pytest.mark.parametrize("method,path,kw,status", [
    ("POST", "/cardregistrations", {"data": "{not json", "headers": {"Content-Type": "application/json"}}, 400),
    ("POST", "/cardregistrations", {"json": ["a", "list"]}, 400),
    ("POST", "/cardregistrations", {"json": "a string"}, 400),
    ("POST", "/users/natural", {"data": b"\xff\xfe\x00", "headers": {"Content-Type": "application/json"}}, 400),
    ("POST", "/cardregistrations", {"data": "x" * (300 * 1024)}, 413),
    ("DELETE", "/cardregistrations/abc", {}, 405),
    ("PATCH", "/cards/abc", {}, 405),
    ("GET", "/no-such-resource", {}, 404),
    ("GET", "/cards/fingerprints/not-hex!", {}, 400),
    ("GET", "/users/x/cards?page=zero", {}, 404),
])
def test_bad_input_gets_mangopay_error_shape(mp, method, path, kw, status):
    r = mp.call(method, path, **kw)
    assert r.status_code == status, r.text
    assert set(r.json()) == ERROR_KEYS
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"


def test_bad_pagination(mp):
    user = mp.user()
    r = mp.call("GET", f"/users/{user['Id']}/cards", params={"per_page": 1000})
    assert r.status_code == 400 and r.json()["Type"] == "param_error"


def test_tokenizer_survives_junk(mp):
    reg = mp.registration()
    for body in (b"", b"\xff\xfe", b"a=%zz&&&==", b"cardNumber=" + b"9" * 5000):
        r = requests.post(reg["CardRegistrationURL"], data=body, timeout=TIMEOUT)
        assert r.status_code == 200 and r.text.startswith("errorCode=")


# -- the vault on disk --------------------------------------------------------------------------------------

def test_database_file_holds_no_pan_or_cvc(tmp_path):
    # A fresh file: a long-lived one's free pages hold so much random text that a CVC could turn up by chance.
    db = tmp_path / "vault.db"
    server = LiveServer(create_sandbox({"SANDBOX": {"DB": str(db)}})).start()
    try:
        mp = MangopayWire(server.url)
        cvc = "9371"
        reg = mp.registration("AMEX")
        mp.finish(reg, mp.tokenize(reg, AMEX, FUTURE, cvc).text)
        visa = mp.registration()
        mp.tokenize(visa, VISA, FUTURE, "123")  # tokenized but never finished
        # Juspay and Stax keep card data in the same vault: tokenize and save with each.
        jp = f"{server.url}/juspay"
        token = requests.post(f"{jp}/card/tokenize", timeout=TIMEOUT, data={
            "merchant_id": "panless-demo", "card_number": "5555555555554444", "card_exp_year": "20" + FUTURE[2:],
            "card_exp_month": "12", "card_security_code": "731"}).json()["token"]
        added = requests.post(f"{jp}/card/add", auth=("panless-demo-juspay-key", ""), timeout=TIMEOUT,
                              data={"merchant_id": "panless-demo", "customer_id": "c1", "token": token})
        assert added.status_code == 200, added.text
        stax = requests.post(f"{server.url}/stax/webpayment/panless-demo-webpayments/tokenize", timeout=TIMEOUT,
                             json={"method": "card", "person_name": "Jo Smith", "card_number": "4111111111111111",
                                   "card_exp": FUTURE, "card_cvv": "6842", "address_zip": "32801"})
        assert stax.status_code == 200
    finally:
        server.stop()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("vault.db*"))
    assert b"SQLite format 3" in raw
    for secret in (AMEX, VISA, cvc, "5555555555554444", "4111111111111111", "6842"):  # digit-bounded
        hit = re.search(rb"(?<![0-9])" + secret.encode() + rb"(?![0-9])", raw)
        assert not hit, raw[hit.start() - 80: hit.end() + 80]
    # A 3-digit code would turn up by chance in random bytes: look for it as a stored value would be written.
    assert b'"731"' not in raw and b"=731" not in raw
    # Sanity: the scan does see what is stored in clear (the alias and the registration id).
    assert b"375989XXXXX1119" in raw and reg["Id"].encode() in raw


@pytest.mark.parametrize("kw", [{"data": "advance=100"}, {"json": {"advance": 10**12}},
                                {"data": '{"advance": NaN}', "headers": {"Content-Type": "application/json"}},
                                {"json": {"advance": -1}}, {"json": {"advance": "1"}}])
def test_control_endpoints_take_json_and_sane_values(sandbox, kw):
    r = requests.post(f"{sandbox.url}/_sandbox/clock", timeout=TIMEOUT, **kw)
    assert r.status_code in (400, 415)
    assert requests.post(f"{sandbox.url}/_sandbox/reset", data="x", timeout=TIMEOUT).status_code == 415
