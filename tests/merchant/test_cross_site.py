"""Cross-site requests: state-changing calls from a foreign Origin are refused."""

import pytest

from tests.merchant.support import SHOP
from tests.support.merchant import Shopper


@pytest.mark.parametrize("origin,allowed", [("http://evil.example", False), (SHOP, True), (None, True)])
def test_state_changing_calls_check_the_origin(app_server, sandbox, origin, allowed):
    shopper = Shopper(app_server.url)
    headers = {"Origin": origin} if origin else {}
    r = shopper.call("POST", "/api/sessions", json={}, headers=headers)
    assert (r.status_code == 201) is allowed
    if not allowed:
        assert r.status_code == 403 and r.json()["error"]["code"] == "cross_site_request"


def test_own_origin_is_allowed(app_server, sandbox):
    r = Shopper(app_server.url).call("POST", "/api/sessions", json={}, headers={"Origin": app_server.url})
    assert r.status_code == 201
