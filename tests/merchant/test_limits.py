"""Anti-card-testing: rate limits per address and per customer, the attempt cap per session, the challenge hook."""

import pytest
import requests

from panless import create_app
from panless.merchant.auth import issue_redirect_code, verify_customer_token
from panless.merchant.limits import set_challenge
from tests.merchant.support import SHOP
from tests.support import LiveServer, providers_on
from tests.support.merchant import Shopper


@pytest.fixture
def limited(sandbox_server, sandbox):
    def start(**config):
        app = create_app({**providers_on(sandbox_server.url), "RATELIMIT_SESSIONS": "3/minute",
                          "RATELIMIT_FINALIZE": "4/minute", **config})
        server = LiveServer(app).start()
        servers.append(server)
        server.app = app
        return server

    servers = []
    yield start
    for server in servers:
        server.stop()


def test_session_creation_is_limited_per_address(limited):
    server = limited()
    statuses = [Shopper(server.url).call("POST", "/api/sessions", json={}).status_code for _ in range(5)]
    assert statuses == [201, 201, 201, 429, 429]
    r = Shopper(server.url).call("POST", "/api/sessions", json={})
    assert r.json()["error"]["code"] == "rate_limited" and int(r.headers["Retry-After"]) > 0


def test_rotating_x_forwarded_for_does_not_bypass(limited):
    server = limited()
    shopper = Shopper(server.url)
    statuses = [shopper.call("POST", "/api/sessions", json={}, headers={"X-Forwarded-For": f"198.51.100.{i}"}
                             ).status_code for i in range(5)]
    assert statuses.count(429) == 2


def test_limits_per_customer_behind_a_trusted_proxy(limited):
    server = limited(PROXY_COUNT=1)
    shopper = Shopper(server.url)
    # Each call from another address (the proxy says so, and it is trusted), all from one customer.
    statuses = [shopper.call("POST", "/api/sessions", json={}, headers={"X-Forwarded-For": f"198.51.100.{i}"}
                             ).status_code for i in range(5)]
    assert statuses == [201, 201, 201, 429, 429]
    other = Shopper(server.url)  # another customer, from yet another address, is not held back
    assert other.call("POST", "/api/sessions", json={}, headers={"X-Forwarded-For": "198.51.100.99"}).status_code == 201


def test_failed_attempts_per_session_are_capped(limited):
    server = limited(RATELIMIT_FINALIZE="100/minute")
    shopper = Shopper(server.url)
    session = shopper.session()
    codes = [shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": "errorCode=02625"})
             for _ in range(6)]
    assert [c.status_code for c in codes] == [422] * 5 + [429]
    assert codes[-1].json()["error"]["code"] == "too_many_attempts" and codes[-1].headers["Retry-After"]


def test_challenge_required_after_repeated_failures(limited):
    server = limited(RATELIMIT_FINALIZE="100/minute", RATELIMIT_SESSIONS="100/minute", CHALLENGE_AFTER=2,
                     PROXY_COUNT=1)
    set_challenge(server.app, lambda answer, customer: answer == "human")
    tester = {"X-Forwarded-For": "198.51.100.7"}
    shopper = Shopper(server.url)
    for _ in range(2):
        session = shopper.call("POST", "/api/sessions", json={}, headers=tester).json()
        shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": "errorCode=02625"},
                     headers=tester)
    blocked = shopper.call("POST", "/api/sessions", json={}, headers=tester)
    assert blocked.status_code == 403 and blocked.json()["error"]["code"] == "challenge_required"
    wrong = shopper.call("POST", "/api/sessions", json={}, headers={**tester, "X-Panless-Challenge": "robot"})
    assert wrong.status_code == 403
    solved = shopper.call("POST", "/api/sessions", json={}, headers={**tester, "X-Panless-Challenge": "human"})
    assert solved.status_code == 201
    # A fresh customer (a new cookie) from the same address is challenged too; another address is not.
    assert Shopper(server.url).call("POST", "/api/sessions", json={}, headers=tester).status_code == 403
    other = {"X-Forwarded-For": "198.51.100.8"}
    assert Shopper(server.url).call("POST", "/api/sessions", json={}, headers=other).status_code == 201


def test_a_session_counts_once_however_often_its_key_is_sent(limited):
    """Two calls with one Idempotency-Key (a retry, an older embed's early start and the frame's) are one session."""
    server = limited()
    shopper = Shopper(server.url)

    def start(key):
        return shopper.call("POST", "/api/sessions", json={}, headers={"Idempotency-Key": key})

    made = [(start(f"mount-key-{n}"), start(f"mount-key-{n}")) for n in range(3)]
    assert all(first.status_code == second.status_code == 201 and first.json()["id"] == second.json()["id"]
               for first, second in made)
    assert start("mount-key-3").status_code == 429  # a fourth session is over 3/minute
    assert start("mount-key-1").json()["id"] == made[1][0].json()["id"]  # a known key makes nothing new


def test_a_session_the_frame_page_starts_counts_as_one_the_api_makes(limited):
    # A mount's start code has the frame's page start the session (pages.py start_in_page): one limit, one count.
    server = limited(ALLOWED_ORIGINS=SHOP)
    shopper = Shopper(server.url)

    def started(key):
        with server.app.test_request_context():
            code = issue_redirect_code(verify_customer_token(shopper.token))
        page = requests.get(f"{server.url}/frame", timeout=10, params={
            "parent": SHOP, "customer": "1", "start": code, "key": key, "body": "{}"})
        assert page.status_code == 200
        return "data-session=" in page.text

    assert [started(f"limit-start-{i}") for i in range(3)] == [True] * 3
    assert shopper.call("POST", "/api/sessions", json={}).status_code == 429
    assert started("limit-start-4") is False
    assert started("limit-start-0") is True  # its key's session, made earlier: not a new one
