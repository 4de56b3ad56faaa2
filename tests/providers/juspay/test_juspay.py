"""The Juspay adapter against Juspay's documented wire (tests/fixtures/juspay), not against our sandbox."""

import base64
from urllib.parse import parse_qs

import pytest

from panless.merchant.providers.base import FinishRequest, PspFailure, StartRequest
from panless.merchant.providers.juspay import JuspayProvider
from panless.merchant.sessions import api_error
from tests.support.golden import load


def start_request(**kw):
    return StartRequest(**{"customer_id": "customer_1122", "currency": "EUR", "brand": None,
                           "provider_customer": {}, "idempotency_key": "ses_abc", **kw})


def finish_request(browser_result, customer_id="customer_1122"):
    return FinishRequest(ref="jp_0123456789abcdef", customer_id=customer_id,
                         provider_customer={"customer_id": customer_id}, browser_result=browser_result)


@pytest.fixture
def jp_replay(replay_of):
    return replay_of("juspay")


def juspay(replay):
    return JuspayProvider({"BASE_URL": replay.server.url, "MERCHANT_ID": "myshop", "API_KEY": "key", "TIMEOUT": 2})


def test_juspay_target_matches_the_documented_tokenize_request(jp_replay):
    session = juspay(jp_replay).start(start_request())
    documented = load("juspay", "card_tokenize")["request"]
    target = session.target
    assert target.url.endswith(documented["path"]) and target.encoding == "form"
    assert target.headers == {"x-merchantid": "myshop", "x-routing-id": "customer_1122"}
    sent = set(parse_qs(documented["body"]))
    assert set(target.fields) | set(target.card_fields.values()) == sent
    assert target.result["path"] == "token" and target.expiry_format == "MM+YYYY"
    assert jp_replay.seen == []  # nothing to create at Juspay before the browser posts


def test_juspay_cvc_target_matches_the_documented_stored_card_tokenize_request(jp_replay):
    """CVC re-collection: the documented /card/tokenize of a saved card, field for field and value for value."""
    documented = load("juspay", "card_tokenize_stored")
    card_token = parse_qs(documented["request"]["body"])["stored_card_token"][0]
    target = juspay(jp_replay).start_cvc(start_request(saved_card=card_token)).target
    assert target.url.endswith(documented["request"]["path"]) and target.encoding == "form"
    assert target.headers == {"x-merchantid": "myshop", "x-routing-id": "customer_1122"}
    assert target.card_fields == {"cvc": "card_security_code"}
    sent = {k: v[0] for k, v in parse_qs(documented["request"]["body"]).items()}
    assert {**target.fields, "card_security_code": sent["card_security_code"]} == sent
    charge = juspay(jp_replay).finish_cvc(finish_request(documented["response"]["body"]["token"]))
    assert charge.token == "ctkn_zwvxwiju0q5chre1" and jp_replay.seen == []


@pytest.mark.parametrize("result", [None, 5, "", "tok_x", "ctkn_" + "x" * 300])
def test_juspay_finish_cvc_refuses_what_is_not_a_tokenize_token(jp_replay, result):
    with pytest.raises(PspFailure) as failure:
        juspay(jp_replay).finish_cvc(finish_request(result))
    assert (failure.value.kind, failure.value.detail) == (PspFailure.REFUSED, "invalid_result")


@pytest.mark.parametrize("sample,code", [("card_tokenize_error_month", "invalid_expiry"),
                                         ("card_tokenize_error_year", "invalid_expiry"),
                                         ("card_tokenize_error_cvc_missing", "invalid_cvc")])
def test_juspay_documented_tokenize_errors_are_described_in_the_target(jp_replay, sample, code):
    body = load("juspay", sample)["response"]["body"]
    target = juspay(jp_replay).start(start_request()).target
    field = body["error_info"]["fields"][0]["field_name"]  # what error_code_path picks
    assert target.result["error_code_path"] == "error_info.fields.0.field_name"
    assert target.errors[field]["code"] == code


def test_juspay_finish_adds_the_card_then_reads_it(jp_replay):
    jp_replay.on("card_add")
    jp_replay.on("card_list")
    documented_add = load("juspay", "card_add")["response"]["body"]
    listed = load("juspay", "card_list")["response"]["body"]
    listed["cards"][0]["card_token"] = documented_add["card_token"]
    jp_replay.on("card_list", body=listed)
    card = juspay(jp_replay).finish(finish_request("ctkn_qvfiry6hreobblus"))
    documented = listed["cards"][0]
    assert card.token == documented_add["card_token"]
    brand = {"VISA": "visa", "MASTERCARD": "mastercard"}[documented["card_brand"]]
    assert (card.brand, card.last4) == (brand, documented["card_number"][-4:])
    assert (card.exp_month, card.exp_year) == (int(documented["card_exp_month"]), int(documented["card_exp_year"]))
    add = jp_replay.seen[0]
    assert (add["method"], add["path"]) == ("POST", "/card/add")
    assert add["headers"]["Authorization"] == "Basic " + base64.b64encode(b"key:").decode()
    form = {k: v[0] for k, v in parse_qs(add["body"]).items()}
    assert form["token"] == "ctkn_qvfiry6hreobblus" and form["customer_id"] == "customer_1122"
    assert add["headers"]["X-Routing-Id"] == "customer_1122"


