"""The PAN tripwire: a card number anywhere in a request is refused, counted and logged without the value."""

import pytest

from tests.merchant.support import VISA
from tests.support.merchant import Shopper


@pytest.mark.parametrize("where", ["body", "query", "header", "cookie", "spaced", "plus", "percent20", "dotted",
                                   "dashed", "json-escape", "path"])
def test_pan_tripwire_refuses_card_numbers_anywhere(shopper, where):
    kw = {"body": {"json": {"note": VISA}}, "query": {"params": {"q": VISA}},
          "header": {"headers": {"X-Note": VISA}}, "cookie": {"cookies": {"c": VISA}},
          "spaced": {"json": {"note": "4970 1071 1111 1119"}},
          "plus": {"params": {"q": "4970 1071 1111 1119"}},  # sent as q=4970+1071+1111+1119
          "percent20": {"data": "q=4970%201071%201111%201119"},
          "dotted": {"json": {"note": "4970.1071.1111.1119"}},
          "dashed": {"json": {"note": "4970-1071-1111-1119"}},
          "json-escape": {"data": '{"note": "4970107111\\u003111119"}',
                          "headers": {"Content-Type": "application/json"}},
          "path": {}}[where]
    if where == "path":
        r = shopper.call("GET", f"/api/sessions/{VISA}")
        assert r.status_code == 400 and r.json()["error"]["code"] == "pan_detected"
        return
    r = shopper.call("POST", "/api/sessions", **kw)
    assert r.status_code == 400 and r.json()["error"]["code"] == "pan_detected"
    assert VISA not in r.text


def test_tripwire_counts_and_logs_without_the_value(app_server, caplog):
    before = app_server.app.extensions["panless_counters"]["pan_detected"]
    shopper = Shopper(app_server.url)
    with caplog.at_level("WARNING"):
        r = shopper.call("POST", "/api/sessions", json={"x": "4970 1071 1111 1119"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "pan_detected"
    assert any("pan_detected" in m for m in caplog.messages)
    assert not any("1119" in m for m in caplog.messages)
    assert app_server.app.extensions["panless_counters"]["pan_detected"] == before + 1


def test_texts_scanned_together_never_join_into_a_card_number():
    """The tripwire scans a request's texts joined by newlines: a newline ends any card-shaped run."""
    from panless.core.pan import find_pans

    assert find_pans("4970107111111119") == ["4970107111111119"]
    for split in ("4970107111\n111119", "4970 1071\n1111 1119", "4970-1071-1111-\n1119"):
        assert find_pans(split) == []
