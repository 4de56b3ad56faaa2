"""The Ecart Pay adapter and the relay's Ecart Pay route against Ecart Pay's documented wire
(tests/fixtures/ecartpay), not our sandbox."""

import base64
import json
from dataclasses import replace

import pytest

from panless.core.demo import CREDENTIALS
from panless.core.tickets import mint_receipt, verify
from panless.merchant.providers.base import PspFailure
from panless.merchant.providers.ecartpay import EcartPayProvider
from tests.providers.relay_support import finish_request, replay_behind_relay, start_request
from tests.support.golden import load
from tests.support.tokenize import browser_result, post_card

KEYS = CREDENTIALS["ecartpay"]
ep_relay = replay_behind_relay("ecartpay")


def adapter(relay_url="http://127.0.0.1:8002", **config):
    return EcartPayProvider({**EcartPayProvider.defaults(), "RELAY_URL": relay_url, **config})


def ticket_params(target) -> dict:
    return verify(KEYS["RELAY_KEY"], target.headers["X-Relay-Ticket"], "ticket")["params"]


def test_the_target_sends_the_documented_fields_to_the_relay_and_no_secret():
    target = adapter().start(start_request()).target
    documented = load("ecartpay", "tokens_create_card")["request"]["body"]
    assert set(target.card_fields.values()) | set(ticket_params(target)) == set(documented)
    assert target.url == "http://127.0.0.1:8002/ecartpay/tokens/ses_golden000001" and target.encoding == "json"
    text = json.dumps(target.to_json())
    assert KEYS["PRIVATE_KEY"] not in text and KEYS["RELAY_KEY"] not in text
    assert adapter().tokenization_origins() == ["http://127.0.0.1:8002"]


@pytest.mark.parametrize("options,params", [
    ({}, {"tokenization": True}),
    ({"temporary": True}, {"tokenization": False}),
    ({"installments": 6, "fixed_installments": False}, {"tokenization": True, "installments": 6,
                                                        "fixed_installments": False}),
])
def test_the_ticket_carries_the_session_options(options, params):
    assert ticket_params(adapter().start(start_request(options=options)).target) == params


@pytest.mark.parametrize("sample,code", [("tokens_error_number", "invalid_number"),
                                         ("tokens_error_cvc", "invalid_cvc"),
                                         ("tokens_error_expiry", "invalid_expiry"),
                                         ("tokens_declined", "card_refused"),
                                         ("tokens_hold_declined", "card_refused")])
def test_documented_errors_reach_the_form_as_ours(ep_relay, sample, code):
    replay, relay = ep_relay
    replay.on("authorization_token")
    replay.on(sample)
    target = adapter(relay.url).start(start_request()).target.to_json()
    answer = post_card(target, "4111111111111111")
    documented = load("ecartpay", sample)["response"]
    assert answer.status_code == documented["status"]
    relayed = answer.json()["error"]
    assert relayed == {"code": documented["body"]["code"], "field": None, "source": "psp",
                       "message": f"The PSP refused the card ({documented['body']['code']})."}
    assert target["result"]["error_code_path"] == "error.code"
    assert target["errors"][relayed["code"]]["code"] == code


def test_the_relay_authorizes_with_the_keys_then_sends_the_raw_jwt(ep_relay):
    replay, relay = ep_relay
    replay.on("authorization_token")
    replay.on("tokens_create_card")
    provider = adapter(relay.url)
    started = provider.start(start_request(options={"installments": 3}))
    answer = post_card(started.target.to_json(), "4111111111111111", expiry="1230", cvc="847")
    assert answer.status_code == 200, answer.text
    auth, tokens = replay.seen
    pair = f"{KEYS['PUBLIC_KEY']}:{KEYS['PRIVATE_KEY']}".encode()
    assert auth["path"] == "/api/authorizations/token" and auth["headers"]["Authorization"] == (
        "Basic " + base64.b64encode(pair).decode())
    documented_jwt = load("ecartpay", "authorization_token")["response"]["body"]["token"]
    assert tokens["path"] == "/api/tokens" and tokens["headers"]["Authorization"] == documented_jwt
    sent = json.loads(tokens["body"])
    assert sent == {"number": "4111111111111111", "name": "Jody Smith", "exp_month": "12", "exp_year": "2030",
                    "cvc": "847", "tokenization": True, "installments": 3}
    card = provider.finish(finish_request(started, browser_result(started.target.to_json(), answer)))
    assert card.token == load("ecartpay", "tokens_create_card")["response"]["body"]["token"]
    assert (card.brand, card.last4, card.exp_month, card.exp_year) == ("visa", "1111", 12, 2030)


def receipt_for(provider, started, **changes):
    claims = verify(KEYS["RELAY_KEY"], started.target.headers["X-Relay-Ticket"], "ticket")
    card = {"brand": "visa", "last4": "1111", "exp_month": 12, "exp_year": 2030}
    return mint_receipt(changes.pop("key", KEYS["RELAY_KEY"]), {**claims, **changes}, "ca_x", card)


@pytest.mark.parametrize("changes", [{"ses": "ses_another000001"}, {"cus": "cus_another"}, {"psp": "verifone"},
                                     {"op": "card"}, {"key": "not-the-relay-key"}])
def test_finish_refuses_a_receipt_for_anything_else(changes):
    provider = adapter()
    started = provider.start(start_request())
    assert provider.finish(finish_request(started, receipt_for(provider, started))).token == "ca_x"
    with pytest.raises(PspFailure) as caught:
        provider.finish(finish_request(started, receipt_for(provider, started, **changes)))
    assert caught.value.detail == "invalid_result"


@pytest.mark.parametrize("result", [None, 5, "", "ca_ef686e4f4a2d92e99", "x.y"])
def test_finish_refuses_what_is_not_a_receipt(result):
    provider = adapter()
    started = provider.start(start_request())
    with pytest.raises(PspFailure) as caught:
        provider.finish(finish_request(started, result))
    assert caught.value.detail == "invalid_result"
    with pytest.raises(PspFailure):  # nor the ticket itself
        provider.finish(finish_request(started, started.target.headers["X-Relay-Ticket"]))


def test_cvc_recollection_sends_the_documented_saved_card_request(ep_relay):
    """`POST /api/tokens` with the saved token's id (from the ticket) and the cvc (from the browser), as documented."""
    replay, relay = ep_relay
    replay.on("authorization_token")
    replay.on("tokens_create_saved_card")
    documented = load("ecartpay", "tokens_create_saved_card")
    provider = adapter(relay.url)
    saved = documented["request"]["body"]["id"]
    started = provider.start_cvc(start_request(saved_card=saved, options={"installments": 3,
                                                                          "fixed_installments": True}))
    target = started.target.to_json()
    assert target["card_fields"] == {"cvc": "cvc"} and target["url"].endswith("/ecartpay/cvc/ses_golden000001")
    answer = post_card(target, "", cvc="123")
    assert answer.status_code == 200, answer.text
    assert json.loads(replay.seen[-1]["body"]) == documented["request"]["body"]
    result = browser_result(target, answer)
    charge = provider.finish_cvc(replace(finish_request(started, result), saved_card=saved))
    assert charge.token == documented["response"]["body"]["token"]
    with pytest.raises(PspFailure) as caught:  # the receipt is for this saved card only
        provider.finish_cvc(replace(finish_request(started, result), saved_card="another-card"))
    assert caught.value.detail == "invalid_result"
