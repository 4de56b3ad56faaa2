"""The Juspay and Stax adapters against the PSPs' documented wire (tests/fixtures/<psp>), not our sandbox."""

import base64
import json
from urllib.parse import parse_qs

import pytest

from panless.merchant.errors import PanlessError
from panless.merchant.providers.base import StartRequest
from panless.merchant.providers.juspay import JuspayProvider
from panless.merchant.providers.stax import StaxProvider
from tests.support.golden import Replay, load


def start_request(**kw):
    return StartRequest(**{"customer_id": "customer_1122", "currency": "EUR", "brand": None,
                           "provider_customer": {}, "idempotency_key": "ses_abc", **kw})


# -- Juspay ------------------------------------------------------------------------------------------------

def replay_of(psp: str):
    """A fixture serving that PSP's golden samples from a replay server on loopback."""

    def fixture():
        replay = Replay(psp)
        yield replay
        replay.server.stop()

    return pytest.fixture(fixture)


jp_replay = replay_of("juspay")
stax_replay = replay_of("stax")


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
    card = juspay(jp_replay).finish({"customer": "customer_1122"}, "ctkn_qvfiry6hreobblus")
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
    with pytest.raises(PanlessError) as caught:
        juspay(jp_replay).finish({"customer": "c"}, "ctkn_old")
    assert (caught.value.code, caught.value.retry) == ("session_expired", "new_session")


def test_juspay_delete(jp_replay):
    jp_replay.on("card_delete")
    juspay(jp_replay).deactivate("c75a9fca-1121-418e-973c-47d5c4971456")
    assert parse_qs(jp_replay.seen[0]["body"]) == {"card_token": ["c75a9fca-1121-418e-973c-47d5c4971456"]}


@pytest.mark.parametrize("result", [None, "", "data=x", "ctkn_" + "x" * 300, 5])
def test_juspay_refuses_malformed_results(jp_replay, result):
    with pytest.raises(PanlessError) as caught:
        juspay(jp_replay).finish({"customer": "c"}, result)
    assert caught.value.code == "invalid_result"


# -- Stax ----------------------------------------------------------------------------------------------------

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
                                         ("webpayment_unauthorized", "tokenization_failed")])
def test_stax_documented_errors_are_described_in_the_target(stax_replay, sample, code):
    stax_replay.on("customer_create")
    target = stax(stax_replay).start(start_request()).target
    first_key = list(load("stax", sample)["response"]["body"])[0]
    assert target.result["error_code_path"] == "*key" and target.errors[first_key]["code"] == code


def test_stax_finish_reads_the_payment_method(stax_replay):
    documented = {**load("stax", "payment_method_view")["response"]["body"], "deleted_at": None}
    stax_replay.on("payment_method_view", body=documented)
    card = stax(stax_replay).finish({"provider_ref": documented["customer_id"]}, documented["id"])
    assert (card.token, card.brand, card.last4) == (documented["id"], documented["card_type"],
                                                    documented["card_last_four"])
    assert (card.exp_month, card.exp_year) == (int(documented["card_exp"][:2]), int(documented["card_exp"][2:]))
    assert stax_replay.seen[0]["headers"]["Authorization"] == "Bearer secret-key"


@pytest.mark.parametrize("owner,deleted", [("someone-else", None), (None, "2017-05-10 19:54:09")])
def test_stax_finish_refuses_foreign_or_deleted_payment_methods(stax_replay, owner, deleted):
    documented = {**load("stax", "payment_method_view")["response"]["body"], "deleted_at": deleted}
    stax_replay.on("payment_method_view", body=documented)
    with pytest.raises(PanlessError) as caught:
        stax(stax_replay).finish({"provider_ref": owner or documented["customer_id"]}, documented["id"])
    assert caught.value.code == "invalid_result"


def test_stax_unknown_payment_method(stax_replay):
    stax_replay.on("payment_method_view_invalid_id")
    with pytest.raises(PanlessError) as caught:
        stax(stax_replay).finish({"provider_ref": "c"}, "6ba7babe-9906-4e7e-b1a5-f628c7badb61")
    assert caught.value.code == "invalid_result"


def test_stax_delete(stax_replay):
    stax_replay.on("payment_method_delete")
    stax(stax_replay).deactivate("6ba7babe-9906-4e7e-b1a5-f628c7badb61")
    assert stax_replay.seen[0]["method"] == "DELETE"


PROXY_PAGE = "<html><body><h1>502 Bad Gateway</h1></body></html>"


@pytest.mark.parametrize("status, code", [(502, "psp_unavailable"), (503, "psp_unavailable"),
                                          (429, "psp_unavailable"), (401, "psp_auth_failed")])
def test_shared_failures_are_read_from_the_status_whatever_the_body(jp_replay, stax_replay, status, code):
    """A proxy's HTML page in place of the PSP's JSON still says "unavailable", not "PSP error"."""
    jp_replay.on("card_delete", status=status, body=PROXY_PAGE)
    stax_replay.on("payment_method_delete", status=status, body=PROXY_PAGE)
    for call in (lambda: juspay(jp_replay).deactivate("c75a9fca"), lambda: stax(stax_replay).deactivate("pm1")):
        with pytest.raises(PanlessError) as raised:
            call()
        assert raised.value.code == code
