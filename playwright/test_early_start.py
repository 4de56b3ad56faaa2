"""mount() starts the card session while the frame loads. Given a start code with the customer token, the frame's
URL carries the code, the Idempotency-Key and the body: the server starts the session as it sends the frame's page,
which carries the answer (one session, no request of the frame's own). Without one, the frame's first lines send
POST /api/sessions with the key, token and body the embed put in the frame's fragment, before the frame's bundle
has loaded, and the bundle takes that answer. The checkout page sends nothing to the Panless origin; when the
early start fails, the bundle starts the session itself.

The demo shop's checkout (http://localhost:<c>, allowed) mounts with a customer token and a start code, as the
README says to.
"""

import json
import re
import time
from urllib.parse import parse_qsl

import pytest
import requests
from flask import Flask

from tests.support import LiveServer
from tests.support.merchant import token_and_code


def sessions_stored(merchant) -> int:
    store = merchant.app.extensions["panless_store"]
    return store.execute("SELECT COUNT(*) FROM objects WHERE kind = 'session'")[0][0]


def session_posts(merchant) -> list[dict]:
    return [r for r in merchant.recorder.requests if r["method"] == "POST" and r["url"] == "/api/sessions"]


def watch(page) -> list[tuple[str, str, bool]]:
    """Each request the page and its frames make, in order: (method, url, made by the checkout page itself)."""
    seen = []
    page.on("request", lambda r: seen.append((r.method, r.url, r.frame == page.main_frame)))
    return seen


def wait_ready(page):
    page.wait_for_function("() => (window.panlessEvents || []).some((e) => e.event === 'ready')", timeout=15000)


def frame_query(merchant) -> dict:
    """The query of the one frame page the merchant app served."""
    [request] = [r for r in merchant.recorder.requests if r["url"].startswith("/frame?")]
    return dict(parse_qsl(request["url"].split("?", 1)[1]))


def page_session(frame) -> dict | None:
    found = frame.evaluate("document.documentElement.dataset.session")
    return found and json.loads(found)


BUNDLE = re.compile(r".*/static/js/frame/frame\.[0-9a-f]+\.js$")


def wait_held(page, held, until=lambda: True):
    deadline = time.monotonic() + 10
    while not (held and until()) and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert held and until()


def test_with_a_start_code_the_session_starts_with_the_frames_page_once(page, shop, merchant, invariant):
    merchant.recorder.requests.clear()
    before = sessions_stored(merchant)
    seen = watch(page)
    page.goto(shop.url + "/")
    wait_ready(page)
    assert session_posts(merchant) == []  # no request of the frame's own: its page carried the answer
    assert not [url for _, url, own in seen if own and url.startswith(merchant.url + "/api/")]
    assert sessions_stored(merchant) == before + 1
    query = frame_query(merchant)
    assert query["start"] and len(query["key"]) == 36 and json.loads(query["body"]) == {}
    assert "token" not in query  # a single-use code in the URL, never the bearer token
    assert not [r for r in merchant.recorder.requests if r["method"] == "OPTIONS"]
    frame = card_frame(page)
    assert page_session(frame)["status"] == "open"
    assert frame.evaluate("document.getElementById('card-form').dataset.ready") == "true"


def test_the_frame_has_its_session_before_its_bundle_has_loaded(page, shop, merchant, invariant):
    # The frame's bundle is held back: its page already carries the session; the bundle then takes it.
    held = []
    page.route(BUNDLE, lambda route: held.append(route))
    merchant.recorder.requests.clear()
    before = sessions_stored(merchant)
    page.goto(shop.url + "/")
    wait_held(page, held)
    frame = card_frame(page)
    made = page_session(frame)
    assert made["status"] == "open" and made["target"]["url"] and sessions_stored(merchant) == before + 1
    held[0].continue_()
    wait_ready(page)
    assert sessions_stored(merchant) == before + 1 and session_posts(merchant) == []  # the bundle took it
    # The token came in the frame's fragment, which no server saw and the frame's URL no longer holds.
    assert frame.evaluate("location.hash") == "" and "token" not in frame.evaluate("location.href")
    assert not [r for r in merchant.recorder.requests if r["url"].startswith("/frame") and "token" in r["url"]]
    # The mount gave its own customerToken: the embed said so (?customer=1), and the frame's page issued none.
    assert "customer=1" in frame.url
    assert frame.evaluate("document.documentElement.dataset.customerToken") is None


