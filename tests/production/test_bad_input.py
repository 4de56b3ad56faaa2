"""Bad input never gives a 500, on any route of any service: deep, malformed, oversized, wrongly encoded and
wrongly typed bodies, wrong content types and wrong methods, over real HTTP. And what the card-data checks
must see whatever the encoding: the tripwire, and the CSP report summary."""

from __future__ import annotations

import base64
import json
import re

import pytest
import requests

from panless import create_app
from panless.core.demo import CREDENTIALS
from panless.demo import create_app as create_shop
from panless.relay import create_app as create_relay
from panless.sandbox import create_app as create_sandbox
from tests.relay.test_relay import ticket
from tests.support import UNLIMITED, LiveServer, providers_on
from tests.support.merchant import Shopper
from tests.support.relay import relay_config
from tests.support.sandbox import MangopayWire

PAN = "4970107111111119"  # Mangopay's published test card
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND"]
JSON = "application/json"
# Every field name the services read, each with a value of a type it does not expect.
FIELDS = ["result", "currency", "brand", "provider", "advance", "firstname", "lastname", "email", "company",
          "card_number", "card_exp", "card_cvv", "person_name", "address_zip", "customer_id", "method", "reference",
          "RegistrationData", "CardHolderName", "UserId", "Currency", "CardType", "Tag", "FirstName", "LastName",
          "Email", "UserCategory", "Address", "Active", "merchant_id", "token", "card_token", "csp-report", "body",
          "blocked-uri", "document-uri", "effective-directive", "is_default", "nickname"]
WRONG_TYPES = [{name: value for name in FIELDS} for value in ({"a": [1]}, [[1], {}], 1e308)]
BODIES = [
    ("deep arrays", JSON, b"[" * 30000 + b"]" * 30000),
    ("deep objects", JSON, b'{"a":' * 20000 + b"1" + b"}" * 20000),
    ("deep, no content type", None, b"[" * 30000),
    ("deep as a form", "application/x-www-form-urlencoded", b"result=" + b"[" * 30000),
    ("a list", JSON, b"[1]"),
    ("a string", JSON, b'"x"'),
    ("null", JSON, b"null"),
    ("a huge number", JSON, b"1" * 5000),
    ("not UTF-8", JSON, b"\xff\xfe\xfa{\x00"),
    ("UTF-16", "application/json; charset=utf-16", json.dumps({"result": "x"}).encode("utf-16")),
    ("truncated", JSON, b'{"result": "da'),
    ("bad form", "application/x-www-form-urlencoded", b"a=%ZZ&&=b&c"),
    ("bad multipart", "multipart/form-data; boundary=zz", b"--zz\r\nContent-Disposition: form-data\r\n\r\nx"),
    ("text", "text/plain", b"hello"),
    ("a URL that is none", "application/x-www-form-urlencoded", b"returnURL=http%3A%2F%2F%5B%3A%3A1&result=x"),
    *[(f"wrong types {i}", JSON, json.dumps(body).encode()) for i, body in enumerate(WRONG_TYPES)],
]
OVERSIZED = ("oversized", JSON, b'{"result": "' + b"a" * 600_000 + b'"}')


@pytest.fixture(scope="module")
def services():
    """A sandbox, a merchant app, the demo shop and a relay of their own: this module's garbage reaches nobody
    else."""
    sandbox = LiveServer(create_sandbox()).start()
    merchant_app = create_app({**providers_on(sandbox.url), **UNLIMITED, "DATABASE_URL": ":memory:"})
    merchant = LiveServer(merchant_app).start()
    shop = LiveServer(create_shop(merchant.url, {**providers_on(sandbox.url)})).start()
    relay = LiveServer(create_relay(relay_config(sandbox.url, form_origins=[merchant.url]))).start()
    yield {"sandbox": (sandbox, create_sandbox()), "merchant": (merchant, merchant_app), "shop": (shop, shop.app),
           "relay": (relay, relay.app)}
    for server in (relay, shop, merchant, sandbox):
        server.stop()


