"""The adapter side of a relayed PSP, against golden samples: a replay of the PSP behind a real relay."""

import pytest

from panless.merchant.providers.base import StartRequest
from panless.relay import create_app as create_relay
from tests.relay.helpers import relay_config
from tests.support import LiveServer
from tests.support.golden import Replay


def start_request(**kw):
    return StartRequest(**{"customer_id": "cus_golden", "currency": "EUR", "brand": None, "provider_customer": {},
                           "idempotency_key": "ses_golden000001", **kw})


def session_of(started, customer="cus_golden") -> dict:
    """The merchant's stored session, as finish reads it today."""
    return {"id": started.ref, "provider_ref": started.ref, "customer": customer}


def replay_behind_relay(psp: str):
    """A fixture: (replay of the PSP's golden samples, a relay forwarding to it)."""

    def fixture():
        replay = Replay(psp)
        relay = LiveServer(create_relay({**relay_config("http://127.0.0.1:1"),
                                         psp.upper(): {"BASE_URL": replay.server.url}})).start()
        yield replay, relay
        relay.stop()
        replay.server.stop()

    return pytest.fixture(fixture)
