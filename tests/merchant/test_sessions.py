"""Saving cards through the API, against the live sandbox: sessions, finishing, idempotency, ownership, cards
and their removal, for every PSP; every response checked against docs/openapi.yaml."""

import pytest
import requests

from panless import create_app
from panless.core.demo import CREDENTIALS
from panless.merchant import sessions
from panless.merchant.errors import CATALOG, PanlessError
from panless.merchant.providers.base import PspFailure
from tests.merchant.support import FUTURE, PSPS, VISA, save_card
from tests.support import LiveServer
from tests.support.merchant import Shopper, checked
from tests.support.sandbox import TIMEOUT, MangopayWire
from tests.support.tokenize import browser_result, post_card


def test_full_flow_saves_card(shopper):
    card = save_card(shopper)
    assert (card["brand"], card["last4"], card["exp_month"]) == ("visa", "1119", 12)
    assert card["active"] is True and len(card["fingerprint"]) == 32
    listed = checked(shopper.call("GET", "/api/cards")).json()["cards"]
    assert [c["token"] for c in listed] == [card["token"]]


@pytest.mark.parametrize("brand,number,accepted", [
    ("amex", "375989111111119", {"amex"}),
    ("maestro", "5033951000000004", {"maestro"}),
    ("bcmc", "5033951000000004", {"bcmc"}),
])
def test_brand_picks_the_registration_card_type(shopper, brand, number, accepted):
    session = shopper.session(brand=brand)
    assert set(session["accepted_brands"]) == accepted
    assert session["target"]["cvc_required"] is (brand == "amex")
    result = post_card(session["target"], number, FUTURE, "1234" if brand == "amex" else "").text
    r = shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": result})
    assert r.status_code == 200 and r.json()["card"]["brand"] == brand


