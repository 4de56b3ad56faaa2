"""The sandbox's Stax: server calls need the API key (Bearer), not the web payments token."""

import pytest
import requests

from tests.sandbox.stax.wire import WEB
from tests.support.sandbox import TIMEOUT


@pytest.mark.parametrize("auth", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Bearer {WEB}"}])
def test_server_calls_need_the_api_key(stax, auth):
    assert requests.get(f"{stax}/customer/x/payment-method", headers=auth, timeout=TIMEOUT).status_code == 401
