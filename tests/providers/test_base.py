"""What every adapter shares (providers/base.py): scrubbed transcripts, the failures read from the status
alone, the shape checks on PSP answers, and the PspFailure contract."""

import re

import pytest

from panless.merchant.providers.base import OPTIONAL, PspFailure, scrub, shaped
from panless.merchant.providers.juspay import JuspayProvider
from panless.merchant.providers.stax import StaxProvider


def test_scrub_redacts_card_data_and_credentials():
    transcript = ("POST /tokenize cardNumber=4970107111111119&cardCvx=123&cardExpirationDate=1230\n"
                  'Authorization: Bearer abcdef\n{"card_number": "4970107111111119", "cvc": "123"} 4970 1071 1111 1119')
    clean = scrub(transcript)
    assert "4970107111111119" not in clean and "1111 1119" not in clean and "abcdef" not in clean
    assert "cardCvx=123" not in clean and '"cvc": "123"' not in clean
    assert "cardExpirationDate=1230" in clean  # not card data we must hide


PROXY_PAGE = "<html><body><h1>502 Bad Gateway</h1></body></html>"


@pytest.mark.parametrize("status, kind", [(502, PspFailure.UNAVAILABLE), (503, PspFailure.UNAVAILABLE),
                                          (429, PspFailure.UNAVAILABLE), (401, PspFailure.AUTH)])
def test_shared_failures_are_read_from_the_status_whatever_the_body(replay_of, status, kind):
    """A proxy's HTML page in place of the PSP's JSON still says "unavailable", not "unexpected"."""
    jp_replay, stax_replay = replay_of("juspay"), replay_of("stax")
    jp_replay.on("card_delete", status=status, body=PROXY_PAGE)
    stax_replay.on("payment_method_delete", status=status, body=PROXY_PAGE)
    juspay = JuspayProvider({"BASE_URL": jp_replay.base, "MERCHANT_ID": "myshop", "API_KEY": "key", "TIMEOUT": 2})
    stax = StaxProvider({"BASE_URL": stax_replay.base, "API_KEY": "key", "WEB_TOKEN": "web", "TIMEOUT": 2})
    for call in (lambda: juspay.deactivate("c75a9fca"), lambda: stax.deactivate("pm1")):
        with pytest.raises(PspFailure) as raised:
            call()
        assert raised.value.kind == kind


FOUR_DIGITS = re.compile(r"\d{4}")


@pytest.mark.parametrize("body, members", [
    ({"id": "a"}, {"id": str}),
    ({"id": "a", "n": 3}, {"n": int}),
    ({"n": 3.5}, {"n": (int, float)}),
    ({}, {"fingerprint": (str, OPTIONAL)}),
    ({"fingerprint": None}, {"fingerprint": (str, OPTIONAL)}),
    ({"last4": "1119"}, {"last4": FOUR_DIGITS}),
    ({"flag": True}, {"flag": bool}),
    ({"anything": [1]}, {}),
])
def test_shaped_passes_what_the_adapter_can_read(body, members):
    assert shaped(body, **members) is body


@pytest.mark.parametrize("body, members", [
    ([{"id": "a"}], {}),
    ("id", {}),
    (None, {}),
    ({}, {"id": str}),
    ({"id": None}, {"id": str}),
    ({"id": 5}, {"id": str}),
    ({"n": True}, {"n": int}),             # JSON true is not a number
    ({"fingerprint": 5}, {"fingerprint": (str, OPTIONAL)}),
    ({"last4": "11190"}, {"last4": FOUR_DIGITS}),
    ({"last4": 1119}, {"last4": FOUR_DIGITS}),
])
def test_shaped_refuses_what_the_adapter_cannot_read(body, members):
    with pytest.raises(PspFailure) as caught:
        shaped(body, **members)
    assert caught.value.kind == PspFailure.UNEXPECTED


@pytest.mark.parametrize("kind, detail", [("timeout", None), (PspFailure.REFUSED, None),
                                          (PspFailure.REFUSED, "psp_error"), (PspFailure.UNSUPPORTED, "colour")])
def test_a_failure_outside_the_contract_is_the_adapters_bug(kind, detail):
    with pytest.raises(ValueError):
        PspFailure(kind, detail)
