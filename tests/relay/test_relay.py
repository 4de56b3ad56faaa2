"""The tokenization relay: what it forwards, what it refuses (forwarding nothing), and what it leaves behind."""

import base64
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

from panless.core.demo import CREDENTIALS
from panless.core.settings import ConfigError
from panless.core.tickets import mint_ticket, verify
from panless.merchant.providers.relayed import RELAY_ERRORS
from panless.relay import create_app as create_relay
from panless.relay.views import CODES
from tests.support import LiveServer, LogCapture, free_port, secrets_found
from tests.support.golden import Replay
from tests.support.relay import relay_config
from tests.support.sandbox import TIMEOUT
from tests.support.tokenize import browser_result, post_card

ROOT = Path(__file__).resolve().parents[2]
VISA = "4111111111111111"
CARD = {"ecartpay": {"number": VISA, "name": "Jody Smith", "exp_month": "12", "exp_year": "2030", "cvc": "847"},
        "verifone": {"card_number": VISA, "cvv": "847", "expiry_month": "12", "expiry_year": "2030"}}
OPERATION = {"ecartpay": "tokens", "verifone": "card"}
UPSTREAM_PATH = {"ecartpay": "/ecartpay/api/tokens", "verifone": "/verifone/v1/card"}


def key(psp):
    return CREDENTIALS[psp]["RELAY_KEY"]


def ticket(psp="ecartpay", session="ses_relaytest0001", key_of=None, **kw):
    params = {"ecartpay": {"tokenization": True}, "verifone": {"organisation": CREDENTIALS["verifone"]["ORGANISATION"]}}
    claims = {"psp": psp, "customer": "cus_1", "session": session, "operation": OPERATION[psp],
              "params": params[psp], **kw}
    return mint_ticket(key(key_of or psp), **claims)


def post(relay, psp="ecartpay", session="ses_relaytest0001", signed=None, body=None, headers=None, path=None):
    hdrs = {"Content-Type": "application/json", **({"X-Relay-Ticket": signed} if signed else {}), **(headers or {})}
    url = relay.url + (path or f"/{psp}/{OPERATION[psp]}/{session}")
    data = body if isinstance(body, (str, bytes)) else json.dumps(CARD[psp] if body is None else body)
    return requests.post(url, data=data, headers=hdrs, timeout=TIMEOUT)


def forwarded(upstream, psp):
    return [r for r in upstream.recorder.requests if r["url"] == UPSTREAM_PATH[psp]]


# -- isolation --------------------------------------------------------------------------------------------

