"""The document store on SQLite and on PostgreSQL: the same behaviour, atomic claims and compare-and-set under
threads, transactions that commit or roll back whole, several stores (processes) on one database, and the
schema created and migrated on start."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from panless.core.store import SCHEMA_VERSION, Store, StoreError, database_url, is_memory
from panless.sandbox.store import SandboxStore


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    yield store
    store.close()


def test_documents_round_trip(store):
    store.put("card", "c1", {"n": 1}, owner="alice")
    store.put("card", "c2", {"n": 2}, owner="alice", lookup="fp")
    store.put("card", "c3", {"n": 3}, owner="bob")
    assert store.get("card", "c1") == {"n": 1}
    assert store.get("card", "nope") is None
    assert [c["n"] for c in store.find("card", owner="alice")] == [1, 2]
    assert store.find("card", lookup="fp") == [{"n": 2}]
    store.put("card", "c1", {"n": 10}, owner="alice")  # an update keeps its place and creation time
    assert [c["n"] for c in store.find("card", owner="alice")] == [10, 2]
    assert store.created("card", "c1") <= store.created("card", "c2")
    assert store.delete("card", "c1") and not store.delete("card", "c1")
    assert store.get("card", "c1") is None


def test_insert_new_claims_once_under_threads(store):
    with ThreadPoolExecutor(16) as pool:
        won = list(pool.map(lambda i: store.insert_new("spent", "ticket", {"by": i}), range(32)))
    assert won.count(True) == 1
    assert store.get("spent", "ticket")["by"] == won.index(True)


def test_compare_and_set_loses_no_update(store):
    store.put("counter", "x", {"n": 0})

    def bump(_):
        while True:
            body, version = store.get_versioned("counter", "x")
            if store.replace("counter", "x", {"n": body["n"] + 1}, version):
                return

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(bump, range(40)))
    assert store.get("counter", "x") == {"n": 40}


def test_stale_version_is_refused(store):
    store.put("session", "s", {"status": "open"})
    _, version = store.get_versioned("session", "s")
    assert store.replace("session", "s", {"status": "finishing"}, version)
    assert not store.replace("session", "s", {"status": "finishing"}, version)  # a second claimer loses


def test_locked_read_modify_write_in_a_transaction(store):
    store.put("counter", "y", {"n": 0})

    def bump(_):
        with store.transaction():
            body = store.get("counter", "y", lock=True)
            store.put("counter", "y", {"n": body["n"] + 1})

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(bump, range(40)))
    assert store.get("counter", "y") == {"n": 40}


def test_a_failed_transaction_writes_nothing(store):
    with pytest.raises(RuntimeError), store.transaction():
        store.put("card", "half", {"n": 1})
        store.insert_new("session", "half", {})
        raise RuntimeError("the PSP answered garbage")
    assert store.get("card", "half") is None and store.get("session", "half") is None


def test_two_stores_on_one_database_share_state(database_url):
    """Two processes of the merchant app: each has its own store (pool) on the same database."""
    a, b = Store(database_url), Store(database_url)
    try:
        a.put("session", "s1", {"status": "open"}, owner="alice")
        assert b.get("session", "s1") == {"status": "open"}
        claims = []
        threads = [threading.Thread(target=lambda s=s: claims.append(s.insert_new("code", "n1", {})))
                   for s in (a, b) for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert claims.count(True) == 1
    finally:
        a.close()
        b.close()


def test_concurrent_first_starts_migrate_once(database_url):
    with ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(lambda _: Store(database_url), range(4)))
    stores[0].put("k", "1", {})
    assert all(s.get("k", "1") == {} for s in stores)
    assert stores[0].execute("SELECT version FROM panless_schema") == [(SCHEMA_VERSION,)]
    for s in stores:
        s.close()


def test_sandbox_store_keeps_its_vault_table(database_url):
    store = SandboxStore(database_url)
    store.put_sealed("vlt_1", "key", b"\x00\x01ciphertext")
    assert store.get_sealed("vlt_1") == ("key", b"\x00\x01ciphertext")
    store.reset()
    assert store.get_sealed("vlt_1") is None
    store.close()


def test_a_database_from_before_versioning_is_migrated(tmp_path):
    """A SQLite file written by the previous Panless (no schema table, no version column) keeps its data."""
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript("""
        CREATE TABLE objects (kind TEXT NOT NULL, id TEXT NOT NULL, owner TEXT, lookup TEXT, created REAL NOT NULL,
            body TEXT NOT NULL, PRIMARY KEY (kind, id));
        CREATE INDEX objects_owner ON objects (kind, owner);
        INSERT INTO objects VALUES ('card', 'mangopay:c1', 'alice', NULL, 1.0, '{"token": "c1"}');
    """)
    old.commit()
    old.close()
    store = Store(str(path))
    assert store.find("card", owner="alice") == [{"token": "c1"}]
    _, version = store.get_versioned("card", "mangopay:c1")
    assert store.replace("card", "mangopay:c1", {"token": "c1", "active": False}, version)
    assert store.execute("SELECT version FROM panless_schema") == [(SCHEMA_VERSION,)]
    store.close()


def test_a_file_database_survives_a_restart(tmp_path):
    first = Store(str(tmp_path / "keep.db"))
    first.put("card", "c", {"kept": True})
    first.close()
    assert Store(str(tmp_path / "keep.db")).get("card", "c") == {"kept": True}


def test_in_memory_store_is_usable_from_threads():
    store = Store(":memory:")
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: store.put("n", str(i), {"i": i}, owner="o"), range(50)))
    assert len(store.find("n", owner="o")) == 50


def test_database_urls():
    assert database_url(":memory:") == "sqlite://" and is_memory("sqlite:///:memory:")
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("/var/lib/panless/p.db") == "sqlite:////var/lib/panless/p.db"
    assert not is_memory("/tmp/x.db")
    with pytest.raises(StoreError, match="unsupported database"):
        Store("mysql://u@h/db")
    with pytest.raises(StoreError, match="not a database URL"):
        Store("postgresql://[::1")


def test_a_sqlite_database_is_its_owners_alone(tmp_path):
    path = tmp_path / "new" / "panless.db"
    store = Store(str(path))
    try:
        store.insert_new("session", "ses_a", {"x": 1})  # a write: the WAL exists
        extras = list(path.parent.glob("panless.db-*"))
        assert extras and all(extra.stat().st_mode & 0o077 == 0 for extra in extras), extras
    finally:
        store.close()
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