def blank_app(name, csp=None):
    app = Flask(name)
    app.get("/")(lambda: ('<!doctype html><meta charset=utf-8><title>Checkout</title><div id="card-element"></div>',
                          {"Content-Security-Policy": csp} if csp else {}))
    return app


MOUNT = """async ([panless, options]) => {
    const { mount } = await import(panless + '/static/js/embed/panless.js');
    window.panlessEvents = [];
    const card = mount('#card-element', options);
    for (const event of ['ready', 'error']) card.on(event, (data) => window.panlessEvents.push({event, data}));
}"""


def token(merchant) -> str:
    """A customer token, as a checkout's backend would issue it."""
    page = requests.get(f"{merchant.url}/pay", timeout=10)
    return re.search(r'data-customer-token="([^"]+)"', page.text).group(1)


@pytest.fixture
def foreign_page(page):
    server = LiveServer(blank_app("foreign"), url_host="localhost").start()
    page.goto(server.url + "/")
    yield page
    server.stop()


def test_without_a_start_code_the_frames_first_lines_ask_before_its_bundle_has_loaded(page, merchant, snippet_slot):
    # The frame's inline start (static/js/frame/early.js) sends the session's request with what the fragment holds.
    snippet_slot.slot.app = blank_app("allowed")
    page.goto(snippet_slot.url + "/")
    held = []
    page.route(BUNDLE, lambda route: held.append(route))
    merchant.recorder.requests.clear()
    before = sessions_stored(merchant)
    page.evaluate(MOUNT, [merchant.url, {"origin": merchant.url, "customerToken": token(merchant)}])
    wait_held(page, held, lambda: session_posts(merchant))  # sent while the bundle was held
    held[0].continue_()
    page.wait_for_function("() => window.panlessEvents.length > 0", timeout=15000)
    assert page.evaluate("() => window.panlessEvents.map((e) => e.event)") == ["ready"]
    sent = session_posts(merchant)
    assert len(sent) == 1 and sessions_stored(merchant) == before + 1  # the bundle took that answer
    assert sent[0]["headers"]["Origin"] == merchant.url  # from the frame's origin, no preflight
    assert len(sent[0]["headers"]["Idempotency-Key"]) == 36  # the embed's key, from the fragment
    assert "Cookie" not in sent[0]["headers"]  # the bearer token alone, no credentials
    assert not [r for r in merchant.recorder.requests if r["method"] == "OPTIONS"]
    assert "start" not in frame_query(merchant)
    frame = card_frame(page)
    assert page_session(frame) is None and frame.evaluate("location.hash") == ""


def test_a_failed_early_start_falls_back_to_the_bundles_own(page, merchant, snippet_slot):
    # The frame's first request (early.js) fails on the way; the bundle then starts a session under a key of its own.
    snippet_slot.slot.app = blank_app("allowed")
    page.goto(snippet_slot.url + "/")
    failed = []
    page.route("**/api/sessions", lambda route: (failed.append(route.request.headers["idempotency-key"]),
                                                 route.abort()) if not failed else route.continue_())
    merchant.recorder.requests.clear()
    before = sessions_stored(merchant)
    page.evaluate(MOUNT, [merchant.url, {"origin": merchant.url, "customerToken": token(merchant)}])
    page.wait_for_function("() => window.panlessEvents.length > 0", timeout=15000)
    assert page.evaluate("() => window.panlessEvents.map((e) => e.event)") == ["ready"]
    assert len(failed) == 1 and sessions_stored(merchant) == before + 1
    sent = session_posts(merchant)
    assert len(sent) == 1 and sent[0]["headers"]["Idempotency-Key"] != failed[0]  # only the bundle's reached it


def test_a_used_start_code_leaves_the_session_to_the_frames_first_lines(page, merchant, snippet_slot):
    # The code was spent (a page view's code used twice): the frame's page comes without the session, and its
    # first lines ask for it with the same key, as without a code. One session.
    snippet_slot.slot.app = blank_app("allowed")
    page.goto(snippet_slot.url + "/")
    customer_token, code = token_and_code(merchant.app)
    spent = requests.get(f"{merchant.url}/frame", timeout=10, params={
        "parent": snippet_slot.url, "customer": "1", "start": code, "key": "spent-code-00001", "body": "{}"})
    assert "data-session=" in spent.text
    merchant.recorder.requests.clear()
    before = sessions_stored(merchant)
    page.evaluate(MOUNT, [merchant.url, {"origin": merchant.url, "customerToken": customer_token, "startCode": code}])
    page.wait_for_function("() => window.panlessEvents.length > 0", timeout=15000)
    assert page.evaluate("() => window.panlessEvents.map((e) => e.event)") == ["ready"]
    query, [sent] = frame_query(merchant), session_posts(merchant)
    assert query["start"] == code and sent["headers"]["Idempotency-Key"] == query["key"]
    assert sessions_stored(merchant) == before + 1 and page_session(card_frame(page)) is None