def test_the_relay_loads_no_merchant_sandbox_or_demo_module():
    probe = ("import sys; from panless.relay import create_app; create_app({'RELAY': {'DB': ':memory:'}}); "
             "print('\\n'.join(m for m in sys.modules if m.startswith('panless')))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    loaded = done.stdout.split()
    assert "panless.relay" in loaded and "panless.core.tickets" in loaded
    assert not [m for m in loaded if m.startswith(("panless.merchant", "panless.sandbox", "panless.demo"))], loaded


# -- forwarding ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("psp", ["ecartpay", "verifone"])
def test_a_valid_ticket_forwards_once_and_the_merchant_saves_the_receipted_card(shopper, relay, upstream, psp):
    session = shopper.session(provider=psp)
    target = session["target"]
    assert target["url"].startswith(relay.url + f"/{psp}/") and set(target["headers"]) == {"X-Relay-Ticket"}
    answer = post_card(target, VISA, cvc="847")
    assert answer.status_code == 200, answer.text
    assert set(answer.json()) == {"receipt"}
    sent = forwarded(upstream, psp)
    assert len(sent) == 1
    assert set(json.loads(sent[0]["body"])) >= set(CARD[psp]) - {"name"}  # the card, plus the ticket's params
    done = shopper.call("POST", f"/api/sessions/{session['id']}/finalize",
                        json={"result": browser_result(target, answer)})
    assert done.status_code == 200, done.text
    card = done.json()["card"]
    assert (card["brand"], card["last4"], card["exp_month"], card["exp_year"]) == ("visa", "1111", 12, 2030)
    again = post_card(target, VISA, cvc="847")
    assert again.status_code == 409 and again.json()["error"]["code"] == "ticket_used"
    assert len(forwarded(upstream, psp)) == 1




def test_the_ticket_not_the_browser_decides_what_is_asked(shopper, upstream):
    session = shopper.session(provider="ecartpay", options={"installments": 6, "temporary": True})
    answer = post_card(session["target"], VISA)
    assert answer.status_code == 200, answer.text
    sent = json.loads(forwarded(upstream, "ecartpay")[0]["body"])
    assert sent["installments"] == 6 and sent["tokenization"] is False


@pytest.mark.parametrize("provider,options,status,field", [
    ("ecartpay", {"installments": 5}, 400, "options.installments"),
    ("ecartpay", {"temporary": "yes"}, 400, "options.temporary"),
    ("ecartpay", {"colour": "red"}, 400, "options.colour"),
    ("verifone", {"installments": 3}, 422, "options.installments"),
    ("mangopay", {"temporary": True}, 422, "options.temporary"),
])
def test_session_options_are_checked_and_only_for_psps_that_take_them(shopper, provider, options, status, field):
    answer = shopper.call("POST", "/api/sessions", json={"provider": provider, "options": options})
    assert answer.status_code == status and answer.json()["error"]["field"] == field


def test_psp_errors_come_back_as_codes_the_form_maps(shopper, upstream):
    target = shopper.session(provider="ecartpay")["target"]
    answer = post_card(target, VISA, cvc="84")
    assert answer.status_code == 400
    assert answer.json()["error"] == {"code": "invalid_cvc", "message": "The PSP refused the card (invalid_cvc).",
                                      "field": None, "source": "psp"}
    assert target["errors"]["invalid_cvc"]["code"] == "invalid_cvc"
    assert target["errors"]["invalid_cvc"]["retry"] == "new_session"  # the ticket is spent


def test_every_relay_code_is_described_to_the_form():
    assert set(CODES) == set(RELAY_ERRORS)


def test_every_relay_code_says_what_to_do():
    from panless.relay.views import MESSAGES

    assert set(MESSAGES) == set(CODES) | {"internal_error"} and all(m.endswith(".") for m in MESSAGES.values())


# -- refusals: nothing is forwarded -----------------------------------------------------------------------

def tampered(signed):
    body, mac = signed.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims["params"]["installments"] = 18
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{forged}.{mac}"


REFUSALS = {
    "no ticket": (lambda: {}, 401, "ticket_missing"),
    "forged": (lambda: {"signed": tampered(ticket())}, 401, "ticket_invalid"),
    "signed with another key": (lambda: {"signed": ticket(key_of="verifone")}, 401, "ticket_invalid"),
    "expired": (lambda: {"signed": ticket(now=time.time() - 301)}, 401, "ticket_expired"),
    "another PSP's ticket": (lambda: {"signed": ticket("verifone"), "path": "/ecartpay/tokens/ses_relaytest0001"},
                             401, "ticket_invalid"),
    "another session": (lambda: {"signed": ticket(session="ses_someoneelse01")}, 403, "ticket_mismatch"),
    "a receipt as ticket": (lambda: {"signed": receipt_like()}, 401, "ticket_invalid"),
    "oversized body": (lambda: {"signed": ticket(), "body": {"number": VISA, "name": "x" * 60,
                                                            "cvc": "1" * 60, "exp_month": "1" * 3000}},
                       413, "payload_too_large"),
    "unknown field": (lambda: {"signed": ticket(), "body": {**CARD["ecartpay"], "email": "a@b.c"}}, 400,
                      "unknown_field"),
    "field that is not a string": (lambda: {"signed": ticket(), "body": {**CARD["ecartpay"], "exp_month": 12}}, 400,
                                   "invalid_field"),
    "a field naming the upstream": (lambda: {"signed": ticket(), "body": {**CARD["ecartpay"],
                                                                        "url": "http://evil.example/"}},
                                    400, "unknown_field"),
    "a query naming the upstream": (lambda: {"signed": ticket(),
                                             "path": "/ecartpay/tokens/ses_relaytest0001?upstream=http://evil.example"},
                                    400, "invalid_request"),
    "a ticket param set by the browser": (lambda: {"signed": ticket(), "body": {**CARD["ecartpay"],
                                                                              "installments": "18"}},
                                          400, "unknown_field"),
    "not JSON": (lambda: {"signed": ticket(), "body": "number=4111111111111111"}, 400, "invalid_json"),
    "an unknown PSP": (lambda: {"signed": ticket(), "path": "/stax/tokens/ses_relaytest0001"}, 404, "unknown_route"),
    "an origin not allowed": (lambda: {"signed": ticket(), "headers": {"Origin": "http://evil.example"}}, 403,
                              "origin_not_allowed"),
}


def receipt_like():
    from panless.core.tickets import mint_receipt

    claims = verify(key("ecartpay"), ticket(), "ticket")
    return mint_receipt(key("ecartpay"), claims, "ca_x", {})


@pytest.mark.parametrize("case", REFUSALS)
def test_refusals_forward_nothing(relay, upstream, case):
    make, status, code = REFUSALS[case]
    upstream.recorder.requests.clear()
    answer = post(relay, **make())
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code
    assert answer.json()["error"]["source"] == "relay" and answer.json()["error"]["message"]
    assert upstream.recorder.requests == []


@pytest.mark.parametrize("name", ["4970101122334422", "x4970101122334422", "4970 1011 2233 4422 123"])
def test_a_refused_field_name_is_never_a_card_number_in_the_answer(relay, upstream, name):
    answer = post(relay, signed=ticket(), body={**CARD["ecartpay"], name: "x"})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "unknown_field"
    assert "[PAN]" in answer.json()["error"]["field"] and "4422" not in answer.text


@pytest.mark.parametrize("params,status,code", [
    ({"organisation": CREDENTIALS["verifone"]["ORGANISATION"]}, 401, "ticket_invalid"),  # no card in the ticket
    ({"organisation": CREDENTIALS["verifone"]["ORGANISATION"], "id": ""}, 401, "ticket_invalid"),
])
def test_a_cvc_ticket_must_name_the_saved_card(relay, upstream, params, status, code):
    """The saved card goes into the upstream path (`POST /v1/card/{id}`) only from the ticket."""
    upstream.recorder.requests.clear()
    signed = mint_ticket(key("verifone"), psp="verifone", customer="cus_1", session="ses_relaytest0002",
                         operation="cvv", params=params)
    answer = post(relay, "verifone", signed=signed, body={"cvv": "362"}, path="/verifone/cvv/ses_relaytest0002")
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)
    assert upstream.recorder.requests == []


