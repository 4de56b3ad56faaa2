"""The sandbox's state: the shared document store plus the vault's ciphertext table."""

from __future__ import annotations

from sqlalchemy import insert, select

from ..core.store import Store, vault_table


class SandboxStore(Store):
    TABLES = (vault_table,)

    def put_sealed(self, id: str, key_id: str, blob: bytes) -> None:
        with self.transaction() as conn:
            conn.execute(insert(vault_table).values(id=id, key_id=key_id, blob=blob, created=self.clock.now()))

    def get_sealed(self, id: str) -> tuple[str, bytes] | None:
        with self.transaction(write=False) as conn:
            row = conn.execute(select(vault_table.c.key_id, vault_table.c.blob).where(vault_table.c.id == id)).first()
        return (row[0], bytes(row[1])) if row else None
