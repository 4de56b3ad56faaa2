"""The sandbox vault: AES-256-GCM with the record id bound, keyed fingerprints, CSPRNG ids."""

import base64
import os
import re

import pytest
from cryptography.exceptions import InvalidTag

from panless.sandbox.store import SandboxStore as Store
from panless.sandbox.vault import Vault, VaultError, load_key, new_id

CARD = {"pan": "4970107111111119", "exp": "1230", "holder": "Jody Smith"}


@pytest.fixture
def vault():
    return Vault(Store(), os.urandom(32))


def test_seal_and_open(vault):
    record = vault.seal(CARD)
    assert vault.open(record) == CARD
    key_id, blob = vault.store.get_sealed(record)
    assert CARD["pan"].encode() not in blob and len(blob) > 12 + 16


def test_every_seal_uses_a_fresh_nonce(vault):
    blobs = {vault.store.get_sealed(vault.seal(CARD))[1][:12] for _ in range(200)}
    assert len(blobs) == 200


def test_bit_flip_is_detected(vault):
    record = vault.seal(CARD)
    key_id, blob = vault.store.get_sealed(record)
    flipped = blob[:20] + bytes([blob[20] ^ 1]) + blob[21:]
    vault.store.db.execute("UPDATE vault SET blob=? WHERE id=?", (flipped, record))
    with pytest.raises(InvalidTag):
        vault.open(record)


def test_ciphertext_moved_to_another_record_fails(vault):
    a, b = vault.seal(CARD), vault.seal({**CARD, "pan": "4970105181818183"})
    blob_a = vault.store.get_sealed(a)[1]
    vault.store.db.execute("UPDATE vault SET blob=? WHERE id=?", (blob_a, b))
    with pytest.raises(InvalidTag):
        vault.open(b)


def test_other_key_cannot_open(vault):
    record = vault.seal(CARD)
    other = Vault(vault.store, os.urandom(32))
    with pytest.raises(VaultError):
        other.open(record)


def test_fingerprint_is_keyed_and_stable(vault):
    other = Vault(Store(), os.urandom(32))
    assert vault.fingerprint(CARD["pan"]) == vault.fingerprint(CARD["pan"])
    assert vault.fingerprint(CARD["pan"]) != other.fingerprint(CARD["pan"])
    assert re.fullmatch(r"[0-9a-f]{32}", vault.fingerprint(CARD["pan"]))


def test_ids_carry_128_random_bits_and_never_look_like_pans():
    ids = {new_id("card_m_") for _ in range(1000)}
    assert len(ids) == 1000
    for i in ids:
        raw = i.removeprefix("card_m_")
        assert len(base64.urlsafe_b64decode(raw + "==")) == 16
        assert not re.search(r"[0-9]{13}", i)


def test_configured_key_must_be_32_bytes():
    assert load_key(base64.urlsafe_b64encode(b"k" * 32).decode(), ":memory:") == b"k" * 32
    with pytest.raises(VaultError):
        load_key(base64.urlsafe_b64encode(b"short").decode(), ":memory:")


def test_demo_key_survives_restart_of_a_file_database(tmp_path):
    db = str(tmp_path / "s.db")
    first = Vault(Store(db), load_key(None, db))
    record = first.seal(CARD)
    second = Vault(Store(db), load_key(None, db))
    assert second.open(record) == CARD
    assert oct(os.stat(db + ".demo-key").st_mode)[-3:] == "600"
