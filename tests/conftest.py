import logging

import pytest
import requests

from panless.sandbox import create_app as create_sandbox
from tests.support import LiveServer
from tests.support.merchant import Shopper
from tests.support.relay import merchant_config, start_relay
from tests.support.sandbox import TIMEOUT, MangopayWire


@pytest.fixture(scope="session", autouse=True)
def quiet_werkzeug():
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


@pytest.fixture(scope="session")
def sandbox_server(tmp_path_factory):
    db = tmp_path_factory.mktemp("sandbox") / "sandbox.db"
    server = LiveServer(create_sandbox({"SANDBOX": {"DB": str(db)}})).start()
    server.db_path = db
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server):
    """The live sandbox, reset before each test."""
    requests.post(f"{sandbox_server.url}/_sandbox/reset", json={}, timeout=TIMEOUT).raise_for_status()
    return sandbox_server


@pytest.fixture
def mp(sandbox):
    return MangopayWire(sandbox.url)


# -- the merchant app, against the live sandbox ---------------------------------------------------------

@pytest.fixture(scope="session")
def relay_server(sandbox_server, tmp_path_factory):
    """The tokenization relay in front of the sandbox, for the PSPs whose tokenization needs a secret."""
    db = tmp_path_factory.mktemp("relay") / "spent.db"
    server = start_relay(sandbox_server.url, db=str(db))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def merchant_server(sandbox_server, relay_server):
    from panless import create_app

    app = create_app(merchant_config(sandbox_server.url, relay_server.url))
    server = LiveServer(app).start()
    server.app = app
    yield server
    server.stop()


@pytest.fixture
def shopper(merchant_server, sandbox):
    return Shopper(merchant_server.url)


