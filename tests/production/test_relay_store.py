"""The relay's spent tickets live in the store, on SQLite or PostgreSQL: two relays on one database (two
machines) let a ticket through once, and forward nothing the second time."""

from __future__ import annotations

from panless.relay import create_app as create_relay
from panless.sandbox import create_app as create_sandbox
from tests.relay.test_relay import post, ticket
from tests.support import LiveServer, RequestRecorder
from tests.support.relay import relay_config


def test_a_ticket_is_spent_once_across_relays_on_one_database(database_url):
    app = create_sandbox()
    recorder = app.wsgi_app = RequestRecorder(app.wsgi_app)
    upstream = LiveServer(app).start()
    first, second = (LiveServer(create_relay(relay_config(upstream.url, db=database_url))).start() for _ in range(2))
    try:
        signed = ticket(session="ses_onedatabase01")
        assert post(first, session="ses_onedatabase01", signed=signed).status_code == 200
        forwarded = len(recorder.requests)
        again = post(second, session="ses_onedatabase01", signed=signed)
        assert again.status_code == 409 and again.json()["error"]["code"] == "ticket_used"
        assert len(recorder.requests) == forwarded  # refused before anything reached the PSP
    finally:
        for server in (first, second, upstream):
            server.stop()
        for server in (first, second):
            server.app.extensions["panless_relay"]["store"].close()
