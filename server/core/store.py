"""JSON documents in SQLite (in memory, or a file that survives a restart), with an adjustable clock.

The merchant app keeps its sessions and cards here; the sandbox PSP builds its state on it too.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time

BASE_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    kind TEXT NOT NULL, id TEXT NOT NULL, owner TEXT, lookup TEXT, created REAL NOT NULL,
    body TEXT NOT NULL, PRIMARY KEY (kind, id));
CREATE INDEX IF NOT EXISTS objects_owner ON objects (kind, owner);
CREATE INDEX IF NOT EXISTS objects_lookup ON objects (kind, lookup);
"""


class Clock:
    """Wall time plus an offset that tests move forward (token and idempotency expiry)."""

    def __init__(self):
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset


class Store:
    SCHEMA = BASE_SCHEMA

    def __init__(self, path: str = ":memory:", clock: Clock | None = None):
        self.path = path
        self.clock = clock or Clock()
        self.lock = threading.RLock()
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        if path != ":memory:":
            self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(self.SCHEMA)

    def reset(self, keep_kinds: tuple[str, ...] = ()) -> None:
        """Forget everything but the kinds named (issued credentials outlive a reset, as SDKs cache them)."""
        with self.lock:
            marks = ",".join("?" * len(keep_kinds)) or "''"
            self.db.execute(f"DELETE FROM objects WHERE kind NOT IN ({marks})", keep_kinds)
            self.clock.offset = 0.0

    # -- documents ---------------------------------------------------------------------------------

    def put(self, kind: str, id: str, body: dict, owner: str | None = None, lookup: str | None = None) -> dict:
        with self.lock:
            self.db.execute(
                "INSERT INTO objects (kind, id, owner, lookup, created, body) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (kind, id) DO UPDATE SET owner=excluded.owner, lookup=excluded.lookup, "
                "body=excluded.body",
                (kind, id, owner, lookup, self.clock.now(), json.dumps(body)),
            )
        return body

    def insert_new(self, kind: str, id: str, body: dict, owner: str | None = None) -> bool:
        """Insert only if absent; False when the id is taken (used to reserve idempotency keys)."""
        with self.lock:
            cur = self.db.execute(
                "INSERT OR IGNORE INTO objects (kind, id, owner, lookup, created, body) VALUES (?, ?, ?, NULL, ?, ?)",
                (kind, id, owner, self.clock.now(), json.dumps(body)),
            )
            return cur.rowcount == 1

    def get(self, kind: str, id: str) -> dict | None:
        with self.lock:
            row = self.db.execute("SELECT body FROM objects WHERE kind=? AND id=?", (kind, id)).fetchone()
        return json.loads(row[0]) if row else None

    def created(self, kind: str, id: str) -> float | None:
        with self.lock:
            row = self.db.execute("SELECT created FROM objects WHERE kind=? AND id=?", (kind, id)).fetchone()
        return row[0] if row else None

    def find(self, kind: str, *, owner: str | None = None, lookup: str | None = None) -> list[dict]:
        column, value = ("owner", owner) if owner is not None else ("lookup", lookup)
        with self.lock:
            rows = self.db.execute(
                f"SELECT body FROM objects WHERE kind=? AND {column}=? ORDER BY created, rowid", (kind, value)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def delete(self, kind: str, id: str) -> None:
        with self.lock:
            self.db.execute("DELETE FROM objects WHERE kind=? AND id=?", (kind, id))
