"""Two merchant app processes (gunicorn, `panless serve`) on one database, behind different ports, each flow's
steps alternating between them; rate limits shared through Redis; a small load run with nothing lost or
duplicated. On SQLite (one file, one machine) and on PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import requests

from .stack import PSPS, MerchantProcess, customer_headers, flow, merchant_env

UNLIMITED = {"RATELIMIT_SESSIONS": "100000/minute", "RATELIMIT_FINALIZE": "100000/minute"}
PSP_CARD_KINDS = {"mangopay": "mp_card", "juspay": "jp_card", "stax": "stax_method"}


def flush(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url, socket_timeout=5).flushdb()


@pytest.fixture
def pair(sandbox, database_url, redis_url):
    """Two processes of one deployment: one database, one Redis."""
    flush(redis_url)
    started = []

    def start(**settings):
        env = merchant_env(sandbox.url, database_url, redis_url, **{**UNLIMITED, **settings})
        processes = [MerchantProcess(env), MerchantProcess(env)]
        try:
            for process in processes:
                started.append(process.start())
        except RuntimeError:
            for process in started:
                process.stop()
            raise
        return processes

    yield start
    for process in started:
        process.stop()


def psp_cards(sandbox) -> Counter:
    store = sandbox.app.extensions["panless_sandbox"]["store"]
    return Counter({psp: store.execute("SELECT count(*) FROM objects WHERE kind = ?", (kind,))[0][0]
                    for psp, kind in PSP_CARD_KINDS.items()})


def test_each_step_on_another_process(pair, sandbox):
    a, b = pair()
    headers = customer_headers(a.url)
    for psp in PSPS:
        saved = flow(a.url, b.url, headers, psp)
        for process in (a, b):
            listed = requests.get(f"{process.url}/api/cards", headers=headers, timeout=10).json()["cards"]
            assert saved["card"]["token"] in [card["token"] for card in listed]
            again = requests.post(f"{process.url}/api/sessions/{saved['session']}/finalize", headers=headers,
                                  json={"result": "anything"}, timeout=10)
            assert again.json()["card"] == saved["card"]  # finished is finished, whichever process is asked
    assert psp_cards(sandbox) == Counter({psp: 1 for psp in PSPS})


def test_rate_limits_are_shared_through_redis(pair):
    a, b = pair(RATELIMIT_SESSIONS="4/minute")
    headers = customer_headers(a.url)
    answers = [requests.post(f"{process.url}/api/sessions", json={}, headers=headers, timeout=10).status_code
               for process in (a, b, a, b, a, b)]
    assert answers == [201, 201, 201, 201, 429, 429]  # each process alone would have let six through


def test_small_load_run_loses_and_duplicates_nothing(pair, sandbox):
    a, b = pair()
    flows_per_client, clients = 4, 6
    results, errors = [], []
    lock = threading.Lock()

    def client(n: int):
        http = requests.Session()
        for i in range(flows_per_client):
            first, second = (a, b) if (n + i) % 2 else (b, a)
            try:
                http.cookies.clear()  # a new shopper for each flow
                headers = customer_headers(first.url, http)
                saved = flow(first.url, second.url, headers, PSPS[(n + i) % len(PSPS)], http)
                listed = http.get(f"{second.url}/api/cards", headers=headers, timeout=10).json()["cards"]
                with lock:
                    results.append((saved, listed))
            except (AssertionError, requests.RequestException) as exc:
                with lock:
                    errors.append(repr(exc)[:200])

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == flows_per_client * clients
    assert all([card["token"] for card in listed] == [saved["card"]["token"]] for saved, listed in results)
    made = Counter(saved["card"]["provider"] for saved, _ in results)
    assert psp_cards(sandbox) == made  # one card at the PSP for each flow, no more
