"""The sandbox vault: AES-256-GCM with the record id bound, keyed fingerprints, CSPRNG ids; and on disk, through
every PSP, no PAN or CVC."""

import base64
import os
import re

import pytest
import requests
from cryptography.exceptions import InvalidTag

from panless.core.demo import CREDENTIALS
from panless.sandbox import create_app as create_sandbox
from panless.sandbox.store import SandboxStore as Store
from panless.sandbox.vault import Vault, VaultError, load_key, new_id
from tests.sandbox.mangopay.wire import AMEX, FUTURE, VISA
from tests.support import LiveServer
from tests.support.sandbox import TIMEOUT, MangopayWire

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


def test_database_file_holds_no_pan_or_cvc(tmp_path):
    # A fresh file: a long-lived one's free pages hold so much random text that a CVC could turn up by chance.
    db = tmp_path / "vault.db"
    server = LiveServer(create_sandbox({"SANDBOX": {"DB": str(db)}})).start()
    try:
        mp = MangopayWire(server.url)
        cvc = "9371"
        reg = mp.registration("AMEX")
        mp.finish(reg, mp.tokenize(reg, AMEX, FUTURE, cvc).text)
        visa = mp.registration()
        mp.tokenize(visa, VISA, FUTURE, "123")  # tokenized but never finished
        # Juspay and Stax keep card data in the same vault: tokenize and save with each.
        jp = f"{server.url}/juspay"
        juspay, stax = CREDENTIALS["juspay"], CREDENTIALS["stax"]
        token = requests.post(f"{jp}/card/tokenize", timeout=TIMEOUT, data={
            "merchant_id": juspay["MERCHANT_ID"], "card_number": "5555555555554444",
            "card_exp_year": "20" + FUTURE[2:], "card_exp_month": "12", "card_security_code": "731"}).json()["token"]
        added = requests.post(f"{jp}/card/add", auth=(juspay["API_KEY"], ""), timeout=TIMEOUT,
                              data={"merchant_id": juspay["MERCHANT_ID"], "customer_id": "c1", "token": token})
        assert added.status_code == 200, added.text
        saved = requests.post(f"{server.url}/stax/webpayment/{stax['WEB_TOKEN']}/tokenize", timeout=TIMEOUT,
                              json={"method": "card", "person_name": "Jo Smith", "card_number": "4111111111111111",
                                    "card_exp": FUTURE, "card_cvv": "6842", "address_zip": "32801"})
        assert saved.status_code == 200
    finally:
        server.stop()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("vault.db*"))
    assert b"SQLite format 3" in raw
    for secret in (AMEX, VISA, cvc, "5555555555554444", "4111111111111111", "6842"):  # digit-bounded
        hit = re.search(rb"(?<![0-9])" + secret.encode() + rb"(?![0-9])", raw)
        assert not hit, raw[hit.start() - 80: hit.end() + 80]
    # A 3-digit code would turn up by chance in random bytes: look for it as a stored value would be written.
    assert b'"731"' not in raw and b"=731" not in raw
    # Sanity: the scan does see what is stored in clear (the alias and the registration id).
    assert b"375989XXXXX1119" in raw and reg["Id"].encode() in raw
