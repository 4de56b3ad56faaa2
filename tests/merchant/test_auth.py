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


def test_a_token_once_verified_still_expires_and_is_bound_to_the_key(sandbox_server):
    """Verified tokens are remembered between calls; their age is still checked on every one, and another
    secret key does not accept them."""
    import time

    from panless import create_app
    from panless.merchant.auth import issue_customer_token
    from tests.support import UNLIMITED, LiveServer, providers_on

    def server(key):
        app = create_app({**providers_on(sandbox_server.url), **UNLIMITED, "CUSTOMER_TOKEN_TTL": 1,
                          "SECRET_KEY": key})
        return app, LiveServer(app).start()

    (app, first), (_, second) = server("k" * 32), server("other" * 8)
    try:
        with app.app_context():
            token = issue_customer_token("cus_remembered")

        def status(live):
            return requests.get(f"{live.url}/api/cards", headers={"Authorization": f"Bearer {token}"},
                                timeout=TIMEOUT).status_code

        assert [status(first), status(first), status(second)] == [200, 200, 401]
        time.sleep(2.2)  # the TTL is whole seconds: past it for sure
        assert status(first) == 401
    finally:
        first.stop()
        second.stop()
