"""The sandbox's Juspay: server calls need the API key (Basic auth, key as user name)."""

import base64

import pytest
import requests

from tests.support.sandbox import TIMEOUT


@pytest.mark.parametrize("auth", [{}, {"Authorization": "Basic " + base64.b64encode(b"wrong:").decode()},
                                  {"Authorization": "Bearer x"}])
def test_server_calls_need_the_api_key(jp, auth):
    r = requests.get(f"{jp}/cards", params={"customer_id": "c"}, headers=auth, timeout=TIMEOUT)
    assert r.status_code == 401 and r.json()["error_info"]["code"] == "UNAUTHENTICATED"