def credentials_for(path: str, sandbox_url: str) -> dict:
    """Valid credentials, so that bodies are parsed past authentication."""
    if path.startswith("/mangopay/v2.01/") and "oauth" not in path:
        return {"Authorization": MangopayWire(sandbox_url).auth["Authorization"]}
    if path.startswith("/juspay/"):
        key = CREDENTIALS["juspay"]["API_KEY"]
        return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}
    if path.startswith("/stax/"):
        return {"Authorization": f"Bearer {CREDENTIALS['stax']['API_KEY']}"}
    return {}


def urls_of(app, values: dict) -> list[tuple[str, set[str]]]:
    """Every route of an app, its variables filled in (static files with a real file), and its methods."""
    urls: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        path = rule.rule
        for name in rule.arguments:
            value = "css/form.css" if name == "filename" else values.get(name, "x")
            path = re.sub(rf"<(?:[a-z]+:)?{name}>", value, path)
        urls.setdefault(path, set()).update(rule.methods)
    return sorted(urls.items())


def test_no_route_of_any_service_answers_500_to_bad_input(services):
    sandbox_url = services["sandbox"][0].url
    merchant = services["merchant"][0]
    shopper = Shopper(merchant.url)
    open_session = shopper.session()["id"]
    values = {"client_id": CREDENTIALS["mangopay"]["CLIENT_ID"], "session_id": open_session,
              "web_token": CREDENTIALS["stax"]["WEB_TOKEN"],
              "psp": "ecartpay", "operation": "tokens", "session": "ses_relaytest0001"}  # a relay route
    failures, sent = [], 0
    http = requests.Session()
    mangopay_auth = credentials_for("/mangopay/v2.01/", sandbox_url)
    for name, (server, app) in services.items():
        for path, allowed in urls_of(app, values):
            auth = shopper.headers if name == "merchant" else {"X-Relay-Ticket": ticket()} if name == "relay" else (
                mangopay_auth if path.startswith("/mangopay/v2.01/") else credentials_for(path, sandbox_url))
            for method in METHODS:
                # Every body where the route takes the method; a wrong method is refused before any reading.
                reads = method in allowed and method not in ("HEAD", "OPTIONS")
                bodies = [*BODIES, OVERSIZED] if reads else BODIES[:1] + BODIES[-1:]
                for label, content_type, body in bodies:
                    headers = {**auth, **({"Content-Type": content_type} if content_type else {})}
                    response = http.request(method, server.url + path, data=body, headers=headers, timeout=30)
                    sent += 1
                    if response.status_code >= 500:
                        failures.append(f"{name} {method} {path} [{label}] -> {response.status_code}")
    assert sent > 1000  # every route, method and body was tried
    assert not failures, "\n".join(failures[:40])


def junk_query(parent: str) -> dict:
    """Every query parameter the services read, each with a value they do not expect (the frame's start
    included, which is read only for an allowed parent, and the demo shop's return)."""
    deep = "[" * 1000 + "]" * 1000
    return {"parent": parent, "start": "x", "key": "abcdefghxx", "body": deep, "locale": deep, "customer": deep,
            "psp": "../x", "appearance": deep, "theme": "[", "return_url": "http://[::1", "state": deep,
            "code": deep, "saved_card": "../../x", "panless_status": "completed", "panless_session": "../../pay",
            "returnURL": "http://[::1", "data": deep, "provider": deep, "currency": deep}


def test_no_route_of_any_service_answers_500_to_a_junk_query(services):
    shop, merchant = services["shop"][0], services["merchant"][0]
    values = {"client_id": CREDENTIALS["mangopay"]["CLIENT_ID"], "session_id": Shopper(merchant.url).session()["id"],
              "web_token": CREDENTIALS["stax"]["WEB_TOKEN"], "psp": "ecartpay", "operation": "tokens",
              "session": "ses_relaytest0001"}
    failures, sent = [], 0
    for name, (server, app) in services.items():
        for path, allowed in urls_of(app, values):
            for method in sorted(allowed - {"HEAD", "OPTIONS"}):
                response = requests.request(method, server.url + path, params=junk_query(shop.url), timeout=30,
                                            headers={"Sec-Fetch-Dest": "iframe"})
                sent += 1
                if response.status_code >= 500:
                    failures.append(f"{name} {method} {path} -> {response.status_code}")
    assert sent > 50  # every route and method
    assert not failures, "\n".join(failures[:40])


