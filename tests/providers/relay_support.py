"""The adapter side of a relayed PSP, against golden samples: a replay of the PSP behind a real relay."""

import pytest

from panless.merchant.providers.base import FinishRequest, StartRequest
from panless.relay import create_app as create_relay
from tests.support import LiveServer
from tests.support.golden import Replay
from tests.support.relay import relay_config


def start_request(**kw):
    return StartRequest(**{"customer_id": "cus_golden", "currency": "EUR", "brand": None, "provider_customer": {},
                           "idempotency_key": "ses_golden000001", **kw})


def finish_request(started, result, customer="cus_golden") -> FinishRequest:
    """What finish receives for the session `started` began, with the browser's result."""
    return FinishRequest(ref=started.ref, customer_id=customer, provider_customer=started.provider_customer,
                         browser_result=result)


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