def test_juspay_expired_token_asks_for_a_new_session(jp_replay):
    jp_replay.on("card_tokenize_expired_token")
    with pytest.raises(PspFailure) as caught:
        juspay(jp_replay).finish(finish_request("ctkn_old", "c"))
    assert caught.value.kind == PspFailure.GONE  # Juspay no longer knows the token
    assert (api_error(caught.value).code, api_error(caught.value).retry) == ("session_expired", "new_session")


def test_juspay_delete(jp_replay):
    jp_replay.on("card_delete")
    juspay(jp_replay).deactivate("c75a9fca-1121-418e-973c-47d5c4971456")
    assert parse_qs(jp_replay.seen[0]["body"]) == {"card_token": ["c75a9fca-1121-418e-973c-47d5c4971456"]}


def test_juspay_deleting_a_card_it_does_not_know_is_gone(jp_replay):
    body = load("juspay", "card_tokenize_expired_token")["response"]["body"]
    jp_replay.on("card_delete", status=400, body={**body, "error_info": {**body["error_info"],
                                                                         "code": "RESOURCE_NOT_FOUND"}})
    with pytest.raises(PspFailure) as caught:
        juspay(jp_replay).deactivate("c75a9fca-1121-418e-973c-47d5c4971456")
    assert caught.value.kind == PspFailure.GONE


@pytest.mark.parametrize("result", [None, "", "data=x", "ctkn_" + "x" * 300, 5])
def test_juspay_refuses_malformed_results(jp_replay, result):
    with pytest.raises(PspFailure) as caught:
        juspay(jp_replay).finish(finish_request(result, "c"))
    assert (caught.value.kind, caught.value.detail) == (PspFailure.REFUSED, "invalid_result")
    assert jp_replay.seen == []  # refused before anything reaches Juspay


# -- answers of a shape the adapter does not know, and bugs in the adapter ---------------------------------

def listed_with(**changed) -> dict:
    """The documented card list, its card holding the documented added card's token, with changes."""
    listed = load("juspay", "card_list")["response"]["body"]
    token = load("juspay", "card_add")["response"]["body"]["card_token"]
    listed["cards"][0] = {**listed["cards"][0], "card_token": token, **changed}
    return listed


@pytest.mark.parametrize("sample,body", [
    ("card_add", {"card_reference": "df2c47951a71e4486827039fad7b039a"}),
    ("card_add", ["c75a9fca-1121-418e-973c-47d5c4971456"]),
    ("card_list", {"customer_id": "customer_1122", "cards": {"card_token": "c75a9fca"}}),
    ("card_list", {"customer_id": "customer_1122", "cards": []}),
    ("card_list", listed_with(card_exp_year="30")),
    ("card_list", listed_with(card_number=None)),
    ("card_list", listed_with(card_brand={"name": "VISA"})),
])
def test_a_malformed_answer_is_an_unexpected_psp_failure(jp_replay, sample, body):
    jp_replay.on("card_add")
    jp_replay.on("card_list", body=listed_with())
    jp_replay.on(sample, body=body)
    with pytest.raises(PspFailure) as caught:
        juspay(jp_replay).finish(finish_request("ctkn_qvfiry6hreobblus"))
    assert caught.value.kind == PspFailure.UNEXPECTED


def test_a_malformed_answer_is_psp_error_through_the_api(jp_replay, merchant_on):
    jp_replay.on("card_add", body={"card_token": 42})
    shopper = merchant_on("juspay", jp_replay)
    session = shopper.session()
    r = shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": "ctkn_qvfiry6hreobblus"})
    assert r.status_code == 502 and r.json()["error"]["code"] == "psp_error"


def test_a_bug_in_the_adapter_is_a_500_not_a_psp_error(jp_replay, merchant_on, monkeypatch):
    jp_replay.on("card_add")
    jp_replay.on("card_list", body=listed_with())

    calls = []

    def broken(*args):
        calls.append(args)
        raise TypeError("a bug in the adapter")

    monkeypatch.setattr(JuspayProvider, "card_from", staticmethod(broken))
    shopper = merchant_on("juspay", jp_replay)
    session = shopper.session()
    r = shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": "ctkn_qvfiry6hreobblus"})
    assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error"
    assert len(calls) == 1


@pytest.mark.parametrize("juspay_brand,brand", [("RUPAY", "rupay"), ("UNIONPAY", "unionpay"), ("MASTER", "mastercard")])
def test_juspay_brands_it_reports_are_ours(jp_replay, juspay_brand, brand):
    listed = load("juspay", "card_list")["response"]["body"]
    card = JuspayProvider.card_from({**listed["cards"][0], "card_brand": juspay_brand})
    assert card.brand == brand
    assert brand in juspay(jp_replay).start(start_request()).accepted_brands