def test_the_demo_shop_confirms_only_a_session_id_of_the_right_shape(services):
    shop = services["shop"][0]
    for session in ("../../pay", "ses_x", "ses_" + "a" * 24 + "/../../cards"):
        page = requests.get(f"{shop.url}/return", timeout=10,
                            params={"panless_status": "completed", "panless_session": session, "state": "o-1"})
        assert page.status_code == 200 and "o-1</code>: unconfirmed." in page.text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "utf-8-sig"])
def test_a_card_number_in_any_json_encoding_is_refused_before_the_psp(services, encoding):
    """Flask reads UTF-16/32 and BOM-prefixed JSON; the app reads UTF-8 only and the tripwire decodes the
    body as json would guess it, so neither a hidden PAN nor the body reaches the PSP."""
    shopper = Shopper(services["merchant"][0].url)
    session = shopper.session()
    body = json.dumps({"result": f"data={PAN}"}).encode(encoding)
    response = requests.post(f"{shopper.root}/api/sessions/{session['id']}/finalize", data=body, timeout=10,
                             headers={**shopper.headers, "Content-Type": f"application/json; charset={encoding}"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] in ("pan_detected", "invalid_json")
    assert response.json()["error"]["code"] == "pan_detected"  # seen, not only refused as undecodable
    assert shopper.call("GET", f"/api/sessions/{session['id']}").json()["status"] == "open"


def test_json_in_another_encoding_is_refused_as_invalid(services):
    shopper = Shopper(services["merchant"][0].url)
    body = json.dumps({"currency": "EUR"}).encode("utf-16")
    response = requests.post(f"{shopper.root}/api/sessions", data=body, timeout=10,
                             headers={**shopper.headers, "Content-Type": JSON})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_json"


def test_deep_json_is_a_stable_error_on_the_api(services):
    shopper = Shopper(services["merchant"][0].url)
    response = requests.post(f"{shopper.root}/api/sessions", data=b"[" * 30000 + b"]" * 30000, timeout=10,
                             headers={**shopper.headers, "Content-Type": JSON})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_json"
    shallow = requests.post(f"{shopper.root}/api/sessions", json={"currency": "EUR"}, headers=shopper.headers,
                            timeout=10)
    assert shallow.status_code == 201


def test_csp_report_summary_carries_no_card_number(services):
    root = services["merchant"][0].url
    report = {"csp-report": {"document-uri": f"{root}/pay/{PAN}", "effective-directive": "img-src",
                             "blocked-uri": f"https://{PAN}.x.example/p.png?c={PAN}"}}
    assert requests.post(f"{root}/csp-report", json=report, timeout=10).status_code == 204
    summary = requests.get(f"{root}/csp-report", timeout=10).text
    assert PAN not in summary
    assert "[PAN].x.example" in summary  # kept, scrubbed like a log line
    glued = {"csp-report": {"document-uri": f"{root}/pay", "effective-directive": f"d{PAN}",
                            "blocked-uri": f"https://x{PAN}.example/a"}}
    assert requests.post(f"{root}/csp-report", json=glued, timeout=10).status_code == 204
    summary = requests.get(f"{root}/csp-report", timeout=10).text
    assert PAN not in summary and "x[PAN].example" in summary


def test_sandbox_answers_its_own_errors(services):
    sandbox = services["sandbox"][0].url
    clock = requests.post(f"{sandbox}/_sandbox/clock", json=[1], timeout=10)
    assert clock.status_code == 400 and clock.json()["field"] == "advance"
    stax = requests.post(f"{sandbox}/stax/webpayment/{CREDENTIALS['stax']['WEB_TOKEN']}/tokenize", timeout=10,
                         json={"firstname": {"a": 1}, "card_number": PAN, "card_exp": "1230", "address_zip": "1"})
    assert stax.status_code == 400 and "person_name" in stax.json()
    deep = requests.post(f"{sandbox}/stax/customer", data=b"[" * 30000, timeout=10,
                         headers={"Content-Type": JSON, **credentials_for("/stax/", sandbox)})
    assert deep.status_code == 400
