"""What a flow costs the database: how many write transactions, how many of them fsync'd, and that reads
wait for no writer; and that the cheaper rate-limit windows keep their meaning."""

import threading
import time

import pytest
from limits import RateLimitItemPerSecond
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import event

from panless import create_app
from panless.core.store import Store
from panless.merchant.limits import ThreadSafeMemoryStorage
from tests.merchant.support import SHOP, save_card
from tests.support import UNLIMITED, LiveServer, providers_on
from tests.support.merchant import Shopper


@pytest.fixture
def file_app(sandbox_server, sandbox, tmp_path):
    app = create_app({**providers_on(sandbox_server.url), **UNLIMITED, "ALLOWED_ORIGINS": SHOP,
                      "DATABASE_URL": str(tmp_path / "merchant.db")})
    server = LiveServer(app).start()
    server.store = app.extensions["panless_store"]
    yield server
    server.stop()


def trace(store: Store, seen) -> None:
    """`seen(dbapi connection, sql)` for every statement SQLite runs from now on, whoever sends it (the store
    sends its documents' statements to the driver, past SQLAlchemy's events): the pool's connections are
    opened anew, each with SQLite's own trace."""
    store.engine.dispose()
    event.listen(store.engine, "connect",
                 lambda dbapi, _record: dbapi.set_trace_callback(lambda sql, d=dbapi: seen(d, sql)))


def counted_writes(store: Store) -> list[tuple[bool, list[str]]]:
    """Every write transaction the store commits from now on: (durable, the statements it ran), as SQLite
    itself saw them (durable: the connection's synchronous setting was FULL at the COMMIT)."""
    commits: list[tuple[bool, list[str]]] = []
    running: dict[int, list[str]] = {}
    durable: dict[int, bool] = {}

    def seen(dbapi, sql: str) -> None:
        words = sql.split()
        if words[:2] == ["PRAGMA", "synchronous=FULL"] or words[:2] == ["PRAGMA", "synchronous=NORMAL"]:
            durable[id(dbapi)] = words[1].endswith("FULL")
        elif words[0].upper() == "BEGIN":
            running[id(dbapi)] = ["BEGIN"]
        elif words[0].upper() == "COMMIT" and id(dbapi) in running:
            commits.append((durable.get(id(dbapi), True), running.pop(id(dbapi))))
        elif id(dbapi) in running:
            running[id(dbapi)].append(words[0].upper())

    trace(store, seen)
    return commits


@pytest.mark.parametrize("client_key", [None, "checkout-key-1"])
def test_a_flow_writes_what_it_needs_and_fsyncs_twice(file_app, client_key):
    shopper = Shopper(file_app.url)
    save_card(shopper)  # the customer's first flow also records its PSP user: not counted
    commits = counted_writes(file_app.store)
    if client_key:
        shopper.headers["Idempotency-Key"] = client_key
    save_card(shopper)
    # Start: the new session (with its key) claimed at once, then the open session. Finish: the claim, then
    # the card with the completed session. Claims need no fsync: a power cut ends their holders too.
    assert [durable for durable, _ in commits] == [False, True, False, True]
    assert all(statements.count("BEGIN") == 1 for _, statements in commits)  # one transaction each
    # Rows written: the session (created, opened, claimed, completed), the card, and the key if one was sent.
    assert sum(s in ("INSERT", "UPDATE", "DELETE") for _, statements in commits for s in statements) == (
        6 if client_key else 5)


def test_the_first_flow_of_a_customer_also_records_its_psp_user(file_app):
    commits = counted_writes(file_app.store)
    save_card(Shopper(file_app.url))
    assert [durable for durable, _ in commits] == [False, True, False, True]
    assert sum(s in ("INSERT", "UPDATE") for _, statements in commits for s in statements) == 6


def test_durable_commits_use_full_sync_and_claims_normal(tmp_path):
    store = Store(str(tmp_path / "s.db"))
    seen = []
    trace(store, lambda _dbapi, sql: seen.append(sql) if "synchronous" in sql else None)
    with store.transaction(durable=False):
        store.put("k", "a", {})
    assert seen == ["PRAGMA synchronous=NORMAL"]
    store.put("k", "b", {})
    assert seen[-1] == "PRAGMA synchronous=FULL"
    assert store.execute("PRAGMA journal_mode") == [("wal",)]
    store.close()


def test_reads_wait_for_no_writer(tmp_path):
    store = Store(str(tmp_path / "s.db"))
    store.put("k", "a", {"n": 1})
    holding, release = threading.Event(), threading.Event()

    def writer():
        with store.transaction():
            store.put("k", "a", {"n": 2})
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    assert holding.wait(10)
    started = time.monotonic()
    reads = [store.get("k", "a") for _ in range(20)]  # while the writer holds the write lock
    assert time.monotonic() - started < 2 and thread.is_alive()
    assert reads == [{"n": 1}] * 20  # the last committed state: WAL readers beside the writer
    release.set()
    thread.join()
    assert store.get("k", "a") == {"n": 2}
    store.close()


def test_writers_of_two_processes_queue_on_the_file(tmp_path):
    # Two stores stand for two processes (each its own lock file descriptor): their writes all land.
    a, b = Store(str(tmp_path / "s.db")), Store(str(tmp_path / "s.db"))
    a.put("n", "x", {"n": 0})

    def bump(store):
        for _ in range(25):
            with store.transaction():
                n = store.get("n", "x", lock=True)["n"]
                store.put("n", "x", {"n": n + 1})

    threads = [threading.Thread(target=bump, args=(s,)) for s in (a, b, a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert a.get("n", "x") == {"n": 100}
    a.close()
    b.close()


def test_moving_window_keeps_its_meaning():
    """At most N hits in any window of the limit's length, not per calendar window: room comes back hit by
    hit as each leaves the window."""
    limiter = MovingWindowRateLimiter(ThreadSafeMemoryStorage("panless-memory://"))
    three_per_second = RateLimitItemPerSecond(3)
    first = time.time()
    assert limiter.hit(three_per_second, "k")
    time.sleep(0.5)
    assert [limiter.hit(three_per_second, "k") for _ in range(3)] == [True, True, False]
    assert not limiter.test(three_per_second, "k")
    assert limiter.hit(three_per_second, "other")  # each key its own window
    reset, left = limiter.get_window_stats(three_per_second, "k")
    assert left == 0 and first + 1 <= reset <= first + 1.1
    time.sleep(max(0.0, first + 1.1 - time.time()))  # the first hit has left the window, the others not
    assert [limiter.hit(three_per_second, "k") for _ in range(2)] == [True, False]
    limiter.storage.reset()
    assert limiter.get_window_stats(three_per_second, "k")[1] == 3


def test_reads_run_without_a_transaction_and_refuse_a_write_inside(tmp_path):
    """On SQLite a reading transaction issues no BEGIN (each statement is its own snapshot); a write
    joined to one would run outside the writers' queue, so it is refused."""
    store = Store(str(tmp_path / "s.db"))
    store.put("k", "a", {"n": 1})
    seen = []
    trace(store, lambda _dbapi, sql: seen.append(sql.split()[0].upper()))
    store.get("k", "a")  # a fresh connection's own settings first
    seen.clear()
    with store.transaction(write=False):
        assert store.get("k", "a") == {"n": 1} and store.get("k", "b") is None
    assert seen == ["SELECT", "SELECT"]
    with pytest.raises(RuntimeError), store.transaction(write=False):
        store.put("k", "b", {})
    assert store.get("k", "b") is None
