"""Ecart Pay's state and rules on the sandbox: authorization tokens (JWT HS512, one hour), card tokens
temporary (15 minutes) or permanent behind a validation hold, installments, and the transaction log.

A permanent token (`tokenization: true`) first places a $10.00 MXN pre-sale that must approve; a decline
fails the request at once. The hold is then finalized at $0.01 and cancelled after the answer is sent
(`release`, run by the view once the response is out). The log is what a test reads to see those steps.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from datetime import UTC, datetime

from .. import cards
from ..store import SandboxStore
from ..vault import Vault, new_id
from . import errors

AUTHORIZATION_TTL = 3600
TEMPORARY_TTL = 15 * 60
INSTALLMENTS = (3, 6, 9, 12, 18)
HOLD = ("10.00", "0.01", "MXN")  # validation hold, finalized amount, currency
# A published test card given this role in the sandbox: it tokenizes, but its validation hold is declined.
HOLD_DECLINED = {"4970101122334414"}
CARD_FIELDS = ("number", "name", "exp_month", "exp_year", "cvc")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class EcartPayBackend:
    def __init__(self, store: SandboxStore, vault: Vault, keys: dict[str, str]):
        self.store, self.vault, self.keys = store, vault, keys
        self.jwt_secret = secrets.token_bytes(32)

    @classmethod
    def from_settings(cls, store: SandboxStore, vault: Vault, psp: dict, sandbox: dict) -> EcartPayBackend:
        return cls(store, vault, {str(psp["PUBLIC_KEY"]): str(psp["PRIVATE_KEY"])})

    def now(self) -> float:
        return self.store.clock.now()

    # -- authorization tokens ------------------------------------------------------------------------

    def authorize(self, public_key: str, private_key: str) -> dict:
        expected = self.keys.get(public_key)
        if expected is None or not secrets.compare_digest(expected.encode(), private_key.encode()):
            raise errors.unauthorized()
        issued = int(self.now())
        head = _b64(json.dumps({"alg": "HS512", "typ": "JWT"}).encode())
        claims = _b64(json.dumps({"sub": public_key, "iat": issued, "exp": issued + AUTHORIZATION_TTL}).encode())
        mac = hmac.new(self.jwt_secret, f"{head}.{claims}".encode(), hashlib.sha512).digest()
        return {"token": f"{head}.{claims}.{_b64(mac)}"}

    def merchant_for(self, header: str) -> str:
        """The merchant an `Authorization` header speaks for: the JWT raw, or as `Bearer <jwt>`."""
        token = header[7:].strip() if header.lower().startswith("bearer ") else header.strip()
        parts = token.split(".")
        if len(parts) != 3:
            raise errors.unauthorized()
        mac = hmac.new(self.jwt_secret, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha512).digest()
        if not hmac.compare_digest(_b64(mac), parts[2]):
            raise errors.unauthorized()
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        if claims["exp"] <= self.now() or claims["sub"] not in self.keys:
            raise errors.unauthorized()
        return claims["sub"]

    # -- card tokens -----------------------------------------------------------------------------------

    def create_token(self, merchant: str, body: dict) -> tuple[dict, str | None]:
        """-> (the answer, the id of a validation hold to release once the answer is sent, if any)."""
        options = self._options(body)
        if body.get("id") is not None:
            return self._from_saved(merchant, body, options), None
        card = self._card(body)
        if card["pan"] in cards.REFUSED_AT_VALIDATION:
            raise errors.declined()
        permanent = body.get("tokenization") is True
        hold = None
        if permanent:
            hold = self._log(merchant, None, "presale", HOLD[0], card["pan"][-4:],
                             "declined" if card["pan"] in HOLD_DECLINED else "approved")
            if hold["status"] == "declined":
                raise errors.hold_declined()
        sealed = self.vault.seal({"pan": card["pan"], "exp": card["exp"], "holder": card["holder"]})
        token = self._issue(merchant, sealed, card["pan"], permanent, options, cvc_supplied=True, source="card")
        if hold:
            hold["token"] = token["id"]
            self.store.put("ep_txn", hold["id"], hold, owner=merchant)
        return {"token": token["id"]}, hold and hold["id"]

    def release(self, merchant: str, hold_id: str) -> None:
        """The background half of a validation hold: finalize it at $0.01, then cancel that."""
        hold = self.store.get("ep_txn", hold_id)
        self._log(merchant, hold["token"], "finalize", HOLD[1], hold["last4"], "completed", parent=hold_id)
        self._log(merchant, hold["token"], "cancel", HOLD[1], hold["last4"], "cancelled", parent=hold_id)

    def _options(self, body: dict) -> dict:
        installments, fixed = body.get("installments"), body.get("fixed_installments")
        if installments is not None and (isinstance(installments, bool) or installments not in INSTALLMENTS):
            raise errors.invalid("invalid_installments", "installments must be one of 3, 6, 9, 12 or 18.")
        if fixed is not None and not isinstance(fixed, bool):
            raise errors.invalid("invalid_fixed_installments", "fixed_installments must be true or false.")
        if body.get("tokenization") is not None and not isinstance(body["tokenization"], bool):
            raise errors.invalid("invalid_tokenization", "tokenization must be true or false.")
        return {"installments": installments, "fixed_installments": fixed}

    def _card(self, body: dict) -> dict:
        values = {name: body.get(name) for name in CARD_FIELDS}
        for name, value in values.items():
            if value is not None and not isinstance(value, str):
                raise errors.invalid(f"invalid_{name}", f"{name} must be a string.")
        pan = values["number"] or ""
        if not cards.pan_ok(pan):
            raise errors.invalid("invalid_number", "The card number is not valid.")
        if not (values["name"] or "").strip():
            raise errors.invalid("invalid_name", "The cardholder name is required.")
        month, year = values["exp_month"] or "", values["exp_year"] or ""
        if not re.fullmatch(r"[0-9]{1,2}", month) or not 1 <= int(month) <= 12:
            raise errors.invalid("invalid_exp_month", "exp_month must be a month from 1 to 12.")
        if not re.fullmatch(r"[0-9]{2}|20[0-9]{2}", year):
            raise errors.invalid("invalid_exp_year", "exp_year must have two or four digits.")
        if not cards.expiry_mmyy_ok(f"{int(month):02d}{year[-2:]}", self.now()):
            raise errors.invalid("card_expired", "The card has expired.")
        amex = cards.brand_of(pan) == "AMEX"
        if not re.fullmatch(r"[0-9]{4}" if amex else r"[0-9]{3}", values["cvc"] or ""):
            raise errors.invalid("invalid_cvc", "The security code is not valid.")
        # The CVC is checked and dropped, as everywhere in the sandbox.
        return {"pan": pan, "exp": f"{int(month):02d}{year[-2:]}", "holder": values["name"].strip()}

    def _from_saved(self, merchant: str, body: dict, options: dict) -> dict:
        saved = self._token(merchant, body["id"])
        cvc = body.get("cvc")
        if cvc is not None and (not isinstance(cvc, str) or not re.fullmatch(r"[0-9]{3,4}", cvc)):
            raise errors.invalid("invalid_cvc", "The security code is not valid.")
        permanent = body.get("source") == "one_click_checkout"
        token = self._issue(merchant, saved["vault"], None, permanent, options, cvc_supplied=cvc is not None,
                            source=body.get("source") or "card_id", last4=saved["last4"], brand=saved["brand"])
        return {"token": token["id"]}

    def _issue(self, merchant, vault_id, pan, permanent, options, *, cvc_supplied, source, last4=None,
               brand=None) -> dict:
        token = {
            "id": "ca_" + secrets.token_hex(16), "merchant": merchant, "vault": vault_id, "permanent": permanent,
            "expires_at": None if permanent else int(self.now()) + TEMPORARY_TTL,
            "installments": options["installments"], "fixed_installments": options["fixed_installments"],
            "cvc_supplied": cvc_supplied, "source": source, "last4": last4 or pan[-4:],
            "brand": brand or (cards.brand_of(pan) or "UNKNOWN").lower(), "created_at": int(self.now()),
        }
        self.store.put("ep_token", token["id"], token, owner=merchant)
        return token

    def _token(self, merchant: str, token_id) -> dict:
        token = self.store.get("ep_token", token_id) if isinstance(token_id, str) else None
        if token is None or token["merchant"] != merchant:
            raise errors.not_found()
        if token["expires_at"] is not None and token["expires_at"] <= self.now():
            raise errors.not_found()
        return token

    def _log(self, merchant, token, kind, amount, last4, status, parent=None) -> dict:
        entry = {"id": new_id("txn_"), "token": token, "type": kind, "amount": amount, "currency": HOLD[2],
                 "status": status, "last4": last4, "parent": parent,
                 "at": datetime.fromtimestamp(self.now(), UTC).isoformat()}
        self.store.put("ep_txn", entry["id"], entry, owner=merchant)
        return entry

    # -- what tests read (not Ecart Pay's wire) -----------------------------------------------------------

    def describe_token(self, token_id: str) -> dict:
        token = self.store.get("ep_token", token_id)
        if token is None:
            raise errors.not_found()
        expired = token["expires_at"] is not None and token["expires_at"] <= self.now()
        return {**{k: v for k, v in token.items() if k not in ("vault", "merchant")}, "expired": expired}

    def transactions(self) -> list[dict]:
        return [entry for merchant in self.keys for entry in self.store.find("ep_txn", owner=merchant)]
