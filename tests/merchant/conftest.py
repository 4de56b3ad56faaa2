"""The merchant app's tests: an app on the live sandbox that allows the SHOP checkout origin."""

import pytest

from panless import create_app
from tests.merchant.support import SHOP
from tests.support import UNLIMITED, LiveServer, providers_on


@pytest.fixture(scope="module")
def app_server(sandbox_server):
    app = create_app({**providers_on(sandbox_server.url), **UNLIMITED, "ALLOWED_ORIGINS": SHOP})
    server = LiveServer(app).start()
    server.app = app
    yield server
    server.stop()