def test_a_cvc_ticket_puts_the_card_in_the_path_and_the_cvc_in_the_body(relay, upstream):
    upstream.recorder.requests.clear()
    params = {"organisation": CREDENTIALS["verifone"]["ORGANISATION"], "id": "card/../v1/transaction"}
    signed = mint_ticket(key("verifone"), psp="verifone", customer="cus_1", session="ses_relaytest0003",
                         operation="cvv", params=params)
    answer = post(relay, "verifone", signed=signed, body={"cvv": "362"}, path="/verifone/cvv/ses_relaytest0003")
    # No such card at the PSP (its 404 comes back as its error), and no transaction: the id went quoted, one
    # path segment (the recorder shows it decoded; unquoted, the dot segments would have been resolved away).
    assert (answer.status_code, answer.json()["error"]["source"]) == (404, "psp")
    sent = upstream.recorder.requests[-1]
    assert sent["url"] == "/verifone/v1/card/card/../v1/transaction"
    assert json.loads(sent["body"]) == {"cvv": "362", "organisation": params["organisation"]}


def test_a_refused_body_does_not_spend_the_ticket(relay, upstream):
    signed = ticket(session="ses_notspent00001")
    assert post(relay, session="ses_notspent00001", signed=signed, body={"bogus": "1"}).status_code == 400
    assert post(relay, session="ses_notspent00001", signed=signed).status_code == 200




