"""Adapters against their PSPs' documented wire: a replay server per PSP, and the merchant app in front of one."""

import pytest

from panless import create_app
from tests.support import UNLIMITED, LiveServer
from tests.support.golden import Replay
from tests.support.merchant import Shopper


@pytest.fixture
def replay_of():
    """-> a replay server serving a PSP's golden samples (base_path: where its API lives)."""
    replays = []

    def start(psp: str, base_path: str = "/") -> Replay:
        replays.append(Replay(psp, base_path))
        return replays[-1]

    yield start
    for replay in replays:
        replay.server.stop()


@pytest.fixture
def merchant_on():
    """-> a shopper of a merchant app whose PSP `psp` is the given replay server (and its default)."""
    servers = []

    def start(psp: str, replay: Replay) -> Shopper:
        app = create_app({psp.upper(): {"BASE_URL": replay.base}, "PROVIDER": psp, **UNLIMITED})
        servers.append(LiveServer(app).start())
        return Shopper(servers[-1].url)

    yield start
    for server in servers:
        server.stop()
