"""Exactly one card per session, under faults: a fault at every step of every PSP's flow (through a proxy of our
own between the merchant app and the sandbox), then retried to completion as the card form retries; ten
concurrent finishes and ten concurrent creations with one key, per PSP; an outage that does not count toward
the attempt cap; a stale connection on a creation; configuration mistakes that are nobody's card."""

from __future__ import annotations

import json
import secrets
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from panless import create_app
from panless.core.demo import CREDENTIALS
from panless.sandbox import create_app as create_sandbox
from tests.support import UNLIMITED, LiveServer, providers_on
from tests.support.merchant import Shopper
from tests.support.relay import merchant_config, start_relay
from tests.support.tokenize import browser_result, post_card

from .faults import FAULTS, FaultProxy
from .stack import FUTURE, PSPS, VISA

DEADLINE = 2
# Each PSP's calls from the merchant app, in flow order: (method, path pattern).
STEPS = {
    "mangopay": [("POST", r"/oauth/token"), ("POST", r"/users/natural$"), ("POST", r"/cardregistrations$"),
                 ("PUT", r"/cardregistrations/"), ("GET", r"/cards/card_")],
    "juspay": [("POST", r"/card/add$"), ("GET", r"/cards\?")],
    "stax": [("POST", r"/customer$"), ("GET", r"/payment-method/")],
    "verifone": [("GET", r"/v1/card/")],  # Ecart Pay's finish calls nothing: the relay's receipt is the card
}
RELAYED = ["ecartpay", "verifone"]  # the card is made through the relay, one ticket each: checked merchant-side
SCENARIOS = [(psp, method, path, fault) for psp, steps in STEPS.items() for method, path in steps for fault in FAULTS]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """A sandbox, the proxy in front of it, and a merchant app that reaches every PSP through the proxy."""
    sandbox = LiveServer(create_sandbox()).start()
    proxy = FaultProxy(sandbox.url).start()
    relay = start_relay(sandbox.url)
    app = create_app({**merchant_config(proxy.url, relay.url), "REQUEST_DEADLINE": DEADLINE,
                      "PSP_CIRCUIT_FAILURES": 1000,  # every scenario reaches the PSP; the breaker is tested apart
                      "DATABASE_URL": str(tmp_path_factory.mktemp("faults") / "merchant.db")})
    merchant = LiveServer(app).start()
    yield {"sandbox": sandbox, "proxy": proxy, "merchant": merchant, "app": app}
    merchant.stop()
    relay.stop()
    proxy.stop()
    sandbox.stop()


@pytest.fixture
def proxy(stack):
    stack["proxy"].clear()
    stack["app"].extensions["panless_providers"]["mangopay"]._token = None  # each scenario starts with OAuth
    yield stack["proxy"]
    stack["proxy"].clear()


def psp_cards(stack, psp: str, session_id: str) -> list[dict] | None:
    """The cards the PSP keeps for this session's customer (not deleted); None for a relayed PSP."""
    if psp in RELAYED:
        return None
    merchant_store = stack["app"].extensions["panless_store"]
    customer_id = merchant_store.get("session", session_id)["customer"]
    kept = merchant_store.get("customer", customer_id)["providers"].get(psp, {})
    owner = {"mangopay": kept.get("user_id"), "stax": kept.get("customer_id"),
             "juspay": f"{CREDENTIALS['juspay']['MERCHANT_ID']}:{customer_id}"}[psp]
    kind = {"mangopay": "mp_card", "juspay": "jp_card", "stax": "stax_method"}[psp]
    store = stack["sandbox"].app.extensions["panless_sandbox"]["store"]
    return [card for card in store.find(kind, owner=owner) if not (card.get("deleted") or card.get("deleted_at"))]


def save_with_retries(shopper: Shopper, psp: str, tries: int = 12) -> tuple[dict, str, list]:
    """What the card form does: one Idempotency-Key per session; a finalize that failed on the way is retried
    with the same PSP answer; a new session when the error says so; the shopper clicks Pay again."""
    session, result, key, history = None, None, secrets.token_hex(8), []
    for _ in range(tries):
        if session is None:
            r = shopper.call("POST", "/api/sessions", json={"provider": psp}, headers={"Idempotency-Key": key})
            history.append(("start", r.status_code))
            if r.status_code != 201:
                assert r.status_code in (502, 503), r.text
                time.sleep(0.05)
                continue
            session, result = r.json(), None
        if result is None:
            result = browser_result(session["target"], post_card(session["target"], VISA, FUTURE, "123"))
        r = shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": result})
        history.append(("finish", r.status_code))
        if r.status_code == 200:
            return r.json()["card"], session["id"], history
        assert r.status_code in (502, 503, 410), r.text
        if r.json()["error"]["retry"] == "new_session":
            session, key = None, secrets.token_hex(8)
        time.sleep(0.05)
    raise AssertionError(f"never saved: {history}")


