"""The Mangopay adapter against Mangopay's documented wire (tests/fixtures/mangopay), not against our sandbox.

A replay server on loopback answers each documented request with the documented response and records
what the adapter sent, so both directions are checked: the requests we build and the responses we parse.
"""

import json
import re
import threading
import time

import pytest

from panless.merchant.providers.base import FinishRequest, PspFailure, StartRequest
from panless.merchant.providers.mangopay import MangopayProvider
from tests.support.golden import Replay, load


def golden(name):
    return load("mangopay", name)


@pytest.fixture
def replay():
    r = Replay("mangopay", "/v2.01/")
    r.on("oauth_token")
    yield r
    r.server.stop()


def provider(replay, **config):
    return MangopayProvider({"BASE_URL": replay.base, "CLIENT_ID": "clientId", "API_KEY": "key", "TIMEOUT": 2,
                             **config})


def start_request(**kw):
    return StartRequest(**{"customer_id": "cus_1", "currency": "EUR", "brand": None, "provider_customer": {},
                           "idempotency_key": "ses_abc", **kw})


def finish_request(ref, browser_result):
    return FinishRequest(ref=ref, customer_id="cus_1", provider_customer={"user_id": "u"},
                         browser_result=browser_result)


def test_start_sends_documented_requests_and_builds_the_target(replay):
    replay.on("user_natural_create")
    replay.on("cardregistration_create")
    session = provider(replay).start(start_request())
    documented = golden("cardregistration_create")["response"]["body"]
    assert session.ref == documented["Id"]
    assert session.target.url == documented["CardRegistrationURL"]
    assert session.target.fields == {"data": documented["PreregistrationData"], "accessKeyRef": documented["AccessKey"]}
    assert session.provider_customer == {"user_id": golden("user_natural_create")["response"]["body"]["Id"]}

    token, user, registration = replay.seen
    assert (token["method"], token["path"]) == ("POST", "/v2.01/oauth/token")
    assert token["headers"]["Authorization"].startswith("Basic ") and "grant_type=client_credentials" in token["body"]
    assert (user["method"], user["path"]) == ("POST", "/v2.01/clientId/users/natural")
    assert (registration["method"], registration["path"]) == ("POST", "/v2.01/clientId/cardregistrations")
    access_token = golden("oauth_token")["response"]["body"]["access_token"]
    assert registration["headers"]["Authorization"] == f"Bearer {access_token}"
    assert re.fullmatch(r"[A-Za-z0-9-]{16,36}", registration["headers"]["Idempotency-Key"])
    body = json.loads(registration["body"])
    assert set(body) <= set(golden("cardregistration_create")["request"]["body"]) | {"CardType"}
    assert body["CardType"] == "CB_VISA_MASTERCARD" and body["Currency"] == "EUR"


def test_existing_user_is_reused_and_token_cached(replay):
    replay.on("cardregistration_create")
    mangopay = provider(replay)
    for _ in range(3):
        mangopay.start(start_request(provider_customer={"user_id": "user_m_01J7KACBPAV7XAF8AH9BDCJPRS"}))
    paths = [s["path"] for s in replay.seen]
    assert paths.count("/v2.01/oauth/token") == 1 and paths.count("/v2.01/clientId/cardregistrations") == 3


def test_token_refreshed_before_expiry(replay):
    replay.on("cardregistration_create")
    mangopay = provider(replay)
    mangopay.start(start_request(provider_customer={"user_id": "u"}))
    mangopay._token = (mangopay._token[0], time.time() + 30)  # inside the refresh margin
    mangopay.start(start_request(provider_customer={"user_id": "u"}))
    assert [s["path"] for s in replay.seen].count("/v2.01/oauth/token") == 2


def test_lost_response_recovered_from_the_idempotency_store(replay):
    replay.on("idempotency_conflict")
    replay.on("idempotency_response", body={**golden("idempotency_response")["response"]["body"],
                                            "Resource": golden("cardregistration_create")["response"]["body"]})
    session = provider(replay).start(start_request(provider_customer={"user_id": "u"}))
    assert session.ref == golden("cardregistration_create")["response"]["body"]["Id"]
    key = replay.seen[1]["headers"]["Idempotency-Key"]
    assert replay.seen[2]["path"] == f"/v2.01/clientId/responses/{key}"


