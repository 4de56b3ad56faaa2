"""The sandbox's card vault: AES-256-GCM at rest, record id bound as associated data, keyed fingerprints.

Only the PAN, expiry and holder name are sealed; the CVC is checked and dropped, never written.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .store import SandboxStore

log = logging.getLogger("panless.sandbox.vault")

DEMO_KEY_BANNER = (
    "DEMO VAULT KEY: no PANLESS_SANDBOX__VAULT_KEY is set, so the sandbox generated a throwaway key. "
    "Fine for the offline sandbox; never for anything that holds real card data."
)


class VaultError(Exception):
    pass


def new_id(prefix: str = "") -> str:
    """A random identifier with 128 bits from the CSPRNG, never numeric nor Luhn-shaped."""
    return prefix + secrets.token_urlsafe(16)


def load_key(configured: str | None, db_path: str) -> bytes:
    """The master key from configuration, or a generated demo key (kept beside a file database)."""
    if configured:
        try:
            key = base64.urlsafe_b64decode(str(configured) + "=" * (-len(str(configured)) % 4))
        except ValueError:  # binascii.Error
            key = b""
        if len(key) != 32:
            raise VaultError("PANLESS_SANDBOX__VAULT_KEY must be 32 bytes, url-safe base64 encoded")
        return key
    log.warning(DEMO_KEY_BANNER)
    if db_path == ":memory:":
        return AESGCM.generate_key(bit_length=256)
    key_file = Path(db_path + ".demo-key")
    if key_file.exists():
        return base64.urlsafe_b64decode(key_file.read_text().strip())
    key = AESGCM.generate_key(bit_length=256)
    key_file.write_text(base64.urlsafe_b64encode(key).decode() + "\n")
    os.chmod(key_file, 0o600)
    return key


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"panless " + purpose).derive(master)


class Vault:
    def __init__(self, store: SandboxStore, master_key: bytes):
        self.store = store
        self._aead = AESGCM(_derive(master_key, b"vault data key"))
        self._fingerprint_key = _derive(master_key, b"fingerprint key")
        self.key_id = hashlib.sha256(_derive(master_key, b"key id")).hexdigest()[:16]

    def _aad(self, record_id: str, key_id: str) -> bytes:
        return f"panless-vault|{record_id}|{key_id}".encode()

    def seal(self, card: dict) -> str:
        """Encrypt card data ({pan, exp, holder}) and return the new vault record id."""
        record_id = new_id("vlt_")
        nonce = os.urandom(12)
        blob = nonce + self._aead.encrypt(nonce, json.dumps(card).encode(), self._aad(record_id, self.key_id))
        self.store.put_sealed(record_id, self.key_id, blob)
        return record_id

    def open(self, record_id: str) -> dict:
        row = self.store.get_sealed(record_id)
        if row is None:
            raise VaultError("no such vault record")
        key_id, blob = row
        if key_id != self.key_id:
            raise VaultError("vault record sealed under another key")
        plain = self._aead.decrypt(blob[:12], blob[12:], self._aad(record_id, key_id))
        return json.loads(plain)

    def fingerprint(self, pan: str) -> str:
        """Keyed HMAC of the whole PAN (PCI DSS 3.5.1.1), 32 hex characters like Mangopay's."""
        return hmac.new(self._fingerprint_key, pan.encode(), hashlib.sha256).hexdigest()[:32]