def test_a_mount_without_a_customer_token_starts_early_with_the_frames_own(page, merchant, snippet_slot):
    # The frame's page issues the token then; its first lines start the session with it, the bundle still held.
    snippet_slot.slot.app = blank_app("allowed")
    page.goto(snippet_slot.url + "/")
    held = []
    page.route(re.compile(r".*/static/js/frame/frame\.[0-9a-f]+\.js$"), lambda route: held.append(route))
    merchant.recorder.requests.clear()
    before = sessions_stored(merchant)
    page.evaluate(MOUNT, [merchant.url, {"origin": merchant.url, "provider": "mangopay"}])
    deadline = time.monotonic() + 10
    while not (held and session_posts(merchant)) and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert held and session_posts(merchant)  # sent while the bundle was held
    held[0].continue_()
    page.wait_for_function("() => window.panlessEvents.length > 0", timeout=15000)
    assert page.evaluate("() => window.panlessEvents.map((e) => e.event)") == ["ready"]
    sent = session_posts(merchant)
    assert len(sent) == 1 and sessions_stored(merchant) == before + 1  # the bundle took that answer
    frame = next(f for f in page.frames if "/frame?" in f.url)
    assert "customer=1" not in frame.url
    own = frame.evaluate("document.documentElement.dataset.customerToken")
    assert sent[0]["headers"]["Authorization"] == f"Bearer {own}"
    assert len(sent[0]["headers"]["Idempotency-Key"]) == 36  # the embed's key, from the fragment
    assert sent[0]["body"] == '{"provider":"mangopay"}'


def test_an_origin_not_allowed_gets_no_session_and_the_same_error(foreign_page, merchant):
    merchant.recorder.requests.clear()
    foreign_page.evaluate(MOUNT, [merchant.url, {"origin": merchant.url, "customerToken": token(merchant)}])
    foreign_page.wait_for_function("() => window.panlessEvents.length > 0", timeout=15000)
    assert foreign_page.evaluate("() => window.panlessEvents.map((e) => [e.event, e.data.code])") == [
        ["error", "frame_parent_not_allowed"]]
    # The refused frame has no early lines, and the checkout page sends nothing: no session was asked for.
    assert [r["method"] for r in merchant.recorder.requests if r["url"] == "/api/sessions"] == []


def test_a_checkout_csp_without_connect_src_still_gets_a_form(page, merchant, snippet_slot):
    # The checkout page sends nothing to the Panless origin while the form starts.
    snippet_slot.slot.app = blank_app("strict", f"script-src 'unsafe-inline' {merchant.url}; frame-src {merchant.url}; "
                                                "connect-src 'none'")
    page.goto(snippet_slot.url + "/")
    page.evaluate(MOUNT, [merchant.url, {"origin": merchant.url, "customerToken": token(merchant)}])
    page.wait_for_function("() => window.panlessEvents.length > 0", timeout=15000)
    assert page.evaluate("() => window.panlessEvents.map((e) => e.event)") == ["ready"]


def test_the_checkout_page_may_start_a_session_but_never_sees_its_target(page, merchant, snippet_slot):
    snippet_slot.slot.app = blank_app("allowed")
    page.goto(snippet_slot.url + "/")
    answer = page.evaluate("""async ([panless, token]) => {
        const response = await fetch(panless + '/api/sessions', {method: 'POST', credentials: 'omit', body: '{}',
            headers: {Authorization: 'Bearer ' + token, 'Content-Type': 'application/json',
                      'Idempotency-Key': 'page-0001'}});
        return [response.status, await response.json()];
    }""", [merchant.url, token(merchant)])
    assert answer[0] == 201 and answer[1]["id"] and answer[1]["target"] is None


