"""The merchant API over real HTTP, against the live sandbox; every response checked against docs/openapi.yaml."""

import json
from datetime import UTC, datetime

import pytest
import requests

from tests.support.merchant import Shopper, checked
from tests.support.sandbox import TIMEOUT
from tests.support.tokenize import browser_result, post_card

FUTURE = f"12{(datetime.now(UTC).year + 2) % 100:02d}"
VISA = "4970107111111119"


def save_card(shopper, number=VISA, **session_body) -> dict:
    """A whole save as the browser makes it: session, card to the PSP, finalize. -> the saved card."""
    session = shopper.session(**session_body)
    assert session["provider"] == session_body.get("provider", "mangopay")
    response = post_card(session["target"], number, FUTURE, "1234" if number.startswith("37") else "123")
    assert response.ok, response.text
    r = checked(shopper.call("POST", f"/api/sessions/{session['id']}/finalize",
                             json={"result": browser_result(session["target"], response)}))
    assert r.status_code == 200, r.text
    return r.json()["card"]


def test_session_carries_a_target_and_no_secret(shopper, merchant_server):
    r = checked(shopper.call("POST", "/api/sessions", json={"currency": "EUR"}))
    assert r.status_code == 201
    session = r.json()
    assert session["status"] == "open" and session["provider"] == "mangopay"
    target = session["target"]
    assert target["url"].startswith("http://127.0.0.1") and "/mangopay/vault/tokenize/" in target["url"]
    assert set(target["fields"]) == {"data", "accessKeyRef"}
    assert target["card_fields"] == {"number": "cardNumber", "expiry": "cardExpirationDate", "cvc": "cardCvx"}
    assert "panless-demo-key" not in r.text and "Bearer" not in r.text
    assert set(session["accepted_brands"]) == {"visa", "mastercard", "cb"}


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


