"""The sandbox's state: the shared document store plus the vault's ciphertext table."""

from __future__ import annotations

from ..core.store import BASE_SCHEMA, Store


class SandboxStore(Store):
    SCHEMA = BASE_SCHEMA + """
CREATE TABLE IF NOT EXISTS vault (
    id TEXT PRIMARY KEY, key_id TEXT NOT NULL, blob BLOB NOT NULL, created REAL NOT NULL);
"""

    def reset(self, keep_kinds: tuple[str, ...] = ()) -> None:
        with self.lock:
            super().reset(keep_kinds)
            self.db.execute("DELETE FROM vault")

    def put_sealed(self, id: str, key_id: str, blob: bytes) -> None:
        with self.lock:
            self.db.execute(
                "INSERT INTO vault (id, key_id, blob, created) VALUES (?, ?, ?, ?)",
                (id, key_id, blob, self.clock.now()),
            )

    def get_sealed(self, id: str) -> tuple[str, bytes] | None:
        with self.lock:
            row = self.db.execute("SELECT key_id, blob FROM vault WHERE id=?", (id,)).fetchone()
        return (row[0], row[1]) if row else None