# A frame on the shop's checkout page made by hand, its fragment given: what it sends -> [[type, data], ...] until
# `ready` or `error`. The page answers as the embed does: `configure` to a hello that does not say it has its options.
RAW_FRAME = """async ([panless, token, fragment]) => {
    const frame = document.createElement('iframe');
    const seen = [];
    const config = {customerToken: token, provider: 'mangopay'};
    addEventListener('message', (e) => {
        if (e.source !== frame.contentWindow || e.data?.ns !== 'panless') return;
        seen.push([e.data.type, e.data.data ?? null]);
        if (e.data.type === 'hello' && !e.data.data?.configured) {
            frame.contentWindow.postMessage({ns: 'panless', v: 1, type: 'configure', data: config},
                                             new URL(panless).origin);
        }
    });
    frame.src = `${panless}/frame?parent=${encodeURIComponent(location.origin)}&locale=en&customer=1#`
        + fragment.replace('CONFIG', encodeURIComponent(JSON.stringify(config)));
    document.body.append(frame);
    for (let waited = 0; !seen.some(([t]) => t === 'ready' || t === 'error') && waited < 15000; waited += 50) {
        await new Promise((done) => setTimeout(done, 50));
    }
    return seen;
}"""


def raw_frame(page, shop, merchant, fragment: str) -> list:
    page.goto(shop.url + "/")
    wait_ready(page)
    return page.evaluate(RAW_FRAME, [merchant.url, token(merchant), fragment])


def test_the_frame_starts_from_the_options_in_its_fragment_without_waiting_for_configure(page, shop, merchant):
    # The embed puts configure's options in the fragment; its hello says so, and no configure comes.
    seen = raw_frame(page, shop, merchant, "config=CONFIG")
    assert seen[0] == ["hello", {"configured": True}]
    assert "ready" in [kind for kind, _ in seen] and "error" not in [kind for kind, _ in seen]


# Each panless message a window receives, by type, in every frame of the page (init scripts run in each): the
# browser's own events only, not the frame's replay of those early.js kept while the bundle loaded.
RECORD_TYPES = ("addEventListener('message', (e) => e.isTrusted && e.data?.ns === 'panless'"
                " && (window.__panlessGot ||= []).push(e.data.type));")


def card_frame(page):
    return next(f for f in page.frames if "/frame?" in f.url)


def test_the_checkout_page_sends_no_configure_to_a_frame_that_has_its_options(page, shop, merchant):
    # The frame's hello says its fragment held the options: they do not cross a second time.
    page.add_init_script(RECORD_TYPES)
    page.goto(shop.url + "/")
    wait_ready(page)
    assert page.evaluate("() => window.__panlessGot")[0] == "hello"
    assert card_frame(page).evaluate("() => window.__panlessGot ?? []") == []  # nothing from the checkout page
    assert card_frame(page).evaluate("document.getElementById('card-form').dataset.ready") == "true"


def test_a_reloaded_frame_gets_configure_and_starts_a_session_of_its_own(page, merchant, snippet_slot):
    # Its fragment left the URL at its first load: its hello says it has no options, and the embed sends them,
    # without the early start's key.
    snippet_slot.slot.app = blank_app("allowed")
    page.add_init_script(RECORD_TYPES)
    page.goto(snippet_slot.url + "/")
    merchant.recorder.requests.clear()
    page.evaluate("""async ([panless, options]) => {
        const { mount } = await import(panless + '/static/js/embed/panless.js');
        window.panlessEvents = [];
        window.card = mount('#card-element', options).on('ready', () => window.panlessEvents.push('ready'));
    }""", [merchant.url, {"origin": merchant.url, "customerToken": token(merchant), "provider": "mangopay"}])
    page.wait_for_function("() => window.panlessEvents.length == 1", timeout=15000)
    assert card_frame(page).evaluate("() => window.__panlessGot ?? []") == []
    page.evaluate("() => { window.card.frame.src = window.card.frame.src.split('#')[0]; }")  # a new load
    page.wait_for_function("() => window.panlessEvents.length == 2", timeout=15000)
    assert card_frame(page).evaluate("() => window.__panlessGot") == ["configure"]
    first, second = [r["headers"]["Idempotency-Key"] for r in session_posts(merchant)]
    assert len(first) == 36 and second != first  # the embed's key once; then the bundle's own
    assert card_frame(page).evaluate("document.getElementById('card-form').dataset.ready") == "true"


def test_a_frame_whose_fragment_options_are_unreadable_asks_for_configure(page, shop, merchant):
    seen = raw_frame(page, shop, merchant, "config=%7Bnot-json")
    hellos = [data for kind, data in seen if kind == "hello"]
    assert hellos == [{"configured": True}, {}]  # early.js's, then the bundle's asking for the options
    assert "ready" in [kind for kind, _ in seen] and "error" not in [kind for kind, _ in seen]
