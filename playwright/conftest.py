"""Browser tests: a real Chromium against the merchant app and the sandbox on distinct origins.

The merchant app runs at http://127.0.0.1:<port> and the sandbox PSP at http://localhost:<port>, so every
card post is a real cross-origin request. Everything the merchant app receives and logs is recorded,
and each flow ends with the invariant check over what it received, logged and stored: no typed PAN or CVC,
no Luhn-valid 13-19 digit run.
"""

from pathlib import Path

import pytest
import requests
from flask import Flask

from panless import create_app
from panless.sandbox import create_app as create_sandbox
from tests.support import UNLIMITED, LiveServer, LogCapture, RequestRecorder, providers_on, secrets_found
from tests.support.browser import launch_args


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return launch_args(browser_type_launch_args)


@pytest.fixture(scope="session")
def psp():
    server = LiveServer(create_sandbox(), url_host="localhost").start()
    yield server
    server.stop()


class Slot:
    """A WSGI app filled in after its server has a port (the shop and the merchant app name each other)."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


def slot_server():
    slot = Slot()
    server = LiveServer(slot, url_host="localhost").start()
    server.slot = slot
    yield server
    server.stop()


@pytest.fixture(scope="session")
def blank_page_server():
    """The repository's static/ over HTTP and a blank page of the same origin, to import modules into."""
    app = Flask("blank", static_folder=str(Path(__file__).resolve().parent.parent / "static"),
                static_url_path="/static")
    app.get("/")(lambda: "<!doctype html><meta charset=utf-8><title>modules</title>")
    server = LiveServer(app).start()
    yield server
    server.stop()


# The demo shop's checkout origin, and an origin for a page written by a new user from the README's snippet.
shop_slot = pytest.fixture(scope="session", name="shop_slot")(slot_server)
snippet_slot = pytest.fixture(scope="session", name="snippet_slot")(slot_server)


@pytest.fixture(scope="session")
def merchant(psp, shop_slot, snippet_slot, tmp_path_factory):
    # A database of this run's own: the invariant reads every row it holds, and rows from an earlier run (their
    # random values) are not this run's to judge.
    database = str(tmp_path_factory.mktemp("merchant") / "panless.db")
    app = create_app({**providers_on(psp.url), **UNLIMITED, "ALLOWED_ORIGINS": [shop_slot.url, snippet_slot.url],
                      "DATABASE_URL": database})
    recorder = RequestRecorder(app.wsgi_app)
    app.wsgi_app = recorder
    server = LiveServer(app).start()
    server.recorder = recorder
    server.app = app
    yield server
    server.stop()


@pytest.fixture(scope="session")
def shop(shop_slot, merchant):
    """The demo shop's checkout on http://localhost:<port>, embedding the frame from the merchant app."""
    from panless.demo import create_app as create_shop

    shop_slot.recorder = RequestRecorder(create_shop(merchant.url))
    shop_slot.slot.app = shop_slot.recorder
    return shop_slot


class Invariant:
    """Collects what the merchant side saw during one flow and what the shopper typed."""

    def __init__(self, *servers):
        self.servers = servers  # each with a .recorder: the merchant app, and the checkout origin if any
        self.typed: list[str] = []
        self.extra: list[str] = []  # other things the merchant side received (e.g. postMessages)

    @property
    def merchant(self):
        return self.servers[0]

    def type(self, *values: str) -> None:
        self.typed += [v for v in values if v]

    def seen(self) -> str:
        transcripts = [s.recorder.transcript() for s in self.servers if getattr(s, "recorder", None)]
        return "\n".join([*transcripts, *self.logs.lines, *self.extra, self.merchant_rows()])

    def merchant_rows(self) -> str:
        """Every row the merchant app keeps (sessions, customers, cards)."""
        store = self.merchant.app.extensions["panless_store"]
        return "\n".join(row[0] for row in store.execute("SELECT body FROM objects"))

    def violations(self) -> list[str]:
        return secrets_found(self.seen(), self.typed)


@pytest.fixture
def invariant(merchant, psp, shop_slot):
    requests.post(f"{psp.url}/_sandbox/reset", json={}, timeout=10).raise_for_status()
    for server in (merchant, shop_slot):
        if getattr(server, "recorder", None):
            server.recorder.requests.clear()
    check = Invariant(merchant, shop_slot)
    with LogCapture() as logs:
        check.logs = logs
        yield check
    assert check.merchant.recorder.requests, "the recorder saw nothing: the check would prove nothing"
    problems = check.violations()
    assert not problems, f"card data reached the merchant side: {problems}"


@pytest.fixture(scope="session")
def relay(merchant, psp, tmp_path_factory):
    """The tokenization relay on its own origin, forwarding to the sandbox and answering CORS only for the
    merchant app's card pages; the merchant app's relayed PSPs (Ecart Pay, Verifone) are pointed at it."""
    from panless.relay import create_app as create_relay
    from panless.relay.routes import PSPS
    from panless.sandbox import base_urls

    upstreams = {name.upper(): {"BASE_URL": url} for name, url in base_urls(psp.url).items() if name in PSPS}
    db = tmp_path_factory.mktemp("relay") / "spent.db"
    server = LiveServer(create_relay({"RELAY": {"DB": str(db), "FORM_ORIGINS": [merchant.url]}, **upstreams})).start()
    for name in PSPS:  # the card pages' targets and CSP connect-src follow the adapter's relay URL
        merchant.app.extensions["panless_providers"][name].relay_url = server.url
    yield server
    server.stop()
