"""The sandbox's Mangopay: bad input of every kind gets Mangopay's error shape, never a 500."""

import pytest

from tests.sandbox.mangopay.wire import ERROR_KEYS


@pytest.mark.parametrize("method,path,kw,status", [
    ("POST", "/cardregistrations", {"data": "{not json", "headers": {"Content-Type": "application/json"}}, 400),
    ("POST", "/cardregistrations", {"json": ["a", "list"]}, 400),
    ("POST", "/cardregistrations", {"json": "a string"}, 400),
    ("POST", "/users/natural", {"data": b"\xff\xfe\x00", "headers": {"Content-Type": "application/json"}}, 400),
    ("POST", "/cardregistrations", {"data": "x" * (300 * 1024)}, 413),
    ("DELETE", "/cardregistrations/abc", {}, 405),
    ("PATCH", "/cards/abc", {}, 405),
    ("GET", "/no-such-resource", {}, 404),
    ("GET", "/cards/fingerprints/not-hex!", {}, 400),
    ("GET", "/users/x/cards?page=zero", {}, 404),
])
def test_bad_input_gets_mangopay_error_shape(mp, method, path, kw, status):
    r = mp.call(method, path, **kw)
    assert r.status_code == status, r.text
    assert set(r.json()) == ERROR_KEYS
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
