"""The card pages' own checks, over HTTP: redirect mode's return URL, state and single-use code, and the frame's
checkout origin (no browser needed: the browser flows are in playwright/)."""

import html
import json
import re

import pytest
import requests

from panless import create_app
from panless.merchant import pages
from panless.merchant.audit import sri
from tests.merchant.support import SHOP
from tests.support import UNLIMITED, providers_on
from tests.support.merchant import token_and_code


@pytest.mark.parametrize("query,code", [
    ("return_url=http://elsewhere.example/back", "return_url_not_allowed"),
    ("return_url=javascript:alert(1)", "return_url_not_allowed"),
    ("return_url={shop}/back&state=<x>", "invalid_state"),
    ("return_url=https://evil.example%5C@{host}/back", "return_url_not_allowed"),  # evil.example to a browser
    ("return_url=http://user@{host}/back", "return_url_not_allowed"),
    ("return_url=http://[", "return_url_not_allowed"),
])
def test_redirect_mode_refuses_foreign_return_urls(app_server, query, code):
    host = SHOP.split("//", 1)[1]
    r = requests.get(f"{app_server.url}/pay?{query.format(shop=SHOP, host=host)}", timeout=10,
                     headers={"Accept": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == code


def test_frame_refuses_a_same_origin_parent_and_unlisted_parents(app_server):
    same = requests.get(f"{app_server.url}/frame", params={"parent": app_server.url}, timeout=10,
                        headers={"Accept": "application/json"})
    assert same.status_code == 400 and same.json()["error"]["code"] == "frame_same_origin"
    other = requests.get(f"{app_server.url}/frame", params={"parent": "http://localhost:1"}, timeout=10)
    assert other.status_code == 400 and "frame-ancestors 'none'" in other.headers["Content-Security-Policy"]
    ok = requests.get(f"{app_server.url}/frame", params={"parent": SHOP}, timeout=10)
    assert ok.status_code == 200 and "X-Frame-Options" not in ok.headers
    assert f"frame-ancestors {SHOP}" in ok.headers["Content-Security-Policy"]


def test_a_redirect_code_works_once(app_server):
    from panless.merchant.auth import issue_redirect_code, new_customer_id

    with app_server.app.test_request_context():
        code = issue_redirect_code(new_customer_id())
    url = f"{app_server.url}/pay"
    wrong = requests.get(url, params={"code": code, "provider": "nope"}, timeout=10,
                         headers={"Accept": "application/json"})
    assert wrong.json()["error"]["code"] == "unknown_provider"  # and the code is not spent
    first = requests.get(url, params={"code": code, "return_url": f"{SHOP}/return"}, timeout=10)
    assert first.status_code == 200 and "data-customer-token" in first.text
    again = requests.get(url, params={"code": code}, timeout=10, headers={"Accept": "application/json"})
    assert again.status_code == 400 and again.json()["error"]["code"] == "redirect_code_used"
    forged = requests.get(url, params={"code": code[:-3] + "abc"}, timeout=10, headers={"Accept": "application/json"})
    assert forged.status_code == 401


IMPORT_MAP = re.compile(r'<script type="importmap"[^>]*>(.*?)</script>', re.S)


def frame_page(app_server, **query) -> str:
    r = requests.get(f"{app_server.url}/frame", params={"parent": SHOP, **query}, timeout=10)
    assert r.status_code == 200, r.text
    return r.text


def pinned(page: str) -> dict[str, str]:
    """The frame's import map entries by the source name they were built from ("i18n-fr", "appearance")."""
    found = IMPORT_MAP.search(page)
    return {} if not found else {re.sub(r"\.[0-9a-f]{12}\.js$", "", url.rsplit("/", 1)[-1]): digest
                                 for url, digest in json.loads(found.group(1))["integrity"].items()}


def test_a_plain_frame_carries_no_import_map(app_server):
    # The embed names the catalogue it picked, "en" for English, which has none to load.
    page = frame_page(app_server, locale="en")
    assert "importmap" not in page and pinned(page) == {}
    assert "data-locales" not in page and "data-appearance" not in page


def test_the_frame_pins_only_the_modules_its_mount_asked_for(app_server):
    page = frame_page(app_server, locale="fr", appearance="1")
    assert set(pinned(page)) == {"i18n-fr", "appearance"}
    assert re.search(r'<html [^>]*data-locales="fr" data-appearance>', page)
    # Each entry's hash is the SRI of the bytes served at its URL.
    for url, digest in json.loads(IMPORT_MAP.search(page).group(1))["integrity"].items():
        assert sri(requests.get(app_server.url + url, timeout=10).content) == digest, url
    only = frame_page(app_server, locale="pt-BR")
    assert set(pinned(only)) == {"i18n-pt-BR"} and 'data-locales="pt-BR"' in only and "data-appearance" not in only
    look = frame_page(app_server, locale="en", appearance="1")
    assert set(pinned(look)) == {"appearance"} and "data-locales" not in look and "data-appearance>" in look


def test_a_frame_for_a_mount_with_its_own_customer_token_issues_none(app_server):
    # The embed marks a mount given a customerToken (?customer=1); without one, the frame's page issues its own.
    assert re.search(r'data-customer-token="[^"]+"', frame_page(app_server, locale="en"))
    assert "data-customer-token" not in frame_page(app_server, locale="en", customer="1")


def test_a_frame_url_without_a_locale_pins_everything_as_before(app_server):
    # An older embed (its public URL is cached for minutes; a checkout may pin one by SRI) names nothing.
    page = frame_page(app_server)
    catalogues = ("fr", "es", "de", "pt-BR", "it", "nl")
    assert set(pinned(page)) == {*(f"i18n-{name}" for name in catalogues), "appearance"}
    assert re.search(r'data-locales="([^"]+)" data-appearance>', page)[1].split() == list(catalogues)


@pytest.mark.parametrize("query", [
    {"locale": "en"}, {"locale": "ja"}, {"locale": "FR"}, {"locale": "fr-CA"}, {"locale": ""},
    {"locale": "../frame/appearance"}, {"locale": "frame"}, {"locale": '"><script>alert(1)</script>'},
    {"locale": "x" * 5000}, {"locale": "en", "appearance": "0"}, {"locale": "en", "appearance": "yes"},
    {"locale": "en", "appearance": ""},
])
def test_a_query_naming_no_module_of_the_frame_adds_nothing(app_server, query):
    # The embed sends a catalogue's exact name: anything else is not one, and the frame speaks English.
    page = frame_page(app_server, **query)
    assert "importmap" not in page and "data-locales" not in page and "data-appearance" not in page
    assert "<script>alert" not in page


def test_the_hosted_page_still_pins_every_catalogue(app_server):
    page = requests.get(f"{app_server.url}/pay", params={"locale": "fr"}, timeout=10).text
    assert set(pinned(page)) == {f"i18n-{name}" for name in ("fr", "es", "de", "pt-BR", "it", "nl")}


def test_a_new_process_compiles_no_template_for_its_first_shopper(sandbox_server, monkeypatch):
    # Templates are compiled when the app is made (pages.warm_up): the first frame and hosted page of each
    # process render from compiled templates, without the tens of milliseconds each compile would add.
    app = create_app({**providers_on(sandbox_server.url), **UNLIMITED, "ALLOWED_ORIGINS": SHOP})
    compiled = []
    real = app.jinja_env.compile
    monkeypatch.setattr(app.jinja_env, "compile", lambda *a, **k: compiled.append(a) or real(*a, **k))
    client = app.test_client()
    assert client.get("/frame", query_string={"parent": SHOP, "locale": "en"}).status_code == 200
    assert client.get("/pay").status_code == 200
    assert client.get("/pay?return_url=http://elsewhere.example/", headers={"Accept": "text/html"}).status_code == 400
    assert compiled == []


# A mount given a start code (docs/browser.md, "Starting early"): the frame's URL carries the start.
HTML_TAG = re.compile(r"<html[^>]*>")


def started(server, **query) -> dict | None:
    """GET /frame with a start -> the session its page carries, or None."""
    r = requests.get(f"{server.url}/frame", params={"parent": SHOP, "locale": "en", "customer": "1", **query},
                     timeout=10)
    assert r.status_code == 200 and "no-store" in r.headers["Cache-Control"]
    found = re.search(r'data-session="([^"]*)"', HTML_TAG.search(r.text).group(0))
    return found and json.loads(html.unescape(found.group(1)))


def sessions_stored(server) -> int:
    return server.app.extensions["panless_store"].execute("SELECT COUNT(*) FROM objects WHERE kind = 'session'")[0][0]


def test_a_start_code_makes_the_session_once_and_the_page_carries_it(app_server):
    token, code = token_and_code(app_server.app)
    before = sessions_stored(app_server)
    session = started(app_server, start=code, key="url-start-00001", body='{"provider":"mangopay"}')
    assert session["status"] == "open" and session["provider"] == "mangopay" and session["target"]["url"]
    assert sessions_stored(app_server) == before + 1
    # The frame's own call with that key (early.js's, a retry's) is the customer's same session, not another.
    again = requests.post(f"{app_server.url}/api/sessions", json={"provider": "mangopay"}, timeout=10,
                          headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "url-start-00001"})
    assert again.status_code == 201 and again.json()["id"] == session["id"]
    assert sessions_stored(app_server) == before + 1


def test_a_start_code_is_good_once(app_server):
    _, code = token_and_code(app_server.app)
    assert started(app_server, start=code, key="url-once-000001", body="{}")
    before = sessions_stored(app_server)
    assert started(app_server, start=code, key="url-once-000002", body="{}") is None
    assert sessions_stored(app_server) == before


@pytest.mark.parametrize("change", [{"start": "forged"}, {"body": "[1]"}, {"body": "{not json"},
                                    {"body": '{"provider":"nobody"}'}, {"body": '{"currency":"euro"}'},
                                    {"key": "short"}, {"key": None}, {"body": "[" * 1000 + "]" * 1000}])
def test_a_refused_start_leaves_the_session_to_the_frame(app_server, change):
    # The page comes without the session: the frame's first lines ask with the same key, and meet the refusal.
    _, code = token_and_code(app_server.app)
    before = sessions_stored(app_server)
    query = {k: v for k, v in {"start": code, "key": "url-refused-001", "body": "{}", **change}.items() if v}
    assert started(app_server, **query) is None
    assert sessions_stored(app_server) == before


def test_a_slow_psp_does_not_hold_the_page_and_the_frame_finishes_the_session(app_server, monkeypatch):
    # No time left for the PSP in the page: it comes without the session, which the frame's call, with the same
    # key, then starts: one session.
    monkeypatch.setattr(pages, "START_IN_PAGE_SECONDS", 0.0)
    token, code = token_and_code(app_server.app)
    before = sessions_stored(app_server)
    assert started(app_server, start=code, key="url-slow-000001", body="{}") is None
    monkeypatch.undo()
    made = requests.post(f"{app_server.url}/api/sessions", json={}, timeout=10,
                         headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "url-slow-000001"})
    assert made.status_code == 201 and made.json()["status"] == "open"
    assert sessions_stored(app_server) == before + 1


@pytest.mark.parametrize("destination,status", [("iframe", 200), ("frame", 200), ("document", 400), ("empty", 400)])
def test_the_frame_is_served_only_into_a_frame(app_server, destination, status):
    # Opened as a page of its own, with someone's token in its fragment, the form would save a card for them.
    r = requests.get(f"{app_server.url}/frame", params={"parent": SHOP}, timeout=10,
                     headers={"Sec-Fetch-Dest": destination, "Accept": "application/json"})
    assert r.status_code == status
    if status == 400:
        assert r.json()["error"]["code"] == "frame_parent_not_allowed" and "data-t" not in r.text