@pytest.mark.parametrize("number,expiry,cvc,code,field", [
    ("4970101122334406", FUTURE, "123", "card_refused", None),
])
def test_psp_refusal_is_actionable_and_closes_the_session(shopper, number, expiry, cvc, code, field):
    session = shopper.session()
    result = post_card(session["target"], number, expiry, cvc).text
    r = checked(shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": result}))
    assert r.status_code == 402
    assert r.json()["error"] == {"code": code, "field": field, "retry": "new_session",
                                 "message": "Your bank refused this card. Try another card or contact your bank."}
    again = checked(shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": result}))
    assert again.status_code == 409 and again.json()["error"]["code"] == "session_closed"


@pytest.mark.parametrize("tokenizer_code,code,field,status", [
    ("02625", "invalid_number", "number", 422),
    ("02626", "invalid_expiry", "expiry", 422),
    ("02627", "invalid_cvc", "cvc", 422),
    ("09101", "card_refused", None, 402),
])
def test_error_results_map_to_stable_codes(shopper, tokenizer_code, code, field, status):
    session = shopper.session()
    r = checked(shopper.call("POST", f"/api/sessions/{session['id']}/finalize",
                             json={"result": f"errorCode={tokenizer_code}"}))
    assert r.status_code == status
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == (code, field)


def test_tokenizer_errors_are_described_in_the_target(shopper):
    target = shopper.session()["target"]
    r = post_card(target, "4970107111111118", FUTURE)
    code = r.text.removeprefix(target["result"]["error_prefix"])
    assert target["errors"][code]["code"] == "invalid_number" and target["errors"][code]["field"] == "number"


def test_finalize_retry_returns_the_same_card(shopper):
    session = shopper.session()
    result = post_card(session["target"], VISA, FUTURE).text
    first = shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": result}).json()
    again = checked(shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": result}))
    assert again.status_code == 200 and again.json() == first
    assert len(shopper.call("GET", "/api/cards").json()["cards"]) == 1


def test_session_start_is_idempotent_with_a_client_key(shopper):
    headers = {"Idempotency-Key": "client-key-0001"}
    a = shopper.call("POST", "/api/sessions", json={}, headers=headers).json()
    b = shopper.call("POST", "/api/sessions", json={}, headers=headers).json()
    assert a == b


def test_a_client_key_reused_with_other_parameters_is_refused(shopper):
    headers = {"Idempotency-Key": "client-key-0002"}
    assert shopper.call("POST", "/api/sessions", json={}, headers=headers).status_code == 201
    r = checked(shopper.call("POST", "/api/sessions", json={"provider": "juspay"}, headers=headers))
    assert r.status_code == 422 and r.json()["error"]["field"] == "Idempotency-Key"


def test_sessions_and_cards_belong_to_their_customer(shopper, merchant_server):
    card = save_card(shopper)
    session = shopper.session()
    other = Shopper(merchant_server.url)
    for method, path in (("GET", f"/api/sessions/{session['id']}"),
                         ("POST", f"/api/sessions/{session['id']}/finalize"),
                         ("DELETE", f"/api/cards/{card['token']}")):
        r = checked(other.call(method, path, json={"result": "data=x"}))
        assert r.status_code == 404 and r.json()["error"]["code"] in ("session_not_found", "card_not_found")
    assert other.call("GET", "/api/cards").json() == {"cards": []}
    assert shopper.call("GET", "/api/cards").json()["cards"][0]["active"] is True


def test_deactivate_card(shopper, sandbox):
    card = save_card(shopper)
    r = checked(shopper.call("DELETE", f"/api/cards/{card['token']}"))
    assert r.status_code == 200 and r.json()["card"]["active"] is False
    assert shopper.call("GET", "/api/cards").json()["cards"][0]["active"] is False
    # and at the PSP
    mp = MangopayWire(sandbox.url)
    assert mp.call("GET", f"/cards/{card['token']}").json()["Active"] is False


def test_second_card_for_the_same_customer(shopper):
    first = save_card(shopper)
    second = save_card(shopper, "375989111111119", brand="amex")
    cards = shopper.call("GET", "/api/cards").json()["cards"]
    assert [c["token"] for c in cards] == [first["token"], second["token"]]


@pytest.mark.parametrize("provider", PSPS)
def test_each_psp_saves_lists_and_deactivates(shopper, provider):
    card = save_card(shopper, provider=provider)
    assert (card["provider"], card["brand"], card["last4"], card["exp_month"]) == (provider, "visa", "1119", 12)
    assert [c["token"] for c in shopper.call("GET", "/api/cards").json()["cards"]] == [card["token"]]
    r = checked(shopper.call("DELETE", f"/api/cards/{card['token']}"))
    assert r.json()["card"]["active"] is False


@pytest.mark.parametrize("provider,code", [("juspay", "card_refused"), ("stax", "card_refused")])
def test_refusal_for_juspay_and_stax(shopper, provider, code):
    session = shopper.session(provider=provider)
    response = post_card(session["target"], "4970101122334406", FUTURE)
    if provider == "stax":  # Stax refuses at tokenization: the browser reads the error from the target
        assert response.status_code == 422
        assert session["target"]["errors"][list(response.json())[0]]["code"] == code
        return
    r = shopper.call("POST", f"/api/sessions/{session['id']}/finalize",
                     json={"result": browser_result(session["target"], response)})
    assert r.status_code == 402 and r.json()["error"]["code"] == code


def test_juspay_expired_token(shopper, sandbox):
    session = shopper.session(provider="juspay")
    token = browser_result(session["target"], post_card(session["target"], VISA, FUTURE))
    requests.post(f"{sandbox.url}/_sandbox/clock", json={"advance": 16 * 60}, timeout=TIMEOUT)
    r = checked(shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": token}))
    assert r.status_code == 410 and r.json()["error"]["code"] == "session_expired"


def test_stax_result_of_another_customer_is_refused(shopper, merchant_server):
    other = Shopper(merchant_server.url)
    theirs = other.session(provider="stax")
    method_id = browser_result(theirs["target"], post_card(theirs["target"], VISA, FUTURE))
    mine = shopper.session(provider="stax")
    r = checked(shopper.call("POST", f"/api/sessions/{mine['id']}/finalize", json={"result": method_id}))
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_result"


@pytest.mark.parametrize("result", ["../customer/x/payment-method", "6ba7babe-9906-4e7e-b1a5-f628c7badb61/../x"])
def test_stax_result_cannot_steer_the_server_call(shopper, result):
    session = shopper.session(provider="stax")
    r = shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": result})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_result"


def _removed_at_juspay(sandbox, token):
    requests.post(f"{sandbox.url}/juspay/card/delete", data={"card_token": token},
                  auth=(CREDENTIALS["juspay"]["API_KEY"], ""), timeout=TIMEOUT).raise_for_status()


def _removed_at_stax(sandbox, token):
    requests.delete(f"{sandbox.url}/stax/payment-method/{token}", timeout=TIMEOUT,
                    headers={"Authorization": f"Bearer {CREDENTIALS['stax']['API_KEY']}"}).raise_for_status()


def _removed_at_mangopay(sandbox, token):
    MangopayWire(sandbox.url).call("PUT", f"/cards/{token}", json={"Active": False}).raise_for_status()


# The PSPs that remove a card (Ecart Pay and Verifone document no removal: the merchant forgets the token).
REMOVED_AT_PSP = {"mangopay": _removed_at_mangopay, "juspay": _removed_at_juspay, "stax": _removed_at_stax}


@pytest.mark.parametrize("provider", [p for p in PSPS if p in REMOVED_AT_PSP])
def test_deactivating_a_card_the_psp_already_removed(shopper, sandbox, provider):
    card = save_card(shopper, provider=provider)
    # The PSP removed it already (say a first delete succeeded but its answer was lost).
    REMOVED_AT_PSP[provider](sandbox, card["token"])
    r = shopper.call("DELETE", f"/api/cards/{card['token']}")
    assert r.status_code == 200 and r.json()["card"]["active"] is False


def test_psp_down_is_a_clear_503(sandbox):
    server = LiveServer(
        create_app({"MANGOPAY": {"BASE_URL": "http://127.0.0.1:9/mangopay/v2.01/", "TIMEOUT": 2}})).start()
    try:
        r = Shopper(server.url).call("POST", "/api/sessions", json={})
        assert r.status_code == 503 and r.json()["error"]["code"] == "psp_unavailable"
    finally:
        server.stop()


def test_wrong_psp_credentials_are_reported_as_such(sandbox):
    app = create_app({"MANGOPAY": {"BASE_URL": f"{sandbox.url}/mangopay/v2.01/", "API_KEY": "wrong"}})
    server = LiveServer(app).start()
    try:
        r = Shopper(server.url).call("POST", "/api/sessions", json={})
        assert r.status_code == 502 and r.json()["error"]["code"] == "psp_auth_failed"
    finally:
        server.stop()


# -- PSP failures become API errors in one place -----------------------------------------------------------

@pytest.mark.parametrize("kind,detail,code,status,field,retry", [
    (PspFailure.UNAVAILABLE, None, "psp_unavailable", 503, None, "same_session"),
    (PspFailure.AUTH, None, "psp_auth_failed", 502, None, None),
    (PspFailure.UNEXPECTED, "member Alias", "psp_error", 502, None, "same_session"),
    (PspFailure.GONE, None, "session_expired", 410, None, "new_session"),
    (PspFailure.REFUSED, "invalid_number", "invalid_number", 422, "number", "same_session"),
    (PspFailure.REFUSED, "card_refused", "card_refused", 402, None, "new_session"),
    (PspFailure.REFUSED, "invalid_result", "invalid_result", 400, "result", "new_session"),
    (PspFailure.UNSUPPORTED, "currency", "unsupported_currency", 422, "currency", None),
    (PspFailure.UNSUPPORTED, "brand", "unsupported_brand", 422, "brand", None),
])
def test_each_psp_failure_is_one_api_error(kind, detail, code, status, field, retry):
    error = sessions.api_error(PspFailure(kind, detail))
    assert (error.code, error.status, error.field, error.retry) == (code, status, field, retry)


def test_every_kind_of_psp_failure_has_an_api_error():
    details = {PspFailure.REFUSED: sorted(PspFailure.REFUSALS),
               PspFailure.UNSUPPORTED: sorted(PspFailure.UNSUPPORTED_FIELDS)}
    for kind in PspFailure.KINDS:
        for detail in details.get(kind, [None]):
            assert sessions.api_error(PspFailure(kind, detail)).code in CATALOG


def test_a_registration_the_psp_lost_asks_for_a_new_session(shopper, sandbox):
    session = shopper.session()
    result = post_card(session["target"], VISA, FUTURE).text
    requests.post(f"{sandbox.url}/_sandbox/reset", json={}, timeout=TIMEOUT).raise_for_status()  # Mangopay forgot it
    r = checked(shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": result}))
    assert r.status_code == 410 and r.json()["error"]["code"] == "session_expired"
    assert shopper.call("GET", f"/api/sessions/{session['id']}").json()["status"] == "failed"


def test_sessions_read_no_http_request(merchant_server, sandbox):
    """The flow runs with the app alone, outside any request: the API layer hands it plain values."""
    with merchant_server.app.app_context():
        session = sessions.start("cus_noRequestAtAll", "EUR", None, None, None)
        assert session["status"] == "open"
        with pytest.raises(PanlessError) as refused:  # a failure that counts toward the anti-card-testing limits
            sessions.finish("cus_noRequestAtAll", session["id"], "errorCode=02625")
        assert refused.value.code == "invalid_number"
        assert sessions.get("cus_noRequestAtAll", session["id"])["attempts"] == 1