def test_a_ticket_spent_on_one_relay_process_is_refused_by_another(relay, upstream, relay_db):
    port = free_port()
    env = {**os.environ, "PANLESS_RELAY__DB": relay_db, "PANLESS_ECARTPAY__BASE_URL": f"{upstream.url}/ecartpay",
           "PANLESS_VERIFONE__BASE_URL": f"{upstream.url}/verifone"}
    log = tempfile.TemporaryFile(mode="w+")
    other = subprocess.Popen([sys.executable, "-m", "panless.cli", "relay", "--port", str(port)], env=env,
                             stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        second = LiveServerAt(f"http://127.0.0.1:{port}")
        second.wait()
        signed = ticket(session="ses_twoprocesses1")
        assert post(relay, session="ses_twoprocesses1", signed=signed).status_code == 200
        upstream.recorder.requests.clear()
        answer = post(second, session="ses_twoprocesses1", signed=signed)
        assert answer.status_code == 409 and answer.json()["error"]["code"] == "ticket_used"
        assert upstream.recorder.requests == []
        # Under gunicorn too, one redacted line per request (gunicorn sets up only its own loggers).
        assert requests.get(f"{second.url}/x{VISA}", timeout=TIMEOUT).status_code == 404
    finally:
        other.terminate()
        other.wait(timeout=10)
        log.seek(0)
        output = log.read()
        log.close()
    lines = [line for line in output.splitlines() if " panless.relay " in line]
    assert any("POST /ecartpay/tokens/ses_twoprocesses1 -> 409" in line for line in lines), lines
    assert any("GET /x[PAN] -> 404" in line for line in lines), lines
    assert secrets_found("\n".join(lines), [VISA]) == []


class LiveServerAt:
    def __init__(self, url):
        self.url = url

    def wait(self):
        for _ in range(100):
            try:
                requests.get(self.url + "/", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise AssertionError("the second relay process did not start")


# -- CORS, timeouts, logs, configuration --------------------------------------------------------------------

def test_cors_only_for_the_configured_form_origins(relay):
    url = relay.url + "/ecartpay/tokens/ses_relaytest0001"
    ask = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-relay-ticket"}
    allowed = requests.options(url, headers={"Origin": "http://form.example", **ask}, timeout=TIMEOUT)
    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == "http://form.example"
    assert "X-Relay-Ticket" in allowed.headers["Access-Control-Allow-Headers"]
    other = requests.options(url, headers={"Origin": "http://evil.example", **ask}, timeout=TIMEOUT)
    assert other.status_code == 403 and "Access-Control-Allow-Origin" not in other.headers


def test_the_forwarded_call_has_a_timeout():
    replay = Replay("verifone")
    replay.on("card_create")
    replay.delay = 1.5
    config = {**relay_config("http://127.0.0.1:1", TIMEOUT=0.3), "VERIFONE": {"BASE_URL": replay.server.url}}
    relay = LiveServer(create_relay(config)).start()
    try:
        answer = post(relay, "verifone", signed=ticket("verifone"))
        assert answer.status_code == 504 and answer.json()["error"]["code"] == "upstream_timeout"
    finally:
        relay.stop()
        replay.server.stop()


def test_one_redacted_log_line_per_request(relay):
    with LogCapture() as logs:
        post(relay, signed=ticket(session="ses_logged000001"), session="ses_logged000001")
        post(relay, body={**CARD["ecartpay"], "bogus": VISA})
    lines = [line for line in logs.lines if line.startswith("panless.relay ")]
    assert len(lines) == 2, lines
    assert "-> 200 (psp 200)" in lines[0] and "-> 401" in lines[1]
    assert secrets_found("\n".join(logs.lines), [VISA, "847"]) == []


def test_the_relay_stores_nothing_but_spent_ticket_ids(relay, relay_db):
    post(relay, signed=ticket(session="ses_stored000001"), session="ses_stored000001")
    rows = sqlite3.connect(relay_db).execute("SELECT kind, body FROM objects").fetchall()
    assert rows and {kind for kind, _ in rows} == {"relay_spent"}
    assert secrets_found(json.dumps(rows), [VISA, "847"]) == []


@pytest.mark.parametrize("psp,secret", [("ecartpay", "PRIVATE_KEY"), ("ecartpay", "RELAY_KEY"),
                                        ("verifone", "API_KEY"), ("verifone", "RELAY_KEY")])
def test_published_demo_secrets_are_refused_for_a_real_psp(psp, secret):
    real = {"ecartpay": "https://sandbox.ecartpay.com", "verifone": "https://sandbox.omni.verifone.cloud"}
    others = {"ecartpay": ("PRIVATE_KEY", "RELAY_KEY"), "verifone": ("API_KEY", "RELAY_KEY")}
    section = {"BASE_URL": real[psp], **{k: "set-by-operator" for k in others[psp] if k != secret}}
    with pytest.raises(ConfigError, match=secret):
        create_relay({**relay_config("http://127.0.0.1:1"), psp.upper(): section})


def test_form_origins_must_be_exact_origins():
    with pytest.raises(ConfigError):
        create_relay(relay_config("http://127.0.0.1:1", form_origins=["https://pay.example.com/path"]))
