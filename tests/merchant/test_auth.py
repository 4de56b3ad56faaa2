"""Who the shopper is: the API needs the customer token; the session cookie stays on its site."""

import pytest
import requests

from tests.support.merchant import checked
from tests.support.sandbox import TIMEOUT


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer forged"}, {"Authorization": "Basic x"}])
def test_api_needs_the_customer_token(merchant_server, headers):
    r = checked(requests.get(f"{merchant_server.url}/api/cards", headers=headers, timeout=TIMEOUT))
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"


def test_session_cookie_is_samesite_and_httponly(app_server):
    cookie = requests.get(app_server.url + "/pay", timeout=TIMEOUT).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