@pytest.mark.parametrize("psp, method, path, fault", SCENARIOS,
                         ids=[f"{p}-{m}-{f}-{i}" for i, (p, m, _, f) in enumerate(SCENARIOS)])
def test_a_fault_at_any_step_then_retried_saves_exactly_one_card(stack, proxy, psp, method, path, fault):
    planned = proxy.plan(method, path, fault, seconds=DEADLINE + 0.5)
    shopper = Shopper(stack["merchant"].url)
    card, session_id, history = save_with_retries(shopper, psp)
    assert planned.hits, f"the fault never fired: {proxy.log}"
    time.sleep(0.6 if fault == "slow" else 0)  # a call the proxy held has reached the PSP by now
    listed = shopper.call("GET", "/api/cards").json()["cards"]
    assert [c["token"] for c in listed] == [card["token"]], history
    kept = psp_cards(stack, psp, session_id)
    assert kept is None or [c.get("Id") or c.get("card_token") or c.get("id") for c in kept] == [card["token"]], history


@pytest.mark.parametrize("psp", PSPS + RELAYED)
def test_ten_concurrent_finishes_save_one_card(stack, proxy, psp):
    shopper = Shopper(stack["merchant"].url)
    session = shopper.session(provider=psp)
    result = browser_result(session["target"], post_card(session["target"], VISA, FUTURE, "123"))
    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: shopper.call("POST", f"/api/sessions/{session['id']}/finalize",
                                                       json={"result": result}), range(10)))
    assert [a.status_code for a in answers] == [200] * 10
    assert len({json.dumps(a.json(), sort_keys=True) for a in answers}) == 1  # the first one's card, for all
    assert len(shopper.call("GET", "/api/cards").json()["cards"]) == 1
    assert psp in RELAYED or len(psp_cards(stack, psp, session["id"])) == 1


@pytest.mark.parametrize("psp", PSPS + RELAYED)
def test_ten_concurrent_creations_with_one_key_make_one_session(stack, proxy, psp):
    shopper = Shopper(stack["merchant"].url)
    key = "same-key-" + secrets.token_hex(6)
    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: shopper.call("POST", "/api/sessions", json={"provider": psp},
                                                       headers={"Idempotency-Key": key}), range(10)))
    assert [a.status_code for a in answers] == [201] * 10
    assert len({json.dumps(a.json(), sort_keys=True) for a in answers}) == 1  # one session, one target
    session = answers[0].json()
    result = browser_result(session["target"], post_card(session["target"], VISA, FUTURE, "123"))
    done = shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": result})
    assert done.status_code == 200, done.text  # Stax: the payment method belongs to the session's customer
    store = stack["sandbox"].app.extensions["panless_sandbox"]["store"]
    made = {"mangopay": "mp_cardreg", "stax": "stax_customer"}.get(psp)
    if made:
        merchant_store = stack["app"].extensions["panless_store"]
        customer_id = merchant_store.get("session", session["id"])["customer"]
        user_id = merchant_store.get("customer", customer_id)["providers"][psp].get("user_id")
        bodies = [json.loads(row[0]) for row in store.execute("SELECT body FROM objects WHERE kind = ?", (made,))]
        mine = [b for b in bodies if b.get("reference") == customer_id or (user_id and b.get("UserId") == user_id)]
        assert len(mine) == 1  # one registration / one Stax customer, not one per concurrent call


