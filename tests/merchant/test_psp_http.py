"""The PSP calls' HTTP session (merchant/resilience.py GuardedSession): it reads the environment once per PSP
origin instead of on every call, and still goes where requests would send it (proxies, NO_PROXY)."""

import pytest
from flask import Flask, request

from panless.merchant.resilience import Guard, GuardedSession
from tests.support import LiveServer


@pytest.fixture
def recorder():
    """A server that answers anything and records the Host each request named: a proxy sees the PSP's."""
    app, seen = Flask("recorder"), []

    @app.route("/<path:path>")
    def anything(path):
        seen.append(f"{request.host}/{path}")
        return {"ok": True}

    server = LiveServer(app).start()
    server.seen = seen
    yield server
    server.stop()


def test_psp_calls_follow_the_proxy_settings_of_the_environment(recorder, monkeypatch):
    for name in ("HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", recorder.url)
    monkeypatch.setenv("NO_PROXY", "localhost")
    session = GuardedSession(Guard("test", 4, 5, 30.0))
    for _ in range(2):  # the second call uses what the first read
        assert session.get("http://psp.example/v1/ping", timeout=5).json() == {"ok": True}
    # NO_PROXY: straight to the server, which sees its own host.
    assert session.get(f"http://localhost:{recorder.port}/direct", timeout=5).status_code == 200
    assert recorder.seen == ["psp.example/v1/ping", "psp.example/v1/ping", f"localhost:{recorder.port}/direct"]
    assert not session.trust_env  # requests itself no longer scans the environment per call