def test_finish_puts_registration_data_and_reads_the_card(replay):
    replay.on("cardregistration_update")
    replay.on("card_view")
    data = golden("cardregistration_update")["request"]["body"]["RegistrationData"]
    card = provider(replay).finish(finish_request("reg1", data))
    documented = golden("card_view")["response"]["body"]
    assert (card.token, card.last4, card.brand) == (documented["Id"], documented["Alias"][-4:], "visa")
    assert (card.exp_month, card.exp_year) == (int(documented["ExpirationDate"][:2]),
                                               2000 + int(documented["ExpirationDate"][2:]))
    assert card.fingerprint == documented["Fingerprint"]
    put = replay.seen[1]
    assert (put["method"], put["path"]) == ("PUT", "/v2.01/clientId/cardregistrations/reg1")
    assert json.loads(put["body"]) == {"RegistrationData": data}


def test_finish_error_status_maps_the_result_code(replay):
    replay.on("cardregistration_update_error")
    with pytest.raises(PspFailure) as caught:
        provider(replay).finish(finish_request("reg1", "errorCode=02625"))
    assert (caught.value.kind, caught.value.detail) == (PspFailure.REFUSED, "invalid_number")


@pytest.mark.parametrize("sample,kind,detail", [
    ("cardregistration_not_found", PspFailure.GONE, None),
    ("cardregistration_create_param_error", PspFailure.UNSUPPORTED, "currency"),
    ("api_unauthorized", PspFailure.AUTH, None),
])
def test_documented_errors_are_psp_failures(replay, sample, kind, detail):
    doc = golden(sample)
    replay.routes.insert(0, ("PUT", re.compile(r".*cardregistrations/.*"), doc["response"]))
    with pytest.raises(PspFailure) as caught:
        provider(replay).finish(finish_request("reg1", "data=abc"))
    assert (caught.value.kind, caught.value.detail) == (kind, detail)


def test_bad_credentials_are_reported(replay):
    replay.routes.clear()
    replay.on("oauth_invalid_client")
    with pytest.raises(PspFailure) as caught:
        provider(replay).start(start_request())
    assert caught.value.kind == PspFailure.AUTH


def test_every_call_has_a_timeout(replay):
    replay.on("cardregistration_create")
    replay.delay = 1.5
    mangopay = provider(replay, TIMEOUT=0.3)
    started = time.monotonic()
    with pytest.raises(PspFailure) as caught:
        mangopay.start(start_request(provider_customer={"user_id": "u"}))
    assert caught.value.kind == PspFailure.UNAVAILABLE
    assert time.monotonic() - started < 4.0  # three attempts cut at 0.3 s each, not three of 1.5 s (4.5 s)


def test_deactivate_sends_active_false(replay):
    replay.on("card_deactivate")
    provider(replay).deactivate("card1")
    assert replay.seen[-1]["method"] == "PUT" and json.loads(replay.seen[-1]["body"]) == {"Active": False}


def test_deactivating_a_card_mangopay_does_not_know_is_gone(replay):
    replay.on("card_deactivate", status=404, body=golden("cardregistration_not_found")["response"]["body"])
    with pytest.raises(PspFailure) as caught:
        provider(replay).deactivate("card1")
    assert caught.value.kind == PspFailure.GONE


def test_tokenization_origins():
    real = MangopayProvider({"BASE_URL": "https://api.sandbox.mangopay.com/v2.01/", "CLIENT_ID": "c", "API_KEY": "k"})
    assert real.tokenization_origins() == ["https://pci.sandbox.mangopay.com",
                                           "https://homologation-webpayment.payline.com"]  # not the API's host
    local = MangopayProvider({"BASE_URL": "http://127.0.0.1:8001/mangopay/v2.01/", "CLIENT_ID": "c", "API_KEY": "k"})
    assert local.tokenization_origins() == ["http://127.0.0.1:8001"]


