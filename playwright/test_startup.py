"""Loud start-up failures of the embed: each is an `error` event with a stable code, the console says what to
fix, `submit()` rejects instead of hanging, and a `ready` handler added late is still called.

Checkout pages here are blank pages on an allowed origin (the snippet's) or on one that is not allowed; each
mounts the frame from the merchant app with the options a test gives.
"""

import re
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests
from flask import Flask, request
from playwright.sync_api import expect

from tests.support import LiveServer

MOUNT = """async ([panless, options]) => {
    const { mount } = await import(panless + '/static/js/embed/panless.js');
    window.events = [];
    window.card = mount('#card-element', options);
    for (const e of ['ready', 'error', 'submit', 'tokenized'])
        window.card.on(e, (d) => window.events.push([e, d]));
}"""


def blank_app(name):
    app = Flask(name)

    @app.get("/")
    def blank():
        csp = request.args.get("csp")
        return ('<!doctype html><meta charset=utf-8><title>Checkout</title><div id="card-element"></div>',
                {"Content-Security-Policy": csp} if csp else {})

    return app


@pytest.fixture
def allowed_page(page, snippet_slot):
    snippet_slot.slot.app = blank_app("allowed")
    page.goto(snippet_slot.url + "/")
    return page


@pytest.fixture(scope="module")
def foreign_origin():
    server = LiveServer(blank_app("foreign"), url_host="localhost").start()
    yield server
    server.stop()


def console_of(page):
    lines = []
    page.on("console", lambda m: lines.append((m.type, m.text)))
    return lines


def first_error(page, timeout=20000):
    page.wait_for_function("() => window.events.some(([e]) => e === 'error')", timeout=timeout)
    return page.evaluate("() => window.events.find(([e]) => e === 'error')[1]")


def rejection(page):
    return page.evaluate("() => window.card.submit().then(() => 'resolved', (e) => e.code)")


def test_an_origin_not_allowed_is_named_with_the_fix(page, merchant, foreign_origin):
    console = console_of(page)
    page.goto(foreign_origin.url + "/")
    page.evaluate(MOUNT, [merchant.url, {"origin": merchant.url}])
    error = first_error(page)
    assert error["code"] == "frame_parent_not_allowed"
    assert rejection(page) == "frame_parent_not_allowed"
    said = [text for kind, text in console if kind == "error" and text.startswith("Panless:")]
    assert len(said) == 1 and f"add {foreign_origin.url} to PANLESS_ALLOWED_ORIGINS" in said[0]


def test_a_wrong_panless_origin_is_unreachable(allowed_page, merchant):
    console = console_of(allowed_page)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        nobody = f"http://127.0.0.1:{s.getsockname()[1]}"
    allowed_page.evaluate(MOUNT, [merchant.url, {"origin": nobody}])
    assert first_error(allowed_page)["code"] == "panless_unreachable"
    assert rejection(allowed_page) == "panless_unreachable"
    assert any(f"nothing answers at {nobody}" in text for kind, text in console if kind == "error")


def test_a_refused_customer_token_is_reported(allowed_page, merchant):
    console = console_of(allowed_page)
    allowed_page.evaluate(MOUNT, [merchant.url, {"origin": merchant.url, "customerToken": "v1.forged.token"}])
    error = first_error(allowed_page)
    assert error["code"] == "unauthenticated"
    assert rejection(allowed_page) == "unauthenticated"
    assert any("panless.issue_customer_token" in text for kind, text in console if kind == "error")
    assert allowed_page.evaluate("() => window.events.map(([e]) => e)") == ["error"]


def test_a_frame_that_never_starts_times_out(allowed_page, merchant):
    allowed_page.route("**/frame?*", lambda route: None)  # the frame's page never arrives
    allowed_page.evaluate(MOUNT, [merchant.url, {"origin": merchant.url, "readyTimeout": 1500}])
    assert first_error(allowed_page)["code"] == "ready_timeout"
    assert rejection(allowed_page) == "ready_timeout"


def test_the_checkouts_own_csp_is_named(page, merchant, snippet_slot):
    snippet_slot.slot.app = blank_app("strict")
    console = console_of(page)
    page.goto(snippet_slot.url + "/?csp=" + requests.utils.quote(f"script-src 'unsafe-inline' {merchant.url}; "
                                                                 "frame-src 'none'"))
    page.evaluate(MOUNT, [merchant.url, {"origin": merchant.url}])
    assert first_error(page)["code"] == "checkout_csp_blocked"
    assert any("frame-src" in text for kind, text in console if kind == "error")


def test_submit_before_ready_rejects_and_late_ready_handlers_are_called(allowed_page, merchant):
    console = console_of(allowed_page)
    code = allowed_page.evaluate("""async (args) => {
        await (""" + MOUNT + """)(args);
        return window.card.submit().then(() => 'resolved', (e) => e.code);
    }""", [merchant.url, {"origin": merchant.url, "unknownOption": 1}])
    assert code == "not_ready"
    allowed_page.wait_for_function("() => window.events.some(([e]) => e === 'ready')")
    late = allowed_page.evaluate("() => new Promise((resolve) => window.card.on('ready', () => resolve('called')))")
    assert late == "called"
    assert ("warning", 'Panless: unknown option "unknownOption" ignored') in console


def test_demo_prints_only_urls_that_work(page):
    ports = []
    for _ in range(4):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
    panless, sandbox, relay, shop = ports
    proc = subprocess.Popen([sys.executable, "-m", "panless.cli", "demo", "--port", str(panless), "--sandbox-port",
                             str(sandbox), "--relay-port", str(relay), "--shop-port", str(shop)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any("demo is up" in line for line in lines):
            time.sleep(0.2)
        printed = re.findall(r"http://[\w.]+:\d+/?\S*", "".join(lines))
        shop_urls = [url for url in printed if f":{shop}" in url]
        assert shop_urls and all(url.startswith(f"http://localhost:{shop}") for url in shop_urls), printed
        page.goto(shop_urls[0])  # the printed address is one where the card frame starts
        expect(page.frame_locator("#card-element iframe").locator("#card-form")).to_have_attribute(
            "data-ready", "true", timeout=20000)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=15)
        reader.join(timeout=5)
        proc.stdout.close()
    assert f"127.0.0.1:{shop}" not in "".join(lines), lines


def test_a_start_up_failure_is_reported_when_its_diagnosis_cannot_load(allowed_page, merchant):
    """startup.js words the error and the fix; without it (here refused) the error still comes, with its code."""
    allowed_page.route("**/static/js/embed/startup.*", lambda route: route.abort())
    allowed_page.evaluate(MOUNT, [merchant.url, {"origin": merchant.url, "customerToken": "v1.forged.token"}])
    error = first_error(allowed_page)
    assert error == {"code": "unauthenticated", "message": "The card form could not start.", "field": None}
    assert rejection(allowed_page) == "unauthenticated"
