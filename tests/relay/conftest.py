import pytest

from panless import create_app
from panless.sandbox import create_app as create_sandbox
from tests.support import LiveServer, RequestRecorder
from tests.support.merchant import Shopper
from tests.support.relay import merchant_config, start_relay


@pytest.fixture(scope="session")
def upstream():
    """A sandbox PSP whose every received request is recorded: what the relay forwarded, if anything."""
    app = create_sandbox()
    recorder = RequestRecorder(app.wsgi_app)
    app.wsgi_app = recorder
    server = LiveServer(app).start()
    server.recorder = recorder
    yield server
    server.stop()


@pytest.fixture(scope="session")
def relay_db(tmp_path_factory):
    return str(tmp_path_factory.mktemp("relay") / "spent.db")


@pytest.fixture(scope="session")
def relay(upstream, relay_db):
    server = start_relay(upstream.url, db=relay_db, form_origins=["http://form.example"])
    yield server
    server.stop()


@pytest.fixture(scope="session")
def relay_merchant(upstream, relay):
    app = create_app(merchant_config(upstream.url, relay.url))
    server = LiveServer(app).start()
    server.app = app
    yield server
    server.stop()


@pytest.fixture
def shopper(relay_merchant, upstream):
    import requests

    requests.post(f"{upstream.url}/_sandbox/reset", json={}, timeout=10).raise_for_status()
    upstream.recorder.requests.clear()
    return Shopper(relay_merchant.url)
