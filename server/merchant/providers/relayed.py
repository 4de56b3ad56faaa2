"""What adapters of PSPs reached through the tokenization relay share (Ecart Pay, Verifone UK Gateway).

start mints a relay ticket (signed with the PSP's RELAY_KEY, bound to the PSP, customer, session and the
exact operation with its parameters) and targets the relay; the browser's result is the relay's signed
receipt, which finish checks before believing the token or the card metadata in it. The browser never
chooses what the PSP is asked, and a receipt from another session, customer or PSP is refused.
CVC re-collection is another operation (`cvc_operation`): the ticket names the saved card, the browser
sends the CVC alone, and the receipt says which card the PSP made ready to charge.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from ...core.tickets import SignatureError, mint_ticket, verify
from ..errors import hint
from .base import (
    Card,
    Charge,
    FinishRequest,
    Provider,
    PspFailure,
    StartRequest,
    TokenizationTarget,
    origin_of,
    shaped,
)

LAST4 = re.compile(r"[0-9]{4}")
RELAY_ROOT = "http://127.0.0.1:8002"  # `panless relay` on its default port
TICKET_HEADER = "X-Relay-Ticket"
# The relay's own refusal codes -> ours (relay/views.py CODES)
RELAY_ERRORS = {
    "ticket_missing": "session_expired", "ticket_invalid": "session_expired", "ticket_expired": "session_expired",
    "ticket_mismatch": "session_expired", "ticket_used": "session_expired", "origin_not_allowed": "tokenization_failed",
    "unknown_route": "tokenization_failed", "invalid_request": "tokenization_failed",
    "invalid_json": "tokenization_failed", "unknown_field": "tokenization_failed",
    "invalid_field": "tokenization_failed", "payload_too_large": "tokenization_failed",
    "method_not_allowed": "tokenization_failed", "upstream_unavailable": "psp_unavailable",
    "upstream_timeout": "psp_unavailable", "upstream_auth_failed": "tokenization_failed",
    "upstream_error": "tokenization_failed",
}


class RelayedProvider(Provider):
    operation = ""                        # the relay operation: its path segment and the ticket's `op`
    card_fields: dict[str, str] = {}      # our name -> the PSP's field
    cvc_operation = ""                    # the relay operation attaching a fresh CVC to a saved card
    cvc_field = ""                        # the PSP's name of the CVC in that operation
    psp_errors: dict[str, str] = {}       # the PSP's error code (as the relay reports it) -> ours

    def __init__(self, config: dict):
        super().__init__(config)
        self.relay_url = str(config["RELAY_URL"]).rstrip("/")
        self.relay_key = str(config["RELAY_KEY"])

    def tokenization_origins(self) -> list[str]:
        return [origin_of(self.relay_url)]

    def relay_target(self, request: StartRequest, params: dict, operation: str | None = None,
                     card_fields: dict[str, str] | None = None) -> TokenizationTarget:
        operation = operation or self.operation
        ticket = mint_ticket(self.relay_key, psp=self.name, customer=request.customer_id,
                             session=request.idempotency_key, operation=operation, params=params)
        return TokenizationTarget(
            url=f"{self.relay_url}/{self.name}/{operation}/{quote(request.idempotency_key, safe='')}",
            encoding="json", headers={TICKET_HEADER: ticket},
            card_fields=dict(self.card_fields if card_fields is None else card_fields),
            expiry_format="MM+YYYY", result={"type": "json", "path": "receipt", "error_code_path": "error.code"},
            errors=self.relay_errors(),
        )

    def relay_errors(self) -> dict[str, dict]:
        """Every error needs a new session, field errors included: a forwarded attempt spends its ticket."""
        codes = {**RELAY_ERRORS, **self.psp_errors}
        return {code: {**hint(ours), "retry": "new_session"} for code, ours in codes.items()}

    def cvc_target(self, request: StartRequest, params: dict) -> TokenizationTarget:
        """The saved card (in the ticket, never from the browser) and the CVC alone from the browser."""
        return self.relay_target(request, params, self.cvc_operation, {"cvc": self.cvc_field})

    def cvc_receipt(self, request: FinishRequest) -> dict:
        """The relay's receipt of a CVC re-collection for this session's saved card, else invalid_result."""
        claims = self.receipt(request, self.cvc_operation)
        params = claims.get("params")
        if not isinstance(params, dict) or params.get("id") != request.saved_card:
            raise PspFailure(PspFailure.REFUSED, "invalid_result")
        return claims

    @staticmethod
    def charge_from(claims: dict, token: str, ttl: int) -> Charge:
        """Ready to charge from the moment the relay got the PSP's answer (the receipt's `iat`)."""
        issued = claims.get("iat")
        if not isinstance(issued, int) or isinstance(issued, bool):
            raise PspFailure(PspFailure.REFUSED, "invalid_result")
        return Charge(token=token, expires_at=issued + ttl)

    def receipt(self, request: FinishRequest, operation: str | None = None) -> dict:
        """The relay's receipt for this very session, customer, PSP and operation, else invalid_result."""
        refused = PspFailure(PspFailure.REFUSED, "invalid_result")
        if not isinstance(request.browser_result, str):
            raise refused
        try:
            claims = verify(self.relay_key, request.browser_result, "receipt")
        except SignatureError:
            raise refused from None
        expected = (self.name, operation or self.operation, request.ref, request.customer_id)
        if not isinstance(claims, dict) or (claims.get("psp"), claims.get("op"), claims.get("ses"),
                                            claims.get("cus")) != expected:
            raise refused
        if not isinstance(claims.get("token"), str) or not claims["token"]:
            raise refused
        return claims

    @staticmethod
    def card_from_receipt(claims: dict) -> Card:
        card = shaped(claims.get("card"), brand=str, last4=LAST4, exp_month=(int, str), exp_year=(int, str))
        return Card(token=claims["token"], brand=card["brand"], last4=card["last4"], exp_month=int(card["exp_month"]),
                    exp_year=int(card["exp_year"]))
