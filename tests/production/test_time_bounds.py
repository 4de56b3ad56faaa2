"""Time bounds: a hung PSP costs a request at most its deadline (retries and read-backs included), fails fast
once its circuit is open, and never holds the threads other pages and other PSPs need."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from panless import create_app
from panless.sandbox import create_app as create_sandbox
from tests.support import UNLIMITED, LiveServer, providers_on
from tests.support.merchant import Shopper
from tests.support.tokenize import browser_result, post_card

from .stack import FUTURE, VISA

DEADLINE = 3


class Hangable:
    """WSGI middleware in front of the sandbox: while `hang` is set, every call waits that long first (a PSP
    that accepted the connection and says nothing)."""

    def __init__(self, app):
        self.app, self.hang = app, 0.0

    def __call__(self, environ, start_response):
        if self.hang and "/_sandbox/" not in environ.get("PATH_INFO", ""):
            time.sleep(self.hang)
        return self.app(environ, start_response)


@pytest.fixture
def hung():
    sandbox_app = create_sandbox()
    front = Hangable(sandbox_app.wsgi_app)
    sandbox_app.wsgi_app = front
    sandbox = LiveServer(sandbox_app).start()
    config = {**providers_on(sandbox.url), **UNLIMITED, "DATABASE_URL": ":memory:", "REQUEST_DEADLINE": DEADLINE,
              "PSP_MAX_CONCURRENT": 2, "PSP_CIRCUIT_FAILURES": 3, "PSP_CIRCUIT_RESET": 30}
    # Juspay stays on a sandbox that answers: one PSP's trouble must not reach another's shoppers.
    healthy = LiveServer(create_sandbox()).start()
    config["JUSPAY"] = providers_on(healthy.url)["JUSPAY"]
    merchant = LiveServer(create_app(config)).start()
    yield front, merchant
    front.hang = 0
    for server in (merchant, healthy, sandbox):
        server.stop()


def open_session(shopper) -> tuple[dict, str]:
    session = shopper.session()
    return session, browser_result(session["target"], post_card(session["target"], VISA, FUTURE, "123"))


def test_a_hung_psp_costs_one_deadline_then_fails_fast(hung):
    front, merchant = hung
    shopper = Shopper(merchant.url)
    session, result = open_session(shopper)
    front.hang = 20
    started = time.monotonic()
    r = shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": result})
    took = time.monotonic() - started
    assert r.status_code == 503 and r.json()["error"]["code"] == "psp_unavailable"
    assert int(r.headers["Retry-After"]) >= 1
    assert took < DEADLINE + 1.5, f"{took:.1f}s: the deadline covers every try and the read-back"
    # Once enough calls have failed the circuit is open: no more waiting on the PSP at all.
    for _ in range(3):
        shopper.call("POST", "/api/sessions", json={})
    started = time.monotonic()
    r = shopper.call("POST", "/api/sessions", json={})
    assert r.status_code == 503 and r.json()["error"]["code"] == "psp_unavailable"
    assert time.monotonic() - started < 1.0
    assert 1 <= int(r.headers["Retry-After"]) <= 30


def test_a_hung_psp_leaves_pages_and_other_psps_alone(hung):
    front, merchant = hung
    shopper = Shopper(merchant.url)
    front.hang = 20
    with ThreadPoolExecutor(8) as pool:
        stuck = [pool.submit(shopper.call, "POST", "/api/sessions", json={}) for _ in range(8)]
        time.sleep(0.5)  # the calls are in flight, waiting on the hung PSP (or refused: too many in flight)
        started = time.monotonic()
        page = requests.get(f"{merchant.url}/pay", timeout=10)
        other = shopper.call("POST", "/api/sessions", json={"provider": "juspay"})
        took = time.monotonic() - started
        answers = [f.result().status_code for f in stuck]
    assert page.status_code == 200 and other.status_code == 201
    assert took < 2.0, f"{took:.1f}s for a page and another PSP's session while one PSP hangs"
    assert set(answers) == {503}
    # Only PSP_MAX_CONCURRENT of them waited; the rest were refused at once.
    assert threading.active_count() < 100
