"""The card pages' own checks, over HTTP: redirect mode's return URL, state and single-use code, and the frame's
checkout origin (no browser needed: the browser flows are in playwright/)."""

import pytest
import requests

from tests.merchant.support import SHOP


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