def test_an_outage_does_not_count_toward_the_attempt_cap(stack, proxy):
    """The PSP saves the card, then goes down before answering and stays down while the shopper clicks Pay
    every second: each click is a 503, none counts, and once it is back the click saves that card."""
    shopper = Shopper(stack["merchant"].url)
    session = shopper.session()
    result = browser_result(session["target"], post_card(session["target"], VISA, FUTURE, "123"))
    proxy.plan("PUT", r"/cardregistrations/", "drop_after")
    proxy.plan("*", r".", "drop_before", times=10**6)
    clicks = [shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": result})
              for _ in range(8)]
    assert {c.status_code for c in clicks} == {503} and {c.json()["error"]["retry"] for c in clicks} == {"same_session"}
    proxy.clear()
    done = shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": result})
    assert done.status_code == 200, done.text
    assert len(psp_cards(stack, "mangopay", session["id"])) == 1
    assert [c["token"] for c in shopper.call("GET", "/api/cards").json()["cards"]] == [done.json()["card"]["token"]]


def test_refusals_still_count_toward_the_cap(stack, proxy):
    shopper = Shopper(stack["merchant"].url)
    session = shopper.session()
    codes = [shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": "errorCode=02625"})
             .status_code for _ in range(6)]
    assert codes == [422] * 5 + [429]


def test_a_connection_closed_before_a_creation_is_retried(stack, proxy):
    """A pooled keep-alive connection the server closed while idle: the creation is sent again, not lost."""
    proxy.plan("POST", r"/customer$", "drop_before")
    shopper = Shopper(stack["merchant"].url)
    r = shopper.call("POST", "/api/sessions", json={"provider": "stax"})
    assert r.status_code == 201, r.text


def test_a_gateway_error_on_oauth_is_an_outage_not_bad_credentials(stack, proxy):
    proxy.plan("POST", r"/oauth/token", "502", times=3)
    shopper = Shopper(stack["merchant"].url)
    r = shopper.call("POST", "/api/sessions", json={})
    assert r.status_code == 503 and r.json()["error"]["code"] == "psp_unavailable"


@pytest.mark.parametrize("psp, setting, value, field", [
    ("juspay", "MERCHANT_ID", "not-our-merchant", "merchant_id"),
    ("stax", "WEB_TOKEN", "not-our-token", "error"),
])
def test_a_wrong_public_setting_stops_the_form_instead_of_looping(stack, psp, setting, value, field):
    """The browser's post is refused for the merchant's settings: the form is told it is not the shopper's to
    fix (no retry), rather than starting session after session."""
    app = create_app({**providers_on(stack["sandbox"].url), **UNLIMITED, "DATABASE_URL": ":memory:",
                      psp.upper(): {**providers_on(stack["sandbox"].url)[psp.upper()], setting: value}})
    server = LiveServer(app).start()
    try:
        session = Shopper(server.url).session(provider=psp)
        refused = post_card(session["target"], VISA, FUTURE, "123")
        assert not refused.ok and field in refused.text
        assert session["target"]["errors"][field]["code"] == "psp_misconfigured"
        assert session["target"]["errors"][field]["retry"] is None
    finally:
        server.stop()


def test_check_names_each_wrong_psp_setting(stack):
    from panless.merchant import checks

    sandbox = providers_on(stack["sandbox"].url)
    wrong = {"MANGOPAY": {"API_KEY": "wrong-key"}, "JUSPAY": {"API_KEY": "wrong-key"},
             "STAX": {"WEB_TOKEN": "wrong-token"}}
    wrong_psps = [psp.lower() for psp in wrong]
    app = create_app({**{psp: {**sandbox[psp], **wrong.get(psp, {})} for psp in sandbox}, "DATABASE_URL": ":memory:"})
    findings = {f.what: f for f in checks.run(app)}
    assert "PANLESS_MANGOPAY__CLIENT_ID / PANLESS_MANGOPAY__API_KEY" in findings["mangopay"].detail
    assert "PANLESS_JUSPAY__API_KEY" in findings["juspay"].detail
    assert "PANLESS_STAX__WEB_TOKEN" in findings["stax"].detail
    assert not any(findings[psp].ok for psp in wrong_psps)
    merchant = create_app({"JUSPAY": {**sandbox["JUSPAY"], "MERCHANT_ID": "someone-else"}, "DATABASE_URL": ":memory:"})
    assert "PANLESS_JUSPAY__MERCHANT_ID" in {f.what: f for f in checks.run(merchant)}["juspay"].detail
    good = create_app({**sandbox, "DATABASE_URL": ":memory:"})
    assert all(f.ok for f in checks.run(good)), [f.line() for f in checks.run(good)]

