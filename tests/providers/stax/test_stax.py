"""The Stax adapter against Stax's documented wire (tests/fixtures/stax), not against our sandbox."""

import json

import pytest

from panless.merchant.providers.base import FinishRequest, PspFailure, StartRequest
from panless.merchant.providers.stax import StaxProvider
from tests.support.golden import load


def start_request(**kw):
    return StartRequest(**{"customer_id": "customer_1122", "currency": "EUR", "brand": None,
                           "provider_customer": {}, "idempotency_key": "ses_abc", **kw})


def finish_request(browser_result, ref):
    """Finishing a session whose ref is the Stax customer the target passed along."""
    return FinishRequest(ref=ref, customer_id="customer_1122", provider_customer={"customer_id": ref},
                         browser_result=browser_result)


@pytest.fixture
def stax_replay(replay_of):
    return replay_of("stax")


def stax(replay):
    return StaxProvider({"BASE_URL": replay.server.url, "API_KEY": "secret-key", "WEB_TOKEN": "public-web-token",
                         "TIMEOUT": 2})


def test_stax_start_creates_the_customer_and_targets_web_payments(stax_replay):
    stax_replay.on("customer_create")
    session = stax(stax_replay).start(start_request())
    customer = load("stax", "customer_create")["response"]["body"]
    assert session.provider_customer == {"customer_id": customer["id"]}
    target = session.target
    assert target.url == f"{stax_replay.server.url}/webpayment/public-web-token/tokenize"
    assert "secret-key" not in json.dumps(target.to_json())
    documented = load("stax", "webpayment_tokenize")["request"]["body"]
    assert set(target.fields) | set(target.card_fields.values()) <= set(documented) | {"card_cvv"}
    assert target.fields == {"method": "card", "customer_id": customer["id"]} and target.encoding == "json"
    created = stax_replay.seen[0]
    assert created["headers"]["Authorization"] == "Bearer secret-key" and created["path"] == "/customer"


@pytest.mark.parametrize("sample,code", [("webpayment_validation_error", "tokenization_failed"),
                                         ("webpayment_missing", "invalid_name"),
                                         ("webpayment_unauthorized", "psp_misconfigured")])
def test_stax_documented_errors_are_described_in_the_target(stax_replay, sample, code):
    stax_replay.on("customer_create")
    target = stax(stax_replay).start(start_request()).target
    first_key = list(load("stax", sample)["response"]["body"])[0]
    assert target.result["error_code_path"] == "*key" and target.errors[first_key]["code"] == code


def test_stax_finish_reads_the_payment_method(stax_replay):
    documented = {**load("stax", "payment_method_view")["response"]["body"], "deleted_at": None}
    stax_replay.on("payment_method_view", body=documented)
    card = stax(stax_replay).finish(finish_request(documented["id"], documented["customer_id"]))
    assert (card.token, card.brand, card.last4) == (documented["id"], documented["card_type"],
                                                    documented["card_last_four"])
    assert (card.exp_month, card.exp_year) == (int(documented["card_exp"][:2]), int(documented["card_exp"][2:]))
    assert stax_replay.seen[0]["headers"]["Authorization"] == "Bearer secret-key"


@pytest.mark.parametrize("owner,deleted", [("someone-else", None), (None, "2017-05-10 19:54:09")])
def test_stax_finish_refuses_foreign_or_deleted_payment_methods(stax_replay, owner, deleted):
    documented = {**load("stax", "payment_method_view")["response"]["body"], "deleted_at": deleted}
    stax_replay.on("payment_method_view", body=documented)
    with pytest.raises(PspFailure) as caught:
        stax(stax_replay).finish(finish_request(documented["id"], owner or documented["customer_id"]))
    assert (caught.value.kind, caught.value.detail) == (PspFailure.REFUSED, "invalid_result")