@pytest.mark.parametrize("result", [None, 5, "", "hello", {"data": "x"}, "x" * 5000])
def test_finalize_rejects_malformed_results(shopper, result):
    session = shopper.session()
    r = checked(shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": result}))
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_result"


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
    from tests.support.sandbox import MangopayWire

    mp = MangopayWire(sandbox.url)
    assert mp.call("GET", f"/cards/{card['token']}").json()["Active"] is False


def test_second_card_for_the_same_customer(shopper):
    first = save_card(shopper)
    second = save_card(shopper, "375989111111119", brand="amex")
    cards = shopper.call("GET", "/api/cards").json()["cards"]
    assert [c["token"] for c in cards] == [first["token"], second["token"]]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer forged"}, {"Authorization": "Basic x"}])
def test_api_needs_the_customer_token(merchant_server, headers):
    r = checked(requests.get(f"{merchant_server.url}/api/cards", headers=headers, timeout=TIMEOUT))
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("kw,status,code,field", [
    ({"json": {"currency": "eur"}}, 422, "unsupported_currency", "currency"),
    ({"json": {"currency": 978}}, 422, "unsupported_currency", "currency"),
    ({"json": {"brand": "platinum"}}, 422, "unsupported_brand", "brand"),
    ({"json": {"provider": "nope"}}, 422, "unknown_provider", "provider"),
    ({"json": ["list"]}, 400, "invalid_json", None),
    ({"data": "{bad", "headers": {"Content-Type": "application/json"}}, 400, "invalid_json", None),
    ({"data": "x" * 70000}, 413, "payload_too_large", None),
    ({"json": {}, "headers": {"Idempotency-Key": "no spaces allowed"}}, 400, "invalid_request", "Idempotency-Key"),
])
def test_bad_session_requests(shopper, kw, status, code, field):
    r = shopper.call("POST", "/api/sessions", **kw)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code and r.json()["error"]["field"] == field


@pytest.mark.parametrize("method,path,status", [
    ("GET", "/api/nope", 404), ("PUT", "/api/sessions", 405), ("GET", "/api/sessions/ses_unknown", 404),
    ("DELETE", "/api/cards/card_unknown", 404),
])
def test_unknown_routes_and_methods(shopper, method, path, status):
    r = shopper.call(method, path)
    assert r.status_code == status and set(r.json()["error"]) == {"code", "message", "field", "retry"}


@pytest.mark.parametrize("where", ["body", "query", "header", "cookie", "spaced", "plus", "percent20", "dotted",
                                   "dashed", "json-escape", "path"])
def test_pan_tripwire_refuses_card_numbers_anywhere(shopper, where):
    kw = {"body": {"json": {"note": VISA}}, "query": {"params": {"q": VISA}},
          "header": {"headers": {"X-Note": VISA}}, "cookie": {"cookies": {"c": VISA}},
          "spaced": {"json": {"note": "4970 1071 1111 1119"}},
          "plus": {"params": {"q": "4970 1071 1111 1119"}},  # sent as q=4970+1071+1111+1119
          "percent20": {"data": "q=4970%201071%201111%201119"},
          "dotted": {"json": {"note": "4970.1071.1111.1119"}},
          "dashed": {"json": {"note": "4970-1071-1111-1119"}},
          "json-escape": {"data": '{"note": "4970107111\\u003111119"}',
                          "headers": {"Content-Type": "application/json"}},
          "path": {}}[where]
    if where == "path":
        r = shopper.call("GET", f"/api/sessions/{VISA}")
        assert r.status_code == 400 and r.json()["error"]["code"] == "pan_detected"
        return
    r = shopper.call("POST", "/api/sessions", **kw)
    assert r.status_code == 400 and r.json()["error"]["code"] == "pan_detected"
    assert VISA not in r.text


def test_psp_down_is_a_clear_503(sandbox):
    from panless import create_app
    from tests.support import LiveServer

    server = LiveServer(
        create_app({"MANGOPAY": {"BASE_URL": "http://127.0.0.1:9/mangopay/v2.01/", "TIMEOUT": 2}})).start()
    try:
        r = Shopper(server.url).call("POST", "/api/sessions", json={})
        assert r.status_code == 503 and r.json()["error"]["code"] == "psp_unavailable"
    finally:
        server.stop()


def test_wrong_psp_credentials_are_reported_as_such(sandbox):
    from panless import create_app
    from tests.support import LiveServer

    app = create_app({"MANGOPAY": {"BASE_URL": f"{sandbox.url}/mangopay/v2.01/", "API_KEY": "wrong"}})
    server = LiveServer(app).start()
    try:
        r = Shopper(server.url).call("POST", "/api/sessions", json={})
        assert r.status_code == 502 and r.json()["error"]["code"] == "psp_auth_failed"
    finally:
        server.stop()


# -- every PSP through the same API ----------------------------------------------------------------------

PSPS = ["mangopay", "juspay", "stax"]


@pytest.mark.parametrize("provider", PSPS)
def test_each_psp_saves_lists_and_deactivates(shopper, provider):
    card = save_card(shopper, provider=provider)
    assert (card["provider"], card["brand"], card["last4"], card["exp_month"]) == (provider, "visa", "1119", 12)
    assert [c["token"] for c in shopper.call("GET", "/api/cards").json()["cards"]] == [card["token"]]
    r = checked(shopper.call("DELETE", f"/api/cards/{card['token']}"))
    assert r.json()["card"]["active"] is False


@pytest.mark.parametrize("provider", PSPS)
def test_each_psp_target_is_secret_free(shopper, provider):
    session = checked(shopper.call("POST", "/api/sessions", json={"provider": provider})).json()
    text = json.dumps(session)
    for secret in ("panless-demo-key", "panless-demo-juspay-key", "panless-demo-stax-key"):
        assert secret not in text


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


def test_a_client_key_reused_with_other_parameters_is_refused(shopper):
    headers = {"Idempotency-Key": "client-key-0002"}
    assert shopper.call("POST", "/api/sessions", json={}, headers=headers).status_code == 201
    r = checked(shopper.call("POST", "/api/sessions", json={"provider": "juspay"}, headers=headers))
    assert r.status_code == 422 and r.json()["error"]["field"] == "Idempotency-Key"


@pytest.mark.parametrize("result", ["../customer/x/payment-method", "6ba7babe-9906-4e7e-b1a5-f628c7badb61/../x"])
def test_stax_result_cannot_steer_the_server_call(shopper, result):
    session = shopper.session(provider="stax")
    r = shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": result})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_result"


@pytest.mark.parametrize("provider", PSPS)
def test_deactivating_a_card_the_psp_already_removed(shopper, sandbox, provider):
    card = save_card(shopper, provider=provider)
    # The PSP removed it already (say a first delete succeeded but its answer was lost).
    if provider == "juspay":
        requests.post(f"{sandbox.url}/juspay/card/delete", data={"card_token": card["token"]},
                      auth=("panless-demo-juspay-key", ""), timeout=TIMEOUT).raise_for_status()
    elif provider == "stax":
        requests.delete(f"{sandbox.url}/stax/payment-method/{card['token']}", timeout=TIMEOUT,
                        headers={"Authorization": "Bearer panless-demo-stax-key"}).raise_for_status()
    else:
        from tests.support.sandbox import MangopayWire

        MangopayWire(sandbox.url).call("PUT", f"/cards/{card['token']}", json={"Active": False}).raise_for_status()
    r = shopper.call("DELETE", f"/api/cards/{card['token']}")
    assert r.status_code == 200 and r.json()["card"]["active"] is False
