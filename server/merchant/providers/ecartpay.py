"""Ecart Pay, per ../shared/protocols.md section 3, through the tokenization relay.

Ecart Pay's `POST /api/tokens` needs the merchant's authorization token, so the browser posts the card to
the relay, which adds it. The merchant app holds no Ecart Pay key at all.
start:  mint the relay ticket for `tokens` with the parameters the merchant decides: permanent
        (`tokenization: true`, behind a $10.00 MXN validation hold) unless the session asks for a temporary
        token (15 minutes, for paying now), and installments passed through from the checkout.
finish: Ecart Pay answers a token request with `{"token"}` only and documents no way to read a token back,
        so the card metadata is what the relay signed in its receipt, for this session and customer.
CVC re-collection: `POST /api/tokens` with the saved token's `id` (in the ticket) and the `cvc` (from the
        browser), through the relay's `cvc` operation; the answer is a temporary token (15 minutes) to pay
        with, installments included when the checkout asks for them.
"""

from __future__ import annotations

from .base import Card, Charge, FinishRequest, ProviderSession, StartRequest
from .relayed import RELAY_ROOT, RelayedProvider

BRANDS = ["visa", "mastercard", "amex"]
TEMPORARY_TTL = 15 * 60  # seconds a temporary token lives
# Ecart Pay's error `code` (sandbox-chosen shape, tests/fixtures/ecartpay) -> our stable code
PSP_ERRORS = {
    "invalid_number": "invalid_number", "invalid_exp_month": "invalid_expiry", "invalid_exp_year": "invalid_expiry",
    "card_expired": "invalid_expiry", "invalid_cvc": "invalid_cvc", "invalid_name": "invalid_name",
    "card_declined": "card_refused", "validation_declined": "card_refused",
    "invalid_installments": "tokenization_failed", "invalid_fixed_installments": "tokenization_failed",
    "unauthorized": "tokenization_failed", "not_found": "tokenization_failed",
}


class EcartPayProvider(RelayedProvider):
    name = "ecartpay"
    title = "Ecart Pay"
    settings = {"RELAY_URL": RELAY_ROOT, "TEMPORARY": False}
    required = ("BASE_URL", "RELAY_URL", "RELAY_KEY")
    secret_keys = ("RELAY_KEY",)  # Ecart Pay's own keys are the relay's (it refuses their demo values)
    session_options = ("installments", "fixed_installments", "temporary")
    operation = "tokens"
    card_fields = {"number": "number", "name": "name", "exp_month": "exp_month", "exp_year": "exp_year",
                   "cvc": "cvc"}
    psp_errors = PSP_ERRORS
    cvc_recollection = True
    cvc_operation = "cvc"
    cvc_field = "cvc"
    cvc_session_options = ("installments", "fixed_installments")

    def start(self, request: StartRequest) -> ProviderSession:
        return ProviderSession(ref=request.idempotency_key, target=self.relay_target(request, self.params(request)),
                               accepted_brands=BRANDS, provider_customer={})

    def params(self, request: StartRequest) -> dict:
        """What the ticket asks of Ecart Pay: the browser can neither add to it nor change it."""
        options = request.options
        params = {"tokenization": not options.get("temporary", bool(self.config.get("TEMPORARY")))}
        if "installments" in options:
            params["installments"] = options["installments"]
        if "fixed_installments" in options:
            params["fixed_installments"] = options["fixed_installments"]
        return params

    def finish(self, request: FinishRequest) -> Card:
        return self.card_from_receipt(self.receipt(request))

    def start_cvc(self, request: StartRequest) -> ProviderSession:
        params = {"id": request.saved_card,
                  **{k: v for k, v in request.options.items() if k in self.cvc_session_options}}
        return ProviderSession(ref=request.idempotency_key, target=self.cvc_target(request, params),
                               accepted_brands=BRANDS, provider_customer={})

    def finish_cvc(self, request: FinishRequest) -> Charge:
        claims = self.cvc_receipt(request)
        return self.charge_from(claims, claims["token"], TEMPORARY_TTL)

    def deactivate(self, card_token: str) -> None:
        """Ecart Pay documents no way to delete a token: the merchant forgets it (and permanent tokens are
        only usable with the merchant's keys)."""
