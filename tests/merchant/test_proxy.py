"""Proxy trust: X-Forwarded-* count only behind PANLESS_PROXY_COUNT trusted proxies."""

import requests

from panless import create_app
from tests.merchant.support import normalised
from tests.support import LiveServer, providers_on
from tests.support.sandbox import TIMEOUT

SPOOF = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}


def test_spoofed_forwarded_headers_change_nothing(app_server):
    plain = requests.get(app_server.url + "/pay", timeout=TIMEOUT)
    spoofed = requests.get(app_server.url + "/pay", headers=SPOOF, timeout=TIMEOUT, allow_redirects=False)
    assert spoofed.status_code == 200 and "Strict-Transport-Security" not in spoofed.headers
    assert "upgrade-insecure-requests" not in spoofed.headers["Content-Security-Policy"]
    assert normalised(plain).keys() == normalised(spoofed).keys()


def test_trusted_proxy_hop_is_honoured(sandbox_server):
    app = create_app({**providers_on(sandbox_server.url), "PROXY_COUNT": 1, "FORCE_HTTPS": True,
                      "SECRET_KEY": "a-test-secret-of-enough-length-0123456789"})
    server = LiveServer(app).start()
    try:
        r = requests.get(server.url + "/pay", headers={"X-Forwarded-Proto": "https"}, timeout=TIMEOUT,
                         allow_redirects=False)
        assert r.status_code == 200 and "max-age" in r.headers["Strict-Transport-Security"]
        plain = requests.get(server.url + "/pay", timeout=TIMEOUT, allow_redirects=False)
        assert plain.status_code in (301, 302) and plain.headers["Location"].startswith("https://")
    finally:
        server.stop()
