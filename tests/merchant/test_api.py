"""The merchant API's HTTP surface over real HTTP: what a session shows, bad requests, unknown routes;
every response checked against docs/openapi.yaml."""

import json

import pytest

from tests.merchant.support import PSPS
from tests.support.merchant import checked


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


@pytest.mark.parametrize("provider", PSPS)
def test_each_psp_target_is_secret_free(shopper, provider):
    session = checked(shopper.call("POST", "/api/sessions", json={"provider": provider})).json()
    text = json.dumps(session)
    for secret in ("panless-demo-key", "panless-demo-juspay-key", "panless-demo-stax-key"):
        assert secret not in text


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


@pytest.mark.parametrize("result", [None, 5, "", "hello", {"data": "x"}, "x" * 5000])
def test_finalize_rejects_malformed_results(shopper, result):
    session = shopper.session()
    r = checked(shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": result}))
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_result"


@pytest.mark.parametrize("method,path,status", [
    ("GET", "/api/nope", 404), ("PUT", "/api/sessions", 405), ("GET", "/api/sessions/ses_unknown", 404),
    ("DELETE", "/api/cards/card_unknown", 404),
])
def test_unknown_routes_and_methods(shopper, method, path, status):
    r = shopper.call(method, path)
    assert r.status_code == status and set(r.json()["error"]) == {"code", "message", "field", "retry"}


@pytest.mark.parametrize("name,code", [("4970 1011 2233 4422 123", "pan_detected"),
                                       ("4970-1011-2233-4422-123", "pan_detected"),
                                       ("p4970101122334422", "invalid_request")])
def test_an_error_quoting_the_request_never_quotes_a_card_number(shopper, name, code):
    # A grouped number with a trailing short group (a number and its CVC) is refused as a card number; one glued
    # to letters (an identifier's shape, which the tripwire lets through) is an unknown option, whose name the
    # error quotes (field, message), the card number in it hidden.
    r = shopper.call("POST", "/api/sessions", json={"options": {name: 1}})
    assert r.status_code == 400 and r.json()["error"]["code"] == code, r.text
    assert "4422" not in r.text and "1011" not in r.text
    if code == "invalid_request":
        assert r.json()["error"]["field"] == "options.p[PAN]" and "[PAN]" in r.json()["error"]["message"]


@pytest.mark.parametrize("method,path,status", [
    ("GET", "/api", 404), ("DELETE", "/api", 404), ("PUT", "/csp-report", 405), ("POST", "/healthz", 405),
    ("GET", "/healthz?x=4970107111111119", 400), ("GET", "/frame/check?parent=4970107111111119", 400),
])
def test_json_paths_answer_errors_in_json(shopper, method, path, status):
    # Paths whose answers are JSON answer their errors in JSON too, whatever the client accepts.
    r = shopper.call(method, path, headers={"Accept": "text/html"})
    assert r.status_code == status and r.headers["Content-Type"].startswith("application/json"), r.text
    assert set(r.json()["error"]) == {"code", "message", "field", "retry"} and "4970107111111119" not in r.text
