"""The bench's references make the flows they stand for, against the live sandbox: the plain integration
saves a card in two requests, and the kit merchant's page carries a registration that the kit's two wire
requests finish, after which its server saves the card the browser names (and no other customer's)."""

import importlib
import json
import re
import sqlite3

import pytest
import requests

from bench.load import card_form, plain_flow
from panless.sandbox import base_urls
from tests.support import LiveServer
from tests.support.sandbox import TIMEOUT


def reference(module: str, sandbox_url: str, tmp_path, monkeypatch) -> LiveServer:
    monkeypatch.setenv("PANLESS_MANGOPAY__BASE_URL", base_urls(sandbox_url)["mangopay"])
    monkeypatch.setenv("PLAIN_DATABASE", str(tmp_path / "reference.db"))
    return LiveServer(importlib.reload(importlib.import_module(module)).app).start()


@pytest.fixture
def plain(sandbox, tmp_path, monkeypatch):
    server = reference("bench.plain", sandbox.url, tmp_path, monkeypatch)
    yield server
    server.stop()


@pytest.fixture
def kit(sandbox, tmp_path, monkeypatch):
    server = reference("bench.kit_merchant", sandbox.url, tmp_path, monkeypatch)
    yield server
    server.stop()


def test_the_plain_integration_saves_cards(plain, tmp_path):
    http = requests.Session()
    plain_flow(http, plain.url, "shopper-1")
    plain_flow(http, plain.url, "shopper-1")  # the same customer's user is reused
    with sqlite3.connect(tmp_path / "reference.db") as db:
        assert db.execute("SELECT COUNT(*) FROM sessions WHERE card IS NOT NULL").fetchone() == (2,)
        assert db.execute("SELECT COUNT(*) FROM customers").fetchone() == (1,)


def test_the_kit_merchant_saves_the_card_the_kit_registered(kit):
    reg = json.loads(re.search(r"const reg = (\{.*?\});", requests.get(kit.url + "/", timeout=TIMEOUT).text).group(1))
    # The kit's two requests, as its page sends them: the card to the tokenizer, its answer to the registration.
    fields = {"data": reg["data"], "accessKeyRef": reg["accessKeyRef"]}
    data = requests.post(reg["url"], data=card_form({"fields": fields}), timeout=TIMEOUT).text
    assert data.startswith("data=")
    done = requests.post(reg["finish"], data={"Id": reg["id"], "RegistrationData": data}, timeout=TIMEOUT).json()
    assert done["ResultCode"] == "000000"
    other = requests.post(kit.url + "/cards", json={"customer": "someone-else", "cardId": done["CardId"]},
                          timeout=TIMEOUT)
    assert other.status_code == 404
    saved = requests.post(kit.url + "/cards", json={"customer": reg["customer"], "cardId": done["CardId"]},
                          timeout=TIMEOUT)
    assert saved.status_code == 200 and saved.json()["card"]["token"] == done["CardId"]
