"""The sandbox's Mangopay: Idempotency-Key on creation and the stored responses."""

import pytest
import requests

from tests.support.sandbox import TIMEOUT


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