def test_stax_unknown_payment_method(stax_replay):
    """An id Stax never issued is not a result of this session, whoever sent it."""
    stax_replay.on("payment_method_view_invalid_id")
    with pytest.raises(PspFailure) as caught:
        stax(stax_replay).finish(finish_request("6ba7babe-9906-4e7e-b1a5-f628c7badb61", "c"))
    assert (caught.value.kind, caught.value.detail) == (PspFailure.REFUSED, "invalid_result")


@pytest.mark.parametrize("result", [None, 5, "", "../customer/x", "6ba7babe-9906-4e7e-b1a5-f628c7badb61/../x"])
def test_stax_refuses_results_that_are_not_an_id(stax_replay, result):
    with pytest.raises(PspFailure) as caught:
        stax(stax_replay).finish(finish_request(result, "c"))
    assert (caught.value.kind, caught.value.detail) == (PspFailure.REFUSED, "invalid_result")
    assert stax_replay.seen == []  # refused before anything reaches Stax


def test_stax_delete(stax_replay):
    stax_replay.on("payment_method_delete")
    stax(stax_replay).deactivate("6ba7babe-9906-4e7e-b1a5-f628c7badb61")
    assert stax_replay.seen[0]["method"] == "DELETE"


def test_stax_deleting_a_payment_method_it_does_not_know_is_gone(stax_replay):
    stax_replay.on("payment_method_delete", status=422,
                   body=load("stax", "payment_method_view_invalid_id")["response"]["body"])
    with pytest.raises(PspFailure) as caught:
        stax(stax_replay).deactivate("6ba7babe-9906-4e7e-b1a5-f628c7badb61")
    assert caught.value.kind == PspFailure.GONE


# -- answers of a shape the adapter does not know, and bugs in the adapter ---------------------------------

def method_with(customer_id: str, **changed) -> dict:
    """The documented payment method, born with this Stax customer, with changes."""
    return {**load("stax", "payment_method_view")["response"]["body"], "deleted_at": None,
            "customer_id": customer_id, **changed}


CUSTOMER = load("stax", "customer_create")["response"]["body"]["id"]
METHOD = load("stax", "payment_method_view")["response"]["body"]["id"]


@pytest.mark.parametrize("body", [
    method_with(CUSTOMER, card_exp="0419"),         # MMYY: Stax answers MMYYYY
    method_with(CUSTOMER, card_last_four="111"),
    method_with(CUSTOMER, id=None),
    method_with(CUSTOMER, card_type=7),
    [method_with(CUSTOMER)],
])
def test_a_malformed_answer_is_an_unexpected_psp_failure(stax_replay, body):
    stax_replay.on("payment_method_view", body=body)
    with pytest.raises(PspFailure) as caught:
        stax(stax_replay).finish(finish_request(METHOD, CUSTOMER))
    assert caught.value.kind == PspFailure.UNEXPECTED


def test_a_malformed_customer_is_an_unexpected_psp_failure(stax_replay):
    stax_replay.on("customer_create", body={**load("stax", "customer_create")["response"]["body"], "id": 59327746})
    with pytest.raises(PspFailure) as caught:
        stax(stax_replay).start(start_request())
    assert caught.value.kind == PspFailure.UNEXPECTED


def test_a_malformed_answer_is_psp_error_through_the_api(stax_replay, merchant_on):
    stax_replay.on("customer_create", body={"firstname": "Panless"})
    r = merchant_on("stax", stax_replay).call("POST", "/api/sessions", json={})
    assert r.status_code == 502 and r.json()["error"]["code"] == "psp_error"


def test_a_bug_in_the_adapter_is_a_500_not_a_psp_error(stax_replay, merchant_on, monkeypatch):
    stax_replay.on("customer_create")
    stax_replay.on("payment_method_view", body=method_with(CUSTOMER))
    calls = []

    def broken(*args):
        calls.append(args)
        raise TypeError("a bug in the adapter")

    monkeypatch.setattr(StaxProvider, "card_from", staticmethod(broken))
    shopper = merchant_on("stax", stax_replay)
    session = shopper.session()
    r = shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": METHOD})
    assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error"
    assert len(calls) == 1
