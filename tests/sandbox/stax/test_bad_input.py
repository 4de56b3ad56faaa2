"""The sandbox's Stax: bad input gets Stax's error shape, never a 500."""

import requests

from tests.sandbox.stax.wire import AUTH, WEB
from tests.support.sandbox import TIMEOUT


def test_bad_input_never_500(stax):
    for r in (requests.post(f"{stax}/webpayment/{WEB}/tokenize", data=b"{nope", timeout=TIMEOUT),
              requests.post(f"{stax}/webpayment/{WEB}/tokenize", json=["a"], timeout=TIMEOUT),
              requests.post(f"{stax}/customer", data="x" * 300_000, headers=AUTH, timeout=TIMEOUT),
              requests.patch(f"{stax}/payment-method/x", headers=AUTH, timeout=TIMEOUT),
              requests.put(f"{stax}/payment-method/x", data="{", headers=AUTH, timeout=TIMEOUT)):
        assert 400 <= r.status_code < 500, r.text
        assert isinstance(r.json(), dict)
