"""Browser tests: a real Chromium against the merchant app and the sandbox on distinct origins.

The merchant app runs at http://127.0.0.1:<port> and the sandbox PSP at http://localhost:<port>, so every
card post is a real cross-origin request. Everything the merchant app receives and logs is recorded,
and each flow ends with the invariant check: no typed PAN or CVC, no Luhn-valid 13-19 digit run.
"""

import pytest
import requests

from server import create_app
from server.sandbox import create_app as create_sandbox
from server.testing import LiveServer, LogCapture, RequestRecorder, launch_args, secrets_found


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return launch_args(browser_type_launch_args)


@pytest.fixture(scope="session")
def psp():
    server = LiveServer(create_sandbox(), url_host="localhost").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def merchant(psp):
    app = create_app({"MANGOPAY": {"BASE_URL": f"{psp.url}/mangopay/v2.01/"}})
    recorder = RequestRecorder(app.wsgi_app)
    app.wsgi_app = recorder
    server = LiveServer(app).start()
    server.recorder = recorder
    yield server
    server.stop()


class Invariant:
    """Collects what the merchant side saw during one flow and what the shopper typed."""

    def __init__(self, merchant):
        self.merchant = merchant
        self.typed: list[str] = []
        self.extra: list[str] = []  # other things the merchant side received (e.g. postMessages)

    def type(self, *values: str) -> None:
        self.typed += [v for v in values if v]

    def seen(self) -> str:
        return "\n".join([self.merchant.recorder.transcript(), *self.logs.lines, *self.extra])

    def violations(self) -> list[str]:
        return secrets_found(self.seen(), self.typed)


@pytest.fixture
def invariant(merchant, psp):
    requests.post(f"{psp.url}/_sandbox/reset", timeout=10).raise_for_status()
    merchant.recorder.requests.clear()
    check = Invariant(merchant)
    with LogCapture() as logs:
        check.logs = logs
        yield check
    assert check.merchant.recorder.requests, "the recorder saw nothing: the check would prove nothing"
    problems = check.violations()
    assert not problems, f"card data reached the merchant side: {problems}"
