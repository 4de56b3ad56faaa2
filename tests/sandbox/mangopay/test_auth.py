"""The sandbox's Mangopay: OAuth tokens, Basic and Bearer authentication, in Mangopay's error shape."""

import base64

import pytest
import requests

from tests.sandbox.mangopay.wire import ERROR_KEYS
from tests.support.sandbox import API_KEY, BASIC, CLIENT_ID, TIMEOUT


@pytest.mark.parametrize("path", ["/oauth/token", "/oauth/token/", "//OAuth/Token"])
@pytest.mark.parametrize("body", ["grant_type=client_credentials", '{"grant_type": "client_credentials"}', ""])
def test_oauth_token_any_body_any_slash(sandbox, path, body):
    r = requests.post(f"{sandbox.url}/mangopay/v2.01{path}", data=body, timeout=TIMEOUT,
                      headers={"Authorization": BASIC, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200
    token = r.json()
    assert token["token_type"].lower() == "bearer" and isinstance(token["expires_in"], int)
    assert len(token["access_token"]) == 32


@pytest.mark.parametrize("auth", [None, "Basic " + base64.b64encode(f"{CLIENT_ID}:wrong".encode()).decode(),
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
