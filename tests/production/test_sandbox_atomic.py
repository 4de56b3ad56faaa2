"""The sandbox PSP is atomic where the real PSPs are: concurrent finishes of one Mangopay registration make one
card, concurrent creations with one Idempotency-Key make one object and every other caller can read its
response, and a key whose call died is free again (never reserved with no response)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from panless.sandbox.mangopay.backend import MangopayBackend
from tests.support.sandbox import MangopayWire

VISA = "4970107111111119"


def test_concurrent_finishes_make_one_card(mp, sandbox):
    registration = mp.registration()
    data = mp.tokenize(registration, VISA).text
    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: mp.finish(registration, data), range(10)))
    assert {a.status_code for a in answers} == {200}
    assert {a.json()["CardId"] for a in answers} != {None}
    assert len({a.json()["CardId"] for a in answers}) == 1
    cards = mp.call("GET", f"/users/{registration['UserId']}/cards").json()
    assert len(cards) == 1


def test_concurrent_creations_with_one_key_make_one_object(mp):
    user = mp.user()
    key = "panless-concurrent-0001"

    def create(_):
        return mp.call("POST", "/cardregistrations", headers={"Idempotency-Key": key},
                       json={"UserId": user["Id"], "Currency": "EUR"})

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(create, range(10)))
    created = [a for a in answers if a.status_code == 200]
    assert len(created) == 1
    assert {a.status_code for a in answers} <= {200, 409}
    kept = mp.call("GET", f"/responses/{key}")
    assert kept.status_code == 200  # every loser can read the winner's response: never "in flight"
    assert kept.json()["Resource"]["Id"] == created[0].json()["Id"]


def test_a_key_whose_call_died_is_free_for_the_retry(mp, monkeypatch):
    user = mp.user()
    key = "panless-died-mid-call-01"
    real = MangopayBackend.create_registration

    def dies(self, *args, **kwargs):
        monkeypatch.setattr(MangopayBackend, "create_registration", real)  # only the first call dies
        raise RuntimeError("the process died here")

    monkeypatch.setattr(MangopayBackend, "create_registration", dies)
    body = {"UserId": user["Id"], "Currency": "EUR"}
    first = mp.call("POST", "/cardregistrations", headers={"Idempotency-Key": key}, json=body)
    assert first.status_code == 500
    retry = mp.call("POST", "/cardregistrations", headers={"Idempotency-Key": key}, json=body)
    assert retry.status_code == 200 and retry.json()["Status"] == "CREATED"
    assert mp.call("GET", f"/responses/{key}").json()["Resource"]["Id"] == retry.json()["Id"]


@pytest.fixture
def mp(sandbox):
    return MangopayWire(sandbox.url)
