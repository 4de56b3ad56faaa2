"""The sandbox's Juspay: bad input gets Juspay's error shape, never a 500."""

import requests

from tests.sandbox.juspay.wire import AUTH, add
from tests.support.sandbox import TIMEOUT


def test_bad_input_never_500(jp):
    for r in (requests.post(f"{jp}/card/tokenize", data=b"\xff\xfe%%%", timeout=TIMEOUT),
              requests.post(f"{jp}/card/add", data="x" * 300_000, headers=AUTH, timeout=TIMEOUT),
              requests.get(f"{jp}/card/tokenize", timeout=TIMEOUT),
              requests.post(f"{jp}/card/delete", headers=AUTH, timeout=TIMEOUT),
              add(jp, "ctkn_unknown")):
        assert 400 <= r.status_code < 500 and "error_info" in r.json()
