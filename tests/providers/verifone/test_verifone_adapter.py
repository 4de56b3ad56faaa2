"""The Verifone UK Gateway adapter and the relay's Verifone route against Verifone's documented wire
(tests/fixtures/verifone), not our sandbox."""

import json
from dataclasses import replace

import pytest

from panless.core.demo import CREDENTIALS
from panless.core.tickets import verify
from panless.merchant.providers.base import PspFailure
from panless.merchant.providers.verifone import VerifoneProvider
from tests.providers.relay_support import finish_request, replay_behind_relay, start_request
from tests.support.golden import load
from tests.support.tokenize import browser_result, post_card

CONFIG = CREDENTIALS["verifone"]
vf_relay = replay_behind_relay("verifone")
DOCUMENTED_CARD = load("verifone", "card_create")["response"]["body"]


def adapter(relay_url="http://127.0.0.1:8002", base_url="http://127.0.0.1:1", **config):
    return VerifoneProvider({**VerifoneProvider.defaults(), "RELAY_URL": relay_url, "BASE_URL": base_url,
                             "ORGANISATION": DOCUMENTED_CARD["organisation"], "TIMEOUT": 2, **config})


def test_the_target_sends_the_documented_fields_to_the_relay_and_no_secret():
    target = adapter().start(start_request()).target
    params = verify(CONFIG["RELAY_KEY"], target.headers["X-Relay-Ticket"], "ticket")["params"]
    documented = load("verifone", "card_create")["request"]["body"]
    assert set(target.card_fields.values()) | set(params) == set(documented)
    assert params == {"organisation": DOCUMENTED_CARD["organisation"]}
    assert CONFIG["API_KEY"] not in json.dumps(target.to_json())


@pytest.mark.parametrize("sample,code", [("card_create_error_number", "invalid_number"),
                                         ("card_create_error_cvv", "invalid_cvc"),
                                         ("card_create_error_expiry", "invalid_expiry"),
                                         ("card_create_not_supported", "card_refused")])
def test_documented_errors_reach_the_form_as_ours(vf_relay, sample, code):
    replay, relay = vf_relay
    replay.on(sample)
    target = adapter(relay.url).start(start_request()).target.to_json()
    answer = post_card(target, "4111111111111111")
    documented = load("verifone", sample)["response"]
    assert answer.status_code == documented["status"]
    assert answer.json()["error"]["code"] == documented["body"]["error"]
    assert target["errors"][documented["body"]["error"]]["code"] == code


def test_the_relay_adds_the_api_key_and_finish_reads_the_card_from_verifone(vf_relay):
    replay, relay = vf_relay
    replay.on("card_create")
    replay.on("card_view")
    provider = adapter(relay.url, base_url=replay.server.url)
    started = provider.start(start_request())
    answer = post_card(started.target.to_json(), "4111111111111111", cvc="847")
    assert answer.status_code == 200, answer.text
    created = replay.seen[0]
    assert created["path"] == "/v1/card" and created["headers"]["X-Apikey"] == CONFIG["API_KEY"]
    assert json.loads(created["body"]) == {"card_number": "4111111111111111", "cvv": "847", "expiry_month": "12",
                                           "expiry_year": "2030", "organisation": DOCUMENTED_CARD["organisation"]}
    card = provider.finish(finish_request(started, browser_result(started.target.to_json(), answer)))
    viewed = replay.seen[1]
    assert (viewed["method"], viewed["path"]) == ("GET", f"/v1/card/{DOCUMENTED_CARD['_id']}")
    assert viewed["headers"]["X-Apikey"] == CONFIG["API_KEY"]
    assert (card.token, card.brand, card.last4, card.exp_month, card.exp_year) == (
        DOCUMENTED_CARD["_id"], "visa", DOCUMENTED_CARD["last_four"], 12, 2030)


def test_finish_refuses_a_card_of_another_organisation(vf_relay):
    replay, relay = vf_relay
    replay.on("card_create")
    replay.on("card_view", body={**DOCUMENTED_CARD, "organisation": "someone-else"})
    provider = adapter(relay.url, base_url=replay.server.url)
    started = provider.start(start_request())
    answer = post_card(started.target.to_json(), "4111111111111111")
    with pytest.raises(PspFailure) as caught:
        provider.finish(finish_request(started, browser_result(started.target.to_json(), answer)))
    assert caught.value.detail == "invalid_result"


def test_cvc_recollection_sends_the_documented_card_update(vf_relay):
    """`POST /v1/card/{id}` with `cvv` and `organisation`: the id from the ticket, the CVV alone from the browser."""
    replay, relay = vf_relay
    replay.on("card_update_cvv")
    documented = load("verifone", "card_update_cvv")
    card_id = documented["response"]["body"]["_id"]
    provider = adapter(relay.url, base_url=replay.server.url)
    started = provider.start_cvc(start_request(saved_card=card_id))
    target = started.target.to_json()
    assert target["card_fields"] == {"cvc": "cvv"} and target["url"].endswith("/verifone/cvv/ses_golden000001")
    answer = post_card(target, "", cvc="123")
    assert answer.status_code == 200, answer.text
    updated = replay.seen[-1]
    assert (updated["method"], updated["path"]) == ("POST", f"/v1/card/{card_id}")
    assert updated["headers"]["X-Apikey"] == CONFIG["API_KEY"]
    assert json.loads(updated["body"]) == {"cvv": "123", "organisation": DOCUMENTED_CARD["organisation"]}
    charge = provider.finish_cvc(replace(finish_request(started, browser_result(target, answer)), saved_card=card_id))
    assert charge.token == card_id  # the same card, now holding a CVV
