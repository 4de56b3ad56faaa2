"""CORS on POST /api/sessions, for a checkout page still running an older embed, which started the session from
there: allowed checkout origins only, without credentials, the preflight kept long; the answer to a checkout
origin leaves the card's target out; the frame's call with the same Idempotency-Key, while the first is still at
the PSP, waits for it and gets the same session."""

import threading
import time

import pytest
import requests

from tests.merchant.support import SHOP
from tests.support.merchant import Shopper, checked

PREFLIGHT = {"Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "authorization,content-type,idempotency-key"}


def preflight(shopper, origin, path="/api/sessions"):
    return shopper.call("OPTIONS", path, headers={"Origin": origin, **PREFLIGHT})


def test_an_allowed_checkout_origin_may_start_a_session(app_server, sandbox):
    shopper = Shopper(app_server.url)
    answer = preflight(shopper, SHOP)
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == SHOP
    assert answer.headers["Access-Control-Allow-Methods"] == "POST"
    allowed = {h.strip().lower() for h in answer.headers["Access-Control-Allow-Headers"].split(",")}
    assert allowed == {"authorization", "content-type", "idempotency-key"}
    assert int(answer.headers["Access-Control-Max-Age"]) >= 3600
    assert "Access-Control-Allow-Credentials" not in answer.headers  # no cookie ever rides along
    assert "Origin" in answer.headers["Vary"]


@pytest.mark.parametrize("origin", ["http://evil.example", SHOP.replace("localhost", "127.0.0.1"), "null"])
def test_any_other_origin_gets_no_cors(app_server, sandbox, origin):
    shopper = Shopper(app_server.url)
    assert "Access-Control-Allow-Origin" not in preflight(shopper, origin).headers
    answer = shopper.call("POST", "/api/sessions", json={}, headers={"Origin": origin})
    assert "Access-Control-Allow-Origin" not in answer.headers


@pytest.mark.parametrize("method,path", [("OPTIONS", "/api/cards"), ("GET", "/api/cards"),
                                         ("OPTIONS", "/api/sessions/ses_x/finalize")])
def test_only_session_creation_is_open_to_checkout_origins(app_server, sandbox, method, path):
    shopper = Shopper(app_server.url)
    answer = requests.request(method, app_server.url + path, headers={**shopper.headers, "Origin": SHOP, **PREFLIGHT},
                              timeout=10)
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_the_checkout_origin_gets_the_session_without_its_target(app_server, sandbox):
    shopper = Shopper(app_server.url)
    key = {"Idempotency-Key": "early-start-0001"}
    early = checked(shopper.call("POST", "/api/sessions", json={}, headers={"Origin": SHOP, **key}))
    assert early.status_code == 201 and early.headers["Access-Control-Allow-Origin"] == SHOP
    assert early.json()["target"] is None and early.json()["status"] == "open"
    frame = checked(shopper.call("POST", "/api/sessions", json={}, headers={"Origin": app_server.url, **key}))
    assert frame.status_code == 201 and frame.json()["id"] == early.json()["id"]
    assert frame.json()["target"]["url"]  # the frame's own call, from its own origin, gets where the card goes


def test_errors_reach_the_checkout_origin_too(app_server, sandbox):
    answer = checked(Shopper(app_server.url).call("POST", "/api/sessions", json={},
                                                  headers={"Origin": SHOP, "Authorization": "Bearer forged"}))
    assert answer.status_code == 401 and answer.headers["Access-Control-Allow-Origin"] == SHOP


def test_a_concurrent_duplicate_waits_for_the_first_and_gets_its_session(app_server, sandbox, monkeypatch):
    provider = app_server.app.extensions["panless_providers"]["mangopay"]
    started, calls = threading.Event(), []
    real_start = provider.start

    def slow_start(request):  # the first call is at the PSP while its twin arrives
        calls.append(request.idempotency_key)
        started.set()
        time.sleep(0.4)
        return real_start(request)

    monkeypatch.setattr(provider, "start", slow_start)
    shopper = Shopper(app_server.url)
    key = {"Idempotency-Key": "joined-start-0001"}
    answers = {}
    first = threading.Thread(target=lambda: answers.update(
        early=shopper.call("POST", "/api/sessions", json={}, headers={"Origin": SHOP, **key})))
    first.start()
    assert started.wait(5)
    twin = checked(shopper.call("POST", "/api/sessions", json={}, headers=key))
    first.join(10)
    assert answers["early"].status_code == 201 and twin.status_code == 201
    assert twin.json()["id"] == answers["early"].json()["id"] and twin.json()["status"] == "open"
    assert twin.json()["target"]["url"]
    assert len(calls) == 1  # one PSP start for both