def test_concurrent_starts_share_one_token(replay):
    replay.on("cardregistration_create")
    mangopay = provider(replay)
    threads = [threading.Thread(target=mangopay.start, args=(start_request(provider_customer={"user_id": "u"}),))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [s["path"] for s in replay.seen].count("/v2.01/oauth/token") == 1


def test_finish_after_a_lost_answer_reads_how_the_registration_ended(replay):
    """The first PUT finished the registration but its answer was lost; the retry's PUT is refused
    (already processed) and the registration itself shows the result that was sent."""
    done = golden("cardregistration_update")["response"]["body"]
    replay.on("cardregistration_update", status=400,
              body=golden("cardregistration_create_param_error")["response"]["body"])
    replay.on("cardregistration_view", body=done)
    replay.on("card_view")
    card = provider(replay).finish(finish_request(done["Id"], done["RegistrationData"]))
    assert card.token == golden("card_view")["response"]["body"]["Id"]
    with pytest.raises(PspFailure):  # another result than the one that finished it is not accepted
        provider(replay).finish(finish_request(done["Id"], "data=something-else"))


@pytest.mark.parametrize("status", [429, 502, 503])
def test_an_html_outage_page_means_unavailable(replay, status):
    replay.on("card_deactivate", status=status, body="<html><body>Service Unavailable</body></html>")
    with pytest.raises(PspFailure) as raised:
        provider(replay).deactivate("card1")
    assert raised.value.kind == PspFailure.UNAVAILABLE


# -- answers of a shape the adapter does not know, and bugs in the adapter ---------------------------------

def without(sample: str, member: str, **changed) -> dict:
    """A documented response body with one member dropped and others changed."""
    body = {**golden(sample)["response"]["body"], **changed}
    body.pop(member, None)
    return body


@pytest.mark.parametrize("sample,body", [
    ("card_view", without("card_view", "Alias")),
    ("card_view", without("card_view", "Id", ExpirationDate="12/29")),
    ("card_view", without("card_view", "Id", CardProvider=["VISA"])),
    ("card_view", ["not", "an", "object"]),
    ("cardregistration_update", without("cardregistration_update", "CardId")),
    ("cardregistration_update", without("cardregistration_update", "Status")),
])
def test_a_malformed_finish_answer_is_an_unexpected_psp_failure(replay, sample, body):
    replay.on("cardregistration_update")
    replay.on("card_view")
    replay.on(sample, body=body)
    data = golden("cardregistration_update")["request"]["body"]["RegistrationData"]
    with pytest.raises(PspFailure) as caught:
        provider(replay).finish(finish_request("reg1", data))
    assert caught.value.kind == PspFailure.UNEXPECTED


@pytest.mark.parametrize("sample,body", [
    ("oauth_token", without("oauth_token", "access_token")),
    ("oauth_token", without("oauth_token", "token_type", expires_in="soon")),
    ("user_natural_create", without("user_natural_create", "Id")),
    ("cardregistration_create", without("cardregistration_create", "CardRegistrationURL")),
    ("cardregistration_create", without("cardregistration_create", "Id", AccessKey=None)),
])
def test_a_malformed_start_answer_is_an_unexpected_psp_failure(replay, sample, body):
    replay.on("user_natural_create")
    replay.on("cardregistration_create")
    replay.on(sample, body=body)
    with pytest.raises(PspFailure) as caught:
        provider(replay).start(start_request())
    assert caught.value.kind == PspFailure.UNEXPECTED


def test_a_malformed_answer_is_psp_error_through_the_api(replay, merchant_on):
    replay.on("user_natural_create")
    replay.on("cardregistration_create", body=without("cardregistration_create", "PreregistrationData"))
    r = merchant_on("mangopay", replay).call("POST", "/api/sessions", json={})
    assert r.status_code == 502 and r.json()["error"]["code"] == "psp_error"


def test_a_bug_in_the_adapter_is_a_500_not_a_psp_error(replay, merchant_on, monkeypatch):
    replay.on("user_natural_create")
    replay.on("cardregistration_create")

    calls = []

    def broken(*args):
        calls.append(args)
        raise TypeError("a bug in the adapter")

    monkeypatch.setattr(MangopayProvider, "session_from", staticmethod(broken))
    r = merchant_on("mangopay", replay).call("POST", "/api/sessions", json={})
    assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error"
    assert len(calls) == 1
